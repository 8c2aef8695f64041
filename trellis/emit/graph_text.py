"""The global graph file and the local graph files' key, made as text from rows of strings.

Why: a one-note rebuild at 10,000 notes made the graph data (a dict per node and per edge:
9,000 and 77,000), encoded it whole for `_trellis/graph.json`, then made a second copy
without tags and encoded that too for the digest the local graph files are kept by: ~0.6
CPU s of ~4.5. Here each node is a row (id, url, title, tags) and each edge (source,
target, type); every distinct string is encoded once, the document is joined from pieces
and the key is the digest of the untagged document joined from the same pieces. The bytes
are those of encoding the data with `trellis.emit.graph_json`'s encoder (JSON without
indentation encodes a value alike alone or inside a document; `test_graph_text` checks),
and the key is the one `trellis.emit.graph.emit_local_graphs` makes from the data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

NodeRow = tuple[str, str, str, list[str]]  # id, url, title, tags
EdgeRow = tuple[str, str, str]  # source id, target id, "link" or "embed"
CHUNK = 4096  # rows encoded at a time


@dataclass(frozen=True)
class GraphText:
    """`_trellis/graph.json`'s bytes, the local graph files' key, and the nodes' ids in order."""

    text: bytes
    local_key: str
    ids: list[str]


def site_rows(site: PublicSite, graph: LinkGraph) -> tuple[str, list[NodeRow], list[EdgeRow]]:
    """The base and rows of `trellis.emit.graph.graph_data`, as tuples (the same filter:
    notes hidden from the graph are neither nodes nor the end of an edge; `edge_rows`)."""
    base, nodes, edges = site_row_stream(site, graph)
    return base, nodes, list(edges)


def site_row_stream(
    site: PublicSite, graph: LinkGraph
) -> tuple[str, list[NodeRow], Iterator[EdgeRow]]:
    """`site_rows` with the edges made as they are read (a 50,000-note graph has ~400,000)."""
    shown = sorted((n for n in site.notes if not n.display.hide_in_graph), key=_url)
    href = site.href
    nodes = [(n.url, href(n.url), n.title, n.tags) for n in shown]
    return href("/"), nodes, edge_rows(graph, shown)


def edge_rows(graph: LinkGraph, shown: list[PublishedNote]) -> Iterator[EdgeRow]:
    """The edges among `shown` in (source, target, type) order: by source as the nodes are,
    each source's sorted alone (sorting all 77,000 edges of 10,000 notes at once took three
    times as long)."""
    visible = {id(n) for n in shown}
    outgoing = graph.outgoing
    for note in shown:
        ends = {
            (edge.target.url, "embed" if edge.embed else "link")
            for edge in outgoing.get(note, ())
            if edge.target is not note and id(edge.target) in visible
        }
        url = note.url
        for target, kind in sorted(ends):
            yield url, target, kind


def _url(note: PublishedNote) -> str:
    return note.url


def data_rows(data: dict[str, Any]) -> tuple[str, list[NodeRow], list[EdgeRow]]:
    """The rows of graph data as `graph_data` makes it."""
    nodes = [(n["id"], n["url"], n["title"], n["tags"]) for n in data["nodes"]]
    edges = [(e["source"], e["target"], e["type"]) for e in data["edges"]]
    return data["base"], nodes, edges


def graph_text(
    version: int,
    local: list[int],
    base: str,
    nodes: list[NodeRow],
    edges: Iterable[EdgeRow],
) -> GraphText:
    """The file `{"version", "base", "nodes", "edges"}` and the digest of the same without
    tags and with `{"local": local}` first (what every local graph file is made from).

    Made as UTF-8 a few thousand rows at a time, the digest fed as it goes: the whole
    document as one `str` (four bytes a character once a title has an emoji), its rows'
    strings and the edges' rows all held at once took about ten times the file's size, at
    the cold build's peak."""
    encode = _ENCODER.encode
    ids = {node_id: encode(node_id) for node_id, _, _, _ in nodes}
    kinds = {"link": '"link"', "embed": '"embed"'}
    base_text = encode(base)
    key = hashlib.blake2b(digest_size=16)
    key.update(f'{{"local":{encode(local)},"base":{base_text},"nodes":['.encode())
    pieces = [f'{{"version":{encode(version)},"base":{base_text},"nodes":['.encode()]
    for start in range(0, len(nodes), CHUNK):
        untagged = [
            f'{{"id":{ids[node_id]},"url":{encode(url)},"title":{encode(title)}'
            for node_id, url, title, _ in nodes[start : start + CHUNK]
        ]
        tagged = [
            f'{row},"tags":{encode(tags)}}}'
            for row, (_, _, _, tags) in zip(untagged, nodes[start : start + CHUNK], strict=True)
        ]
        after = "," if start else ""
        pieces.append((after + ",".join(tagged)).encode())
        key.update((("}," if start else "") + "},".join(untagged)).encode())
    pieces.append(b'],"edges":[')
    key.update(f'{"}" if nodes else ""}],"edges":['.encode())
    rows = iter(edges)
    after = ""
    while chunk := list(islice(rows, CHUNK)):
        text = after + ",".join(
            [
                f'{{"source":{ids[source]},"target":{ids[target]},"type":{kinds[kind]}}}'
                for source, target, kind in chunk
            ]
        )
        piece = text.encode()
        pieces.append(piece)
        key.update(piece)
        after = ","
    pieces.append(b"]}")
    key.update(b"]}")
    return GraphText(b"".join(pieces), key.hexdigest(), [row[0] for row in nodes])
