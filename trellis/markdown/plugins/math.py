"""`$inline$` and `$$display$$` math, typeset in the browser by KaTeX.

Parsing reuses mdit-py-plugins' dollarmath rules with Obsidian's rules: inline math may not
start or end with a space, so `$5 and $10` stays text; a digit next to a `$` is allowed
(Obsidian does not forbid it); `$$...$$` inside a paragraph is display math, and a `$$` line
may interrupt a paragraph (real notes put `$$` right under a line of text). Two display
formulas on one line (`$$a$$ $$b$$`) stay two.

Output keeps the LaTeX source as the element's text: `<span class="math math-inline">` and
`<div class="math math-block">` (`<span class="math math-block">` inside a paragraph).
`static/features.js` typesets them with KaTeX (shipped in `static/vendor/katex`), and when
KaTeX cannot, leaves the source on show with class `math-error`; without JavaScript the reader
sees the source. KaTeX's own output carries the source again in a MathML `<annotation>`.
Notes with math add "math" to `env["content"].features`, so only their pages load KaTeX.

Why KaTeX in the browser rather than latex2mathml on the server, measured on the matematikk
garden (33,522 expressions: 26,324 inline, 7,198 display; 2 cores):
- latex2mathml 3.81: no exception, but 346 expressions come out wrong without a word:
  `aligned`/`cases` rows become one line with a literal `&`, since it emits
  `<mspace linebreak="newline">`, which MathML Core (Chromium) ignores; unknown commands
  (`\\cancelto`, `\\require`) are printed as text. 0.095 ms per expression, ~270 bytes each.
- KaTeX 0.19: 14 expressions (6 distinct) fail, loudly (MathJax-only `\\cancelto`,
  `\\require{enclose}`, stray `$` inside text), and show their source; 0.045 ms per
  expression in node, 0.12 ms in Chromium (the garden's largest page, 414 formulas,
  typesets in about 50 ms). Page weight:
  katex.min.js 273 kB (76 kB gzip) + css 25 kB (3.5 kB gzip) + only the woff2 fonts a page
  uses (that page: 8 of 20, 124 kB), cached across pages; the HTML carries the bare source.
KaTeX could also run at build time (e.g. through an embedded V8), which would drop the script
but add a binary dependency and ~1.7 kB of HTML per formula; not worth it today.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar

from trellis.markdown.canonical import escape_text

MATH_TOKENS = ("math_inline", "math_inline_double", "math_block")


def _block_rule() -> Any:
    """dollarmath's block rule, made safe as a paragraph terminator.

    The library rule pushes a token even when asked only whether it matches (`silent`), which
    would corrupt the stream when it interrupts a paragraph: probe on a scratch list instead.
    It also takes `$$a$$ $$b$$` for one formula; that line is left to the inline rule.
    """
    rule = math_block_dollar(allow_labels=False, allow_blank_lines=True)

    def math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        begin = state.bMarks[start] + state.tShift[start]
        # Asked at the start of every block: answer the usual "no" before slicing the line.
        if not state.src.startswith("$$", begin, state.eMarks[start]):
            return False
        line = state.src[begin : state.eMarks[start]].strip()
        if len(line) > 4 and line.endswith("$$") and "$$" in line[2:-2]:
            return False
        if "$$" not in line[2:] and _closes_before_text(state, start, end, silent):
            return True
        if not silent:
            return rule(state, start, end, False)
        tokens, line_no = state.tokens, state.line
        state.tokens = []
        try:
            return rule(state, start, end, False)
        finally:
            state.tokens, state.line = tokens, line_no

    return math_block


def _line(state: StateBlock, number: int) -> str:
    return state.src[state.bMarks[number] + state.tShift[number] : state.eMarks[number]]


def _closes_before_text(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`$$` opening a block whose closing `$$` has text after it (`$$ is called **Laplace**.`):
    the formula ends there and the text is a paragraph of its own. (The library rule only
    closes at a `$$` that ends its line, so it ran on to a later formula's `$$` and swallowed
    the text and every formula between.) False, and nothing done, for any other block."""
    number = start + 1
    while number < end:
        text = _line(state, number)
        at = text.find("$$")
        if at >= 0:
            rest = text[at + 2 :].strip()
            if not rest or rest.endswith("$$"):
                return False
            break
        number += 1
    else:
        return False
    if silent:
        return True
    first = _line(state, start)[2:]
    body = "\n".join([first, *(_line(state, n) for n in range(start + 1, number)), text[:at]])
    token = state.push("math_block", "math", 0)
    token.block, token.markup, token.content = True, "$$", body.strip("\n")
    token.map = [start, number + 1]
    last = number + 1  # the text after `$$` and the lines of its paragraph
    while last < end and _line(state, last).strip():
        last += 1
    lines = [rest, *(_line(state, n) for n in range(number + 1, last))]
    state.push("paragraph_open", "p", 1).map = [number, last]
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = "\n".join(lines), [number, last], []
    state.push("paragraph_close", "p", -1)
    state.line = last
    return True


def _note_feature(state: StateCore) -> None:
    """Core rule: a note with any math asks for KaTeX on its page."""
    content = state.env.get("content")
    if content is None or "math" in content.features:
        return
    for token in state.tokens:
        if token.type in MATH_TOKENS or any(
            child.type in MATH_TOKENS for child in token.children or ()
        ):
            content.features.add("math")
            return


def _render(tag: str, kind: str) -> Any:
    def render(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        source = escape_text(tokens[idx].content.strip())
        html = f'<{tag} class="math math-{kind}">{source}</{tag}>'
        return html + "\n" if tag == "div" else html

    return render


def math_plugin(md: MarkdownIt, **options: Any) -> None:
    md.inline.ruler.before(
        "escape",
        "math_inline",
        math_inline_dollar(allow_space=False, allow_digits=True, allow_double=True),
    )
    md.block.ruler.before(
        "fence",
        "math_block",
        _block_rule(),
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.core.ruler.push("math_feature", _note_feature)
    md.add_render_rule("math_inline", _render("span", "inline"))
    md.add_render_rule("math_inline_double", _render("span", "block"))
    md.add_render_rule("math_block", _render("div", "block"))
