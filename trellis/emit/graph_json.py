"""`_trellis/graph.json` kept as encoded pieces, so a preview save re-encodes only its nodes.

Why: a save that changes one note's tags changes one node of the global graph file, yet
encoding the whole document (10,000 nodes and their edges) cost a tags save at 10,000 notes
a quarter of a second. `EncodedGraph` encodes each node once and the rest of the document
(its header, the edges) once; `retag` re-encodes the nodes of the notes a save changed and
`encoded` joins the pieces. The bytes are those of encoding the whole data at once with the
same encoder: JSON without indentation encodes a value alike alone or inside a document.

The pieces are made from `graph_data` (published notes not hidden from the graph only), and
a save that changes which notes are published, their titles or the graph's edges is not
patched here: the data is made again (`EncodedGraph` of the new data).
"""

from __future__ import annotations

import json
from typing import Any

from trellis.emit.graph import GRAPH_PATH
from trellis.emit.writer import OutputWriter
from trellis.public.site import PublishedNote
from trellis.render.card_lists import interleaved

# The settings of `trellis.emit.graph`'s `_json`; one encoder, made once.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_EMPTY_NODES = '"nodes":[]'


def encode(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


class EncodedGraph:
    """The graph data (`trellis.emit.graph.graph_data`) and its JSON, node by node once
    `split` (the preview splits it when it keeps the model; a build that will not patch it
    encodes it whole, as fast)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._nodes: list[bytes] | None = None
        self._at: dict[str, int] = {}
        self._head = self._tail = b""

    def split(self) -> None:
        """Encode the nodes one by one and the rest of the document once."""
        if self._nodes is not None:
            return
        nodes: list[dict[str, Any]] = self.data["nodes"]
        self._at = {node["id"]: place for place, node in enumerate(nodes)}
        self._nodes = [encode(node) for node in nodes]
        # A key cannot hold `"nodes":[]` unescaped but the key itself: the split is exact.
        head, mark, tail = _ENCODER.encode({**self.data, "nodes": []}).partition(_EMPTY_NODES)
        assert mark, "graph data without nodes"
        self._head, self._tail = (head + '"nodes":[').encode(), ("]" + tail).encode()

    def retag(self, notes: list[PublishedNote]) -> None:
        """Give the nodes of `notes` their tags as now (notes not in the graph are skipped)."""
        self.split()
        assert self._nodes is not None
        nodes = self.data["nodes"]
        for note in notes:
            place = self._at.get(note.url)
            if place is None:
                continue
            node = nodes[place]
            node["tags"] = note.tags
            self._nodes[place] = encode(node)

    def encoded(self) -> bytes:
        """The file's bytes; from the pieces, joined in one copy (the edges alone are
        megabytes)."""
        if self._nodes is None:
            return encode(self.data)
        return b"".join([self._head, *interleaved(self._nodes, b","), self._tail])


def emit_encoded_graph(graph: EncodedGraph, writer: OutputWriter) -> int:
    """Write the global graph file from its pieces; the file count."""
    writer.write_bytes(GRAPH_PATH, graph.encoded())
    return 1
