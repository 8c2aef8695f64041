"""Run a base's view over the published notes: filter, sort, limit, group, columns, summaries.

Rows are the published notes only (a base never sees anything else, and in a static site
its rows are notes: attachments are not listed). A note passes when the base's `filters`
and the view's `filters` are both true; a filter that fails on a note (an error in its
expression) counts as false for it and is reported once. Sorting follows the view's `sort`
list (then the file path, so output is stable), `limit` keeps the first rows, `groupBy`
splits them by the value of one property. Summaries are Obsidian's built-in ones (Average,
Min, Max, Sum, Range, Median, Stddev, Earliest, Latest, Checked, Unchecked, Empty, Filled,
Unique) or a formula of the base's `summaries`, with `values` bound to the column.
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trellis.bases.evaluate import BaseError, FileRef, Row
from trellis.bases.methods import call
from trellis.bases.spec import BaseSpec, Filter, ViewSpec
from trellis.query import ast
from trellis.query.deps import Dependencies
from trellis.query.rows import Reads
from trellis.query.values import compare, number_value, truthy
from trellis.query.view import PublishedView


@dataclass
class Group:
    key: Any  # None for an ungrouped view
    rows: list[list[Any]]  # one list of cell values per note, in column order
    paths: list[str]
    summaries: dict[str, Any] = field(default_factory=dict)


@dataclass
class ViewResult:
    view: ViewSpec
    columns: list[str]
    labels: list[str]
    groups: list[Group]
    images: list[Any] = field(default_factory=list)  # cards: the image value of each row
    problems: list[str] = field(default_factory=list)
    deps: Dependencies = field(default_factory=Dependencies)


def label(spec: BaseSpec, prop: str) -> str:
    if prop in spec.display_names:
        return spec.display_names[prop]
    if prop.startswith("note.") and f"{prop[5:]}" in spec.display_names:
        return spec.display_names[prop[5:]]
    for prefix in ("note.", "formula."):
        if prop.startswith(prefix):
            return prop[len(prefix) :]
    return prop


def property_value(row: Row, prop: str) -> Any:
    if prop.startswith("formula."):
        return row.formula(prop[8:])
    if prop.startswith("file."):
        return row.file_value(row.path, prop[5:]) if row.path else None
    name = prop[5:] if prop.startswith("note.") else prop
    return row.note_property(row.path, name) if row.path else None


def passes(row: Row, test: Filter | None) -> bool:
    if test is None:
        return True
    if test.op == "expr":
        assert test.node is not None
        return truthy(row.evaluate(test.node))
    results = (passes(row, child) for child in test.children)
    if test.op == "and":
        return all(results)
    if test.op == "or":
        return any(results)
    return not any(results)


def _order(a: Any, b: Any) -> int:
    if isinstance(a, FileRef) or isinstance(b, FileRef):
        a = a.path if isinstance(a, FileRef) else a
        b = b.path if isinstance(b, FileRef) else b
    return compare(a, b)


def summarize(name: str, values: list[Any], spec: BaseSpec, make_row: Any) -> Any:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    dates = [v for v in values if isinstance(v, datetime)]
    filled = [v for v in values if v not in (None, "", [])]
    if name == "Empty":
        return len(values) - len(filled)
    if name == "Filled":
        return len(filled)
    if name == "Unique":
        return len({repr(v) for v in filled})
    if name == "Checked":
        return sum(1 for v in values if v is True)
    if name == "Unchecked":
        return sum(1 for v in values if v is False)
    if name in ("Earliest", "Latest") or (name == "Range" and dates and not numbers):
        if not dates:
            return None
        if name == "Range":
            return number_value((max(dates) - min(dates)).total_seconds() * 1000)
        return min(dates) if name == "Earliest" else max(dates)
    simple = {
        "Sum": lambda: sum(numbers),
        "Average": lambda: sum(numbers) / len(numbers),
        "Min": lambda: min(numbers),
        "Max": lambda: max(numbers),
        "Range": lambda: max(numbers) - min(numbers),
        "Median": lambda: statistics.median(numbers),
        "Stddev": lambda: statistics.pstdev(numbers),
    }
    if name in simple:
        return number_value(simple[name]()) if numbers else None
    formula = spec.summaries.get(name)
    if formula is None:
        raise BaseError(f"unknown summary {name!r}")
    return make_row().evaluate(formula, {"values": values})


def run_view(
    spec: BaseSpec, view: ViewSpec, published: PublishedView, this: str | None
) -> ViewResult:
    reads = Reads()
    problems: list[str] = []

    def make_row(path: str | None) -> Row:
        return Row(published, path, this, spec.formulas, reads, call)

    kept: list[Row] = []
    for path in published.paths:
        row = make_row(path)
        try:
            if passes(row, spec.filters) and passes(row, view.filters):
                kept.append(row)
        except BaseError as error:
            if len(problems) < 3:
                problems.append(f"filter failed on a note: {error}")

    def sort_key(a: Row, b: Row) -> int:
        for prop, ascending in ([view.group_by] if view.group_by else []) + view.sort:
            order = _order(_safe(a, prop), _safe(b, prop))
            if order:
                return order if ascending else -order
        return compare(a.path, b.path)

    kept.sort(key=functools.cmp_to_key(sort_key))
    if view.limit is not None:
        kept = kept[: view.limit]
    columns = view.order or ["file.name"]
    groups: list[Group] = []
    images = []
    for row in kept:
        key = _safe(row, view.group_by[0]) if view.group_by else None
        if not groups or (view.group_by and _order(groups[-1].key, key) != 0):
            groups.append(Group(key, [], []))
        groups[-1].rows.append([_cell(row, prop, problems) for prop in columns])
        groups[-1].paths.append(row.path)  # type: ignore[arg-type]
        if view.type == "cards" and view.image:
            images.append(_safe(row, view.image))
    for group in groups:
        for prop, name in view.summaries.items():
            if prop in columns:
                values = [cells[columns.index(prop)] for cells in group.rows]
                try:
                    group.summaries[prop] = summarize(name, values, spec, lambda: make_row(this))
                except BaseError as error:
                    problems.append(f"summary {name!r}: {error}")
    result = ViewResult(view, columns, [label(spec, p) for p in columns], groups, images, problems)
    result.deps = Dependencies.from_reads(ast.AllPages(), published.paths, reads, this)
    return result


def _safe(row: Row, prop: str) -> Any:
    try:
        return property_value(row, prop)
    except BaseError:
        return None


def _cell(row: Row, prop: str, problems: list[str]) -> Any:
    try:
        value = property_value(row, prop)
    except BaseError as error:
        if len(problems) < 3:
            problems.append(f"{prop}: {error}")
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
