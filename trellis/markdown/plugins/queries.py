"""```dataview, ```dataviewjs and ```base fences and inline `= expr` code, rendered by a callback.

The plugin knows nothing of queries: it hands the fence's language and text (or the inline
expression) with the `env` of the note being rendered to `render_query`, which returns the
result's HTML, or None to keep markdown-it's plain code (no query results in this build:
the fence then shows as code, as before queries were wired).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from trellis.markdown.plugins.code import fence_language

QUERY_FENCES = ("dataview", "dataviewjs", "base")
RenderQuery = Callable[[str, str, dict[str, Any]], str | None]


def is_inline_query(code: str) -> bool:
    """`= expr` in a code span. `==text==` is not one (Dataview would try it and fail):
    notes that show the highlight syntax in code keep it as code."""
    return code.startswith("=") and not code.startswith("==")


def queries_plugin(md: MarkdownIt, render_query: RenderQuery) -> None:
    """`render_query(language, source, env)`; language "inline" for `= expr` code spans."""
    fence_rule = md.renderer.rules["fence"]
    code_rule = md.renderer.rules["code_inline"]

    def render_fence(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        language = fence_language(token).lower()
        if language in QUERY_FENCES:
            html = render_query(language, token.content, env)
            if html is not None:
                return html + "\n"
        return str(fence_rule(tokens, idx, options, env))

    def render_code(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        content = tokens[idx].content
        if is_inline_query(content):
            html = render_query("inline", content[1:].strip(), env)
            if html is not None:
                return html
        return str(code_rule(tokens, idx, options, env))

    md.add_render_rule("fence", render_fence)
    md.add_render_rule("code_inline", render_code)
