"""Run a parsed query over the published-notes view (Dataview's `query/engine.ts`).

`FROM` selects notes (no FROM: all of them), then each data command runs in the order
written over the rows the previous one left: `WHERE` keeps truthy rows, `SORT` orders by
its keys (stable), `GROUP BY` makes one row per key (`key`, `rows`, and the key's name),
`FLATTEN` makes one row per element, `LIMIT` cuts. A row whose expression fails is dropped;
a command that fails on every row fails the query, as in Dataview. TASK queries run on the
tasks of the selected notes (each task also sees its note's fields).

Every run returns its result and its `Dependencies` (see `trellis.query.deps`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trellis.query import ast
from trellis.query.deps import Dependencies
from trellis.query.evaluate import Context, QueryRuntimeError
from trellis.query.functions import FUNCTIONS
from trellis.query.page import file_field, item_object
from trellis.query.rows import Overlay, PageRow, Reads, TaskRow, materialize
from trellis.query.text import DEFAULT_SETTINGS, QuerySettings
from trellis.query.values import ListPair, compare, truthy
from trellis.query.view import PublishedView


class QueryError(Exception):
    """A query that cannot be evaluated: the message a reader sees, and the query's line."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.deps = Dependencies()


@dataclass
class Row:
    id: Any
    data: Mapping[str, Any]
    path: str | None = None  # a note's row: its id (the note's link) is made when needed

    def ident(self, view: PublishedView) -> Any:
        if self.id is None and self.path is not None:
            self.id = file_field(view, self.path, "link")
        return self.id


@dataclass
class QueryResult:
    kind: str  # "list", "table" or "task"
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # TABLE cells
    items: list[Any] = field(default_factory=list)  # LIST values
    # TASK: a list of task objects, or of (group key, nested grouping) pairs
    tasks: list[Any] = field(default_factory=list)
    grouped: bool = False
    deps: Dependencies = field(default_factory=Dependencies)


def select(source: ast.Source, ctx: Context) -> set[str]:
    """The published notes a FROM source names."""
    view = ctx.view
    if isinstance(source, ast.AllPages):
        return set(view.paths)
    if isinstance(source, ast.TagSource):
        return view.with_tag(source.tag)
    if isinstance(source, ast.FolderSource):
        return view.in_folder(source.folder)
    if isinstance(source, ast.LinkSource):
        target = ctx.link(source.target).path
        if target is None:
            return set()
        if source.incoming:
            return set(view.inlinks.get(target, []))
        ctx.reads.note(target, "file.outlinks")
        return {link.path for link in view.outlinks[target] if link.path is not None}
    if isinstance(source, ast.NegatedSource):
        return set(view.paths) - select(source.child, ctx)
    if isinstance(source, ast.BinarySource):
        left, right = select(source.left, ctx), select(source.right, ctx)
        return left & right if source.op == "&" else left | right
    raise QueryError(f"unknown source {source!r}")


def _all_failed(op: str, line: int, errors: list[str], incoming: int) -> None:
    if errors and len(errors) >= incoming:
        shown = "; ".join(dict.fromkeys(errors[:3]))
        raise QueryError(f"Every row during operation '{op}' failed with an error: {shown}", line)


def _sort_rows(ctx: Context, rows: list[Row], keys: tuple[tuple[ast.Expr, bool], ...], line: int):  # type: ignore[no-untyped-def]
    tagged, errors = [], []
    for row in rows:
        try:
            tagged.append(([ctx.evaluate(expr, row.data) for expr, _ in keys], row))
        except QueryRuntimeError as error:
            errors.append(str(error))
    _all_failed("sort", line, errors, len(rows))

    def order(a: tuple[list[Any], Row], b: tuple[list[Any], Row]) -> int:
        for index, (_, ascending) in enumerate(keys):
            found = compare(a[0][index], b[0][index])
            if found:
                return found if ascending else -found
        return 0

    tagged.sort(key=functools.cmp_to_key(order))
    return [row for _, row in tagged]


def run_operations(ctx: Context, rows: list[Row], operations: tuple[ast.Operation, ...]):  # type: ignore[no-untyped-def]
    """Apply the data commands in order; returns (rows, group names from outer to inner)."""
    groups: list[str] = []
    for op in operations:
        incoming, errors = len(rows), []
        if isinstance(op, ast.Where):
            kept = []
            for row in rows:
                try:
                    if truthy(ctx.evaluate(op.expr, row.data)):
                        kept.append(row)
                except QueryRuntimeError as error:
                    errors.append(str(error))
            _all_failed("where", op.line, errors, incoming)
            rows = kept
        elif isinstance(op, ast.Sort):
            rows = _sort_rows(ctx, rows, op.keys, op.line)
        elif isinstance(op, ast.Limit):
            try:
                amount = ctx.evaluate(op.expr)
            except QueryRuntimeError as error:
                raise QueryError(f"Failed to execute 'limit' statement: {error}", op.line) from None
            if not isinstance(amount, int | float) or isinstance(amount, bool):
                raise QueryError("Failed to execute 'limit' statement: not a number", op.line)
            rows = rows[: max(0, int(amount))]
        elif isinstance(op, ast.Group):
            keyed = []
            for row in rows:
                try:
                    keyed.append((ctx.evaluate(op.field.expr, row.data), row))
                except QueryRuntimeError as error:
                    errors.append(str(error))
            _all_failed("group", op.line, errors, incoming)
            keyed.sort(key=functools.cmp_to_key(lambda a, b: compare(a[0], b[0])))
            grouped: list[Row] = []
            for key, row in keyed:
                if grouped and compare(grouped[-1].id, key) == 0:
                    grouped[-1].data["rows"].append(row.data)  # type: ignore[index]
                else:
                    data = {"key": key, "rows": [row.data], op.field.name: key}
                    grouped.append(Row(key, data))
            rows = grouped
            groups.append(op.field.name)
        elif isinstance(op, ast.Flatten):
            flat = []
            for row in rows:
                try:
                    value = ctx.evaluate(op.field.expr, row.data)
                except QueryRuntimeError as error:
                    errors.append(str(error))
                    continue
                for element in value if isinstance(value, list) else [value]:
                    flat.append(Row(row.id, Overlay(row.data, {op.field.name: element}), row.path))
            _all_failed("flatten", op.line, errors, incoming)
            rows = flat
            if groups and groups[-1] == op.field.name:
                groups.pop()
    return rows, groups


def _extract(ctx: Context, rows: list[Row], fields: tuple[ast.NamedField, ...]) -> list[Row]:
    out, errors = [], []
    for row in rows:
        try:
            values = {f.name: materialize(ctx.evaluate(f.expr, row.data)) for f in fields}
        except QueryRuntimeError as error:
            errors.append(str(error))
            continue
        out.append(Row(materialize(row.ident(ctx.view)), values))
    _all_failed("extract", 1, errors, len(rows))
    return out


def _task_item(data: Mapping[str, Any]) -> Any:
    while isinstance(data, Overlay):
        data = data.base
    return data.item if isinstance(data, TaskRow) else materialize(data)


def _task_groups(rows: list[Row], depth: int) -> list[Any]:
    if depth == 0:
        return [_task_item(row.data) for row in rows]
    out = []
    for row in rows:
        inner = [Row(None, data) for data in row.data["rows"]]
        out.append((materialize(row.data["key"]), _task_groups(inner, depth - 1)))
    return out


def execute(
    query: ast.Query,
    view: PublishedView,
    this_path: str | None,
    settings: QuerySettings = DEFAULT_SETTINGS,
) -> QueryResult:
    """Evaluate a parsed query; `QueryError` if it cannot be."""
    reads = Reads()
    ctx = Context(view, this_path, FUNCTIONS, settings, reads)
    matched: set[str] = set()
    try:
        matched = select(query.source, ctx)
        return _run(query, ctx, matched, settings)
    except QueryError as error:
        # A failed query is re-run when what it read changes (the data may fix it).
        error.deps = Dependencies.from_reads(query.source, matched, reads, ctx.this_path)
        raise


def _run(query: ast.Query, ctx: Context, matched: set[str], settings: QuerySettings) -> QueryResult:
    view, reads = ctx.view, ctx.reads
    paths = sorted(matched)
    if query.kind == "task":
        rows = []
        for path in paths:
            reads.note(path, "file.tasks")
            page = PageRow(view, path, reads)
            for item in view.records[path].facts.items:
                if item.status is not None:
                    rows.append(Row(None, TaskRow(item_object(view, path, item.line), page)))
    else:
        rows = [Row(None, PageRow(view, p, reads), p) for p in paths]
    rows, groups = run_operations(ctx, rows, query.operations)
    result = QueryResult(query.kind)
    if query.kind == "task":
        result.tasks = _task_groups(rows, len(groups))
        result.grouped = bool(groups)
    else:
        extracted = _extract(ctx, rows, query.fields)
        names = [f.name for f in query.fields]
        if query.kind == "table":
            id_name = groups[-1] if groups else settings.table_id_column
            result.headers = ([id_name] if query.show_id else []) + names
            result.rows = [
                ([row.id] if query.show_id else []) + [row.data[n] for n in names]
                for row in extracted
            ]
        elif query.fields and query.show_id:
            result.items = [ListPair(row.id, row.data["target"]) for row in extracted]
        elif query.fields:
            result.items = [row.data["target"] for row in extracted]
        else:
            result.items = [row.id for row in extracted]
    result.deps = Dependencies.from_reads(query.source, matched, reads, ctx.this_path)
    return result
