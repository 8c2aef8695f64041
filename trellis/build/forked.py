"""Parsing and rendering the notes of one build in several processes (the `jobs` setting).

Parsing and rendering are most of a build's time and each note's parse is independent, but
a page needs every other note's parse (its links' headings and blocks, its backlinks, the
notes it embeds). So each process owns a share of the notes for the whole build, and the
build's own process (the parent) is one of them: share 0 is its own, and `jobs - 1` workers
are forked for the others. (Until issue 17 the parent only coordinated, beside `jobs`
workers: a whole process more, each holding a copy of the vault model, every parse and the
link graph; at 10,000 notes each such worker peaked at 420 MiB.)

1. Workers (`trellis.build.worker_job`) are forked (`trellis.workers`) once the
   `PublicSite` is built, so they start with the vault model, the cached parses and the
   templates, nothing pickled.
2. Each share's notes are parsed (the changed ones) and its episode notes read; their
   tokens are kept as far as the memory budget allows (see below). Workers send back the
   parses without tokens (`without_tokens()`, small) with the warnings, and the same as
   other shares' pages read them (`worker_job.for_pages`: no links, no query facts). The
   parent takes them in note order (the warnings come out in the same order as in one
   process) and builds the link graph from them. While it parses its own share it reads
   the workers' progress between notes (`_drain`), so that none waits on a full pipe.
3. The parent forwards to each worker what the other shares sent for it (one message per
   worker: the bytes as they came), builds the link graph while they take that in, and
   sends each the part its pages read (notes as indexes: cheaper than each worker
   resolving every link again; every edge, but the text around a link only on edges into
   its share, and resolved links only for the notes it shows: `wire.encode_graph`), with
   the list of its notes that pages of other shares embed. Each share packs
   those notes' tokens (about 0.3 ms a note, against 2.4 ms to parse one again), the parent
   hands them to the shares that embed them, and each process writes the pages of its share
   into the staging folder, through the same `NotePageWriter` as a one-process build:
   rendered, or taken over from the last output when the page's key is unchanged. (Tokens
   nobody shipped, of notes unchanged since the last build, are made again where needed:
   the `loader`.)
4. On a cold build each share then writes its notes' local graph files (made from the whole
   graph: `trellis.emit.graph.write_local_graphs`), so both cores share what one core did
   after all pages. Each worker sends back, per page, its key, whether it was rendered and
   its warnings; then the files it wrote (with the graph files' hashes) and the attachments
   its pages use; and exits, so its tokens are gone before the search index is built. The
   parent's own pages file their warnings apart (`_filed_apart`) and every page's are filed
   in note order.

Before forking, the notes' texts are moved to a spill file (`trellis.build.spill`: each
process reads back only its share's, a few times) and the memory the C allocator holds
freed is given back (`trellis.workers`), so neither is counted in every process. Packed
tokens go to the spill file too.

The token budget: a note's tokens take about 25 times its Markdown in memory, most of a
share's. Each process keeps tokens as they are while they fit in its budget (what is left
of the `memory_target_mib` setting, `token_budget`) and packs the others (pickled and
compressed, about a twentieth of that; unpacked for each page that needs them). Once the
link graph is known, the tokens used by the most pages (notes embedded by others) are the
ones kept as they are. Tokens made for one page are dropped once it is written (see
`trellis.build.budget` for the figures; a peak of 2,362 MiB at 10,000 notes with every
token kept). After the note pages, the parent lets go of its share's tokens as a
one-process build does (`trellis.build.held`).

Each share decides keys and reuse itself (rather than the parent deciding which pages to
render) because a page's key needs its full page context: computing those in the parent
would be one core's work while the workers wait.
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from trellis.build import budget, wire
from trellis.build.aside import Aside
from trellis.build.held import episode_loader, let_go_of_tokens
from trellis.build.messages import (
    EpisodeNote,
    GraphSent,
    OtherShares,
    PackedTokens,
    Parsed,
    Progress,
    Rendered,
    TokensFor,
    WrittenPage,
    expect,
)
from trellis.build.spill import pack_links, spill_bodies
from trellis.build.state import BuildState, StageReport
from trellis.build.worker_job import RenderSetup, WorkerJob
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.emit.graph import local_graph_index, write_local_graphs
from trellis.emit.pages import NotePagesWritten, PageKeys
from trellis.emit.writer import OutputWriter
from trellis.model.content import NoteContent
from trellis.public.graph import Edge, LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.notes import NoteRenderer
from trellis.render.templates import checked
from trellis.workers import Channel, Workers, give_back_free_memory


def note_shares(notes: list[PublishedNote], count: int) -> list[list[int]]:
    """The note indexes each worker owns: balanced by text length, each list ascending."""
    loads = [(0, worker) for worker in range(count)]
    shares: list[list[int]] = [[] for _ in range(count)]
    by_length = sorted(range(len(notes)), key=lambda i: (-len(notes[i].source.body), i))
    for index in by_length:
        load, worker = heapq.heappop(loads)
        shares[worker].append(index)
        # A fixed cost per note too: an empty note still has a page to render and write.
        heapq.heappush(loads, (load + len(notes[index].source.body) + 2000, worker))
    return [sorted(share) for share in shares]


class ParallelNotes:
    """The build's side: fork the workers, render a share here, gather parses, then pages;
    see the module."""

    def __init__(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        to_parse: set[int],
        count: int,
        setup: RenderSetup,
        aside: Aside[Any] | None = None,
    ) -> None:
        self.site, self.notes, self.used = site, notes, setup.used
        self.shares = note_shares(site.notes, count)
        target = site.settings.memory_target_mib << 20
        limit = budget.token_budget(len(site.notes), count, target)
        self.job = WorkerJob(site, notes, to_parse, self.shares, setup, limit)
        spill_bodies((note.source for note in site.notes), self.job.tokens.spill)
        if aside is not None:  # what only this process reads (at its end), or none: packed
            aside.pack(note.source for note in site.notes)
        # Share 0 is this process's own; worker `w` renders share `w + 1`.
        self.workers = Workers(count - 1, self._run_worker)
        self._parses: list[bytes] = [b""] * count  # what each share sends the others
        self._early: list[tuple[int, Any]] = []  # messages read while rendering share 0
        self._graph: LinkGraph | None = None
        self._local_graphs = False
        # With local graphs made by the shares: every share's files (path -> hash), for
        # `emit_local_graphs` to record.
        self.local_graph_files: dict[str, str] = {}

    def _run_worker(self, worker: int, channel: Channel) -> None:
        self.job.run(worker + 1, channel)

    def close(self) -> None:
        """Stop and reap every worker (after a failure or an interrupt)."""
        self.workers.close()

    def parse(
        self, advance: Callable[[], None]
    ) -> tuple[dict[int, tuple[NoteContent, list[Diagnostic]]], list[EpisodeNote]]:
        """Every share's parses (by note index) and episode notes (in note order)."""
        here = _Here(advance, lambda: self._drain(advance, Parsed))
        own, episodes, self._parses[0] = self.job.parse_here(self.shares[0], here)
        parsed = {index: (content, warnings) for index, content, warnings in own}
        blobs: list[bytes] = [b""] * len(self.workers)
        for worker, message in self._receive_until(Parsed, advance):
            blobs[worker] = expect(message, Parsed).blob
            self._parses[worker + 1] = expect(message, Parsed).lean
        notes = self.site.notes
        for worker, blob in enumerate(blobs):
            share_parsed, share_episodes = pickle.loads(blob)
            blobs[worker] = b""
            for index, content, warnings in share_parsed:  # tokens made again if needed
                content.loader = self.notes.token_loader(notes[index])
                pack_links(content, self.job.tokens.spill)  # to this process's spill file
                parsed[index] = (content, warnings)
            for entry in share_episodes:
                if entry[1] is not None:
                    pack_links(entry[1], self.job.tokens.spill)
                    entry[1].loader = episode_loader(self.site, self.notes, notes[entry[0]])
                episodes.append(entry)
        episodes.sort(key=lambda entry: entry[0])
        give_back_free_memory()  # what unpickling the workers' parses left freed
        return parsed, episodes

    def share_parses(self) -> None:
        """Tell each worker about the other shares' notes (the bytes as they came)."""
        for worker in range(len(self.workers)):
            others = [blob for share, blob in enumerate(self._parses) if share != worker + 1]
            self.workers.send(worker, OtherShares(others))
        self._parses = []

    def _receive_until(self, last: type, advance: Callable[[], None]) -> list[tuple[int, Any]]:
        """Each worker's messages up to its `last` one (those read early first); `Progress`
        goes to `advance`."""
        found, self._early = self._early, []
        done = {worker for worker, message in found if isinstance(message, last)}
        for worker, message in self.workers.receive_until(lambda m: isinstance(m, last), done):
            if isinstance(message, Progress):
                for _ in range(message.notes):
                    advance()
            else:
                found.append((worker, message))
        return found

    def _drain(self, advance: Callable[[], None], last: type) -> None:
        """Read what the workers sent so far (their progress, or their `last` message),
        between the notes this process parses or renders itself."""
        while True:
            done = {worker for worker, message in self._early if isinstance(message, last)}
            ready = list(self.workers.ready(done))
            if not ready:
                return
            for worker, message in ready:
                if isinstance(message, Progress):
                    for _ in range(message.notes):
                        advance()
                else:
                    self._early.append((worker, message))

    def start_rendering(self, graph: LinkGraph, local_graphs: bool = False) -> None:
        """Hand every worker the link graph and the tokens of the other shares' notes its
        pages embed (made once, by the share that parsed them): they start writing pages.
        With `local_graphs`, each share then makes its notes' local graph files (one core
        would make them after all pages, while the others wait)."""
        notes = self.site.notes
        position = {id(note): index for index, note in enumerate(notes)}
        owner = {index: share for share, indexes in enumerate(self.shares) for index in indexes}
        needs = [
            sorted(
                {position[id(n)] for n in embeds_reached(graph, [notes[i] for i in share])}
                - set(share)
            )
            for share in self.shares
        ]
        asks: list[set[int]] = [set() for _ in self.shares]
        for need in needs:
            for index in need:
                asks[owner[index]].add(index)
        for worker in range(len(self.workers)):
            share = set(self.shares[worker + 1])
            reached = graph.embeds_reached(notes[index] for index in share)
            shown = share | {position[id(note)] for note in reached}
            blob = wire.encode_graph(self.site, graph, share, shown)
            self.workers.send(worker, GraphSent(blob, sorted(asks[worker + 1]), local_graphs))
            del blob
        tokens = self.job.pack_tokens(sorted(asks[0]))
        for _, message in self.workers.receive_until(lambda m: isinstance(m, PackedTokens)):
            tokens.update(expect(message, PackedTokens).tokens)
        for worker in range(len(self.workers)):
            shipped = {index: tokens[index] for index in needs[worker + 1] if index in tokens}
            self.workers.send(worker, TokensFor(shipped))
        self.job.take_tokens({index: tokens[index] for index in needs[0] if index in tokens})
        self.job.settle_tokens(self.shares[0], graph)
        self._graph = graph
        self._local_graphs = local_graphs

    def forget_other_contexts(self) -> None:
        """Let go of what this process's pages no longer read, past the plan: the text
        around each link into another share's notes (it reads it only for the backlinks of
        its own pages; the workers were sent theirs), and each note's resolved links but
        as the text page keys read (`_resolved_as_keys`). Not for a build whose graph lives
        on (`keep_live`): an edit may render any page again. (Read from 4,000 notes: at
        50,000, ~90 MiB of texts of links into the worker's share, held by the build
        through its pages; issue 17.)"""
        assert self._graph is not None, "start_rendering comes first"
        graph, notes = self._graph, self.site.notes
        own = {id(notes[index]) for index in self.shares[0]}
        bare: dict[int, Edge] = {}  # id of an edge -> the same edge without its text
        for note in notes:
            incoming = graph.incoming.get(note, []) if id(note) not in own else []
            for at, edge in enumerate(incoming):
                if edge.context:
                    incoming[at] = bare[id(edge)] = Edge(
                        edge.source, edge.target, edge.embed, "", edge.line
                    )
        if bare:  # (each old edge is still in its source's list: no id was reused)
            for edges in graph.outgoing.values():
                for at, edge in enumerate(edges):
                    edges[at] = bare.get(id(edge), edge)
        self._resolved_as_keys()

    def _resolved_as_keys(self) -> None:
        """Each note's resolved links as a worker gets them (`wire.KeyedLinks`): past the
        plan, this process reads them only in the keys of its own pages and of the notes
        they embed (their `repr`); the link records for the cache are made already. The
        others' are not kept at all (`wire.NotSent`: reading them is an error)."""
        assert self._graph is not None
        graph, notes = self._graph, self.site.notes
        share = [notes[index] for index in self.shares[0]]
        shown = {id(note) for note in share} | {id(n) for n in graph.embeds_reached(share)}
        not_sent = wire.NotSent()
        resolved = graph.resolved
        for note, links in resolved.items():
            if id(note) not in shown:
                resolved[note] = not_sent
            elif not isinstance(links, wire.KeyedLinks):
                resolved[note] = wire.KeyedLinks(repr(links).encode("utf-8", "surrogatepass"))

    def render(
        self, keys: PageKeys, writer: OutputWriter, advance: Callable[[], None]
    ) -> NotePagesWritten:
        """Write share 0's pages here while the workers write theirs; then keys, warnings
        and files are taken in note order."""
        assert self._graph is not None, "start_rendering comes first"
        here = _Here(advance, lambda: self._drain(advance, Rendered))
        graph = self._graph
        with _filed_apart(self.site.diagnostics):
            own = checked(lambda: self.job.write_pages(self.shares[0], graph, here))
        let_go_of_tokens(self.site, self.notes, self.job.tokens)
        give_back_free_memory()  # the tokens' holes, before the workers' pages come in
        if self._local_graphs:
            centers = {self.site.notes[index].url for index in self.shares[0]}
            index = local_graph_index(self.site, graph)
            self.local_graph_files = write_local_graphs(index, writer, centers)
            del index  # before the workers' pages are taken in
        pages: dict[int, WrittenPage] = {page.index: page for page in own}
        for _, message in self._receive_until(Rendered, advance):
            done = expect(message, Rendered)
            for page in done.pages:
                pages[page.index] = page
            writer.adopt(done.files)
            self.local_graph_files.update(done.graph_files)
            self.used.use_all(done.attachments)
        self.workers.join()
        written = NotePagesWritten()
        for index, note in enumerate(self.site.notes):
            page = pages[index]
            keys.current[note.output_path] = page.key
            if page.digest:
                keys.current_digests[note.output_path] = page.digest
            self.site.diagnostics.extend(page.warnings)
            written.pages += 1
            written.rendered += page.rendered
        return written


class _Here:
    """The share this process renders reports like a worker (`Sender`): its progress goes
    straight to `advance`, and each report also reads what the workers sent meanwhile."""

    def __init__(self, advance: Callable[[], None], drain: Callable[[], None]) -> None:
        self.advance, self.drain = advance, drain

    def send(self, message: Any) -> None:
        for _ in range(expect(message, Progress).notes):
            self.advance()
        self.drain()


@contextmanager
def _filed_apart(report: Diagnostics) -> Iterator[None]:
    """Warnings given while this process writes its share's pages go to a state of their
    own: each page ships its own (as a worker's do), and the build files every page's
    warnings in note order, as one process does."""
    if not isinstance(report, StageReport):
        yield
        return
    state, apart = report.state, BuildState()
    apart.enter(state.stage)
    report.state = apart
    try:
        yield
    finally:
        report.state = state


def embeds_reached(graph: LinkGraph, notes: list[PublishedNote]) -> set[PublishedNote]:
    """What rendering `notes` may show as embeds (`LinkGraph.embeds_reached`); a name of
    its own here so a test can make workers ship no tokens at all."""
    return graph.embeds_reached(notes)
