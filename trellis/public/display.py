"""Per-note display settings, named as the Digital Garden plugin names them.

Site-wide defaults come from the settings file (`show_backlinks = false`, ...); a note's own
`dg-show-backlinks: false` (etc.) overrides them either way. `dg-hide` keeps a page out of
search, feeds, the sitemap, the graph and the explorer while still building it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trellis.config import Settings

# frontmatter key -> Settings attribute holding the site-wide default
_SHOW_KEYS = {
    "dg-show-backlinks": "show_backlinks",
    "dg-show-toc": "show_toc",
    "dg-show-tags": "show_tags",
    "dg-show-inline-title": "show_inline_title",
    "dg-show-local-graph": "show_local_graph",
    "dg-show-file-tree": "show_file_tree",
    "dg-enable-search": "enable_search",
    "dg-link-preview": "link_preview",
    "dg-show-dates": "show_dates",
}


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


@dataclass(frozen=True)
class NoteDisplay:
    show_backlinks: bool = True
    show_toc: bool = True
    show_tags: bool = True
    show_inline_title: bool = True
    show_local_graph: bool = True
    show_file_tree: bool = True
    enable_search: bool = True
    link_preview: bool = True
    show_dates: bool = True
    hidden: bool = False  # dg-hide: built, but kept out of lists, search, feeds and graph
    hide_in_graph: bool = False
    hide_in_file_tree: bool = False
    pinned: bool = False
    note_icon: str = ""


# Every key `note_display` reads: a note with none of them shows the site's defaults.
_DISPLAY_KEYS = frozenset(
    {*_SHOW_KEYS, "dg-hide", "dg-hide-in-graph", "dg-hide-in-filetree", "dg-pinned"}
    | {"dg-note-icon"}
)


def note_display(
    meta: dict[str, Any], settings: Settings, defaults: NoteDisplay | None = None
) -> NoteDisplay:
    """How the note of `meta` is shown; `defaults`: what `note_display({}, settings)` gives,
    handed (frozen, shared) to every note that sets none of its keys."""
    if defaults is not None and _DISPLAY_KEYS.isdisjoint(meta):
        return defaults
    values: dict[str, Any] = {}
    for key, attribute in _SHOW_KEYS.items():
        own = _flag(meta.get(key))
        values[attribute] = getattr(settings, attribute) if own is None else own
    hidden = _flag(meta.get("dg-hide")) is True
    icon = meta.get("dg-note-icon")
    return NoteDisplay(
        **values,
        hidden=hidden,
        hide_in_graph=hidden or _flag(meta.get("dg-hide-in-graph")) is True,
        hide_in_file_tree=hidden or _flag(meta.get("dg-hide-in-filetree")) is True,
        pinned=_flag(meta.get("dg-pinned")) is True,
        note_icon=str(icon) if isinstance(icon, str | int) else "",
    )
