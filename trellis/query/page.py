"""A published note as Dataview sees it: its fields, its `file` object, its list items.

`page_fields` merges frontmatter and inline fields as Dataview does (a key given twice
becomes a list; every key also answers under its canonical name, `Basic Field` as
`basic-field`); `file_field` computes one implicit `file.*` value; `item_object` builds a
list item or task. Each value is worked out once per view and cached there.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from trellis.query.dates import frontmatter_string, inline_value, to_date
from trellis.query.durations import start_of
from trellis.query.values import Link
from trellis.query.view import ItemFacts, PublishedView, sub_tags

FILE_KEYS = (
    "path",
    "folder",
    "name",
    "ext",
    "link",
    "size",
    "ctime",
    "cday",
    "mtime",
    "mday",
    "tags",
    "etags",
    "inlinks",
    "outlinks",
    "aliases",
    "tasks",
    "lists",
    "frontmatter",
    "day",
    "starred",
)
_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0f\U0001f000-\U0001faff"
_CANON = re.compile(rf"[{_EMOJI}]+|[\w\-]+|\s+|.", re.S)
_EMOJI_RUN = re.compile(rf"[{_EMOJI}]+")
_WORD = re.compile(r"[\w\-]+")
_DAY_IN_NAME = (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), re.compile(r"(\d{4})(\d{2})(\d{2})"))
_TASK_DATES = (
    ("created", re.compile("\u2795\\s*(\\d{4}-\\d{2}-\\d{2})")),
    ("start", re.compile("\U0001f6eb\\s*(\\d{4}-\\d{2}-\\d{2})")),
    ("scheduled", re.compile("[\u23f3\u231b]\\s*(\\d{4}-\\d{2}-\\d{2})")),
    ("due", re.compile("(?:\U0001f4c5|\U0001f4c6|\U0001f5d3\ufe0f?)\\s*(\\d{4}-\\d{2}-\\d{2})")),
    ("completion", re.compile("\u2705\\s*(\\d{4}-\\d{2}-\\d{2})")),
)


def canonical_name(name: str) -> str:
    """Dataview's sanitised field name: lower case, spaces to `-`, punctuation dropped."""
    out = []
    for piece in _CANON.findall(name):
        if _EMOJI_RUN.fullmatch(piece):
            out.append(piece)
        elif _WORD.fullmatch(piece):
            out.append(piece.lower())
        elif piece.isspace():
            out.append("-")
    return "".join(out)


def sealed(view: PublishedView, value: Any, path: str) -> Any:
    """`value` with every string in it sealed (links to unpublished notes made text)."""
    if isinstance(value, str):
        return view.seal(value, path)
    if isinstance(value, list):
        return [sealed(view, v, path) for v in value]
    return value


def frontmatter_value(view: PublishedView, value: Any, path: str, depth: int = 0) -> Any:
    """A YAML value as Dataview reads it: strings may be dates, durations or links."""
    if depth > 64:
        return None
    if isinstance(value, datetime | date):
        return to_date(value, view.zone)
    if isinstance(value, str):
        parsed = frontmatter_string(
            value, view.zone, lambda inner, embed: view.make_link(inner, path, embed)
        )
        return sealed(view, parsed, path)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [frontmatter_value(view, v, path, depth + 1) for v in value]
    if isinstance(value, Mapping):
        return {str(k): frontmatter_value(view, v, path, depth + 1) for k, v in value.items()}
    return str(value)


def field_value(view: PublishedView, raw: str, path: str) -> Any:
    parsed = inline_value(raw, view.zone, lambda inner, embed: view.make_link(inner, path, embed))
    return sealed(view, parsed, path)


def _finalize(fields: dict[str, list[Any]]) -> dict[str, Any]:
    merged: dict[str, list[Any]] = {key: list(values) for key, values in fields.items()}
    for key, values in fields.items():
        canon = canonical_name(key)
        if not canon or canon in fields:
            continue
        merged.setdefault(canon, [])
        if merged[canon] is not values:
            merged[canon] = merged[canon] + values
    return {key: values[0] if len(values) == 1 else values for key, values in merged.items()}


def page_fields(view: PublishedView, path: str) -> dict[str, Any]:
    """Frontmatter and page-level inline fields (not `file`), finalised."""

    def make() -> dict[str, Any]:
        record = view.records[path]
        fields: dict[str, list[Any]] = {}
        for key, value in record.frontmatter.items():
            if key != "position":
                fields.setdefault(str(key), []).append(frontmatter_value(view, value, path))
        for key, raw in record.facts.fields:
            fields.setdefault(key, []).append(field_value(view, raw, path))
        # Fields of plain list items (not tasks) count for the page too, as in Dataview.
        for item in record.facts.items:
            if item.status is None:
                for key, raw in item.fields:
                    fields.setdefault(key, []).append(field_value(view, raw, path))
        finalized = _finalize(fields)
        finalized.pop("file", None)
        return finalized

    return view.cached(path, "fields", make)  # type: ignore[no-any-return]


def _find_day(fields: Mapping[str, Any], path: str) -> datetime | None:
    for key, value in fields.items():
        if key.lower() not in ("date", "day"):
            continue
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, datetime):
            return value
    name = posixpath.basename(path)
    for pattern in _DAY_IN_NAME:
        match = pattern.search(name)
        if match:
            try:
                return datetime(*map(int, match.groups()))  # type: ignore[misc]
            except ValueError:
                return None
    return None


def file_field(view: PublishedView, path: str, key: str) -> Any:
    """One implicit `file.<key>` value of a published note."""
    return view.cached(path, "file." + key, lambda: _file_field(view, path, key))


def _file_field(view: PublishedView, path: str, key: str) -> Any:
    record = view.records[path]
    stem = posixpath.basename(path)
    if key == "path":
        return path
    if key == "folder":
        return posixpath.dirname(path)
    if key == "name":
        return stem[:-3] if stem.lower().endswith(".md") else stem
    if key == "ext":
        return stem.rsplit(".", 1)[-1] if "." in stem else ""
    if key == "link":
        return Link(path, text=file_field(view, path, "name"))
    if key == "size":
        return record.size
    if key in ("ctime", "mtime"):
        return to_date(record.ctime if key == "ctime" else record.mtime, view.zone)
    if key in ("cday", "mday"):
        return start_of(file_field(view, path, key[0] + "time"), "day")
    if key == "etags":
        return ["#" + t.lstrip("#") for t in dict.fromkeys(record.tags)]
    if key == "tags":
        found: dict[str, None] = {}
        for tag in file_field(view, path, "etags"):
            found.update(dict.fromkeys(sub_tags(tag)))
        return list(found)
    if key == "inlinks":
        return [file_field(view, p, "link") for p in view.inlinks.get(path, [])]
    if key == "outlinks":
        return list(view.outlinks[path])
    if key == "aliases":
        return list(record.aliases)
    if key == "lists":
        return [item_object(view, path, item.line) for item in record.facts.items]
    if key == "tasks":
        items = record.facts.items
        return [item_object(view, path, i.line) for i in items if i.status is not None]
    if key == "frontmatter":
        return {str(k): _raw(view, v, path) for k, v in record.frontmatter.items()}
    if key == "day":
        day = _find_day(page_fields(view, path), path)
        return day.replace(tzinfo=view.zone) if day and day.tzinfo is None else day
    if key == "starred":
        return False
    return None


def _raw(view: PublishedView, value: Any, path: str) -> Any:
    if isinstance(value, str):
        return view.seal(value, path)
    if isinstance(value, datetime | date):
        return to_date(value, view.zone)
    if isinstance(value, list | tuple):
        return [_raw(view, v, path) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _raw(view, v, path) for k, v in value.items()}
    return value


def _items_by_line(view: PublishedView, path: str) -> dict[int, ItemFacts]:
    return view.cached(  # type: ignore[no-any-return]
        path, "items", lambda: {i.line: i for i in view.records[path].facts.items}
    )


def item_object(view: PublishedView, path: str, line: int) -> dict[str, Any]:
    """A list item or task as Dataview serialises it (children nested, fields included)."""
    return view.cached(path, f"item:{line}", lambda: _item_object(view, path, line))  # type: ignore[no-any-return]


def _item_object(view: PublishedView, path: str, line: int) -> dict[str, Any]:
    items = _items_by_line(view, path)
    item = items[line]
    name = file_field(view, path, "name")
    section = (
        Link(path, item.section, "header", text=name) if item.section else Link(path, text=name)
    )
    children = [i for i in items.values() if i.parent == line]
    text = view.seal(item.text, path)
    fields: dict[str, list[Any]] = {}
    for key, raw in item.fields:
        fields.setdefault(key, []).append(field_value(view, raw, path))
    if item.status is not None:
        for key, pattern in _TASK_DATES:
            match = pattern.search(item.text)
            if match:
                fields.setdefault(key, []).append(field_value(view, match.group(1), path))
    child_objects = [item_object(view, path, c.line) for c in children]
    result: dict[str, Any] = {
        "symbol": item.symbol,
        "link": Link(path, item.block_id, "block", text=name) if item.block_id else section,
        "section": section,
        "text": text,
        "tags": ["#" + t.lstrip("#") for t in item.tags],
        "line": item.line,
        "lineCount": item.line_count,
        "list": item.list_line,
        "outlinks": [
            link for t in item.links if (link := view.make_link(t, path)).path is not None
        ],
        "path": path,
        "children": child_objects,
        "task": item.status is not None,
        "annotated": bool(fields),
        "position": {
            "start": {"line": item.line},
            "end": {"line": item.line + item.line_count - 1},
        },
        "subtasks": child_objects,
        "real": item.status is not None,
        "header": section,
    }
    if item.parent is not None:
        result["parent"] = item.parent
    if item.block_id:
        result["blockId"] = item.block_id
    for key, values in fields.items():
        result.setdefault(key, values[0] if len(values) == 1 else values)
    if item.status is not None:
        done = item.status in "xX"
        result["status"] = item.status
        result["checked"] = item.status != " "
        result["completed"] = done
        result["fullyCompleted"] = done and all(
            items[i].status in ("x", "X") for i in _descendants(items, line) if items[i].status
        )
        for wanted, names in (
            ("created", ("created", "ctime", "cday")),
            ("due", ("due", "duetime", "dueday")),
            ("completion", ("completed", "completion", "comptime", "compday")),
            ("start", ("start",)),
            ("scheduled", ("scheduled",)),
        ):
            for key in names:
                if key in fields:
                    result[wanted] = fields[key][0]
                    break
    return result


def _descendants(items: dict[int, ItemFacts], line: int) -> list[int]:
    found = [i.line for i in items.values() if i.parent == line]
    for child in list(found):
        found.extend(_descendants(items, child))
    return found
