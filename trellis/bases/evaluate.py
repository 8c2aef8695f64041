"""Evaluate Bases expressions for one published note (a row of a base).

Values reuse the query engine's (`None`, bool, number, str, aware `datetime`, `Duration`,
list, dict, `Link`) plus `FileRef` (a published note as a file object) and compiled regular
expressions. Names resolve as Obsidian's help says: `file.*` is the row's file, `note.x`
or a bare `x` its frontmatter property, `formula.x` another formula (cycles are errors),
`this` the note the base is shown in, `value`/`index`/`acc` inside list methods. Every
property read is recorded in the shared `Reads`, so a base has the same dependency record
as a query (`trellis.query.deps`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trellis.bases import expr as ex
from trellis.query.dates import parse_date, to_date
from trellis.query.durations import Duration, add_duration, epoch_millis
from trellis.query.page import file_field
from trellis.query.patterns import IGNORECASE, MULTILINE, AuthorPattern, PatternError
from trellis.query.rows import Reads
from trellis.query.values import Link, compare, number_value, truthy
from trellis.query.view import PublishedView


class BaseError(Exception):
    pass


@dataclass(frozen=True)
class FileRef:
    """A published note as Bases' file object."""

    path: str


@dataclass(frozen=True)
class Image:
    url: str  # a published attachment's target as written, or an http(s) URL


_LINK = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_DURATION_PART = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*")
_BASE_UNITS = {
    **dict.fromkeys(("y", "year", "years"), "years"),
    **dict.fromkeys(("M", "month", "months"), "months"),
    **dict.fromkeys(("w", "week", "weeks"), "weeks"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("h", "hour", "hours"), "hours"),
    **dict.fromkeys(("m", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("s", "second", "seconds"), "seconds"),
}


def parse_base_duration(text: str) -> Duration | None:
    """`"1M"`, `"2h"`, `"1 day"`, `"3d 4h"`: a Bases duration string, or None."""
    units: dict[str, float] = {}
    position = 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            return None
        unit = _BASE_UNITS.get(match.group(2)) or _BASE_UNITS.get(match.group(2).lower())
        if unit is None or (match.group(2) == "M" and unit != "months"):
            return None
        units[unit] = units.get(unit, 0) + float(match.group(1))
        position = match.end()
    if not units or position != len(text):
        return None
    return Duration(**units)


class Row:
    """Evaluation of expressions for one note of a base."""

    def __init__(
        self,
        view: PublishedView,
        path: str | None,
        this: str | None,
        formulas: Mapping[str, ex.Node],
        reads: Reads,
        methods: Callable[..., Any],
    ) -> None:
        self.view = view
        self.path = path
        self.this = this if this in view.records else None
        self.formulas = formulas
        self.reads = reads
        self.methods = methods
        self._formula_cache: dict[str, Any] = {}
        self._computing: set[str] = set()

    # -- data of the notes -----------------------------------------------------------------

    def now(self) -> datetime:
        self.reads.clock = True
        return self.view.now or datetime.now(self.view.zone)

    def note_property(self, path: str, key: str) -> Any:
        self.reads.note(path, key)
        front = self.view.records[path].frontmatter
        return self.property_value(front[key], path) if key in front else None

    def property_value(self, value: Any, path: str, depth: int = 0) -> Any:
        if depth > 64:
            return None
        if isinstance(value, datetime | date):
            return to_date(value, self.view.zone)
        if isinstance(value, str):
            link = _LINK.fullmatch(value.strip())
            if link is not None:
                return self.view.make_link(link.group(1), path, value.strip().startswith("!"))
            return self.view.seal(value, path)
        if isinstance(value, list | tuple):
            return [self.property_value(v, path, depth + 1) for v in value]
        if isinstance(value, Mapping):
            return {str(k): self.property_value(v, path, depth + 1) for k, v in value.items()}
        return value

    def file_value(self, path: str, key: str) -> Any:
        """`file.<key>` of a published note (Bases' names, Dataview's data)."""
        if key in ("name", "basename", "path", "folder", "ext"):
            self.reads.note(path, "file.path")
            name = path.rsplit("/", 1)[-1]
            return {
                "name": name,
                "basename": name[:-3] if name.lower().endswith(".md") else name,
                "path": path,
                "folder": path.rsplit("/", 1)[0] if "/" in path else "",
                "ext": name.rsplit(".", 1)[-1] if "." in name else "",
            }[key]
        source = {
            "size": "size",
            "ctime": "ctime",
            "mtime": "mtime",
            "tags": "tags",
            "links": "outlinks",
            "embeds": "outlinks",
            "backlinks": "inlinks",
        }.get(key)
        if source is not None:
            self.reads.note(path, "file." + source)
            value = file_field(self.view, path, source)
            if key == "embeds":
                return [link for link in value if link.embed]
            if key == "backlinks":
                return [FileRef(link.path) for link in value]
            return list(value) if isinstance(value, list) else value
        if key == "properties":
            self.reads.note(path, "file.frontmatter")
            front = self.view.records[path].frontmatter
            return {k: self.property_value(v, path) for k, v in front.items()}
        if key == "file":
            return FileRef(path)
        return None

    def formula(self, name: str) -> Any:
        if name in self._formula_cache:
            return self._formula_cache[name]
        node = self.formulas.get(name)
        if node is None:
            return None
        if name in self._computing:
            raise BaseError(f"formula {name!r} refers to itself")
        self._computing.add(name)
        try:
            value = self.evaluate(node)
        finally:
            self._computing.discard(name)
        self._formula_cache[name] = value
        return value

    # -- evaluation ------------------------------------------------------------------------

    def evaluate(self, node: ex.Node, scope: Mapping[str, Any] | None = None) -> Any:
        scope = scope or {}
        if isinstance(node, ex.Lit):
            return node.value
        if isinstance(node, ex.Regex):
            flags = IGNORECASE if "i" in node.flags else 0
            flags |= MULTILINE if "m" in node.flags else 0
            try:
                return (AuthorPattern(node.pattern, flags), "g" in node.flags)
            except PatternError as error:
                raise BaseError(f"invalid regular expression /{node.pattern}/: {error}") from None
        if isinstance(node, ex.ListLit):
            return [self.evaluate(item, scope) for item in node.items]
        if isinstance(node, ex.ObjectLit):
            return {key: self.evaluate(value, scope) for key, value in node.pairs}
        if isinstance(node, ex.Name):
            return self.name(node.name, scope)
        if isinstance(node, ex.Member):
            return self.member(node, scope)
        if isinstance(node, ex.Item):
            return self.index(self.evaluate(node.obj, scope), self.evaluate(node.index, scope))
        if isinstance(node, ex.Call):
            try:
                return self.methods(self, node, scope)
            except BaseError:
                raise
            except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
                raise BaseError(f"{error}") from None
        if isinstance(node, ex.Unary):
            value = self.evaluate(node.operand, scope)
            if node.op == "!":
                return not truthy(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return -value
            raise BaseError(f"cannot negate {value!r}")
        if isinstance(node, ex.BinOp):
            return self.binary(node, scope)
        raise BaseError(f"cannot evaluate {node!r}")

    def name(self, name: str, scope: Mapping[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        if name == "file":
            return FileRef(self.path) if self.path else None
        if name == "this":
            return FileRef(self.this) if self.this else None
        if name in ("note", "formula"):
            return (name, self.path)
        return self.note_property(self.path, name) if self.path else None

    def member(self, node: ex.Member, scope: Mapping[str, Any]) -> Any:
        obj = self.evaluate(node.obj, scope)
        if isinstance(obj, tuple) and len(obj) == 2 and obj[0] in ("note", "formula"):
            if obj[0] == "formula":
                return self.formula(node.name)
            return self.note_property(obj[1], node.name) if obj[1] else None
        return self.index(obj, node.name)

    def index(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, tuple) and len(obj) == 2 and obj[0] in ("note", "formula"):
            if obj[0] == "formula":
                return self.formula(str(key))
            return self.note_property(obj[1], str(key)) if obj[1] else None
        if isinstance(obj, FileRef):
            if obj.path not in self.view.records:
                return None
            return self.file_value(obj.path, str(key))
        if isinstance(obj, Link):
            return self.index(FileRef(obj.path), key) if obj.path else None
        if isinstance(obj, Mapping):
            return obj.get(key)
        if isinstance(obj, list | str):
            if key == "length":
                return len(obj)
            if isinstance(key, int | float) and not isinstance(key, bool):
                i = int(key)
                return obj[i] if -len(obj) <= i < len(obj) else None
            return None
        if isinstance(obj, datetime) and isinstance(key, str):
            parts = ("year", "month", "day", "hour", "minute", "second")
            if key in parts:
                return getattr(obj, key)
            return obj.microsecond // 1000 if key == "millisecond" else None
        return None

    def binary(self, node: ex.BinOp, scope: Mapping[str, Any]) -> Any:
        a = self.evaluate(node.left, scope)
        if node.op == "&&":
            return self.evaluate(node.right, scope) if truthy(a) else a
        if node.op == "||":
            return a if truthy(a) else self.evaluate(node.right, scope)
        b = self.evaluate(node.right, scope)
        if node.op in ("==", "!="):
            same = self.equal(a, b)
            return same if node.op == "==" else not same
        if node.op in ("<", ">", "<=", ">="):
            if a is None or b is None:
                return False
            order = compare(_comparable(a), _comparable(b))
            return {"<": order < 0, ">": order > 0, "<=": order <= 0, ">=": order >= 0}[node.op]
        return arithmetic(node.op, a, b)

    def equal(self, a: Any, b: Any) -> bool:
        """Links equal files they resolve to (`author == this`), else values compare."""
        refs = []
        for value in (a, b):
            if isinstance(value, FileRef):
                refs.append(value.path)
            elif isinstance(value, Link):
                refs.append(value.path or f"\0{value.text}")
            else:
                refs.append(None)
        if refs[0] is not None and refs[1] is not None:
            return refs[0] == refs[1]
        return compare(a, b) == 0


def _comparable(value: Any) -> Any:
    return value.path if isinstance(value, FileRef) else value


def arithmetic(op: str, a: Any, b: Any) -> Any:
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    if numeric:
        if op == "/" and b == 0:
            return math.inf if a else math.nan
        if op == "%" and b == 0:
            return math.nan
        result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0, "%": 0}[op]
        if op == "%":
            result = math.fmod(a, b)
        return number_value(result)
    if isinstance(a, datetime):
        if isinstance(b, str) and (span := parse_base_duration(b)) is not None:
            b = span
        if isinstance(b, Duration) and op in "+-":
            return add_duration(a, b, 1 if op == "+" else -1)
        if isinstance(b, datetime) and op == "-":
            return number_value(epoch_millis(a) - epoch_millis(b))
    if isinstance(a, Duration):
        if isinstance(b, datetime) and op == "+":
            return add_duration(b, a)
        if isinstance(b, Duration) and op in "+-":
            return a.plus(b, 1 if op == "+" else -1)
        if isinstance(b, int | float) and op in "*/" and (op == "*" or b):
            return a.map(lambda v: v * b if op == "*" else v / b)
    if op == "+" and (isinstance(a, str) or isinstance(b, str)):
        return text(a) + text(b)
    if op == "+" and isinstance(a, list) and isinstance(b, list):
        return [*a, *b]
    if a is None or b is None:
        return None
    raise BaseError(f"cannot compute {type(a).__name__} {op} {type(b).__name__}")


def text(value: Any) -> str:
    """A value as `toString()` gives it."""
    from trellis.query.datefmt import format_moment
    from trellis.query.values import js_number

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return format_moment(value, "YYYY-MM-DD")
        return format_moment(value, "YYYY-MM-DD HH:mm:ss")
    if isinstance(value, Duration):
        return value.human()
    if isinstance(value, Link):
        return value.display or value.name
    if isinstance(value, FileRef):
        return value.path.rsplit("/", 1)[-1].removesuffix(".md")
    if isinstance(value, list):
        return ", ".join(text(v) for v in value)
    if isinstance(value, Image):
        return value.url
    return str(value)


def as_date(value: Any, zone: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_date(value.strip().replace(" ", "T", 1), zone)
    return None
