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
from dataclasses import dataclass
from typing import Any

from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

NodeRow = tuple[str, str, str, list[str]]  # id, url, title, tags
EdgeRow = tuple[str, str, str]  # source id, target id, "link" or "embed"


@dataclass(frozen=True)
class GraphText:
    """`_trellis/graph.json`'s bytes, the local graph files' key, and the nodes' ids in order."""

    text: bytes
    local_key: str
    ids: list[str]


def site_rows(site: PublicSite, graph: LinkGraph) -> tuple[str, list[NodeRow], list[EdgeRow]]:
    """The base and rows of `trellis.emit.graph.graph_data`, as tuples (the same filter:
    notes hidden from the graph are neither nodes nor the end of an edge). Edges come in
    (source, target, type) order: by source as the nodes are, each source's sorted alone
    (sorting all 77,000 edges of 10,000 notes at once took three times as long)."""
    shown = sorted((n for n in site.notes if not n.display.hide_in_graph), key=_url)
    visible = {id(n) for n in shown}
    href = site.href
    nodes = [(n.url, href(n.url), n.title, n.tags) for n in shown]
    edges: list[EdgeRow] = []
    outgoing = graph.outgoing
    for note in shown:
        ends = {
            (edge.target.url, "embed" if edge.embed else "link")
            for edge in outgoing.get(note, ())
            if edge.target is not note and id(edge.target) in visible
        }
        url = note.url
        edges.extend([(url, target, kind) for target, kind in sorted(ends)])
    return href("/"), nodes, edges


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
    edges: list[EdgeRow],
) -> GraphText:
    """The file `{"version", "base", "nodes", "edges"}` and the digest of the same without
    tags and with `{"local": local}` first (what every local graph file is made from)."""
    encode = _ENCODER.encode
    ids = {node_id: encode(node_id) for node_id, _, _, _ in nodes}
    kinds = {"link": '"link"', "embed": '"embed"'}
    untagged = [
        f'{{"id":{ids[node_id]},"url":{encode(url)},"title":{encode(title)}'
        for node_id, url, title, _ in nodes
    ]
    tagged = [
        f'{row},"tags":{encode(tags)}}}'
        for row, (_, _, _, tags) in zip(untagged, nodes, strict=True)
    ]
    edge_rows = ",".join(
        [
            f'{{"source":{ids[source]},"target":{ids[target]},"type":{kinds[kind]}}}'
            for source, target, kind in edges
        ]
    )
    base_text = encode(base)
    document = (
        f'{{"version":{encode(version)},"base":{base_text},"nodes":[{",".join(tagged)}],'
        f'"edges":[{edge_rows}]}}'
    )
    key = hashlib.blake2b(digest_size=16)
    key.update(f'{{"local":{encode(local)},"base":{base_text},"nodes":['.encode())
    key.update("},".join(untagged).encode())
    key.update(f'{"}" if untagged else ""}],"edges":[{edge_rows}]}}'.encode())
    return GraphText(document.encode("utf-8"), key.hexdigest(), [row[0] for row in nodes])
