"""The conversation between the build and its worker processes, one typed message a step.

Why typed: the worker's receives must mirror the parent's sends; as bare tuples that order
lived only in two functions' bodies. Here each step is a class, every receive names the
class it expects (`expect`), and a message out of order fails loudly in the worker rather
than being unpacked as something else. The order, for each worker:

    worker -> parent   Progress*, Parsed          its share parsed (and its episodes read)
    parent -> worker   OtherShares                the other shares' parses, as they came
    parent -> worker   GraphSent                  the link graph, and the tokens asked of it
    worker -> parent   PackedTokens               the tokens of its notes others embed
    parent -> worker   TokensFor                  the tokens of others' notes its pages embed
    worker -> parent   Progress*, Rendered        its pages (and local graphs) written, files,
                                                  attachments

Each message is pickled by `trellis.workers`; the bulky parts (parses, the graph, tokens)
are bytes made by `trellis.build.wire` or pickled once and forwarded as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from trellis.diagnostics import Diagnostic
from trellis.episodes.model import Episode
from trellis.model.content import NoteContent
from trellis.public.site import PublicAttachment

# (note index, its parse without tokens, the parse's warnings)
ParsedNote = tuple[int, NoteContent, list[Diagnostic]]
# (note index, its episode page's content without tokens or None, the episode, warnings)
EpisodeNote = tuple[int, NoteContent | None, Episode | None, list[Diagnostic]]


@dataclass(frozen=True)
class WrittenPage:
    index: int  # the note's index in `PublicSite.notes`
    key: str  # its page key
    digest: str  # the hash of the page's bytes (`page_digest`)
    rendered: bool  # made this time (else taken over from the last output)
    warnings: list[Diagnostic]  # given while writing it


@dataclass(frozen=True)
class Progress:
    notes: int  # done since the last report


@dataclass(frozen=True)
class Parsed:
    blob: bytes  # pickled (list[ParsedNote], list[EpisodeNote]) of the worker's share
    lean: bytes  # the same as other shares' pages read it (`worker_job.for_pages`)


@dataclass(frozen=True)
class OtherShares:
    blobs: list[bytes]  # the other workers' `Parsed.lean`s


@dataclass(frozen=True)
class GraphSent:
    graph: bytes  # `wire.encode_graph`: the part of the link graph this share's pages read
    asked: list[int]  # notes of this share whose tokens other shares' pages embed
    # Whether each share makes its notes' local graph files after its pages (a cold build:
    # `trellis.emit.graph.local_graphs_made_here`), rather than the build after all pages.
    local_graphs: bool = False


@dataclass(frozen=True)
class PackedTokens:
    tokens: dict[int, bytes]  # note index -> `wire.pack_tokens`


@dataclass(frozen=True)
class TokensFor:
    tokens: dict[int, bytes]  # the packed tokens of other shares' notes this share embeds


@dataclass(frozen=True)
class Rendered:
    pages: list[WrittenPage]
    files: set[str]  # what the worker wrote (`OutputWriter.adopt` takes it)
    attachments: list[PublicAttachment]
    graph_files: dict[str, str]  # the local graph files it wrote -> hash (`write_local_graphs`)


M = TypeVar("M")


def expect(message: object, kind: type[M]) -> M:
    """`message` as the `kind` the protocol says comes next; anything else is a bug."""
    if not isinstance(message, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(message).__name__}")
    return message
