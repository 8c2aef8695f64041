"""Query results as HTML, with Dataview's own DOM classes so users' CSS keeps working.

`table-view-table`, `dataview list-view-ul`, `task-list-item`, `dataview-result-list-ul`,
`dataview small-text` (the result count), `dataview-error-box` (no results) are written as
Dataview's views write them. Everything that leaves here is escaped, except what the build's
own callbacks return: `RenderHooks.href` (the URL of a published note, or None) and
`RenderHooks.markdown` (inline Markdown from a published note, rendered and cleaned by the
build's Markdown pipeline, so links inside strings also reach published notes only).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any, Protocol
from urllib.parse import urlsplit

from trellis.query.durations import Duration
from trellis.query.text import DEFAULT_SETTINGS, QuerySettings, format_date
from trellis.query.values import ExternalLink, Lambda, Link, ListPair, js_number

SAFE_SCHEMES = ("http", "https", "mailto", "ftp")


class RenderHooks(Protocol):
    def href(self, path: str, subpath: str | None, kind: str) -> str | None:
        """The URL of a published note (and heading or block), or None."""

    def markdown(self, text: str) -> str:
        """Inline Markdown written in a published note, as safe HTML."""


def link_html(link: Link, hooks: RenderHooks) -> str:
    url = hooks.href(link.path, link.subpath, link.kind) if link.path is not None else None
    label = escape(link.label())
    if url is None:
        return f'<span class="internal-link is-unresolved">{label}</span>'
    return f'<a class="internal-link" href="{escape(url)}">{label}</a>'


def external_html(link: ExternalLink) -> str:
    shown = escape(link.display or link.url)
    if urlsplit(link.url.strip()).scheme.lower() not in SAFE_SCHEMES:
        return shown
    return (
        f'<a href="{escape(link.url.strip())}" rel="noopener" target="_blank" '
        f'class="external-link">{shown}</a>'
    )


def value_html(
    value: Any,
    hooks: RenderHooks,
    settings: QuerySettings = DEFAULT_SETTINGS,
    inline: bool = False,
    depth: int = 0,
) -> str:
    """Dataview's `Lit`: any value as HTML (lists as `<ul>` unless `inline`)."""
    if depth >= settings.max_render_depth:
        return "..."
    if value is None:
        return escape(settings.render_null_as.replace("\\", ""))
    if isinstance(value, str):
        return f"<span>{hooks.markdown(value)}</span>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, datetime):
        return escape(format_date(value, settings))
    if isinstance(value, Duration):
        return escape(value.human())
    if isinstance(value, Link):
        return f"<span>{link_html(value, hooks)}</span>"
    if isinstance(value, ListPair):
        key = value_html(value.key, hooks, settings, inline, depth)
        return f"{key}: {value_html(value.value, hooks, settings, inline, depth)}"
    if isinstance(value, ExternalLink):
        return external_html(value)
    if isinstance(value, Lambda) or callable(value):
        return "&lt;function&gt;"
    if isinstance(value, list | tuple):
        parts = [value_html(v, hooks, settings, inline, depth + 1) for v in value]
        if inline:
            if not parts:
                return "&lt;Empty List&gt;"
            return f'<span class="dataview dataview-result-list-span">{", ".join(parts)}</span>'
        items = "".join(f'<li class="dataview-result-list-li">{p}</li>' for p in parts)
        return f'<ul class="dataview dataview-ul dataview-result-list-ul">{items}</ul>'
    if isinstance(value, Mapping):
        pairs = [
            (escape(str(k)), value_html(v, hooks, settings, inline, depth + 1))
            for k, v in value.items()
        ]
        if inline:
            if not pairs:
                return "&lt;Empty Object&gt;"
            body = ", ".join(f"{k}: {v}" for k, v in pairs)
            return f'<span class="dataview dataview-result-object-span">{body}</span>'
        items = "".join(
            f'<li class="dataview dataview-li dataview-result-object-li">{k}: {v}</li>'
            for k, v in pairs
        )
        return f'<ul class="dataview dataview-ul dataview-result-object-ul">{items}</ul>'
    return escape(str(value))


def _count(settings: QuerySettings, count: int) -> str:
    return f'<span class="dataview small-text">{count}</span>' if settings.show_result_count else ""


def empty_html(kind: str) -> str:
    return (
        '<div class="dataview dataview-error-box"><p class="dataview dataview-error-message">'
        f"Dataview: No results to show for {kind} query.</p></div>"
    )


def table_html(
    headers: list[str], rows: list[list[Any]], hooks: RenderHooks, settings: QuerySettings
) -> str:
    heads = "".join(
        f'<th class="table-view-th"><span>{hooks.markdown(h)}</span>'
        f"{_count(settings, len(rows)) if i == 0 else ''}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{value_html(c, hooks, settings)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    table = (
        '<table class="dataview table-view-table"><thead class="table-view-thead">'
        f'<tr class="table-view-tr-header">{heads}</tr></thead>'
        f'<tbody class="table-view-tbody">{body}</tbody></table>'
    )
    return table + (empty_html("table") if not rows else "")


def list_html(items: list[Any], hooks: RenderHooks, settings: QuerySettings) -> str:
    if not items:
        return empty_html("list")
    lis = "".join(f"<li>{value_html(item, hooks, settings)}</li>" for item in items)
    return f'<ul class="dataview list-view-ul">{lis}</ul>'


def _nest(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Dataview's `nestItems`: an item whose parent is also listed is shown only under it."""
    listed = {(i["path"], i["line"]) for i in items}
    return [i for i in items if (i["path"], i.get("parent")) not in listed]


def _task_items(items: list[Mapping[str, Any]], hooks: RenderHooks) -> str:
    out = []
    for item in _nest(items):
        children = item.get("children") or []
        inner = hooks.markdown(item["text"]) + (_task_items(children, hooks) if children else "")
        if item.get("task"):
            status = item.get("status", " ")
            done = status != " "
            out.append(
                f'<li class="dataview task-list-item{" is-checked" if done else ""}" '
                f'data-task="{escape(status)}"><input class="dataview task-list-item-checkbox" '
                f'type="checkbox" disabled{" checked" if done else ""} '
                f'aria-label="{escape(" ".join(str(item["text"]).split()))}">{inner}</li>'
            )
        else:
            out.append(f'<li class="dataview task-list-basic-item">{inner}</li>')
    return f'<ul class="contains-task-list">{"".join(out)}</ul>'


def _task_grouping(tasks: list[Any], grouped: bool, hooks: RenderHooks, s: QuerySettings) -> str:
    if not grouped:
        return _task_items(tasks, hooks) if tasks else empty_html("task")
    out = []
    for key, rows in tasks:
        count = _count(s, _grouping_size(rows))
        nested = isinstance(rows[0], tuple) if rows else False
        out.append(
            f"<h4>{value_html(key, hooks, s)}{count}</h4>"
            f'<div class="dataview result-group">{_task_grouping(rows, nested, hooks, s)}</div>'
        )
    return "".join(out)


def _grouping_size(rows: list[Any]) -> int:
    if rows and isinstance(rows[0], tuple):
        return sum(_grouping_size(inner) for _, inner in rows)
    return len(rows)


def task_html(tasks: list[Any], grouped: bool, hooks: RenderHooks, settings: QuerySettings) -> str:
    body = _task_grouping(tasks, grouped, hooks, settings)
    return f'<div class="dataview dataview-container">{body}</div>'


def error_html(message: str, source: str, language: str = "dataview") -> str:
    """An unevaluated query: a short notice, then the query as code (never a failed build)."""
    return (
        f'<div class="block-language-{escape(language)} trellis-query-error">'
        f'<p class="trellis-query-notice" role="note">{escape(message)}</p>'
        f'<pre><code class="language-{escape(language)}">{escape(source)}</code></pre></div>'
    )
