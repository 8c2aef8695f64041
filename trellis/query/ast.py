"""The syntax tree of a Dataview query: expressions, sources and the query itself.

Every node is a frozen dataclass, so a parsed query can be cached, compared and pickled
(worker processes) and a source can be stored in a dependency record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# -- expressions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class LinkLiteral:
    """`[[Target#sub|display]]` written in a query: resolved when evaluated."""

    target: str
    display: str | None = None
    embed: bool = False


@dataclass(frozen=True)
class Index:
    """`obj.name` or `obj[expr]`."""

    obj: Expr
    index: Expr


@dataclass(frozen=True)
class Call:
    func: Expr
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Negate:
    child: Expr


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / % = != < <= > >= & |
    left: Expr
    right: Expr


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class ObjectExpr:
    pairs: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class LambdaExpr:
    params: tuple[str, ...]
    body: Expr


Expr = (
    Literal | Variable | LinkLiteral | Index | Call | Negate | Binary | ListExpr | ObjectExpr
) | LambdaExpr


# -- sources (FROM) ---------------------------------------------------------------------


@dataclass(frozen=True)
class AllPages:
    """No FROM: every published note."""


@dataclass(frozen=True)
class TagSource:
    tag: str  # with its `#`


@dataclass(frozen=True)
class FolderSource:
    folder: str  # a folder, or one note's path with or without `.md`


@dataclass(frozen=True)
class LinkSource:
    target: str
    incoming: bool  # `[[X]]`: notes linking to X; `outgoing([[X]])`: notes X links to


@dataclass(frozen=True)
class NegatedSource:
    child: Source


@dataclass(frozen=True)
class BinarySource:
    op: str  # & or |
    left: Source
    right: Source


Source = AllPages | TagSource | FolderSource | LinkSource | NegatedSource | BinarySource


# -- the query --------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedField:
    name: str
    expr: Expr


@dataclass(frozen=True)
class Where:
    expr: Expr
    line: int


@dataclass(frozen=True)
class Sort:
    keys: tuple[tuple[Expr, bool], ...]  # (expression, ascending)
    line: int


@dataclass(frozen=True)
class Limit:
    expr: Expr
    line: int


@dataclass(frozen=True)
class Flatten:
    field: NamedField
    line: int


@dataclass(frozen=True)
class Group:
    field: NamedField
    line: int


Operation = Where | Sort | Limit | Flatten | Group


@dataclass(frozen=True)
class Query:
    kind: str  # "list", "table" or "task"
    fields: tuple[NamedField, ...]  # TABLE columns; LIST's one expression (or none)
    show_id: bool
    source: Source
    operations: tuple[Operation, ...]
