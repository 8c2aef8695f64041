"""Values as text (Dataview's `Values.toString`) and the display settings it uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trellis.query.datefmt import format_luxon
from trellis.query.durations import Duration
from trellis.query.values import ExternalLink, Lambda, Link, ListPair, js_number


@dataclass(frozen=True)
class QuerySettings:
    """Dataview's defaults; the names are Dataview's own settings."""

    render_null_as: str = "\\-"
    date_format: str = "MMMM dd, yyyy"
    date_time_format: str = "h:mm a - MMMM dd, yyyy"
    table_id_column: str = "File"
    table_group_column: str = "Group"
    show_result_count: bool = True
    max_render_depth: int = 4


DEFAULT_SETTINGS = QuerySettings()


def link_markdown(link: Link) -> str:
    """`[[path#sub|label]]` for a published note, the visible text for anything else."""
    if link.path is None:
        return link.text
    inner = link.path.replace("|", "\\|")
    if link.kind == "header" and link.subpath:
        inner += "#" + link.subpath
    elif link.kind == "block" and link.subpath:
        inner += "#^" + link.subpath
    return ("!" if link.embed else "") + f"[[{inner}|{link.label()}]]"


def format_date(value: datetime, settings: QuerySettings = DEFAULT_SETTINGS) -> str:
    if value.hour == 0 and value.minute == 0 and value.second == 0:
        return format_luxon(value, settings.date_format)
    return format_luxon(value, settings.date_time_format)


def to_string(value: Any, settings: QuerySettings = DEFAULT_SETTINGS, nested: bool = False) -> str:
    if value is None:
        return settings.render_null_as
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, Duration):
        return value.human()
    if isinstance(value, datetime):
        return format_date(value, settings)
    if isinstance(value, Link):
        return link_markdown(value)
    if isinstance(value, ListPair):
        return f"{to_string(value.key, settings)}: {to_string(value.value, settings)}"
    if isinstance(value, ExternalLink):
        return f"[{value.display or value.url}]({value.url})"
    if isinstance(value, Lambda) or callable(value):
        return "<function>"
    if isinstance(value, list | tuple):
        inner = ", ".join(to_string(v, settings, True) for v in value)
        return f"[{inner}]" if nested else inner
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k}: {to_string(v, settings, True)}" for k, v in value.items())
        return "{ " + inner + " }"
    return str(value)
