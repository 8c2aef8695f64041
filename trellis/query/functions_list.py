"""Dataview's functions over lists and objects: contains, sort, filter, map, join, ..."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from trellis.query.evaluate import Context, QueryRuntimeError
from trellis.query.funcbase import Function, definer, no_impl
from trellis.query.text import to_string
from trellis.query.values import Lambda, compare, equal, truthy, type_of

LIST_FUNCTIONS: dict[str, Function] = {}
define = definer(LIST_FUNCTIONS)


def _contains(fold: bool, exact: bool) -> Function:
    name = "econtains" if exact else "icontains" if fold else "contains"

    def contains(ctx: Context, haystack: Any, needle: Any) -> Any:
        if isinstance(haystack, list):
            if exact:
                return any(equal(needle, element) for element in haystack)
            return any(contains(ctx, element, needle) for element in haystack)
        if isinstance(haystack, str) and isinstance(needle, str):
            if fold:
                return needle.casefold() in haystack.casefold()
            return needle in haystack
        if type_of(haystack) == "object" and isinstance(needle, str):
            return needle in haystack
        return equal(haystack, needle)

    return define(name, {2: (1,)})(contains)


_contains(False, False)
_contains(True, False)
_contains(False, True)


@define("containsword", {2: (0, 1)})
def _containsword(ctx: Context, haystack: Any, word: Any) -> Any:
    import re

    if haystack is None or word is None:
        return None
    if isinstance(haystack, str) and isinstance(word, str):
        return re.search(rf"\b{re.escape(word)}\b", haystack, re.IGNORECASE) is not None
    raise no_impl("containsword", (haystack, word))


def _extract(ctx: Context, *args: Any) -> Any:
    if not args:
        raise QueryRuntimeError("extract(object, key1, ...) requires at least 1 argument")
    obj, keys = args[0], args[1:]
    if isinstance(obj, list):
        return [_extract(ctx, element, *keys) for element in obj]
    result = {}
    for key in keys:
        if not isinstance(key, str):
            raise QueryRuntimeError("extract(object, key1, ...) must be called with string keys")
        result[key] = ctx.index_value(obj, key)
    return result


LIST_FUNCTIONS["extract"] = _extract


@define("sort")
def _sort(ctx: Context, values: Any, key: Any = None) -> Any:
    if not isinstance(values, list):
        return values
    if key is not None and not isinstance(key, Lambda):
        raise no_impl("sort", (values, key))
    keyed = [(key.call(v) if key else v, v) for v in values]
    keyed.sort(key=functools.cmp_to_key(lambda a, b: compare(a[0], b[0])))
    return [v for _, v in keyed]


@define("reverse")
def _reverse(ctx: Context, values: Any) -> Any:
    if isinstance(values, list | str):
        return values[::-1]
    return values


@define("length")
def _length(ctx: Context, value: Any) -> Any:
    if value is None:
        return 0
    if isinstance(value, list | str) or type_of(value) == "object":
        return len(value)
    raise no_impl("length", (value,))


def _nonnull(ctx: Context, *args: Any) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    return [v for v in values if v is not None]


LIST_FUNCTIONS["nonnull"] = _nonnull


@define("firstvalue")
def _firstvalue(ctx: Context, values: Any) -> Any:
    if values is None:
        return None
    if not isinstance(values, list):
        raise no_impl("firstvalue", (values,))
    return next((v for v in values if v is not None), None)


def _quantifier(name: str, test: Any) -> None:
    def quantify(ctx: Context, *args: Any) -> Any:
        if len(args) == 2 and isinstance(args[0], list) and isinstance(args[1], Lambda):
            return test(truthy(args[1].call(v)) for v in args[0])
        if len(args) == 1 and isinstance(args[0], list):
            return test(truthy(v) for v in args[0])
        return test(truthy(v) for v in args)

    LIST_FUNCTIONS[name] = quantify


_quantifier("all", all)
_quantifier("any", any)
_quantifier("none", lambda values: not any(values))


@define("join", {2: (1,)})
def _join(ctx: Context, values: Any, separator: Any = ", ") -> Any:
    separator = ", " if separator is None else separator
    if not isinstance(separator, str):
        raise no_impl("join", (values, separator))
    if isinstance(values, list):
        return separator.join(to_string(v, ctx.settings) for v in values)
    return to_string(values, ctx.settings)


@define("filter")
def _filter(ctx: Context, values: Any, test: Any) -> Any:
    if values is None:
        return None
    if isinstance(values, list) and isinstance(test, Lambda):
        return [v for v in values if truthy(test.call(v))]
    raise no_impl("filter", (values, test))


@define("map")
def _map(ctx: Context, values: Any, fn: Any) -> Any:
    if values is None:
        return None
    if isinstance(values, list) and isinstance(fn, Lambda):
        return [fn.call(v) for v in values]
    raise no_impl("map", (values, fn))


@define("unique")
def _unique(ctx: Context, values: Any) -> Any:
    if values is None:
        return None
    if not isinstance(values, list):
        raise no_impl("unique", (values,))
    out: list[Any] = []
    for value in values:
        if not any(equal(value, seen) for seen in out):
            out.append(value)
    return out


@define("flat")
def _flat(ctx: Context, values: Any, depth: Any = 1) -> Any:
    if values is None:
        return None
    if not isinstance(values, list) or not isinstance(depth, int | float):
        raise no_impl("flat", (values, depth))

    def flatten(items: list[Any], level: int) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, list) and level > 0:
                out.extend(flatten(item, level - 1))
            else:
                out.append(item)
        return out

    return flatten(values, min(int(depth), 64))


@define("slice")
def _slice(ctx: Context, values: Any, start: Any = None, end: Any = None) -> Any:
    if values is None:
        return None
    if not isinstance(values, list):
        raise no_impl("slice", (values, start, end))
    return values[int(start) if start is not None else None : int(end) if end is not None else None]


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping)
