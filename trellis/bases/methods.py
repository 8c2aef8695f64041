"""Bases' functions: the global ones (`if`, `date`, `now`, `link`...) and the methods of each
type (`file.hasTag`, `"a".contains`, `list.filter(value > 2)`, `date.format(...)`), as listed
in Obsidian's help, `Bases/Functions.md`. `random()` is refused: a static page would show
one roll forever, and two builds would differ."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from trellis.bases import expr as ex
from trellis.bases.evaluate import (
    BaseError,
    FileRef,
    Image,
    Row,
    as_date,
    parse_base_duration,
    text,
)
from trellis.query.datefmt import format_moment
from trellis.query.durations import Duration, epoch_millis, start_of
from trellis.query.page import file_field
from trellis.query.values import ExternalLink, Link, compare, number_value, truthy


def call(row: Row, node: ex.Call, scope: Mapping[str, Any]) -> Any:
    if isinstance(node.func, ex.Name):
        args = [row.evaluate(a, scope) for a in node.args]
        return global_function(row, node.func.name, args)
    if not isinstance(node.func, ex.Member):
        raise BaseError("only functions and methods can be called")
    receiver = row.evaluate(node.func.obj, scope)
    name = node.func.name
    if isinstance(receiver, list) and name in ("filter", "map", "reduce"):
        return _list_lambda(row, receiver, name, node.args, scope)
    args = [row.evaluate(a, scope) for a in node.args]
    return method(row, receiver, name, args)


def global_function(row: Row, name: str, args: list[Any]) -> Any:
    first = args[0] if args else None
    if name == "if":
        return args[1] if truthy(first) else (args[2] if len(args) > 2 else None)
    if name == "now":
        return row.now()
    if name == "today":
        return start_of(row.now(), "day")
    if name == "date":
        return as_date(first, row.view.zone)
    if name == "duration":
        return parse_base_duration(first) if isinstance(first, str) else None
    if name == "number":
        return _number(first)
    if name == "list":
        return first if isinstance(first, list) else [first]
    if name in ("max", "min"):
        numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
        return (max if name == "max" else min)(numbers) if numbers else None
    if name == "link":
        if isinstance(first, FileRef):
            first = first.path
        if not isinstance(first, str):
            return first
        display = text(args[1]) if len(args) > 1 else None
        if re.match(r"https?://", first):
            return ExternalLink(first, display)
        row.reads.lookups[(first, row.this)] = row.view.resolve(first, row.this)
        return row.view.make_link(first, row.this, display=display)
    if name == "file":
        target = first.path if isinstance(first, Link) else first
        found = row.view.resolve(target, row.this) if isinstance(target, str) else None
        if isinstance(target, str):
            row.reads.lookups[(target, row.this)] = found
        return FileRef(found) if found else None
    if name == "image":
        if isinstance(first, Link):
            return Image(first.text if first.path is None else first.path)
        return Image(str(first)) if first is not None else None
    if name in ("escapeHTML", "html", "icon"):
        return text(first)
    if name == "random":
        raise BaseError("random() is not supported: a static page would show one draw forever")
    raise BaseError(f"unknown function {name}()")


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return number_value(epoch_millis(value))
    if isinstance(value, str):
        try:
            return number_value(float(value.strip()))
        except ValueError:
            raise BaseError(f"{value!r} is not a number") from None
    return None


def _list_lambda(
    row: Row, items: list[Any], name: str, args: tuple[ex.Node, ...], scope: Mapping[str, Any]
) -> Any:
    if not args:
        raise BaseError(f"{name}() needs an expression")
    if name == "reduce":
        acc = row.evaluate(args[1], scope) if len(args) > 1 else None
        for index, value in enumerate(items):
            acc = row.evaluate(args[0], {**scope, "value": value, "index": index, "acc": acc})
        return acc
    results = [
        (value, row.evaluate(args[0], {**scope, "value": value, "index": index}))
        for index, value in enumerate(items)
    ]
    if name == "filter":
        return [value for value, keep in results if truthy(keep)]
    return [mapped for _, mapped in results]


def _contains(row: Row, haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle in haystack
    if isinstance(haystack, list):
        return any(row.equal(item, needle) for item in haystack)
    return False


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | Mapping):
        return len(value) == 0
    return False


_TYPES = {
    "string": str,
    "number": (int, float),
    "boolean": bool,
    "date": datetime,
    "list": list,
    "object": dict,
    "link": Link,
    "file": FileRef,
    "duration": Duration,
}


def method(row: Row, receiver: Any, name: str, args: list[Any]) -> Any:
    first = args[0] if args else None
    if name == "isTruthy":
        return truthy(receiver)
    if name == "isEmpty":
        return _is_empty(receiver)
    if name == "toString":
        return text(receiver)
    if name == "isType":
        kind = _TYPES.get(str(first))
        return (
            kind is not None
            and isinstance(receiver, kind)
            and not (first == "number" and isinstance(receiver, bool))
        )
    if name in ("contains", "containsAll", "containsAny"):
        test = all if name == "containsAll" else any
        return test(_contains(row, receiver, needle) for needle in args) if args else False
    if receiver is None:
        return None
    if isinstance(receiver, FileRef):
        return _file_method(row, receiver, name, args)
    if isinstance(receiver, Link):
        if name == "asFile":
            return FileRef(receiver.path) if receiver.path else None
        if name == "linksTo":
            return (
                _file_method(row, FileRef(receiver.path), "hasLink", args)
                if receiver.path
                else False
            )
    if isinstance(receiver, str):
        return _string_method(receiver, name, args)
    if isinstance(receiver, bool):
        raise BaseError(f"booleans have no method {name}()")
    if isinstance(receiver, int | float):
        return _number_method(receiver, name, args)
    if isinstance(receiver, list):
        return _list_method(row, receiver, name, args)
    if isinstance(receiver, datetime):
        return _date_method(row, receiver, name, args)
    if isinstance(receiver, Mapping) and name in ("keys", "values"):
        return list(receiver.keys() if name == "keys" else receiver.values())
    if isinstance(receiver, tuple) and name == "matches":
        return isinstance(first, str) and receiver[0].search(first) is not None
    raise BaseError(f"no method {name}() on this value")


def _file_method(row: Row, file: FileRef, name: str, args: list[Any]) -> Any:
    path = file.path
    if name == "asLink":
        display = text(args[0]) if args else None
        return Link(path, text=row.file_value(path, "basename"), display=display)
    if name == "hasTag":
        row.reads.note(path, "file.tags")
        tags = [t.lower().lstrip("#") for t in file_field(row.view, path, "tags")]
        return any(str(a).lower().lstrip("#") in tags for a in args)
    if name == "inFolder":
        folder = str(args[0]).strip("/") if args else ""
        row.reads.note(path, "file.path")
        return not folder or path.startswith(folder + "/")
    if name == "hasProperty":
        row.reads.note(path, "file.frontmatter")
        return bool(args) and str(args[0]) in row.view.records[path].frontmatter
    if name == "hasLink":
        row.reads.note(path, "file.outlinks")
        target = args[0] if args else None
        if isinstance(target, str):
            row.reads.lookups[(target, path)] = target = row.view.resolve(target, path)
        elif isinstance(target, FileRef | Link):
            target = target.path
        return target is not None and any(
            link.path == target for link in file_field(row.view, path, "outlinks")
        )
    raise BaseError(f"files have no method {name}()")


def _string_method(value: str, name: str, args: list[Any]) -> Any:
    first = args[0] if args else None
    if name == "lower":
        return value.lower()
    if name == "title":
        return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), value)
    if name == "trim":
        return value.strip()
    if name == "reverse":
        return value[::-1]
    if name == "repeat":
        count = int(first or 0) if isinstance(first, int | float) else 0
        if len(value) * count > 1_000_000:
            raise BaseError("repeat() would make a text of more than 1,000,000 characters")
        return value * max(count, 0)
    if name in ("startsWith", "endsWith"):
        if not isinstance(first, str):
            return False
        return value.startswith(first) if name == "startsWith" else value.endswith(first)
    if name == "slice":
        return value[_int(first) : _int(args[1]) if len(args) > 1 else None]
    if name == "split":
        pattern = first[0] if isinstance(first, tuple) else re.compile(re.escape(text(first)))
        parts = pattern.split(value)
        return parts[: int(args[1])] if len(args) > 1 else parts
    if name == "replace":
        replacement = text(args[1]) if len(args) > 1 else ""
        if isinstance(first, tuple):
            pattern, every = first
            swap = re.sub(r"\$(\d)", r"\\\1", replacement)
            return pattern.sub(swap, value, count=0 if every else 1)
        return value.replace(text(first), replacement)
    raise BaseError(f"strings have no method {name}()")


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _number_method(value: float, name: str, args: list[Any]) -> Any:
    if name == "abs":
        return abs(value)
    if name == "ceil":
        return math.ceil(value)
    if name == "floor":
        return math.floor(value)
    if name == "round":
        digits = int(args[0]) if args and isinstance(args[0], int | float) else 0
        factor = 10**digits
        return number_value(math.floor(value * factor + 0.5) / factor)
    if name == "toFixed":
        digits = int(args[0]) if args and isinstance(args[0], int | float) else 0
        return f"{value:.{max(0, min(digits, 100))}f}"
    raise BaseError(f"numbers have no method {name}()")


def _list_method(row: Row, items: list[Any], name: str, args: list[Any]) -> Any:
    if name == "join":
        return (text(args[0]) if args else ",").join(text(v) for v in items)
    if name == "flat":
        return [x for item in items for x in (item if isinstance(item, list) else [item])]
    if name == "reverse":
        return items[::-1]
    if name == "slice":
        return items[_int(args[0]) if args else None : _int(args[1]) if len(args) > 1 else None]
    if name == "sort":
        return sorted(items, key=functools.cmp_to_key(compare))
    if name == "unique":
        out: list[Any] = []
        for item in items:
            if not any(row.equal(item, seen) for seen in out):
                out.append(item)
        return out
    raise BaseError(f"lists have no method {name}()")


def _date_method(row: Row, value: datetime, name: str, args: list[Any]) -> Any:
    if name == "date":
        return start_of(value, "day")
    if name == "format":
        return format_moment(value, text(args[0]) if args else "YYYY-MM-DD")
    if name == "time":
        return format_moment(value, "HH:mm:ss")
    if name == "relative":
        return relative(row.now(), value)
    raise BaseError(f"dates have no method {name}()")


def relative(now: datetime, moment: datetime) -> str:
    """`3 days ago`, `in 2 hours`: Moment's `fromNow` thresholds, roughly."""
    seconds = (moment - now) / timedelta(seconds=1)
    size = abs(seconds)
    for limit, unit, div in (
        (45, "a few seconds", 0),
        (45 * 60, "minute", 60),
        (22 * 3600, "hour", 3600),
        (26 * 86400, "day", 86400),
        (320 * 86400, "month", 30 * 86400),
        (math.inf, "year", 365 * 86400),
    ):
        if size < limit:
            if not div:
                phrase = unit
            else:
                count = max(1, round(size / div))
                phrase = (
                    f"a{'n' if unit == 'hour' else ''} {unit}" if count == 1 else f"{count} {unit}s"
                )
            return f"in {phrase}" if seconds > 0 else f"{phrase} ago"
    return ""
