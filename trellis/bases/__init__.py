"""Obsidian Bases, evaluated at build time over published notes only.

`run_base(text, view, this_path, hooks, view_name=None)` reads a base (a `.base` file's text
or a ```base block) and renders one view (the named one, else the first, as an embed
`![[Books.base#View]]` does) as table, cards or list; a map view, a base that cannot be read
or a view that does not exist gives a notice. It returns the query engine's `Rendered`
(HTML, `Dependencies`, the error with its line) so bases and queries are planned alike.

Rows are the notes of the `PublishedView` and nothing else: filters, formulas, `this`,
`file.backlinks` and `link("...")` can only reach published notes, and a link to anything
else is a link to nothing.
"""

from __future__ import annotations

from html import escape

from trellis.bases.render import BaseHooks, view_html
from trellis.bases.run import run_view
from trellis.bases.spec import BaseSpec, parse_base
from trellis.query import Rendered
from trellis.query.engine import QueryError
from trellis.query.patterns import PatternTimeout
from trellis.query.view import PublishedView

__all__ = ["BaseHooks", "BaseSpec", "parse_base", "run_base"]


def _notice(message: str, source: str | None) -> str:
    code = (
        f'<pre><code class="language-base">{escape(source)}</code></pre>'
        if source is not None
        else ""
    )
    return (
        '<div class="block-language-base trellis-query-error">'
        f'<p class="trellis-query-notice" role="note">{escape(message)}</p>{code}</div>'
    )


def run_base(
    text: str,
    published: PublishedView,
    this_path: str | None,
    hooks: BaseHooks,
    view_name: str | None = None,
    show_source: bool = True,
) -> Rendered:
    """Render one view of a base. `show_source`: print the YAML under an error notice (yes
    for a ```base block, whose text is in the published note; no for a `.base` file)."""
    try:
        return _run_base(text, published, this_path, hooks, view_name, show_source)
    except (RecursionError, MemoryError, OverflowError) as failure:
        error = QueryError(f"Bases: the base could not be evaluated ({type(failure).__name__})")
        return Rendered(_notice(error.message, text if show_source else None), error=error)
    except PatternTimeout as failure:
        error = QueryError(f"Bases: {failure}")
        return Rendered(_notice(error.message, text if show_source else None), error=error)


def _run_base(
    text: str,
    published: PublishedView,
    this_path: str | None,
    hooks: BaseHooks,
    view_name: str | None,
    show_source: bool,
) -> Rendered:
    spec = parse_base(text)
    source = text if show_source else None
    fatal = [p for p in spec.problems if p[0].startswith(("not valid YAML", "a base"))]
    if fatal:
        message, line = fatal[0]
        error = QueryError(f"Bases: {message}", line or 1)
        return Rendered(_notice(error.message, source), error=error)
    view = spec.views[0]
    if view_name is not None:
        named = [v for v in spec.views if v.name == view_name]
        if not named:
            error = QueryError(f"Bases: no view named {view_name!r}", 1)
            return Rendered(_notice(error.message, source), error=error)
        view = named[0]
    if view.type == "map":
        error = QueryError("Bases: map views need Obsidian's Maps plugin; not shown here", 1)
        return Rendered(_notice(error.message, source), error=error)
    result = run_view(spec, view, published, this_path)
    problems = [p[0] for p in spec.problems] + result.problems
    error = QueryError("Bases: " + "; ".join(problems), 1) if problems else None
    return Rendered(
        f'<div class="block-language-base">{view_html(result, hooks)}</div>', result.deps, error
    )
