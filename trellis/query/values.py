"""Dataview's values in Python, and how they are typed, compared, tested and shown.

A value is `None` (null), `bool`, `int`/`float` (number), `str`, an aware `datetime` (date),
a `Duration`, a `Link`, a `list`, a `dict` (object), a `Lambda`, or one of the two widgets
(`ListPair` for `LIST x` rows, `ExternalLink` from `elink`). Page objects handed out by the
view are read-only mappings and count as objects.

Links are *sealed*: a `Link` carries the vault path of a published note (`path`) or, when
its target resolves to no published note, no path at all, only the text a reader would see
(`text`). A link to a private note and a link to a missing one are therefore the same value,
so nothing computed from them can tell the two apart.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trellis.query.durations import Duration

TYPE_ORDER = (
    "array",
    "boolean",
    "date",
    "duration",
    "function",
    "link",
    "null",
    "number",
    "object",
    "string",
    "widget",
)


@dataclass(frozen=True)
class Link:
    """A link to a published note (`path` set) or an unresolved one (`path` None).

    `subpath` is a heading or block id, `kind` is "file", "header" or "block", `display`
    the alias as written (None without one), `text` what an unresolved link shows.
    """

    path: str | None
    subpath: str | None = None
    kind: str = "file"
    display: str | None = None
    embed: bool = False
    text: str = ""

    @property
    def name(self) -> str:
        """The file name without `.md`, as Dataview shows a link without alias."""
        if self.path is None:
            return self.text
        stem = posixpath.basename(self.path)
        return stem[:-3] if stem.lower().endswith(".md") else stem

    def label(self) -> str:
        if self.display:
            return self.display
        if self.path is not None and self.subpath:
            return f"{self.name} > {self.subpath}"
        return self.name

    def to_file(self) -> Link:
        return Link(self.path, None, "file", self.display, self.embed, self.text)

    def with_display(self, display: str | None) -> Link:
        return Link(self.path, self.subpath, self.kind, display, self.embed, self.text)

    def with_embed(self, embed: bool) -> Link:
        return Link(self.path, self.subpath, self.kind, self.display, embed, self.text)


@dataclass(frozen=True)
class ListPair:
    """One row of `LIST <expression>`: the row's id, then `: ` and the value."""

    key: Any
    value: Any


@dataclass(frozen=True)
class ExternalLink:
    url: str
    display: str | None = None


@dataclass(frozen=True)
class Lambda:
    """A `(x) => ...` value; `call` is bound by the evaluator."""

    call: Callable[..., Any] = field(compare=False)
    arity: int = 1


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Duration):
        return "duration"
    if isinstance(value, datetime):
        return "date"
    if isinstance(value, ListPair | ExternalLink):
        return "widget"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Link):
        return "link"
    if isinstance(value, Lambda) or callable(value):
        return "function"
    if isinstance(value, Mapping):
        return "object"
    return "unknown"


def truthy(value: Any) -> bool:
    kind = type_of(value)
    if kind == "number":
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if kind in ("string", "array", "object"):
        return len(value) > 0
    if kind == "boolean":
        return bool(value)
    if kind == "link":
        return value.path is not None or bool(value.text)
    if kind == "date":
        return True
    if kind == "duration":
        return value.millis() != 0
    return kind != "null"


def _link_key(link: Link) -> tuple[str, str]:
    # Published links compare by path; unresolved ones only by the text a reader sees.
    return (link.path, "") if link.path is not None else ("", link.text)


def compare(a: Any, b: Any) -> int:
    """Dataview's total order over any two values (`Values.compareValue`)."""
    if a is None and b is None:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return -1 if ta < tb else 1
    if ta == "string":
        return _locale_compare(a, b)
    if ta in ("number", "boolean"):
        return (a > b) - (a < b)
    if ta == "date":
        return (a > b) - (a < b)
    if ta == "duration":
        na, nb = a.normalize(), b.normalize()
        if na == nb:
            return 0
        return -1 if a.millis() < b.millis() else 1
    if ta == "link":
        ka, kb = _link_key(a), _link_key(b)
        if ka != kb:
            return _locale_compare(ka[0] + ka[1], kb[0] + kb[1]) or (-1 if ka < kb else 1)
        if a.kind != b.kind:
            return -1 if a.kind < b.kind else 1
        if bool(a.subpath) != bool(b.subpath):
            return 1 if a.subpath else -1
        return _locale_compare(a.subpath or "", b.subpath or "")
    if ta == "array":
        for x, y in zip(a, b, strict=False):
            found = compare(x, y)
            if found:
                return found
        return (len(a) > len(b)) - (len(a) < len(b))
    if ta == "object":
        ka, kb = sorted(a.keys()), sorted(b.keys())
        found = compare(ka, kb)
        if found:
            return found
        for key in ka:
            found = compare(a[key], b[key])
            if found:
                return found
        return 0
    return 0


def _locale_compare(a: str, b: str) -> int:
    """Close to `String.localeCompare` in English: case-insensitive first, then case."""
    ka, kb = a.casefold(), b.casefold()
    if ka != kb:
        return -1 if ka < kb else 1
    if a == b:
        return 0
    # localeCompare puts lower case before upper case for otherwise equal letters.
    return -1 if a.swapcase() < b.swapcase() else 1


def equal(a: Any, b: Any) -> bool:
    return compare(a, b) == 0


def js_number(value: float) -> str:
    """A number as JavaScript's `String(n)` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa.removesuffix('.0')}e{sign}{exponent.lstrip('+-').lstrip('0')}"
    return text


def number_value(value: float) -> int | float:
    """Whole floats become ints, so results print and hash as Dataview's do."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
