"""The one markdown-it-py instance of a build, with every Obsidian plugin wired to its hooks.

`create_markdown(hooks)` is called once per build; parsing a note fills a `NoteContent`
passed in `env`, rendering asks `hooks` to resolve links, files, embeds and tag URLs.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from trellis.markdown.canonical import CanonicalRenderer
from trellis.markdown.plugins._tokens import plain_text
from trellis.markdown.plugins.block_ids import block_ids_plugin
from trellis.markdown.plugins.callouts import callouts_plugin
from trellis.markdown.plugins.code import code_plugin
from trellis.markdown.plugins.comments import comments_plugin
from trellis.markdown.plugins.embeds import embeds_plugin
from trellis.markdown.plugins.heading_ids import heading_ids_plugin
from trellis.markdown.plugins.highlights import highlights_plugin
from trellis.markdown.plugins.inline_fields import inline_fields_plugin
from trellis.markdown.plugins.links import links_plugin
from trellis.markdown.plugins.math import math_plugin
from trellis.markdown.plugins.media import media_plugin
from trellis.markdown.plugins.queries import is_inline_query, queries_plugin
from trellis.markdown.plugins.raw_html import raw_html_plugin
from trellis.markdown.plugins.tags import tags_plugin
from trellis.markdown.plugins.tasks import tasks_plugin
from trellis.markdown.plugins.transclusions import transclusions_plugin
from trellis.markdown.plugins.wikilinks import wikilinks_plugin
from trellis.model.content import NoteContent


class Resolved(Protocol):
    href: str


class MarkdownHooks(Protocol):
    """What the plugins may ask of the site while rendering one note (`env` says which)."""

    def resolve_link(self, target: str, env: dict[str, Any]) -> Resolved | None: ...

    def resolve_file(self, path: str, env: dict[str, Any], embed: bool) -> Resolved | None: ...

    def resolve_url(self, path: str, env: dict[str, Any]) -> Resolved | None: ...

    def embed_note(self, target: str, env: dict[str, Any]) -> str: ...

    def tag_href(self, tag: str) -> str: ...

    def render_query(self, language: str, source: str, env: dict[str, Any]) -> str | None: ...


class SchemeLinkify(LinkifyIt):
    """linkify-it whose `pretest` first asks whether a scheme's name is in the text at all.

    Why: markdown-it calls `pretest` on every inline token of every note, and linkify-it's
    pretest regex (a scheme after a large Unicode punctuation class, or a fuzzy host, or `@`)
    took a third of the parse. With fuzzy links and emails off (we link only URLs with a
    scheme), linkify-it can only link text holding one of its scheme names (`http:`, `//`,
    ...); the text of every child of an inline token is a piece of that token's source, so a
    source without any name holds no link, and a `False` there changes nothing. Otherwise (or
    with a fuzzy option on) the library's own pretest decides, as before.
    """

    def _compile(self) -> None:
        super()._compile()
        names = [name for name, rule in self._compiled.items() if name and rule]
        self._schemes = re.compile("|".join(map(re.escape, names)), re.IGNORECASE)
        # A substring test in C is far cheaper than any regex: usable while every scheme
        # name holds `:` or `//` (linkify-it's own ones all do).
        self._marks_known = all(":" in name or "//" in name for name in names)

    def pretest(self, text: str) -> bool:
        if self._opts.get("fuzzy_link") or self._opts.get("fuzzy_email"):
            return bool(super().pretest(text))
        if self._marks_known and ":" not in text and "//" not in text:
            return False
        return self._schemes.search(text) is not None and bool(super().pretest(text))


def create_markdown(hooks: MarkdownHooks) -> MarkdownIt:
    # `breaks`: Obsidian shows a single line break as a break (its "strict line breaks" is off
    # by default).
    # `xhtmlOut` off and the `CanonicalRenderer`: HTML as nh3 would write it (no `<br />`).
    md = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": True, "typographer": False, "breaks": True, "xhtmlOut": False},
        renderer_cls=CanonicalRenderer,
    )
    md.enable(["table", "strikethrough", "linkify"])
    # Obsidian links bare URLs with a scheme (`https://...`), not `example.com` or `e.g.`.
    md.linkify = SchemeLinkify()
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    # Order matters where rules share a trigger or a core step depends on another's output.
    md.use(comments_plugin)
    md.use(wikilinks_plugin, resolve=hooks.resolve_link)
    md.use(links_plugin, resolve=hooks.resolve_link)
    md.use(media_plugin, resolve_file=hooks.resolve_file)
    md.use(embeds_plugin, resolve_file=hooks.resolve_file, embed_note=hooks.embed_note)
    md.use(footnote_plugin)
    md.use(highlights_plugin)
    md.use(tags_plugin, tag_href=hooks.tag_href)
    md.use(inline_fields_plugin)
    md.use(tasks_plugin)
    md.use(math_plugin)
    md.use(code_plugin)
    if hasattr(hooks, "render_query"):  # the build's hooks; a test's may have none
        md.use(queries_plugin, render_query=hooks.render_query)
    md.use(callouts_plugin)
    md.use(heading_ids_plugin)
    md.use(block_ids_plugin)
    md.use(transclusions_plugin)
    # Hooks without `resolve_url` (parse-only ones in tests and tools) resolve no site URL.
    resolve_url = getattr(hooks, "resolve_url", None) or (lambda path, env: None)
    md.use(raw_html_plugin, resolve=hooks.resolve_link, resolve_url=resolve_url)
    return md


def parse_note(md: MarkdownIt, body: str, line_offset: int, note: Any = None) -> NoteContent:
    """Tokens of a note body plus what it declares (links, headings, block ids, tags)."""
    content = NoteContent()
    env: dict[str, Any] = {"content": content, "line_offset": line_offset, "note": note}
    content.tokens = md.parse(body, env)
    content.env = env
    content.description = first_paragraph_text(content.tokens)
    return content


def first_paragraph_text(tokens: list[Any], limit: int = 200) -> str:
    """The plain text of the first visible paragraph, cut at a word before `limit`."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and not token.hidden and index + 1 < len(tokens):
            # Inline queries (`= expr`) are left out: their source is not what readers see.
            children = [
                child
                for child in tokens[index + 1].children or []
                if not (child.type == "code_inline" and is_inline_query(child.content))
            ]
            text = " ".join(plain_text(children, readable=True).split())
            if text:
                if len(text) > limit:
                    text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
                return text
    return ""
