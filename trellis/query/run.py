"""Running a query: `run_block`, `run_inline` (see the package `trellis.query`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from trellis.query.deps import Change, Dependencies, diff_views
from trellis.query.dql import DQLSyntaxError, parse_expression
from trellis.query.engine import QueryError, QueryResult, execute
from trellis.query.evaluate import Context, QueryRuntimeError
from trellis.query.functions import FUNCTIONS
from trellis.query.parse import parse_query
from trellis.query.patterns import PatternTimeout
from trellis.query.render import (
    RenderHooks,
    error_html,
    list_html,
    table_html,
    task_html,
    value_html,
)
from trellis.query.rows import Reads, materialize
from trellis.query.text import DEFAULT_SETTINGS, QuerySettings
from trellis.query.view import ItemFacts, NoteRecord, PageFacts, PublishedView

__all__ = [
    "Change",
    "Dependencies",
    "ItemFacts",
    "NoteRecord",
    "PageFacts",
    "PublishedView",
    "QueryError",
    "RenderHooks",
    "Rendered",
    "diff_views",
    "evaluate_query",
    "run_block",
    "run_inline",
]


@dataclass
class Rendered:
    html: str
    deps: Dependencies = field(default_factory=Dependencies)
    error: QueryError | None = None


def evaluate_query(
    source: str, view: PublishedView, this_path: str | None, settings: QuerySettings
) -> QueryResult:
    """Parse and run a DQL query; `QueryError` (message, line) if either fails."""
    try:
        query = parse_query(source, view.zone)
    except RecursionError:
        raise QueryError("Dataview: the query is nested too deeply", 1) from None
    except DQLSyntaxError as error:
        message = f"Dataview: could not parse the query: {error.message}"
        raise QueryError(message, error.line) from None
    return execute(query, view, this_path, settings)


def run_block(
    source: str,
    view: PublishedView,
    this_path: str | None,
    hooks: RenderHooks,
    language: str = "dataview",
    settings: QuerySettings = DEFAULT_SETTINGS,
) -> Rendered:
    if language == "dataviewjs":
        error = QueryError("dataviewjs is not run: JavaScript queries need Obsidian", 1)
        return Rendered(error_html(error.message, source, language), error=error)
    try:
        result = evaluate_query(source, view, this_path, settings)
    except QueryError as error:
        return Rendered(error_html(error.message, source, language), error.deps, error)
    except PatternTimeout as failure:
        error = QueryError(f"Dataview: {failure}")
        return Rendered(error_html(error.message, source, language), error=error)
    except (RecursionError, MemoryError, OverflowError) as failure:
        error = QueryError(f"Dataview: the query could not be evaluated ({type(failure).__name__})")
        return Rendered(error_html(error.message, source, language), error=error)
    if result.kind == "table":
        body = table_html(result.headers, result.rows, hooks, settings)
    elif result.kind == "list":
        body = list_html(result.items, hooks, settings)
    else:
        body = task_html(result.tasks, result.grouped, hooks, settings)
    return Rendered(f'<div class="block-language-dataview">{body}</div>', result.deps)


def run_inline(
    expression: str,
    view: PublishedView,
    this_path: str | None,
    hooks: RenderHooks,
    settings: QuerySettings = DEFAULT_SETTINGS,
) -> Rendered:
    """An inline `= expression`: its value in `<span class="dataview dataview-inline-query">`."""
    reads = Reads()
    try:
        expr = parse_expression(expression, view.zone)
        ctx = Context(view, this_path, FUNCTIONS, settings, reads)
        value = materialize(ctx.evaluate(expr))
    except (
        DQLSyntaxError,
        QueryRuntimeError,
        PatternTimeout,
        RecursionError,
        MemoryError,
        OverflowError,
    ) as failure:
        message = failure.message if isinstance(failure, DQLSyntaxError) else str(failure)
        message = message or type(failure).__name__
        error = QueryError(f"Dataview (inline query): {message}", 1)
        deps = Dependencies.from_reads(None, (), reads, this_path)
        html = (
            f'<code class="trellis-query-error" title="{escape(error.message)}">'
            f"= {escape(expression)}</code>"
        )
        return Rendered(html, deps, error)
    html = value_html(value, hooks, settings, inline=True)
    deps = Dependencies.from_reads(None, (), reads, ctx.this_path)
    return Rendered(f'<span class="dataview dataview-inline-query">{html}</span>', deps)
