"""Parsing and rendering the notes of one build in worker processes (the `jobs` setting).

Parsing and rendering are most of a build's time and each note's parse is independent, but
a page needs every other note's parse (its links' headings and blocks, its backlinks, the
notes it embeds). So a worker owns a share of the notes for the whole build:

1. Workers are forked (`trellis.workers`) once the `PublicSite` is built, so they start
   with the vault model, the cached parses and the templates, nothing pickled.
2. Each worker parses the changed notes of its share and reads its episode notes, keeps
   their tokens as far as its memory budget allows (see below), and sends back only what
   other pages need (`without_tokens()`, small) with the warnings. The parent takes them
   in note order (the warnings come out in the same order as in one process) and builds
   the link graph from them.
3. The parent forwards to each worker what the others sent (one message per worker: the
   bytes as they came), builds the link graph while they take that in, and sends it to them
   (notes as indexes: cheaper than each worker resolving every link again), with the list
   of its notes that pages of other shares embed. Each worker packs those notes' tokens
   (`_pack`: about 0.3 ms a note, against 2.4 ms to parse one again), the parent hands
   them to the workers that embed them, and each worker writes the pages of its share into
   the staging folder, through the same `NotePageWriter` as a one-process build: rendered,
   or taken over from the last output when the page's key is unchanged. (Tokens nobody shipped, of
   notes unchanged since the last build, are made again where needed: the `loader`.)
4. Each worker sends back, per page, its key, whether it was rendered and its warnings; then
   the files it wrote and the attachments its pages use; and exits, so its tokens are gone
   before the search index is built.

The token budget: a note's tokens take about 25 times its Markdown in memory, most of a
worker's. A worker keeps tokens as they are while they fit in its budget (what is left of
`MEMORY_TARGET`, `token_budget`) and packs the others (pickled and compressed, about a
twentieth of that; unpacked for each page that needs them). Once the link graph is known, the tokens
used by the most pages (notes embedded by others) are the ones kept as they are. Tokens
made for one page are dropped once it is written. Up to about 5,000 notes (2 workers,
generated vaults) everything is kept as it is; 10,000 notes keep about 1,000 notes' tokens
as they are (a third of them embedded from the other share) and pack the other 8,000:
peak 1,385 MiB instead of 2,362, for about 3 s more CPU (of 36).

Workers decide keys and reuse themselves (rather than the parent deciding which pages to
render) because a page's key needs its full page context: computing those in the parent
would be one core's work while the workers wait.

The parent never holds tokens: its notes' contents have a `loader` that raises, so any
code that would quietly parse in the parent fails loudly instead.
"""

from __future__ import annotations

import copy
import dataclasses
import heapq
import operator
import os
import pickle
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markdown_it.token import Token

from trellis.build.state import new_warnings
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.emit.pages import NotePagesWritten, NotePageWriter, PageKeys
from trellis.emit.writer import OutputWriter
from trellis.episodes import attach_episode
from trellis.episodes.model import Episode
from trellis.episodes.read import read_episode
from trellis.model.content import NoteContent
from trellis.public.graph import Edge, LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.notes import MAX_EMBED_DEPTH, NoteRenderer
from trellis.render.pages import PageRenderer
from trellis.render.templates import checked
from trellis.workers import Channel, Workers

# Below this many notes to parse, one process: forking, pickling the parses and compiling the
# templates in every worker cost about 0.1 s of CPU. Measured on 2 cores (generated vaults, no
# search index; wall time with 1 and 2 processes): 50 notes 0.21 / 0.18 s, 100 notes 0.36 /
# 0.28 s, 200 notes 0.64 / 0.47 s, 800 notes 2.58 / 1.65 s.
MIN_NOTES = 100
# Workers report progress every this many notes.
PROGRESS_EVERY = 25
# The token memory budget (see the module). Workers keep the tokens that fit in what is left
# of `MEMORY_TARGET` once the rest is counted: this process as it is when the workers are
# forked (each starts with a copy, and RSS counts it in each) and what each process takes
# later per published note (the other shares' parses, the link graph, page keys). Measured
# with 2 workers on generated vaults (RSS of every process, added up, sampled every 50 ms):
# 10,000 notes (9,000 published) hold 227 MiB at the fork; with no tokens kept, the parent
# then grows to 378 MiB and each worker to 420 MiB (1,225 MiB in all); a worker keeping
# every token of its share grows by 485 MiB more for 20.1 M characters of Markdown (2,362 in
# all). The goal is a peak under 1.5 GiB for every stage (search, run by Pagefind
# after the workers exit, peaks at about 1 GiB at 10,000 notes): 1,400 MiB leaves room for
# vaults whose notes hold more links than the generated ones. Budgets: 10,000 notes 80 MiB
# a worker (peak 1,385 MiB), 5,000 notes 362 MiB (all kept, peak 1,228), 3,000 notes 475.
MEMORY_TARGET = 1400 << 20
WORKER_BYTES_PER_NOTE = 24_000
PARENT_BYTES_PER_NOTE = 17_000
TOKEN_BYTES_PER_CHAR = 25
TOKEN_BYTES_PER_NOTE = 2_000
# Packed (`_pack`), tokens take about 1.2 bytes per character (in tenths).
PACKED_BYTES_PER_CHAR = 13

# (note index, its parse without tokens, the parse's warnings)
ParsedNote = tuple[int, NoteContent, list[Diagnostic]]
# (note index, its episode page's content without tokens or None, the episode, warnings)
EpisodeNote = tuple[int, NoteContent | None, Episode | None, list[Diagnostic]]
# Makes a note's tokens and env (again): `NoteContent.loader`.
Loader = Callable[[], tuple[list[Any], dict[str, Any]]]
# (note index, its page key, whether it was rendered, warnings of writing it)
WrittenPage = tuple[int, str, bool, list[Diagnostic]]


def worker_count(jobs: int, notes_to_parse: int) -> int:
    """How many worker processes a build should use; 0 means none (parse in this process).

    Only from the main thread: `serve` builds in a thread of a process running others, and
    forking such a process can leave a child waiting on a lock another thread held.
    """
    if jobs < 2 or notes_to_parse < MIN_NOTES or not hasattr(os, "fork"):
        return 0
    if threading.current_thread() is not threading.main_thread():
        return 0
    return min(jobs, notes_to_parse // max(1, MIN_NOTES // 2))  # MIN_NOTES / 2 or more each


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


def token_budget(notes: int, count: int) -> int:
    """The bytes of tokens each of `count` workers may keep (see `MEMORY_TARGET`)."""
    rest = (count + 1) * _resident_bytes()
    rest += notes * (count * WORKER_BYTES_PER_NOTE + PARENT_BYTES_PER_NOTE)
    return max(0, MEMORY_TARGET - rest) // count


def _resident_bytes() -> int:
    """This process's resident memory now (its peak so far where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource  # not on Windows, where there are no workers either

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class RenderSetup:
    """What a worker renders with, made before it is forked."""

    templates: Environment
    keys: PageKeys
    writer: OutputWriter


def _tokens_elsewhere() -> tuple[list[Any], dict[str, Any]]:
    raise RuntimeError("this note's tokens live in a worker process, not in the build's own")


class ParallelNotes:
    """The parent's side: start the workers, gather parses, then pages; see the module."""

    def __init__(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        to_parse: set[int],
        count: int,
        setup: RenderSetup,
    ) -> None:
        self.site = site
        self.shares = note_shares(site.notes, count)
        budget = token_budget(len(site.notes), count)
        job = _WorkerJob(site, notes, to_parse, self.shares, setup, budget)
        self.workers = Workers(count, job.run)
        self._parses: list[bytes] = []

    def close(self) -> None:
        """Stop and reap every worker (after a failure or an interrupt)."""
        self.workers.close()

    def parse(
        self, advance: Callable[[], None]
    ) -> tuple[dict[int, tuple[NoteContent, list[Diagnostic]]], list[EpisodeNote]]:
        """Every worker's parses (by note index) and episode notes (in note order)."""
        parses: list[bytes] = [b""] * len(self.workers)
        for worker, (kind, value) in self.workers.receive_until(lambda m: m[0] == "parsed"):
            if kind == "progress":
                for _ in range(value):
                    advance()
            else:
                parses[worker] = value
        self._parses = parses
        parsed: dict[int, tuple[NoteContent, list[Diagnostic]]] = {}
        episodes: list[EpisodeNote] = []
        for blob in parses:
            share_parsed, share_episodes = pickle.loads(blob)
            for index, content, warnings in share_parsed:
                content.loader = _tokens_elsewhere
                parsed[index] = (content, warnings)
            for entry in share_episodes:
                if entry[1] is not None:
                    entry[1].loader = _tokens_elsewhere
                episodes.append(entry)
        episodes.sort(key=lambda entry: entry[0])
        return parsed, episodes

    def share_parses(self) -> None:
        """Tell each worker about the other shares' notes (the bytes as they came)."""
        for worker in range(len(self.workers)):
            others = [blob for other, blob in enumerate(self._parses) if other != worker]
            self.workers.send(worker, others)
        self._parses = []

    def start_rendering(self, graph: LinkGraph) -> None:
        """Hand every worker the link graph and the tokens of the other shares' notes its
        pages embed (made once, by the worker that parsed them): they start writing pages."""
        notes = self.site.notes
        position = {id(note): index for index, note in enumerate(notes)}
        owner = {index: worker for worker, share in enumerate(self.shares) for index in share}
        needs = [
            sorted(
                {position[id(n)] for n in _embeds_reached(graph, [notes[i] for i in share])}
                - set(share)
            )
            for share in self.shares
        ]
        asks: list[set[int]] = [set() for _ in self.shares]
        for need in needs:
            for index in need:
                asks[owner[index]].add(index)
        graph_blob = _encode_graph(self.site, graph)
        for worker in range(len(self.workers)):
            self.workers.send(worker, (graph_blob, sorted(asks[worker])))
        tokens: dict[int, bytes] = {}
        for _, (_, packed) in self.workers.receive_until(lambda m: m[0] == "tokens"):
            tokens.update(packed)
        for worker, need in enumerate(needs):
            self.workers.send(worker, {index: tokens[index] for index in need if index in tokens})

    def render(
        self, keys: PageKeys, writer: OutputWriter, advance: Callable[[], None]
    ) -> NotePagesWritten:
        """Wait for every note page; keys, warnings and files are taken in note order."""
        pages: dict[int, WrittenPage] = {}
        for _, (kind, *values) in self.workers.receive_until(lambda m: m[0] == "rendered"):
            if kind == "progress":
                for _ in range(values[0]):
                    advance()
                continue
            written_pages, files, attachments = values
            for page in written_pages:
                pages[page[0]] = page
            writer.adopt(files)
            self.site.use_attachments(attachments)
        self.workers.join()
        written = NotePagesWritten()
        for index, note in enumerate(self.site.notes):
            _, key, rendered, warnings = pages[index]
            keys.current[note.output_path] = key
            self.site.diagnostics.extend(warnings)
            written.pages += 1
            written.rendered += rendered
        return written


class _WorkerJob:
    """What one worker process does, from fork to exit (`run`)."""

    def __init__(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        to_parse: set[int],
        shares: list[list[int]],
        setup: RenderSetup,
        budget: int,
    ) -> None:
        self.site = site
        self.notes = notes
        self.to_parse = to_parse
        self.shares = shares
        self.setup = setup
        self.tokens = _TokenBudget(site, budget)

    def run(self, worker: int, channel: Channel) -> None:
        share = self.shares[worker]
        channel.send(("parsed", self._parse(share, channel)))
        for blob in channel.receive():
            self._take_others(blob)
        graph_blob, asked = channel.receive()
        graph = _decode_graph(self.site, graph_blob)
        channel.send(("tokens", self._pack_tokens(asked)))
        for index, blob in channel.receive().items():
            note = self.site.notes[index]
            assert note.content is not None
            note.content.loader = _unpacking_loader(note, blob)
            self.tokens.packed[index] = blob
        self._settle_tokens(share, graph)
        written_pages = checked(lambda: self._write_pages(share, graph, channel))
        writer = self.setup.writer
        channel.send(("rendered", written_pages, writer.written, self.site.attachments))

    def _parse(self, share: list[int], channel: Channel) -> bytes:
        """Parse the changed notes of `share` and read its episodes; the result, pickled.

        Each note's tokens are kept as they are while the budget allows, else packed.
        """
        site = self.site
        parsed: list[ParsedNote] = []
        episodes: list[EpisodeNote] = []
        progress = _ProgressReport(channel)
        self.tokens.reserve(share)
        for index in share:
            note = site.notes[index]
            if index in self.to_parse:
                local = Diagnostics()
                self.notes.parse(note, local)
                assert note.content is not None
                parsed.append((index, note.content.without_tokens(), local.items))
            local = Diagnostics()
            if attach_episode(site, note, local):
                assert note.content is not None
                episodes.append((index, note.content.without_tokens(), note.episode, local.items))
            elif local.items:
                episodes.append((index, None, None, local.items))
            self.tokens.place(index)
            progress.step()
        progress.flush()
        return pickle.dumps((parsed, episodes), pickle.HIGHEST_PROTOCOL)

    def _settle_tokens(self, share: list[int], graph: LinkGraph) -> None:
        """Keep the tokens the pages of `share` need most often, within the budget.

        A note's tokens are needed once per page showing it: its own, and each page that
        embeds it (embeds of embeds too). Tokens kept as they are are made at most once; the
        others are unpacked (or parsed, those of notes unchanged since the last build) for
        each page that needs them and dropped once it is written.
        """
        notes = self.site.notes
        position = {id(note): index for index, note in enumerate(notes)}
        uses = dict.fromkeys(share, 1)
        for index in share:
            for embedded in _embeds_reached(graph, [notes[index]]):
                at = position[id(embedded)]
                uses[at] = uses.get(at, 0) + 1
        self.tokens.choose(uses)
        for index, note in enumerate(notes):
            content = note.content
            if content is None:
                continue
            if content.has_tokens and index not in self.tokens.keep:
                self.tokens.pack(index)
            content = note.content
            if not content.has_tokens and content.loader is not None:
                content.loader = self.tokens.watch(index, content.loader)

    def _take_others(self, blob: bytes) -> None:
        """Another share's parses and episodes; their tokens are made again if a page needs them."""
        share_parsed: list[ParsedNote]
        share_episodes: list[EpisodeNote]
        share_parsed, share_episodes = pickle.loads(blob)
        notes = self.site.notes
        for index, content, _ in share_parsed:
            note = notes[index]
            note.content = content
            content.loader = self.notes.token_loader(note)
        for index, content, episode, _ in share_episodes:
            if content is not None:
                note = notes[index]
                note.content = content
                note.episode = episode
                content.loader = self._episode_loader(note)

    def _pack_tokens(self, asked: list[int]) -> dict[int, bytes]:
        """The tokens (and env) of the notes asked for, those parsed here, each packed."""
        packed = {}
        for index in asked:
            content = self.site.notes[index].content
            if index in self.tokens.packed:
                packed[index] = self.tokens.packed[index]
            elif content is not None and content.has_tokens:
                packed[index] = _pack(content)
        return packed

    def _episode_loader(self, note: PublishedNote) -> Loader:
        """Makes an episode note's page tokens again: its parse, rewritten by the reader."""
        parse = self.notes.token_loader(note)

        def load() -> tuple[list[Any], dict[str, Any]]:
            tokens, env = parse()
            plain = copy.copy(note)
            plain.content = NoteContent()
            plain.content.tokens, plain.content.env = tokens, env
            return read_episode(self.site, plain, Diagnostics()).tokens, env

        return load

    def _write_pages(
        self, share: list[int], graph: LinkGraph, channel: Channel
    ) -> list[WrittenPage]:
        site, setup = self.site, self.setup
        pages = PageRenderer(site, setup.templates, graph)
        note_pages = NotePageWriter(site, self.notes, pages, graph, setup.writer, setup.keys)
        # Warnings go to the build's report (site, renderer and writer share it); each
        # page's are the ones added while writing it.
        written: list[WrittenPage] = []
        progress = _ProgressReport(channel)
        for index in share:
            note = site.notes[index]
            with new_warnings(site.diagnostics) as warnings:
                rendered = note_pages.write(note)
            self.tokens.release()
            key = setup.keys.current[note.output_path]
            written.append((index, key, rendered, warnings))
            progress.step()
        progress.flush()
        return written


class _TokenBudget:
    """Which notes' tokens a worker keeps, and how, within `limit` bytes.

    Kept as they are (`keep`, about `TOKEN_BYTES_PER_CHAR` bytes per character of Markdown),
    or packed (`packed`: pickled and compressed, about a twentieth of that; unpacked for
    each page that needs them, in a fifth of the time a parse takes). Notes unchanged since
    the last build come without tokens: parsed when a page needs them. Tokens made for a
    page and not kept are dropped (`release`) once that page is written.
    """

    def __init__(self, site: PublicSite, limit: int) -> None:
        self.notes = site.notes
        self.limit = limit
        self.used = 0
        self.pending = 0  # room set aside to pack the notes of the share not parsed yet
        self.keep: set[int] = set()
        self.packed: dict[int, bytes] = {}
        self._made: list[int] = []  # notes whose tokens were made for the page being written

    def _live_cost(self, index: int) -> int:
        return len(self.notes[index].source.body) * TOKEN_BYTES_PER_CHAR + TOKEN_BYTES_PER_NOTE

    def _packed_cost(self, index: int) -> int:
        blob = self.packed.get(index)
        if blob is not None:
            return len(blob)
        return len(self.notes[index].source.body) * PACKED_BYTES_PER_CHAR // 10

    def reserve(self, share: list[int]) -> None:
        """Set room aside to pack the tokens of every note of `share` (`place` uses it)."""
        self.pending = sum(self._packed_cost(index) for index in share)

    def place(self, index: int) -> None:
        """Note `index` of the share was parsed: keep its tokens as they are, or packed."""
        self.pending -= self._packed_cost(index)
        content = self.notes[index].content
        if content is None or not content.has_tokens:
            return
        cost = self._live_cost(index)
        if self.used + cost + self.pending <= self.limit:
            self.used += cost
            self.keep.add(index)
        else:
            self.pack(index)

    def pack(self, index: int) -> None:
        """Keep note `index`'s tokens packed only. Packed even past the budget: making them
        again from Markdown would take 4 to 10 times as long, to save a twentieth of their
        memory (the budget is spent by then only when the rest alone is over the target:
        many workers, or very large vaults)."""
        note = self.notes[index]
        assert note.content is not None
        blob = _pack(note.content)
        self.used += len(blob)
        self.packed[index] = blob
        self.drop(index, _unpacking_loader(note, blob))

    def choose(self, uses: dict[int, int]) -> None:
        """Keep as they are the tokens used most often (of those used as often, the ones
        made already); count the others packed, if they are or can be."""

        def held(index: int) -> bool:
            content = self.notes[index].content
            return content is not None and content.has_tokens

        def rank(index: int) -> tuple[int, bool, int]:
            return (-uses[index], not held(index), index)

        packable = set(self.packed) | {i for i in range(len(self.notes)) if held(i)}
        self.keep.clear()
        self.used = sum(self._packed_cost(index) for index in packable)
        for index in sorted(uses, key=rank):
            more = self._live_cost(index) - (self._packed_cost(index) if index in packable else 0)
            if self.used + more <= self.limit:
                self.used += more
                self.keep.add(index)
        # What `pack` adds for the notes packed next is counted already.
        self.used -= sum(self._packed_cost(i) for i in packable - self.keep - set(self.packed))

    def drop(self, index: int, loader: Loader) -> None:
        """Forget note `index`'s tokens; `loader` makes them again."""
        note = self.notes[index]
        assert note.content is not None
        content = note.content.without_tokens()
        content.loader = loader
        # The env names the content that holds it: without this cycle the tokens are freed
        # at once, rather than by the cycle collector, which seldom looks at old objects.
        note.content.env.pop("content", None)
        note.content = content

    def watch(self, index: int, loader: Loader) -> Loader:
        """`loader`, noting the tokens it made unless they are kept."""

        def load() -> tuple[list[Any], dict[str, Any]]:
            made = loader()
            if index not in self.keep:
                self._made.append(index)
            return made

        return load

    def release(self) -> None:
        """Drop the tokens made for the page just written, but not those kept."""
        for index in self._made:
            content = self.notes[index].content
            if content is not None and content.has_tokens and content.loader is not None:
                self.drop(index, content.loader)
        self._made.clear()


class _ProgressReport:
    """A worker's progress, sent to the parent every `PROGRESS_EVERY` notes."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.unreported = 0

    def step(self) -> None:
        self.unreported += 1
        if self.unreported >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.unreported:
            self.channel.send(("progress", self.unreported))
            self.unreported = 0


def _embeds_reached(graph: LinkGraph, notes: list[PublishedNote]) -> set[PublishedNote]:
    """The notes that rendering `notes` may show as embeds (embeds of embeds too)."""
    reached: set[PublishedNote] = set()
    frontier = notes
    for _ in range(MAX_EMBED_DEPTH + 1):
        frontier = [
            edge.target
            for note in frontier
            for edge in graph.outgoing.get(note, [])
            if edge.embed and edge.target not in reached
        ]
        reached.update(frontier)
    return reached


def _pack(content: NoteContent) -> bytes:
    """A note's tokens and env, pickled and compressed: about a twentieth of their memory.

    Tokens go as tuples of their fields: pickling and unpickling take half the time they
    take for `Token` objects (measured: 0.26 ms and 0.23 ms for a 4.5 KB note, compression
    included, against 0.55 ms and 0.35 ms), and making a note's tokens again from Markdown
    2.4 ms.
    """
    env = {k: v for k, v in content.env.items() if k not in ("note", "content")}
    rows = _token_rows(content.tokens)
    return zlib.compress(pickle.dumps((rows, env), pickle.HIGHEST_PROTOCOL), 1)


_TOKEN_FIELDS = tuple(field.name for field in dataclasses.fields(Token))
_CHILDREN = _TOKEN_FIELDS.index("children")
_token_row = operator.attrgetter(*_TOKEN_FIELDS)


def _token_rows(tokens: list[Token]) -> list[tuple[Any, ...]]:
    rows = []
    for token in tokens:
        row = _token_row(token)
        if token.children is not None:
            row = (*row[:_CHILDREN], _token_rows(token.children), *row[_CHILDREN + 1 :])
        rows.append(row)
    return rows


def _tokens_of_rows(rows: list[tuple[Any, ...]]) -> list[Token]:
    return [
        Token(*row)
        if row[_CHILDREN] is None
        else Token(*row[:_CHILDREN], _tokens_of_rows(row[_CHILDREN]), *row[_CHILDREN + 1 :])
        for row in rows
    ]


def _unpacking_loader(note: PublishedNote, blob: bytes) -> Loader:
    """Gives back the tokens `_pack` packed (here or in another worker)."""

    def load() -> tuple[list[Any], dict[str, Any]]:
        rows, env = pickle.loads(zlib.decompress(blob))
        tokens = _tokens_of_rows(rows)
        env["note"], env["content"] = note, note.content
        return tokens, env

    return load


def _encode_graph(site: PublicSite, graph: LinkGraph) -> bytes:
    """The link graph with notes as indexes: building it again in each worker would cost
    every worker what it costs the parent (about a second at 10,000 notes, on busy cores)."""
    index = {id(note): position for position, note in enumerate(site.notes)}
    edges = [
        [(index[id(e.target)], e.embed, e.context, e.line) for e in graph.outgoing[note]]
        for note in site.notes
    ]
    resolved = [graph.resolved[note] for note in site.notes]
    return pickle.dumps((edges, resolved), pickle.HIGHEST_PROTOCOL)


def _decode_graph(site: PublicSite, blob: bytes) -> LinkGraph:
    """The graph `_encode_graph` sent, its lists in the same order as the parent's."""
    edges, resolved = pickle.loads(blob)
    notes = site.notes
    graph = LinkGraph()
    for note in notes:
        graph.outgoing[note] = []
        graph.incoming[note] = []
    for note, note_edges, note_resolved in zip(notes, edges, resolved, strict=True):
        graph.resolved[note] = note_resolved
        for target, embed, context, line in note_edges:
            edge = Edge(note, notes[target], embed, context, line)
            graph.outgoing[note].append(edge)
            graph.incoming[notes[target]].append(edge)
    return graph
