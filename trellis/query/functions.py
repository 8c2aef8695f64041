"""Dataview's function library (`expression/functions.ts`), value for value.

Each function takes the evaluation context and its arguments. `vectorized` reproduces
Dataview's "function vectorisation": called with a list where a single value is expected,
a function maps over it (`lower(["A", "B"]) = ["a", "b"]`). A call no variant accepts
raises `QueryRuntimeError` naming the argument types, as Dataview's message does.
String helpers that Dataview delegates to JavaScript's regular expressions use Python's
`re` after translating the few differences that matter (`(?<name>`, `$1` in replacements).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from trellis.query.datefmt import format_luxon
from trellis.query.dates import parse_date, parse_duration
from trellis.query.durations import Duration, start_of
from trellis.query.evaluate import Context, QueryRuntimeError
from trellis.query.funcbase import Function, definer, no_impl
from trellis.query.functions_list import LIST_FUNCTIONS
from trellis.query.functions_text import TEXT_FUNCTIONS
from trellis.query.text import to_string
from trellis.query.values import (
    ExternalLink,
    Lambda,
    Link,
    compare,
    number_value,
    truthy,
    type_of,
)

FUNCTIONS: dict[str, Function] = {}
define = definer(FUNCTIONS)


# -- constructors ---------------------------------------------------------------------


@define("object")
def _object(ctx: Context, *args: Any) -> Any:
    if len(args) % 2:
        raise QueryRuntimeError("object() requires an even number of arguments")
    result = {}
    for key, value in zip(args[::2], args[1::2], strict=True):
        if not isinstance(key, str):
            raise QueryRuntimeError("keys should be of type string for object(key1, value1, ...)")
        result[key] = value
    return result


FUNCTIONS["list"] = FUNCTIONS["array"] = lambda ctx, *args: list(args)


@define("date", {1: (0,)})
def _date(ctx: Context, *args: Any) -> Any:
    if len(args) == 1:
        (value,) = args
        if value is None or isinstance(value, datetime):
            return value
        if isinstance(value, str):
            return ctx.shorthand_date(value) or parse_date(value, ctx.view.zone)
        if isinstance(value, Link):
            for text in (value.display, value.name if value.path else value.text):
                found = parse_date(text or "", ctx.view.zone)
                if found:
                    return found
            page = ctx.page(value.path)
            return page["file"]["day"] if page is not None and "day" in page["file"] else None
    if len(args) == 2:
        text, fmt = args
        if text is None:
            return None
        if isinstance(text, str) and isinstance(fmt, str):
            return _date_from_format(ctx, text, fmt)
    raise no_impl("date", args)


def _date_from_format(ctx: Context, text: str, fmt: str) -> datetime:
    if fmt in ("x", "X"):
        match = re.search(r"-?[0-9]+(\.[0-9]+)?", text)
        if not match:
            raise QueryRuntimeError(f"Not a number for format ({fmt}): {text}")
        seconds = float(match.group()) / (1 if fmt == "X" else 1000)
        return datetime.fromtimestamp(seconds, ctx.view.zone)
    pattern = re.escape(fmt)
    for token, group in (
        ("yyyy", r"(?P<y>\d{4})"),
        ("yy", r"(?P<yy>\d{2})"),
        ("MM", r"(?P<M>\d{2})"),
        ("M", r"(?P<M>\d{1,2})"),
        ("dd", r"(?P<d>\d{2})"),
        ("d", r"(?P<d>\d{1,2})"),
        ("HH", r"(?P<H>\d{2})"),
        ("H", r"(?P<H>\d{1,2})"),
        ("mm", r"(?P<m>\d{2})"),
        ("ss", r"(?P<s>\d{2})"),
    ):
        if f"(?P<{group[4]}" not in pattern:
            pattern = pattern.replace(token, group, 1)
    match = re.fullmatch(pattern, text)
    if match is None:
        raise QueryRuntimeError(f"Can't handle format ({fmt}) on date string ({text})")
    parts = match.groupdict()
    year = int(parts["y"]) if parts.get("y") else 2000 + int(parts.get("yy") or 0)
    try:
        return datetime(
            year,
            int(parts.get("M") or 1),
            int(parts.get("d") or 1),
            int(parts.get("H") or 0),
            int(parts.get("m") or 0),
            int(parts.get("s") or 0),
            tzinfo=ctx.view.zone,
        )
    except ValueError as error:
        raise QueryRuntimeError(f"Can't handle format ({fmt}) on date string ({text})") from error


@define("dur", {1: (0,)})
def _dur(ctx: Context, value: Any) -> Any:
    if value is None or isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise no_impl("dur", (value,))


@define("number", {1: (0,)})
def _number(ctx: Context, value: Any) -> Any:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        match = re.search(r"-?[0-9]+(\.[0-9]+)?", value)
        return number_value(float(match.group())) if match else None
    raise no_impl("number", (value,))


@define("string")
def _string(ctx: Context, value: Any) -> str:
    return to_string(value, ctx.settings)


@define("link", {1: (0,), 2: (0, 1)})
def _link(ctx: Context, *args: Any) -> Any:
    target = args[0]
    display = args[1] if len(args) > 1 else None
    if target is None:
        return None
    if isinstance(target, Link):
        return target.with_display(display) if display is not None else target
    if isinstance(target, str) and (display is None or isinstance(display, str)):
        embed = bool(args[2]) if len(args) > 2 else False
        return ctx.link(target, display, embed)
    raise no_impl("link", args)


@define("embed", {1: (0,), 2: (0, 1)})
def _embed(ctx: Context, link: Any, embed: Any = True) -> Any:
    if link is None or embed is None:
        return None
    if isinstance(link, Link):
        return link.with_embed(bool(embed))
    raise no_impl("embed", (link, embed))


@define("elink", {1: (0,), 2: (0,)})
def _elink(ctx: Context, url: Any, display: Any = None) -> Any:
    if url is None:
        return None
    if isinstance(url, str):
        return ExternalLink(url, display if isinstance(display, str) else url)
    raise no_impl("elink", (url, display))


@define("typeof")
def _typeof(ctx: Context, value: Any) -> str:
    kind = type_of(value)
    return kind if kind != "unknown" else "unknown"


# -- numbers --------------------------------------------------------------------------


def _js_round(value: float) -> int:
    return math.floor(value + 0.5)


@define("round", {1: (0,), 2: (0,)})
def _round(ctx: Context, value: Any, digits: Any = None) -> Any:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise no_impl("round", (value, digits))
    if not isinstance(digits, int | float) or digits <= 0:
        return _js_round(value)
    return number_value(float(f"{value:.{int(digits)}f}"))


def _rounding(name: str, op: Callable[[float], int]) -> None:
    @define(name, {1: (0,)})
    def numeric(ctx: Context, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return op(value)
        raise no_impl(name, (value,))


_rounding("trunc", math.trunc)
_rounding("floor", math.floor)
_rounding("ceil", math.ceil)


def _pick(ctx: Context, args: tuple[Any, ...], lowest: bool) -> Any:
    if len(args) == 1 and isinstance(args[0], list):
        args = tuple(args[0])
    best = None
    for value in args:
        if value is None:
            continue
        if best is None or (compare(value, best) < 0 if lowest else compare(value, best) > 0):
            best = value
    return best


FUNCTIONS["min"] = lambda ctx, *args: _pick(ctx, args, True)
FUNCTIONS["max"] = lambda ctx, *args: _pick(ctx, args, False)


def _reduce_op(ctx: Context, values: list[Any], op: str) -> Any:
    if not values:
        return None
    result = values[0]
    for value in values[1:]:
        result = ctx.binary(op, result, value)
    return result


@define("reduce", {2: (1,)})
def _reduce(ctx: Context, values: Any, op: Any) -> Any:
    if values is None or op is None:
        return None
    if isinstance(values, list) and isinstance(op, str):
        if op not in ("+", "-", "*", "/", "&", "|"):
            raise QueryRuntimeError("reduce(array, op) supports '+', '-', '/', '*', '&', and '|'")
        return _reduce_op(ctx, values, op)
    if isinstance(values, list) and isinstance(op, Lambda):
        if not values:
            return None
        result = values[0]
        for value in values[1:]:
            if value is not None:
                result = op.call(result, value)
        return result
    raise no_impl("reduce", (values, op))


def _aggregate(op: str) -> Callable[..., Any]:
    def aggregate(ctx: Context, values: Any) -> Any:
        return _reduce_op(ctx, values, op) if isinstance(values, list) else values

    return aggregate


FUNCTIONS["sum"] = _aggregate("+")
FUNCTIONS["product"] = _aggregate("*")


def _average(ctx: Context, values: Any) -> Any:
    if not isinstance(values, list):
        return values
    if not values:
        return None
    total = _reduce_op(ctx, values, "+")
    return None if total is None else ctx.binary("/", total, len(values))


FUNCTIONS["average"] = _average


def _by(lowest: bool) -> Callable[..., Any]:
    def by(ctx: Context, values: Any, fn: Any) -> Any:
        if values is None:
            return None
        if not isinstance(values, list) or not isinstance(fn, Lambda):
            raise no_impl("minby" if lowest else "maxby", (values, fn))
        if not values:
            return None
        mapped = [(fn.call(v), v) for v in values]
        mapped = [pair for pair in mapped if pair[0] is not None] or [(None, values[0])]
        best = mapped[0]
        for pair in mapped[1:]:
            order = compare(pair[0], best[0])
            if (order < 0) if lowest else (order > 0):
                best = pair
        return best[1]

    return by


FUNCTIONS["minby"] = _by(True)
FUNCTIONS["maxby"] = _by(False)


# -- utility --------------------------------------------------------------------------


@define("default", {2: (0, 1)})
def _default(ctx: Context, value: Any, fallback: Any) -> Any:
    return fallback if value is None else value


FUNCTIONS["ldefault"] = lambda ctx, value, fallback: fallback if value is None else value


@define("choice", {3: (0,)})
def _choice(ctx: Context, test: Any, left: Any, right: Any) -> Any:
    return left if truthy(test) else right


@define("striptime", {1: (0,)})
def _striptime(ctx: Context, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return start_of(value, "day")
    raise no_impl("striptime", (value,))


@define("dateformat", {2: (0,)})
def _dateformat(ctx: Context, value: Any, fmt: Any) -> Any:
    if value is None and isinstance(fmt, str):
        return None
    if isinstance(value, datetime) and isinstance(fmt, str):
        return format_luxon(value, fmt)
    raise no_impl("dateformat", (value, fmt))


@define("localtime", {1: (0,)})
def _localtime(ctx: Context, value: Any) -> Any:
    return value.astimezone(ctx.view.zone) if isinstance(value, datetime) else value


@define("meta")
def _meta(ctx: Context, link: Any) -> Any:
    if not isinstance(link, Link):
        raise no_impl("meta", (link,))
    return {
        "display": link.display,
        "embed": link.embed,
        "path": link.path if link.path is not None else link.text,
        "subpath": link.subpath,
        "type": link.kind,
    }


FUNCTIONS.update(LIST_FUNCTIONS)
FUNCTIONS.update(TEXT_FUNCTIONS)
