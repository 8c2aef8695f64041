"""What crosses between the build and its worker processes, as bytes: tokens and the graph.

Why a module of its own: a note's tokens are packed (pickled as tuples, compressed) when a
worker keeps more notes than its memory allows or hands them to another worker, and the
link graph goes to every worker with notes as indexes. Both formats must be read exactly
as written, so each writer sits next to its reader.
"""

from __future__ import annotations

import dataclasses
import operator
import pickle
import zlib
from collections.abc import Callable
from typing import Any

from markdown_it.token import Token

from trellis.build.spill import Kept, contents
from trellis.model.content import NoteContent
from trellis.public.graph import Edge, LinkGraph
from trellis.public.site import PublicSite, PublishedNote

# Makes a note's tokens and env (again): `NoteContent.loader`.
Loader = Callable[[], tuple[list[Any], dict[str, Any]]]


def pack_tokens(content: NoteContent) -> bytes:
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


def unpacking_loader(note: PublishedNote, blob: Kept) -> Loader:
    """Gives back the tokens `pack_tokens` packed (here or in another worker), kept in
    memory or spilled to a file (`trellis.build.spill`)."""

    def load() -> tuple[list[Any], dict[str, Any]]:
        rows, env = pickle.loads(zlib.decompress(contents(blob)))
        tokens = _tokens_of_rows(rows)
        env["note"], env["content"] = note, note.content
        return tokens, env

    return load


def encode_graph(
    site: PublicSite, graph: LinkGraph, share: set[int] | None = None, shown: set[int] = frozenset()
) -> bytes:
    """The link graph with notes as indexes: building it again in each worker would cost
    every worker what it costs the parent (about a second at 10,000 notes, on busy cores).

    With `share` (the notes a worker writes pages of), only what those pages read: every
    edge (embeds reached, the local graph files), but the text around a link only on the
    edges into the share (its backlinks), and each note's resolved links only for the notes
    its pages show (`shown`: the share and the notes they embed, for the page keys), as the
    text the page keys read of them (`KeyedLinks`). At 50,000 notes the whole graph took
    ~220 MiB in each worker, most of it those texts."""
    index = {id(note): position for position, note in enumerate(site.notes)}
    edges = [
        [
            (
                index[id(e.target)],
                e.embed,
                e.context if share is None or index[id(e.target)] in share else "",
                e.line,
            )
            for e in graph.outgoing[note]
        ]
        for note in site.notes
    ]
    resolved = [
        graph.resolved[note]
        if share is None
        else repr(graph.resolved[note]).encode("utf-8", "surrogatepass")
        if at in shown
        else None
        for at, note in enumerate(site.notes)
    ]
    return pickle.dumps((edges, resolved), pickle.HIGHEST_PROTOCOL)


class NotSent(list):  # type: ignore[type-arg]
    """The resolved links of a note whose page this worker neither writes nor embeds: not
    sent (`encode_graph`), so reading them is a bug, said at once rather than keyed as
    "no links"."""

    def _refuse(self, *args: object) -> Any:
        raise LookupError("the resolved links of a note outside this worker's pages")

    __iter__ = __repr__ = __len__ = __getitem__ = _refuse  # type: ignore[assignment]


class KeyedLinks(NotSent):
    """A note's resolved links as a worker gets them: only what a page key reads of them
    (`BodyKeys.of`: their `repr`, kept as UTF-8), not a tuple and two strings per link (a
    third of the graph a worker decoded); reading them otherwise is refused as `NotSent`'s."""

    def __init__(self, text: bytes) -> None:
        super().__init__()
        self.text = text

    def __repr__(self) -> str:
        return self.text.decode("utf-8", "surrogatepass")


def decode_graph(site: PublicSite, blob: bytes) -> LinkGraph:
    """The graph `encode_graph` sent, its lists in the same order as the parent's."""
    edges, resolved = pickle.loads(blob)
    notes = site.notes
    graph = LinkGraph()
    for note in notes:
        graph.outgoing[note] = []
        graph.incoming[note] = []
    not_sent = NotSent()
    for note, note_edges, note_resolved in zip(notes, edges, resolved, strict=True):
        if note_resolved is None:
            graph.resolved[note] = not_sent
        elif isinstance(note_resolved, bytes):
            graph.resolved[note] = KeyedLinks(note_resolved)
        else:
            graph.resolved[note] = note_resolved
        for target, embed, context, line in note_edges:
            edge = Edge(note, notes[target], embed, context, line)
            graph.outgoing[note].append(edge)
            graph.incoming[notes[target]].append(edge)
    return graph
