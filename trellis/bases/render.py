"""A base's view as HTML, with the classes of Obsidian's own Bases views.

Tables are `bases-view` > `bases-table-container` > `table.bases-table` (`bases-thead`,
`bases-tbody`, `bases-tr`, `bases-td` with `data-property`), one table per group under a
`bases-group-heading`, summaries in a `bases-table-summary` row; cards are
`bases-cards-container` > `bases-cards-item` with a `bases-cards-cover` and one
`bases-cards-property` (`bases-cards-label`, `bases-cards-line`) per property, the first
`mod-title`; lists are `ul.bases-list`. Everything is escaped except what the build's hooks
return (URLs of published notes and attachments, inline Markdown from published notes).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any, Protocol

from trellis.bases.evaluate import FileRef, Image, text
from trellis.bases.run import Group, ViewResult
from trellis.query.durations import Duration
from trellis.query.render import external_html, link_html
from trellis.query.values import ExternalLink, Link, js_number

_HEX = "0123456789abcdefABCDEF"


class BaseHooks(Protocol):
    def href(self, path: str, subpath: str | None, kind: str) -> str | None: ...

    def markdown(self, text: str) -> str: ...

    def file_url(self, target: str) -> str | None:
        """URL of a published attachment named as written, or None."""


def value_html(value: Any, hooks: BaseHooks) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        checked = " checked" if value else ""
        return f'<input type="checkbox" class="bases-checkbox" disabled{checked}>'
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, str):
        return hooks.markdown(value)
    if isinstance(value, datetime | Duration):
        return escape(text(value))
    if isinstance(value, Link):
        return link_html(value, hooks)
    if isinstance(value, FileRef):
        name = value.path.rsplit("/", 1)[-1].removesuffix(".md")
        return link_html(Link(value.path, text=name), hooks)
    if isinstance(value, ExternalLink):
        return external_html(value)
    if isinstance(value, Image):
        url = _image_url(value.url, hooks)
        return f'<img src="{escape(url)}" alt="">' if url else ""
    if isinstance(value, list):
        items = "".join(
            f'<span class="bases-list-item">{value_html(v, hooks)}</span>' for v in value
        )
        return f'<span class="bases-list">{items}</span>'
    return escape(text(value))


def _image_url(target: str, hooks: BaseHooks) -> str | None:
    target = target.strip()
    if target.startswith(("https://", "http://")):
        return target
    return hooks.file_url(target)


def _table(result: ViewResult, group: Group, hooks: BaseHooks) -> str:
    props = result.columns
    heads = "".join(
        f'<th class="bases-table-header" data-property="{escape(p)}">{escape(label)}</th>'
        for p, label in zip(props, result.labels, strict=True)
    )
    body = "".join(
        '<tr class="bases-tr">'
        + "".join(
            f'<td class="bases-td" data-property="{escape(p)}">{value_html(v, hooks)}</td>'
            for p, v in zip(props, cells, strict=True)
        )
        + "</tr>"
        for cells in group.rows
    )
    summary = ""
    if group.summaries:
        cells = "".join(
            f'<td class="bases-td bases-summary" data-property="{escape(p)}">'
            f"{value_html(group.summaries[p], hooks) if p in group.summaries else ''}</td>"
            for p in props
        )
        summary = f'<tfoot><tr class="bases-tr bases-table-summary">{cells}</tr></tfoot>'
    return (
        '<div class="bases-table-container"><table class="bases-table">'
        f'<thead class="bases-thead"><tr class="bases-tr">{heads}</tr></thead>'
        f'<tbody class="bases-tbody">{body}</tbody>{summary}</table></div>'
    )


def _cover(value: Any, fit: str, ratio: float, hooks: BaseHooks) -> str:
    style = f"aspect-ratio:{1 / ratio:.4g};"
    inner = ""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value.startswith("#") and all(c in _HEX for c in value[1:]):
        style += f"background-color:{value};"
    elif isinstance(value, Link | Image | str):
        target = (
            value.url
            if isinstance(value, Image)
            else value.text
            if isinstance(value, Link)
            else value
        )
        url = _image_url(target, hooks) if isinstance(target, str) else None
        if url:
            inner = f'<img src="{escape(url)}" alt="" loading="lazy">'
    return f'<div class="bases-cards-cover mod-{fit}" style="{style}">{inner}</div>'


def _cards(result: ViewResult, group: Group, start: int, hooks: BaseHooks) -> str:
    view = result.view
    items = []
    for offset, cells in enumerate(group.rows):
        cover = ""
        if view.image:
            image = result.images[start + offset] if start + offset < len(result.images) else None
            cover = _cover(image, view.image_fit, view.image_aspect_ratio, hooks)
        props = []
        for index, (prop, label, value) in enumerate(
            zip(result.columns, result.labels, cells, strict=True)
        ):
            title = " mod-title" if index == 0 else ""
            label_html = (
                "" if index == 0 else f'<div class="bases-cards-label">{escape(label)}</div>'
            )
            props.append(
                f'<div class="bases-cards-property{title}" data-property="{escape(prop)}">'
                f'{label_html}<div class="bases-cards-line">{value_html(value, hooks)}</div></div>'
            )
        items.append(f'<div class="bases-cards-item">{cover}{"".join(props)}</div>')
    return (
        f'<div class="bases-cards-container" style="--bases-cards-width:{view.card_size}px">'
        f"{''.join(items)}</div>"
    )


def _list(result: ViewResult, group: Group, hooks: BaseHooks) -> str:
    items = "".join(
        "<li>"
        + " · ".join(value_html(v, hooks) for v in cells if v not in (None, "", []))
        + "</li>"
        for cells in group.rows
    )
    return f'<ul class="bases-list-view">{items}</ul>'


def view_html(result: ViewResult, hooks: BaseHooks) -> str:
    view = result.view
    parts = []
    start = 0
    for group in result.groups:
        if view.group_by:
            parts.append(
                f'<div class="bases-group-heading">{value_html(group.key, hooks) or "—"}'
                f'<span class="bases-group-count">{len(group.rows)}</span></div>'
            )
        if view.type == "cards":
            parts.append(_cards(result, group, start, hooks))
        elif view.type == "list":
            parts.append(_list(result, group, hooks))
        else:
            parts.append(_table(result, group, hooks))
        start += len(group.rows)
    if not result.groups:
        parts.append('<p class="bases-empty">No results.</p>')
    return (
        f'<div class="bases-view" data-view-type="{escape(view.type)}" '
        f'data-view-name="{escape(view.name)}">{"".join(parts)}</div>'
    )
