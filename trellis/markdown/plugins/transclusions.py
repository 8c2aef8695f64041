"""The Digital Garden export's inlined transclusions, kept as one container.

The plugin writes an embed as
`<div class="transclusion internal-embed is-loaded"><a class="markdown-embed-link" ...></a>
<div class="markdown-embed">`, blank lines, the embedded Markdown, blank lines, `</div></div>`.
CommonMark reads the first line and the last as two separate HTML blocks, and Trellis
cleans each block of raw HTML on its own (so an element left open cannot swallow the rest
of the page): the frame would close at once and the content land after an empty frame.

This core rule pairs each such opening block with the closing block that ends it (same
level, as many `</div>` as it left open, nested embeds paired inside out) and marks the
pair as a container (`nesting` 1 and -1). The cleaning then takes the frame and its content
as one piece, and the content stays inside `.markdown-embed`, as on the template's site.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_OPENER = re.compile(r'^<div class="transclusion\b')
_CLOSER = re.compile(r"^(?:\s*</div\s*>)+\s*$")


def _open_divs(html: str) -> int:
    return len(re.findall(r"<div\b", html)) - len(re.findall(r"</div\s*>", html))


def _pair_transclusions(state: StateCore) -> None:
    stack: list[tuple[Token, int]] = []
    for token in state.tokens:
        if token.type != "html_block" or token.nesting:
            continue
        content = token.content.strip()
        if _OPENER.match(content):
            unclosed = _open_divs(content)
            if unclosed > 0:
                stack.append((token, unclosed))
        elif _CLOSER.match(content) and stack:
            opener, unclosed = stack[-1]
            if opener.level == token.level and -_open_divs(content) == unclosed:
                stack.pop()
                opener.nesting, token.nesting = 1, -1


def transclusions_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("block", "dg_transclusions", _pair_transclusions)
