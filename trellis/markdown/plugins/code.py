"""Fenced code highlighted by Pygments at build time, and ```mermaid fences for the browser.

Highlighting on the server costs readers nothing (no script, no flash of plain code) and
Pygments knows nearly every language Obsidian's Prism does, under the same short names.
A fence with a language Pygments knows becomes
`<pre class="highlight"><code class="language-x">` with Pygments' token spans inside (classes
styled by `static/pygments.css`, light and dark). No language, or one Pygments does not know
(`dataview`, `plantuml`...), keeps markdown-it's plain escaped `<pre><code class="language-x">`.
Code is never parsed as Markdown, so `[[x]]`, `#tag` and `%%` inside it stay as written.

A ```mermaid fence becomes `<pre class="mermaid">` holding the escaped source, which
`static/features.js` hands to Mermaid (shipped in `static/vendor/mermaid`); without script the
reader sees the source. Such a note adds "mermaid" to `env["content"].features`.

`static/pygments.css` is made from the installed Pygments on every build (`pygments_css`,
written by `trellis.emit.assets`), so its token classes always match the highlighted HTML:
Pygments' styles change between releases, and a committed copy would drift from them.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import pygments
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from trellis.markdown.canonical import escape_attr, escape_text

# Styles whose every token colour reads at 4.5:1 or more on its background (WCAG AA); the
# earlier friendly/monokai had numbers at 2.97:1.
LIGHT_STYLE = "xcode"
DARK_STYLE = "lightbulb"
_FORMATTER = HtmlFormatter(nowrap=True)


def fence_language(token: Token) -> str:
    """The first word of a fence's info string (`python` in ```` ```python title="x" ````)."""
    info = unescapeAll(token.info).strip()
    return info.split(maxsplit=1)[0] if info else ""


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        # Keep leading and trailing blank lines: they are part of what the author wrote.
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def _note_feature(state: StateCore) -> None:
    """Core rule: a note with a mermaid fence asks for Mermaid on its page."""
    content = state.env.get("content")
    if content is None:
        return
    if any(t.type == "fence" and fence_language(t).lower() == "mermaid" for t in state.tokens):
        content.features.add("mermaid")


def code_plugin(md: MarkdownIt, **options: Any) -> None:
    plain_fence = md.renderer.rules["fence"]

    def render_fence(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        language = fence_language(token)
        if language.lower() == "mermaid":
            return f'<pre class="mermaid">{escape_text(token.content)}</pre>\n'
        lexer = _lexer(language.lower()) if language else None
        if lexer is None:
            # Scrollable code must take keyboard focus (WCAG 2.1.1) to scroll sideways.
            token.attrSet("tabindex", "0")
            return plain_fence(tokens, idx, options, env)
        code = pygments_text(highlight(token.content, lexer, _FORMATTER))
        return (
            f'<pre class="highlight" tabindex="0"><code class="language-{escape_attr(language)}">'
            f"{code}</code></pre>\n"
        )

    md.add_render_rule("fence", render_fence)
    md.core.ruler.push("mermaid_feature", _note_feature)


def pygments_text(html: str) -> str:
    """Pygments' HTML with its text in nh3's form: it writes `&quot;`, `&#39;` and no-break
    spaces, nh3 `"`, `'` and `&nbsp;` (its spans' attributes hold no entities or quotes)."""
    if "&quot;" in html:
        html = html.replace("&quot;", '"')
    if "&#39;" in html:
        html = html.replace("&#39;", "'")
    if "\xa0" in html:
        html = html.replace("\xa0", "&nbsp;")
    return html


def _highlight_rules(style: str) -> list[str]:
    """Pygments' rules for `.highlight` only (its `pre` and line-number rules we do not use)."""
    rules = HtmlFormatter(style=style).get_style_defs(".highlight").splitlines()
    return [rule for rule in rules if rule.startswith(".highlight")]


@cache
def pygments_css() -> str:
    """The stylesheet for highlighted code: light by default, dark with the theme's dark mode."""
    light = "\n".join(_highlight_rules(LIGHT_STYLE))
    dark_rules = _highlight_rules(DARK_STYLE)
    forced = "\n".join(f':root[data-theme="dark"] {rule}' for rule in dark_rules)
    system = "\n".join(f'  :root:not([data-theme="light"]) {rule}' for rule in dark_rules)
    return (
        f"/* Pygments {pygments.__version__}: {LIGHT_STYLE} (light), {DARK_STYLE} (dark)."
        " Written by Trellis on every build. */\n"
        f"{light}\n{forced}\n@media (prefers-color-scheme: dark) {{\n{system}\n}}\n"
    )
