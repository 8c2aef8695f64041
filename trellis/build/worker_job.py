"""What one worker process does, from fork to exit: the other side of `ParallelNotes`.

Why apart from `trellis.build.forked`: the parent's side and the worker's side meet only
through the messages of `trellis.build.messages`; each reads on its own. A worker parses
the changed notes of its share (and reads its episodes), keeps or packs their tokens
within its budget (`trellis.build.budget`), takes in the other shares' parses and the link
graph, and writes the pages of its share through the same `NotePageWriter` as one process.
"""

from __future__ import annotations

import gc
import pickle
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import Environment

from trellis.build import budget, wire
from trellis.build.held import episode_loader
from trellis.build.messages import (
    EpisodeNote,
    GraphSent,
    OtherShares,
    PackedTokens,
    Parsed,
    ParsedNote,
    Progress,
    Rendered,
    TokensFor,
    WrittenPage,
    expect,
)
from trellis.build.parse import parse_note
from trellis.build.spill import Spill, contents, pack_links
from trellis.build.state import UsedAttachments, new_warnings
from trellis.diagnostics import Diagnostics
from trellis.emit.graph import local_graph_index, write_local_graphs
from trellis.emit.pages import NotePageWriter, PageKeys
from trellis.emit.writer import OutputWriter
from trellis.episodes import attach_episode
from trellis.model.content import NoteContent
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer
from trellis.render.templates import checked
from trellis.workers import TRIM_EVERY, Channel, give_back_free_memory

# Workers report progress every this many notes.
PROGRESS_EVERY = 25


@dataclass
class RenderSetup:
    """What a worker renders with, made before it is forked."""

    templates: Environment
    keys: PageKeys
    writer: OutputWriter
    used: UsedAttachments  # where the parent registers what the workers' pages use


class WorkerJob:
    """What one worker process does, from fork to exit (`run`)."""

    def __init__(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        to_parse: set[int],
        shares: list[list[int]],
        setup: RenderSetup,
        limit: int,
    ) -> None:
        self.site = site
        self.notes = notes
        self.to_parse = to_parse
        self.shares = shares
        self.setup = setup
        # Packed tokens go to a file in the folder pages are written to (`trellis.build.spill`).
        self.tokens = budget.TokenBudget(site, limit, Spill(setup.writer.staging))

    def run(self, worker: int, channel: Channel) -> None:
        share = self.shares[worker]
        channel.send(Parsed(*self._parse(share, channel)))
        blobs = expect(channel.receive(), OtherShares).blobs
        while blobs:  # each let go of once taken in
            self._take_others(blobs.pop(0))
        sent = expect(channel.receive(), GraphSent)
        graph = wire.decode_graph(self.site, sent.graph)
        # Forked while the build parses with the cycle collector off (`uncollected`): what
        # was made so far lives to the end, frozen; the pages' garbage is collected again.
        gc.freeze()
        gc.enable()
        asked, local_graphs = sent.asked, sent.local_graphs
        del sent  # the graph's bytes (tens of MB at 50,000 notes), not held while rendering
        channel.send(PackedTokens(self.pack_tokens(asked)))
        self.take_tokens(expect(channel.receive(), TokensFor).tokens)
        self.settle_tokens(share, graph)
        written_pages = checked(lambda: self.write_pages(share, graph, channel))
        self.let_go_of_tokens()
        give_back_free_memory()
        graph_files = self.write_local_graphs(share, graph) if local_graphs else {}
        writer = self.setup.writer
        channel.send(Rendered(written_pages, writer.written, self.setup.used.all(), graph_files))

    def _parse(self, share: list[int], channel: Sender) -> tuple[bytes, bytes]:
        """Parse the changed notes of `share` and read its episodes; the result, pickled:
        whole (for the build's cache), and as other shares' pages read it (`for_pages`).

        Each note's tokens are kept as they are while the budget allows, else packed.
        """
        parsed, episodes = self._parse_share(share, channel, Spill(None))  # links: sent
        whole = pickle.dumps((parsed, episodes), pickle.HIGHEST_PROTOCOL)
        for index, _, _ in parsed:  # this share's pages do not read them either
            content = self.site.notes[index].content
            assert content is not None
            content.links, content.query_facts = [], None
        return whole, lean_parses(parsed, episodes)

    def parse_here(
        self, share: list[int], channel: Sender
    ) -> tuple[list[ParsedNote], list[EpisodeNote], bytes]:
        """`_parse` for the share the build's own process renders: its parses as objects,
        the notes' own contents (tokens, or their loaders, included) where pages read them,
        and the lean pickle the workers take in."""
        parsed, episodes = self._parse_share(share, channel, self.tokens.spill)
        notes = self.site.notes
        own = [
            (index, content if notes[index].episode is not None else notes[index].content, found)
            for index, content, found in parsed
        ]
        own_episodes = [
            (index, content and notes[index].content, episode, found)
            for index, content, episode, found in episodes
        ]
        return own, own_episodes, lean_parses(parsed, episodes)  # type: ignore[return-value]

    def _parse_share(
        self, share: list[int], channel: Sender, links: Spill
    ) -> tuple[list[ParsedNote], list[EpisodeNote]]:
        """Each note's links are pickled as soon as it is parsed, kept by `links` (read
        by the link stage and the cache alone: `trellis.build.spill.SpilledLinks`)."""
        site = self.site
        parsed: list[ParsedNote] = []
        episodes: list[EpisodeNote] = []
        progress = _ProgressReport(channel)
        self.tokens.reserve(share)
        for index in share:
            note = site.notes[index]
            if index in self.to_parse:
                warnings = parse_note(self.notes, note)
                assert note.content is not None
                pack_links(note.content, links)
                parsed.append((index, note.content.without_tokens(), warnings))
            local = Diagnostics()
            if attach_episode(site, note, local):
                assert note.content is not None
                episodes.append((index, note.content.without_tokens(), note.episode, local.items))
            elif local.items:
                episodes.append((index, None, None, local.items))
            self.tokens.place(index)
            progress.step()
        progress.flush()
        return parsed, episodes

    def settle_tokens(self, share: list[int], graph: LinkGraph) -> None:
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
            for embedded in graph.embeds_reached([notes[index]]):
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
                content.loader = episode_loader(self.site, self.notes, note)

    def take_tokens(self, tokens: dict[int, bytes]) -> None:
        """The packed tokens of other shares' notes this share's pages embed."""
        for index, blob in tokens.items():
            note = self.site.notes[index]
            assert note.content is not None
            kept = self.tokens.packed[index] = self.tokens.spill.keep(blob)
            note.content.loader = wire.unpacking_loader(note, kept)

    def pack_tokens(self, asked: list[int]) -> dict[int, bytes]:
        """The tokens (and env) of the notes asked for, those parsed here, each packed."""
        packed = {}
        for index in asked:
            content = self.site.notes[index].content
            if index in self.tokens.packed:
                packed[index] = contents(self.tokens.packed[index])
            elif content is not None and content.has_tokens:
                packed[index] = wire.pack_tokens(content)
        return packed

    def write_pages(self, share: list[int], graph: LinkGraph, channel: Sender) -> list[WrittenPage]:
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
            output = note.output_path
            key, digest = setup.keys.current[output], setup.keys.current_digests.get(output, "")
            written.append(WrittenPage(index, key, digest, rendered, warnings))
            progress.step()
            if len(written) % TRIM_EVERY == 0:
                give_back_free_memory()
        progress.flush()
        return written

    def let_go_of_tokens(self) -> None:
        """A worker renders nothing after its pages: every token it holds, packed or not
        (and each loader holding packed ones), goes before its local graph files are made,
        which then reuse that memory (the packed tokens of a 50,000-note share are ~100 MB)."""
        self.tokens.release()
        for note in self.site.notes:
            if note.content is not None:
                note.content.forget_tokens(None)
        self.tokens.packed.clear()
        self.tokens.keep.clear()

    def write_local_graphs(self, share: list[int], graph: LinkGraph) -> dict[str, str]:
        """The local graph files of `share`'s notes (those in the graph), made from the
        whole graph as the build's own process would make them; path -> hash. The index
        they are made from is let go on return, before the next stage."""
        notes = self.site.notes
        centers = {notes[index].url for index in share}
        index = local_graph_index(self.site, graph)
        return write_local_graphs(index, self.setup.writer, centers)


def lean_parses(parsed: list[ParsedNote], episodes: list[EpisodeNote]) -> bytes:
    """A share's parses and episodes as other shares' pages read them, pickled."""
    lean = (
        [(index, for_pages(content), []) for index, content, _ in parsed],
        [(i, c and for_pages(c), episode, []) for i, c, episode, _ in episodes],
    )
    return pickle.dumps(lean, pickle.HIGHEST_PROTOCOL)


def for_pages(content: NoteContent) -> NoteContent:
    """What a worker's pages read of a parse: not its links (the link graph, made by the
    build's own process, has them) nor its query facts (a vault that may hold queries is
    rendered in one process). A third of a parse's memory, held by every worker."""
    lean = content.without_tokens()
    lean.links, lean.query_facts = [], None
    return lean


class Sender(Protocol):
    """Where a share's progress and results go: a worker's `Channel` to the build, or the
    build's own stand-in for the share it renders itself (`trellis.build.forked`)."""

    def send(self, message: Any) -> None: ...


class _ProgressReport:
    """A share's progress, sent every `PROGRESS_EVERY` notes."""

    def __init__(self, channel: Sender) -> None:
        self.channel = channel
        self.unreported = 0

    def step(self) -> None:
        self.unreported += 1
        if self.unreported >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.unreported:
            self.channel.send(Progress(self.unreported))
            self.unreported = 0
