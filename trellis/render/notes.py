"""Parse every published note once, then render bodies on demand.

`NoteRenderer` is the site side of the Markdown hooks: it resolves links and files through
the `PublicSite` (published notes and used attachments only) and renders note embeds with
a stack, so cycles and runaway depth end in a placeholder instead of a recursion error.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from trellis.diagnostics import Diagnostics
from trellis.markdown.canonical import escape_attr, escape_text, plain_url, url_attr
from trellis.markdown.parser import create_markdown, parse_note
from trellis.markdown.sanitize import sanitize_html
from trellis.model.content import NoteContent
from trellis.public.graph import MAX_EMBED_DEPTH
from trellis.public.site import PublicSite, PublishedNote, ResolvedLink
from trellis.public.urls import tag_path
from trellis.query.facts import page_facts, query_blocks
from trellis.render.sections import section_tokens

if TYPE_CHECKING:
    from trellis.render.queries import QueryResults


@dataclass(frozen=True)
class RenderedBody:
    html: str
    features: frozenset[str]  # what the page's scripts must support: its own and its embeds'


class NoteRenderer:
    def __init__(self, site: PublicSite, diagnostics: Diagnostics) -> None:
        self.site = site
        self.diagnostics = diagnostics
        self.md = create_markdown(self)
        # (note, subpath) of the page being rendered and of each embed inside it.
        self._stack: list[tuple[PublishedNote, str]] = []
        self._features: set[str] = set()  # browser features the page needs, embeds included
        self._embeds = 0
        # Whether the page being rendered holds HTML Trellis did not write itself: the
        # author's raw HTML (its own or an embedded note's), query results or a board.
        self._foreign_html = False
        # The build's query results (`trellis.render.queries`), once evaluated; None: queries
        # and base or canvas embeds show as code and placeholders.
        self.queries: QueryResults | None = None
        # Whether a parse works out what queries read of its note (`page_facts`): a build
        # whose vault cannot hold queries turns it off (a quarter of a parse's memory, held
        # for every note; the query stage works facts out of tokens for a parse without them).
        self.query_facts = True

    # -- phase 1: parse -----------------------------------------------------------

    def parse_all(self) -> None:
        for note in self.site.notes:
            self.parse(note)

    def parse(self, note: PublishedNote, diagnostics: Diagnostics | None = None) -> None:
        """Parse one note; a crash in a plugin costs that note its text, never the build."""
        note.content = self._parse(note, self.diagnostics if diagnostics is None else diagnostics)

    def _parse(self, note: PublishedNote, diagnostics: Diagnostics) -> NoteContent:
        try:
            content = parse_note(self.md, note.source.body, note.source.body_line - 1, note)
        except Exception as error:  # any plugin bug stays local to its note
            diagnostics.warn(note.rel_path, f"could not parse this note ({_describe(error)})")
            return parse_note(self.md, "", 0, note)
        self._warn_if_too_deep(note, content, diagnostics)
        if self.query_facts:
            content.query_facts = page_facts(content.tokens, content.env)
        content.queries = tuple(query_blocks(content.tokens, content.env))
        return content

    def _warn_if_too_deep(
        self, note: PublishedNote, content: NoteContent, diagnostics: Diagnostics
    ) -> None:
        """markdown-it stops at `maxNesting` levels (a guard against runaway recursion) and
        drops what lies deeper: say so rather than lose text quietly."""
        limit = int(self.md.options["maxNesting"])
        for token in content.tokens:
            if token.level >= limit - 1:
                line = note.source.body_line + token.map[0] if token.map else None
                diagnostics.warn(
                    note.rel_path,
                    f"quotes or lists nested deeper than {limit} levels: the deepest part "
                    "and what follows it may not be shown",
                    line,
                )
                return

    def token_loader(self, note: PublishedNote) -> Callable[[], tuple[list[Any], dict[str, Any]]]:
        """Makes `note`'s tokens again when a page needs them (its kept parse has none)."""

        def load() -> tuple[list[Any], dict[str, Any]]:
            fresh = self._parse(note, Diagnostics())
            env = fresh.env
            env["content"] = note.content
            return fresh.tokens, env

        return load

    # -- phase 2: render --------------------------------------------------------------------

    def render_body(self, note: PublishedNote) -> RenderedBody:
        """The note's HTML; a crash while rendering leaves a notice on its page instead."""
        assert note.content is not None
        self._stack = [(note, "")]
        self._features = set(note.content.features)
        self._embeds = 0
        self._foreign_html = False
        self.md.renderer.unsure = False  # type: ignore[attr-defined]
        try:
            html = self._render_tokens(note, note.content.tokens)
        except Exception as error:  # any plugin bug stays local to its note
            self.diagnostics.warn(note.rel_path, f"could not render this note ({_describe(error)})")
            html = '<p class="render-error">This note could not be rendered.</p>'
        finally:
            self._stack = []
        if self._needs_cleaning():
            html = sanitize_html(html)
        if self.queries is not None:
            html = self.queries.fill_slots(html)
        return RenderedBody(html, frozenset(self._features))

    def _needs_cleaning(self) -> bool:
        """Whether the body goes through nh3: only when it holds HTML Trellis did not write.

        Why: cleaning was 11% of a cold build's CPU. What Trellis writes itself is escaped
        where it is made and already in nh3's form (`tests/test_sanitize_skip.py` builds
        hostile and real vaults both ways and compares every byte).
        """
        settings = self.site.settings
        if settings.trust_html:
            return False
        unsure = self.md.renderer.unsure  # type: ignore[attr-defined]
        return self._foreign_html or unsure or settings.sanitize_every_note

    def _render_tokens(
        self, note: PublishedNote, tokens: list[Token], env: dict[str, Any] | None = None
    ) -> str:
        assert note.content is not None
        env = env or note.content.env
        if not self.site.settings.trust_html:
            cleaned = self._clean_raw_html_blocks(tokens, env)
            if cleaned is not tokens or (
                tokens is not note.content.tokens and not _snips_closed(tokens)
            ):
                self._foreign_html = True  # raw HTML, or a part of an episode cut mid-snip
            tokens = cleaned
        return self.md.renderer.render(tokens, self.md.options, env)

    def _clean_raw_html_blocks(self, tokens: list[Token], env: dict[str, Any]) -> list[Token]:
        """`tokens` with each top-level block that holds the author's raw HTML rendered and
        cleaned on its own, as one `html_block` in its place.

        Why: an element the author leaves open (an `<a>` then a `<table>`, say) would
        otherwise take in everything Trellis renders after it, in later blocks too: its
        links, footnotes, embeds. HTML's parser then nests our `<a>` inside the author's,
        which no page may hold. Cleaned on its own, the block's open elements close at its
        end, as in Obsidian, which renders each block by itself (nor does Obsidian render
        Markdown inside HTML). The whole body is cleaned again afterwards (`_needs_cleaning`),
        which also undoes what the parser's table rules can still nest inside one block. A
        note without raw HTML keeps its tokens (and its HTML) as they are.
        """
        out: list[Token] | None = None
        start, depth, raw = 0, 0, False
        for index, token in enumerate(tokens):
            raw = raw or _is_raw_html(token)
            depth += token.nesting
            if depth > 0:
                continue
            depth = 0  # a slice may close what it did not open
            if raw:
                if out is None:
                    out = tokens[:start]
                html = self.md.renderer.render(tokens[start : index + 1], self.md.options, env)
                out.append(Token("html_block", "", 0, content=sanitize_html(html), block=True))
            elif out is not None:
                out.extend(tokens[start : index + 1])
            start, raw = index + 1, False
        if out is None:
            return tokens
        out.extend(tokens[start:])  # an unclosed block at the end of a slice
        return out

    # -- hooks called by the Markdown plugins ------------------------------------------------

    def resolve_link(self, target: str, env: dict[str, Any]) -> ResolvedLink | None:
        if self.queries is not None:  # a link to a published canvas leads to its page
            href = self.queries.canvas_href(target, env.get("note"))
            if href is not None:
                return ResolvedLink(href)
        return self.site.resolve(target, env.get("note"))

    def resolve_file(self, path: str, env: dict[str, Any], embed: bool) -> ResolvedLink | None:
        attachment = self.site.find_attachment(path, env.get("note"))
        return (
            ResolvedLink(self.site.href(attachment.url), attachment=attachment)
            if attachment
            else None
        )

    def resolve_url(self, path: str, env: dict[str, Any]) -> ResolvedLink | None:
        """A published page by its URL (`/a/b/#id`, as the Digital Garden export links
        transclusions); the fragment is kept when that page has such an id."""
        site_path, _, fragment = path.partition("#")
        site_path = "/" + site_path.strip("/") + "/" if site_path.strip("/") else "/"
        note = self.site.by_url.get(site_path)
        if note is None:
            return None
        if fragment and note.content is not None:
            content = note.content
            ids = set(content.block_ids.values()) | {h.id for h in content.headings}
            fragment = fragment if fragment in ids else content.block_ids.get(fragment.lower(), "")
        return ResolvedLink(self.site.href(note.url, fragment), note=note, fragment=fragment)

    def tag_href(self, tag: str) -> str:
        return self.site.href(tag_path(tag))

    @contextmanager
    def standalone(self) -> Iterator[None]:
        """Embeds made outside a page's body (a canvas's file nodes) get their own stack and
        footnote ids (from `e1001`: apart from the ids of the page's own embeds), whatever
        page was rendered before: a canvas is the same in a clean and an incremental build."""
        saved = (self._stack, self._features, self._embeds)
        self._stack, self._features, self._embeds = [], set(), 1000
        try:
            yield
        finally:
            self._stack, self._features, self._embeds = saved

    def render_query(self, language: str, source: str, env: dict[str, Any]) -> str | None:
        html = None if self.queries is None else self.queries.render_query(language, source, env)
        if html is not None:
            self._features.add("queries")  # its stylesheet
            self._foreign_html = True
        return html

    def query_digest(self, note: PublishedNote) -> str:
        return "" if self.queries is None else self.queries.digest(note)

    def embed_note(self, target: str, env: dict[str, Any]) -> str:
        if self.queries is not None:
            board = self.queries.embed(target, env)
            if board is not None:
                self._foreign_html = True
                self._features.add("queries")
                if "trellis-slot-" in board:
                    self._features.add("canvas")
                return board
        resolved = self.site.resolve(target, env.get("note"))
        if resolved is None or resolved.note is None or resolved.note.content is None:
            return _placeholder("This note is not published.")
        note = resolved.note
        frame = (note, target.partition("#")[2].strip().lower())
        if frame in self._stack:
            return _placeholder("Embed stopped: it would repeat itself.", resolved.href)
        if len(self._stack) > MAX_EMBED_DEPTH:
            return _placeholder("Embed stopped: nested too deep.", resolved.href)
        tokens = section_tokens(note.content.tokens, resolved.fragment, frame[1])
        if tokens is None:
            return _placeholder("That part of the note was not found.", resolved.href)
        self._stack.append(frame)
        self._embeds += 1
        self._features |= note.content.features
        # Footnote ids get a prefix per embed, so two embedded notes' `fn1` never collide.
        env = {**note.content.env, "docId": f"e{self._embeds}"}
        try:
            inner = self._render_tokens(note, tokens, env)
        finally:
            self._stack.pop()
        return (
            f'<div class="internal-embed markdown-embed" data-src="{escape_attr(target)}">'
            f'<div class="markdown-embed-title">{escape_text(note.title)}</div>'
            f'<div class="markdown-embed-content">{inner}</div>'
            f'<a class="markdown-embed-link" href="{url_attr(self.md.renderer, resolved.href)}"'
            f' aria-label="Open {escape_attr(note.title)}">Open ↗</a></div>'
        )


def _describe(error: Exception) -> str:
    """A short reason for the terminal: the exception and where in Trellis it was raised."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = ""
    if frame is not None:
        where = f" at {frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}"
    return f"{type(error).__name__}: {error}{where}"


def _is_raw_html(token: Token) -> bool:
    """Whether `token` is, or holds, HTML the author wrote (not our episode markup), or
    episode markup with an address nh3 might change (see `plain_url`)."""
    if token.type in _HTML_TOKENS:
        if not (token.meta or {}).get("episode"):
            return True
        urls = _URL_ATTRIBUTE.findall(token.content)
        return not all(plain_url(html.unescape(url)) for url in urls)
    # A plain loop, not `any()` over a generator: this runs on every token of every page.
    for child in token.children or ():
        if (child.type in _HTML_TOKENS or child.children) and _is_raw_html(child):
            return True
    return False


_HTML_TOKENS = frozenset(("html_block", "html_inline"))


def _snips_closed(tokens: list[Token]) -> bool:
    """Whether every snip `<section>` of episode markup in `tokens` is closed in them too (an
    embedded heading of an episode may end inside a snip: nh3 then writes the close)."""
    depth = 0
    for token in tokens:
        if token.type == "html_block" and (token.meta or {}).get("episode"):
            depth += token.content.count("<section") - token.content.count("</section>")
    return depth == 0


_URL_ATTRIBUTE = re.compile(r'\s(?:href|src)="([^"]*)"')


def _placeholder(message: str, href: str | None = None) -> str:
    link = (
        f' <a class="markdown-embed-link" href="{escape_attr(href)}">Open the note</a>'
        if href
        else ""
    )
    return (
        '<div class="internal-embed markdown-embed is-unresolved">'
        f'<p class="embed-placeholder">{escape_text(message)}{link}</p></div>'
    )
