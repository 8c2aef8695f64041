"""The tokens a build parsing and rendering in this process holds, within a memory budget.

Why: a note's tokens take about 25 times its Markdown in memory. A one-process build (the
`jobs: 1` setting, small vaults, vaults with queries, `serve`) kept every note's tokens from
its parse to the end of the build, Pagefind's run included: 10,000 generated notes hold
1.15 GiB of tokens, and Pagefind takes 560 MiB beside the build. Here, as in a worker
(`trellis.build.budget`), tokens are kept as they are while they fit in the budget (which
counts Pagefind: the memory of tokens let go of stays with the process) and packed beyond
it; tokens made again for a page are dropped once it is written; and once every note page
is written no tokens are held at all, so later pages reuse their memory (a later page or
a preview edit makes them again: unpacked, or parsed).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from trellis.build import budget, wire
from trellis.build.cache import ParsedEntry
from trellis.diagnostics import Diagnostics
from trellis.emit.pages import NotePagesWritten, PageKeys, emit_note_pages
from trellis.emit.writer import OutputWriter
from trellis.episodes.read import read_episode
from trellis.model.content import NoteContent
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer
from trellis.render.templates import checked
from trellis.workers import TRIM_EVERY, give_back_free_memory


def episode_loader(site: PublicSite, notes: NoteRenderer, note: PublishedNote) -> wire.Loader:
    """Makes an episode note's page tokens again: its parse, rewritten by the reader."""
    parse = notes.token_loader(note)

    def load() -> tuple[list[Any], dict[str, Any]]:
        tokens, env = parse()
        plain = copy.copy(note)
        plain.content = NoteContent()
        plain.content.tokens, plain.content.env = tokens, env
        return read_episode(site, plain, Diagnostics()).tokens, env

    return load


class TokensHere:
    """The tokens of a one-process build: placed as notes are parsed, released page by page,
    all let go of once the note pages are written."""

    def __init__(self, site: PublicSite, notes: NoteRenderer) -> None:
        self.site, self.notes = site, notes
        target = site.settings.memory_target_mib << 20
        # Pagefind runs up to `jobs` shards at once beside this process (`emit.search_runs`).
        pages, runs = len(site.notes), site.settings.jobs
        target -= budget.pagefind_bytes(pages, runs) - budget.pagefind_bytes(pages)
        self.budget = budget.TokenBudget(site, budget.token_budget_here(pages, target))
        self.budget.reserve(list(range(len(site.notes))))

    def place(self, index: int) -> None:
        """Note `index` was parsed (or took its kept parse): keep its tokens, or pack them."""
        self.budget.place(index)

    def read_episodes(self, fresh: dict[str, ParsedEntry]) -> None:
        """After the episode notes were read (`attach_episodes`): their parses, kept in
        `fresh` for the next build, let go of their tokens (the episode pages have their
        own), and episode pages' tokens beyond the budget are packed."""
        for index, note in enumerate(self.site.notes):
            if note.episode is None:
                continue
            parse = fresh[note.rel_path].content
            if parse is not note.content and parse.has_tokens:
                parse.forget_tokens(self.notes.token_loader(note))
            if index not in self.budget.keep:
                assert note.content is not None
                if note.content.has_tokens:
                    self.budget.pack(index)

    def write_pages(
        self,
        pages: PageRenderer,
        graph: LinkGraph,
        writer: OutputWriter,
        keys: PageKeys,
        advance: Callable[[], None],
    ) -> NotePagesWritten:
        """Every note page (`emit_note_pages`), tokens released page by page; then none held."""
        step = self.render_with(advance)
        site, notes = self.site, self.notes
        written = checked(lambda: emit_note_pages(site, notes, pages, graph, writer, keys, step))
        self.let_go()
        return written

    def render_with(self, advance: Callable[[], None]) -> Callable[[], None]:
        """What to call after each note page: tokens made for it are dropped, then `advance`.

        Every note's loader is watched from here on, so the tokens it makes are known."""
        for index, note in enumerate(self.site.notes):
            content = note.content
            if content is not None and not content.has_tokens and content.loader is not None:
                content.loader = self.budget.watch(index, content.loader)

        written = 0

        def step() -> None:
            nonlocal written
            self.budget.release()
            advance()
            written += 1
            if written % TRIM_EVERY == 0:
                give_back_free_memory()

        return step

    def let_go(self) -> None:
        """Every note page is written: hold no tokens any more (`let_go_of_tokens`)."""
        let_go_of_tokens(self.site, self.notes, self.budget)


def let_go_of_tokens(site: PublicSite, notes: NoteRenderer, tokens: budget.TokenBudget) -> None:
    """Hold no tokens any more, so later pages and Pagefind reuse their memory; each note
    can make its own again (unpacked if they were packed, else parsed, or read again for an
    episode)."""
    tokens.release()
    for index, note in enumerate(site.notes):
        content = note.content
        if content is None or not content.has_tokens:
            continue
        blob = tokens.packed.get(index)
        if blob is not None:
            loader = wire.unpacking_loader(note, blob)
        elif note.episode is not None:
            loader = episode_loader(site, notes, note)
        else:
            loader = notes.token_loader(note)
        content.forget_tokens(loader)
    tokens.keep.clear()
