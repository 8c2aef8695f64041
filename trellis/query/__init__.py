"""Dataview queries evaluated at build time, over published notes only.

The build supplies a `PublishedView` (one `NoteRecord` per published note: frontmatter,
tags, link targets as written, `PageFacts` from `facts.page_facts`, dates, size, aliases)
and `RenderHooks` (URL of a published note; inline Markdown to safe HTML). Then:

- `run_block(source, view, this_path, hooks, language)` for a ```dataview (or
  ```dataviewjs) block: HTML with Dataview's classes, or a notice plus the query as code;
- `run_inline(expression, view, this_path, hooks)` for an inline `= expression`.

Both return a `Rendered`: the HTML, the `Dependencies` record (what the evaluation read;
see `trellis.query.deps` for how the planner uses it) and the `QueryError` if the query
could not be evaluated (its message and its line within the block, for a warning).
Nothing outside the view can be reached: see `trellis.query.view`.

Importing the package itself loads none of the engine: a build whose vault holds no query
never pays for its modules (`__getattr__` loads `trellis.query.run` on first use).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trellis.query.run import (
        Change,
        Dependencies,
        ItemFacts,
        NoteRecord,
        PageFacts,
        PublishedView,
        QueryError,
        Rendered,
        RenderHooks,
        diff_views,
        evaluate_query,
        run_block,
        run_inline,
    )

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


def __getattr__(name: str) -> Any:
    """The engine's names, from `trellis.query.run`, loaded when first asked for."""
    if name not in __all__:  # (a submodule, `from trellis.query import ast`, is imported)
        raise AttributeError(f"module 'trellis.query' has no attribute {name!r}")
    return getattr(importlib.import_module("trellis.query.run"), name)
