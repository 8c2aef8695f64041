"""Evaluate Dataview expressions over rows of the published-notes view.

`Context.evaluate(expr, row)` follows Dataview's `Context.evaluate`: a variable is looked up
in the row, then in the globals (`this`); `a.b` indexes objects, links (the linked note's
field), lists (swizzling: `rows.file.link` maps over the list), dates and durations (their
parts); operators dispatch on both operands' types as in Dataview's `createBinaryOps`; `and`
and `or` evaluate both sides. A failure raises `QueryRuntimeError` with a message.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from trellis.query import ast
from trellis.query.dates import DATE_SHORTHANDS
from trellis.query.durations import Duration, add_duration, date_difference
from trellis.query.rows import Overlay, PageRow, Reads
from trellis.query.text import DEFAULT_SETTINGS, QuerySettings, to_string
from trellis.query.values import Lambda, Link, compare, number_value, truthy, type_of
from trellis.query.view import PublishedView


class QueryRuntimeError(Exception):
    pass


Function = Callable[..., Any]


class Context:
    def __init__(
        self,
        view: PublishedView,
        this_path: str | None,
        functions: Mapping[str, Function],
        settings: QuerySettings = DEFAULT_SETTINGS,
        reads: Reads | None = None,
    ) -> None:
        self.view = view
        self.this_path = this_path if this_path in view.records else None
        self.functions = functions
        self.settings = settings
        self.reads = reads if reads is not None else Reads()
        this: Mapping[str, Any] = (
            PageRow(view, self.this_path, self.reads) if self.this_path is not None else {}
        )
        self.globals: dict[str, Any] = {"this": this}
        self._now: datetime | None = None

    # -- things a query may ask for ------------------------------------------------------

    def now(self) -> datetime:
        self.reads.clock = True
        if self._now is None:
            self._now = self.view.now or datetime.now(self.view.zone)
        return self._now

    def shorthand_date(self, name: str) -> datetime | None:
        make = DATE_SHORTHANDS.get(name)
        return make(self.now()) if make else None

    def link(self, target: str, display: str | None = None, embed: bool = False) -> Link:
        """A link written in the query (`[[X]]`, `link("X")`), resolved from `this` note."""
        inner = target if display is None else f"{target}|{display}"
        link = self.view.make_link(inner, self.this_path, embed)
        self.reads.lookups[(target.split("#", 1)[0].strip(), self.this_path)] = link.path
        return link

    def page(self, path: str | None) -> PageRow | None:
        if path is None or path not in self.view.records:
            return None
        return PageRow(self.view, path, self.reads)

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(self, expr: ast.Expr, row: Mapping[str, Any] | None = None) -> Any:
        row = row if row is not None else {}
        if isinstance(expr, ast.Literal):
            return expr.value
        if isinstance(expr, ast.Variable):
            if expr.name in row:
                return row[expr.name]
            return self.globals.get(expr.name)
        if isinstance(expr, ast.LinkLiteral):
            return self.link(expr.target, expr.display, expr.embed)
        if isinstance(expr, ast.Negate):
            return not truthy(self.evaluate(expr.child, row))
        if isinstance(expr, ast.Binary):
            left = self.evaluate(expr.left, row)
            right = self.evaluate(expr.right, row)
            return self.binary(expr.op, left, right)
        if isinstance(expr, ast.ListExpr):
            return [self.evaluate(item, row) for item in expr.items]
        if isinstance(expr, ast.ObjectExpr):
            return {name: self.evaluate(value, row) for name, value in expr.pairs}
        if isinstance(expr, ast.LambdaExpr):
            return self.make_lambda(expr, row)
        if isinstance(expr, ast.Call):
            return self.call(expr, row)
        if isinstance(expr, ast.Index):
            return self.index(expr, row)
        raise QueryRuntimeError(f"cannot evaluate {type(expr).__name__}")

    def make_lambda(self, expr: ast.LambdaExpr, row: Mapping[str, Any]) -> Lambda:
        def call(*args: Any) -> Any:
            return self.evaluate(
                expr.body, Overlay(row, dict(zip(expr.params, args, strict=False)))
            )

        return Lambda(call, len(expr.params))

    def call(self, expr: ast.Call, row: Mapping[str, Any]) -> Any:
        if isinstance(expr.func, ast.Variable):
            name = expr.func.name
            func = self.functions.get(name) or self.functions.get(name.lower())
            if func is None:
                raise QueryRuntimeError(f"Unrecognized function name '{name}'")
            args = [self.evaluate(arg, row) for arg in expr.args]
            try:
                return func(self, *args)
            except QueryRuntimeError:
                raise
            except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
                # As Dataview does: a function that throws fails this row, not the page.
                raise QueryRuntimeError(f"{name}(): {error}") from None
        value = self.evaluate(expr.func, row)
        args = [self.evaluate(arg, row) for arg in expr.args]
        if isinstance(value, Lambda):
            return value.call(*args)
        raise QueryRuntimeError(f"Cannot call type '{type_of(value)}' as a function")

    def index(self, expr: ast.Index, row: Mapping[str, Any]) -> Any:
        key = self.evaluate(expr.index, row)
        if isinstance(key, bool) or not isinstance(key, str | int | float | None):
            raise QueryRuntimeError("Can only index with a string or number")
        if key is None:
            return None
        if isinstance(expr.obj, ast.Variable) and expr.obj.name == "row":
            return row[key] if key in row else self.globals.get(key)  # type: ignore[index]
        return self.index_value(self.evaluate(expr.obj, row), key)

    def index_value(self, obj: Any, key: Any) -> Any:
        kind = type_of(obj)
        if kind == "object":
            if not isinstance(key, str):
                raise QueryRuntimeError('can only index into objects with strings (a.b or a["b"])')
            return obj.get(key, None)
        if kind == "link":
            if not isinstance(key, str):
                raise QueryRuntimeError('can only index into links with strings (a.b or a["b"])')
            page = self.page(obj.path)
            return None if page is None else (page.get(key, None))
        if kind == "array":
            if isinstance(key, int | float):
                index = int(key)
                return obj[index] if 0 <= index < len(obj) and index == key else None
            found = []
            for element in obj:
                try:
                    found.append(self.index_value(element, key))
                except QueryRuntimeError:
                    continue
            return found
        if kind == "string":
            if not isinstance(key, int | float):
                raise QueryRuntimeError("string indexing requires a numeric index (string[index])")
            index = int(key)
            return obj[index] if 0 <= index < len(obj) else None
        if kind == "date":
            return date_part(obj, key)
        if kind == "duration":
            return duration_part(obj, key)
        return None

    # -- operators -----------------------------------------------------------------------

    def binary(self, op: str, a: Any, b: Any) -> Any:
        if op == "&":
            return truthy(a) and truthy(b)
        if op == "|":
            return truthy(a) or truthy(b)
        if op in ("<", "<=", ">", ">=", "=", "!="):
            found = compare(a, b)
            return {
                "<": found < 0,
                "<=": found <= 0,
                ">": found > 0,
                ">=": found >= 0,
                "=": found == 0,
                "!=": found != 0,
            }[op]
        ta, tb = type_of(a), type_of(b)
        result = _arithmetic(op, a, b, ta, tb, self.settings)
        if result is _NO_IMPL:
            raise QueryRuntimeError(f"No implementation found for '{ta} {op} {tb}'")
        return result


_NO_IMPL = object()
# Longest text a query may build (a page is no place for more; it keeps memory bounded).
MAX_TEXT = 1_000_000


def _number_op(op: str, a: float, b: float) -> Any:
    if op == "+":
        return number_value(a + b)
    if op == "-":
        return number_value(a - b)
    if op == "*":
        return number_value(a * b)
    if op == "/":
        if b == 0:
            return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1, b)
        return number_value(a / b)
    if b == 0:
        return math.nan
    return number_value(math.fmod(a, b))


def _arithmetic(op: str, a: Any, b: Any, ta: str, tb: str, settings: QuerySettings) -> Any:
    if ta == tb == "number":
        return _number_op(op, a, b)
    if op == "+" and ta == "string":
        return a + to_string(b, settings)
    if op == "+" and tb == "string":
        return to_string(a, settings) + b
    if op == "*" and {ta, tb} == {"string", "number"}:
        text, count = (a, b) if ta == "string" else (b, a)
        if len(text) * max(count, 0) > MAX_TEXT:
            raise QueryRuntimeError(f"a text of more than {MAX_TEXT} characters")
        return "" if count < 0 else text * int(count)
    if ta == "date" and tb == "date" and op == "-":
        return date_difference(a, b)
    if ta == "date" and tb == "duration" and op in "+-":
        return add_duration(a, b, 1 if op == "+" else -1)
    if ta == "duration" and tb == "date" and op == "+":
        return add_duration(b, a)
    if ta == tb == "duration" and op in "+-":
        return a.plus(b, 1 if op == "+" else -1).normalize()
    if ta == "duration" and tb == "number" and op in "*/":
        factor = b if op == "*" else (1 / b if b else math.inf)
        return a.map(lambda v: v * factor).normalize()
    if ta == "number" and tb == "duration" and op == "*":
        return b.map(lambda v: v * a).normalize()
    if ta == tb == "array" and op == "+":
        return [*a, *b]
    if ta == tb == "object" and op == "+":
        return {**a, **b}
    if ta == tb == "null":
        return None
    if {ta, tb} == {"date", "null"} and op in "+-":
        return None
    return _NO_IMPL


def date_part(value: datetime, key: Any) -> Any:
    if not isinstance(key, str):
        raise QueryRuntimeError("date indexing requires a string representing the unit")
    parts = {
        "year": value.year,
        "month": value.month,
        "weekyear": value.isocalendar().week,
        "week": value.day // 7 + 1,
        "weekday": value.isoweekday(),
        "day": value.day,
        "hour": value.hour,
        "minute": value.minute,
        "second": value.second,
        "millisecond": value.microsecond // 1000,
    }
    return parts.get(key)


def duration_part(value: Duration, key: Any) -> Any:
    if not isinstance(key, str):
        raise QueryRuntimeError("duration indexing requires a string representing the unit")
    unit = key if key.endswith("s") else key + "s"
    if unit not in ("years", "months", "weeks", "days", "hours", "minutes", "seconds"):
        return value.shifted_to("milliseconds") if unit == "milliseconds" else None
    if key == "week":
        return None
    return value.shifted_to(unit)
