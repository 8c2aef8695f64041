"""Every output but the note pages and the search index, behind one interface that says what
each one reads, so the planner (not a hand-written list) knows what a change touches.

Why: emitters had eight signatures, and which outputs depend on what lived only in the
preview's fast path, as a list of calls chosen by hand. Here an `Emitter` is its name, the
inputs it reads (`Input`) and one function of an `EmitContext`. A whole build runs them all,
in order; the fast path runs `touched(changed)` on the folder being served, and removes
the files an emitter wrote last time but not this time (a tag nobody uses any more).

Note pages are keyed page by page (`trellis.emit.pages`), and the search index is made
by Pagefind from the written pages, so both stay with the executors; their reads are
declared here too (`NOTE_PAGES`, `SEARCH`), for the record and for the planner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any

from trellis.build.result import BuildResult
from trellis.build.state import UsedAttachments
from trellis.diagnostics import Diagnostics
from trellis.emit.assets import emit_static
from trellis.emit.attachments import emit_attachments
from trellis.emit.episodes import emit_episodes
from trellis.emit.feeds import emit_feeds
from trellis.emit.folders import emit_folder_pages, folder_files
from trellis.emit.graph import (
    GRAPH_PATH,
    GraphFiles,
    emit_local_graph_files,
    emit_local_graphs,
    graph_data,
    local_graph_index,
    site_graph_text,
)
from trellis.emit.graph_json import EncodedGraph, emit_encoded_graph
from trellis.emit.graph_text import GraphText
from trellis.emit.hosting import emit_hosting
from trellis.emit.keyed_lists import KeyedLists
from trellis.emit.pages import HOME_LIST_FILE, PageKeys, emit_site_pages, page_digest
from trellis.emit.snippets import emit_snippets, find_snippets
from trellis.emit.tags import TagChanges, TagIndex, emit_tag_pages, site_tag_index
from trellis.emit.writer import OutputWriter
from trellis.public.graph import LinkGraph
from trellis.public.redirects import PublishedURL, Redirect, plan_redirects
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import output_file
from trellis.render.pages import PageRenderer
from trellis.render.templates import checked, static_dirs, theme_files
from trellis.vault.records import Vault
from trellis.workers import give_back_free_memory


class Input(Enum):
    """What an output can depend on."""

    TEXT = "text"  # notes' Markdown and descriptions (summaries, rendered bodies)
    LINKS = "links"  # the link graph
    NAMES = "names"  # which notes are published, their titles, URLs and aliases
    TAGS = "tags"
    DATES = "dates"  # created / updated, from frontmatter or the file's time
    DISPLAY = "display"  # `dg-*` display keys: hidden, icons, file tree, graph, show-*
    EPISODES = "episodes"  # podcast episode notes
    ATTACHMENTS = "attachments"
    THEME = "theme"  # templates, static assets, settings
    HISTORY = "history"  # the URLs earlier builds published (redirects)


@dataclass
class EmitContext:
    """What emitters read and write through; one per build (or per in-place update)."""

    site: PublicSite
    pages: PageRenderer
    graph: LinkGraph
    writer: OutputWriter
    diagnostics: Diagnostics
    vault_root: Path
    attachments: UsedAttachments  # the attachments the pages used (the build's state owns them)
    vault: Vault | None = None  # the whole vault: redirects tell private notes apart
    previous_urls: list[PublishedURL] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)  # set by the hosting emitter
    # The preview's fast path, for edits that keep the file tree and what lists show of
    # other notes: the edited notes whose card on list pages changed (None: any may have),
    # and what changed of the tag pages (None: all of them are made).
    cards: list[PublishedNote] | None = None
    tag_changes: TagChanges | None = None
    # The graph files the last output holds (taken over when the graph is the same), and
    # this build's (set by the graph emitter).
    previous_graph: GraphFiles | None = None
    # The feed's candidates as the preview keeps them (`KeptCandidates`; None: made here).
    feed_candidates: list[PublishedNote] | None = None
    graph_files: GraphFiles | None = None
    # The local graph files the processes rendering pages already made (path -> hash).
    local_graphs_made: dict[str, str] = field(default_factory=dict)
    # A whole build's page keys: list pages whose key is unchanged are taken over.
    keys: PageKeys | None = None
    # Whether the graph is kept as data and pieces after the build (the preview patches
    # them); a build that keeps nothing writes the graph files from `graph_text`.
    graph_kept: bool = True
    # The graph files' data is the last build's (`Reach.graph_same`): they are taken over.
    graph_same: bool = False
    graph_whole: str = ""  # the hash of the graph file written or taken over

    @cached_property
    def lists(self) -> KeyedLists:
        """The tag and folder pages' writer, keyed in a whole build (one per build)."""
        return KeyedLists(self.pages, self.writer, self.keys)

    @cached_property
    def graph_data(self) -> dict[str, Any]:
        """The graph as plain data, made once for the emitters that write it."""
        return graph_data(self.site, self.graph)

    @cached_property
    def graph_json(self) -> EncodedGraph:
        """The graph file as pieces; the preview keeps it and re-encodes only the nodes a
        tags save changes (`EncodedGraph.retag`)."""
        return EncodedGraph(self.graph_data)

    @cached_property
    def graph_text(self) -> GraphText:
        """The graph file and the local files' key made as text (no graph data)."""
        return site_graph_text(self.site, self.graph)

    def graph_as_text(self) -> bool:
        """Whether the graph emitters use `graph_text`: not when the graph's pieces are
        kept (or the preview gave them)."""
        return not self.graph_kept and "graph_json" not in self.__dict__

    @cached_property
    def tag_index(self) -> TagIndex:
        """Every tag's notes; the preview keeps it between saves (`update_tag_index`)."""
        return site_tag_index(self.site)

    def let_go(self) -> None:
        """Drop what the emitters made for themselves, once all of them ran, in a build whose
        site is not kept live: the graph data alone (a dict per node and per edge) is
        ~200 MiB at 50,000 notes, the cards' HTML about as much, else held through the
        search and the cache's writing."""
        for made in ("graph_data", "graph_json", "graph_text", "tag_index", "lists"):
            self.__dict__.pop(made, None)
        self.pages.let_go_of_cards()

    def folders_listing_cards(self) -> set[str] | None:
        """The folders whose page is made again (None: all of them, and the file tree)."""
        return None if self.cards is None else self.pages.folders_listing(self.cards)

    def site_pages_to_make(self) -> set[str] | None:
        """The site pages made again (None: all): on the fast path, the home list when
        it shows a changed card; nothing else of them reads a note."""
        if self.cards is None:
            return None
        return {HOME_LIST_FILE} if self.pages.home_list_shows(self.cards) else set()


@dataclass(frozen=True)
class Emitter:
    name: str
    reads: frozenset[Input]
    emit: Callable[[EmitContext], int]  # what it wrote: pages, or files (see `counts`)
    phase: str  # the clock phase a build reports it under
    counts: str = ""  # which `BuildResult` figure its number adds to: "pages", "attachments"
    # The files it may write when the context narrows it (None: all it writes).
    scope: Callable[[EmitContext], set[str] | None] = lambda ctx: None


def _reads(*inputs: Input) -> frozenset[Input]:
    return frozenset(inputs)


def _static(ctx: EmitContext) -> int:
    return emit_static(
        theme_files(static_dirs(ctx.vault_root), ctx.vault_root, ctx.diagnostics), ctx.writer
    )


def _graph(ctx: EmitContext) -> int:
    if not ctx.graph_as_text():
        return emit_encoded_graph(ctx.graph_json, ctx.writer)
    writer, previous = ctx.writer, ctx.writer.previous
    whole = ctx.previous_graph.whole if ctx.previous_graph is not None else ""
    if (
        ctx.graph_same
        and whole
        and previous is not None
        and writer.reuse(GRAPH_PATH, previous, whole)
    ):
        ctx.graph_whole = whole
        return 1
    text = ctx.graph_text.text
    writer.write_bytes(GRAPH_PATH, text)
    ctx.graph_whole = page_digest(text)
    return 1


def _local_graphs(ctx: EmitContext) -> int:
    last, made = ctx.previous_graph, ctx.local_graphs_made
    if not ctx.graph_as_text():
        count, ctx.graph_files = emit_local_graphs(ctx.graph_data, ctx.writer, last, made)
        return count
    if ctx.graph_same and last is not None:  # the same graph: the same key and nodes
        key = last.data
        ids = [note.url for note in ctx.site.notes if not note.display.hide_in_graph]
    else:
        key, ids = ctx.graph_text.local_key, ctx.graph_text.ids
    count, files = emit_local_graph_files(
        key, ids, lambda: local_graph_index(ctx.site, ctx.graph), ctx.writer, last, made
    )
    ctx.graph_files = GraphFiles(key, files.files, ctx.graph_whole)
    return count


def _hosting(ctx: EmitContext) -> int:
    assert ctx.vault is not None, "a whole build plans redirects"
    written = ctx.writer.written
    ctx.redirects = plan_redirects(
        ctx.previous_urls,
        ctx.vault,
        ctx.site,
        lambda url: output_file(url) in written,
        ctx.diagnostics,
    )
    return emit_hosting(ctx.site, ctx.redirects, ctx.writer)


N, D = Input.NAMES, Input.DISPLAY
NOTE_PAGES = _reads(Input.TEXT, Input.LINKS, N, Input.TAGS, Input.DATES, D, Input.THEME)
SEARCH = _reads(Input.TEXT, N, Input.TAGS, D)

# In the order a build runs them, after the note pages (redirects need every page written).
EMITTERS: tuple[Emitter, ...] = (
    Emitter(
        "site pages",
        _reads(N, D, Input.THEME, Input.TEXT, Input.DATES),
        lambda c: checked(
            lambda: emit_site_pages(c.site, c.pages, c.writer, c.site_pages_to_make())
        ),
        "render+write",
        "pages",
        lambda c: c.site_pages_to_make(),
    ),
    Emitter(
        "tag pages",
        _reads(Input.TAGS, N, D, Input.THEME, Input.TEXT, Input.DATES),
        lambda c: checked(
            lambda: emit_tag_pages(c.tag_index, c.pages, c.writer, c.tag_changes, c.lists)
        ),
        "render+write",
        "pages",
        lambda c: None if c.tag_changes is None else c.tag_changes.files,
    ),
    Emitter(
        "folder pages",
        # Cards show a note's description, date and tags; `EmitContext.cards` narrows it.
        _reads(N, D, Input.THEME, Input.TEXT, Input.DATES, Input.TAGS),
        lambda c: checked(
            lambda: emit_folder_pages(c.pages, c.writer, c.folders_listing_cards(), c.lists)
        ),
        "render+write",
        "pages",
        lambda c: None if (only := c.folders_listing_cards()) is None else folder_files(only),
    ),
    Emitter(
        "episodes",
        _reads(Input.EPISODES, N, D, Input.THEME),
        lambda c: checked(lambda: emit_episodes(c.site, c.pages, c.writer)),
        "render+write",
        "pages",
    ),
    Emitter(
        "graph",
        _reads(Input.LINKS, N, Input.TAGS, D),
        _graph,
        "graph+feeds",
    ),
    Emitter(
        "local graphs",  # no tags in them: a tags-only save does not touch them
        _reads(Input.LINKS, N, D),
        _local_graphs,
        "graph+feeds",
    ),
    Emitter(
        "feeds",
        _reads(Input.TEXT, N, Input.TAGS, Input.DATES, D, Input.THEME),
        lambda c: emit_feeds(c.site, c.pages, c.writer, c.feed_candidates),
        "graph+feeds",
    ),
    Emitter("static", _reads(Input.THEME), _static, "assets"),
    Emitter(
        "snippets",
        _reads(Input.THEME),
        lambda c: emit_snippets(
            find_snippets(c.vault_root, c.site.settings, Diagnostics()), c.writer
        ),
        "assets",
    ),
    Emitter(
        "attachments",
        _reads(Input.ATTACHMENTS),
        lambda c: emit_attachments(c.attachments.all(), c.writer),
        "assets",
        "attachments",
    ),
    Emitter("hosting", _reads(Input.HISTORY, N), _hosting, "assets"),
)


def touched(changed: set[Input] | frozenset[Input]) -> list[Emitter]:
    """The emitters whose output may differ after a change of `changed`, in build order."""
    return [emitter for emitter in EMITTERS if emitter.reads & changed]


@dataclass(frozen=True)
class Emitted:
    """What one emitter did in the last build: its figure, and the files it wrote."""

    count: int
    files: frozenset[str]


def run_emitters(
    ctx: EmitContext,
    clock: Callable[[str], AbstractContextManager[None]],
    result: BuildResult,
    emitters: Iterable[Emitter] = EMITTERS,
    track: bool = False,
) -> dict[str, Emitted]:
    """Run `emitters` in order, adding their figures to `result`; with `track`, what each
    wrote (the fast path re-runs one later and removes what it no longer writes)."""
    done: dict[str, Emitted] = {}
    for emitter in emitters:
        before = set(ctx.writer.written) if track else set()
        with clock(emitter.phase):
            count = emitter.emit(ctx)
            give_back_free_memory()  # the holes its list pages or graph file left in the heap
        if emitter.counts == "pages":
            result.pages_written += count
        elif emitter.counts == "attachments":
            result.attachments_copied = count
        files = frozenset(ctx.writer.written - before) if track else frozenset()
        done[emitter.name] = Emitted(count, files)
    return done
