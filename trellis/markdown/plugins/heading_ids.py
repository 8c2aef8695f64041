"""Give every heading an id (its slug, repeats numbered) so `[[Note#Heading]]` can land on it.

Written here rather than with mdit-py-plugins' `anchors` because the ids must come from the
same `trellis.slug` rules as URLs, and each heading is recorded (level, text, id, line) in
`env["content"]` for links, the table of contents and section embeds.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from trellis.markdown.plugins._tokens import note_line, plain_text
from trellis.model.content import Heading
from trellis.slug import UniqueSlugs


def _heading_ids(state: StateCore) -> None:
    slugs = UniqueSlugs()
    content = state.env.get("content")
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text = plain_text(inline.children).strip()
        if token.attrGet("id"):
            heading_id = str(token.attrGet("id"))
        else:
            heading_id = slugs.make(text, fallback="heading")
            token.attrSet("id", heading_id)
        if content is not None:
            line = note_line(state.env, token.map[0] if token.map else 0)
            content.headings.append(Heading(int(token.tag[1]), text, heading_id, line))


def heading_ids_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("heading_ids", _heading_ids)
