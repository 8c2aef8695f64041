"""`EncodedGraph`: the global graph file kept as encoded pieces writes the bytes encoding the
whole data at once writes, before and after nodes are given new tags."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from helpers import build_vault, published

from trellis.emit.graph import graph_data
from trellis.emit.graph_json import EncodedGraph


def whole(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_pieces_give_the_bytes_of_the_whole_document(tmp_path: Path) -> None:
    files = {
        "Ä/Über.md": published('Links [[B "q"]] and [[C]].\n', tags='["naïve", "x/y"]'),
        'B "q".md': published("Back to [[Über]].\n", tags="[one]"),
        "C.md": published("Out of the graph.\n", dg_hide_in_graph="true"),
    }
    site = build_vault(tmp_path, files, base_url="/garden/")
    data = graph_data(site.result.site, site.result.graph)
    assert len(data["nodes"]) == 2 and data["edges"]
    encoded = EncodedGraph(json.loads(whole(data)))
    assert encoded.encoded() == whole(data)  # whole
    encoded.split()
    assert encoded.encoded() == whole(data)  # from the pieces
    assert encoded.encoded() == site.path_of("/_trellis/graph.json").read_bytes()


def test_retagged_nodes_are_encoded_again_and_the_rest_kept() -> None:
    nodes = [{"id": f"/{n}/", "url": f"/{n}/", "title": f"N{n}", "tags": []} for n in range(4)]
    data = {"version": 1, "base": "/", "nodes": nodes, "edges": []}
    encoded = EncodedGraph(data)
    moved = SimpleNamespace(url="/2/", tags=["new", "é"])
    unknown = SimpleNamespace(url="/not-in-graph/", tags=["secret"])
    encoded.retag([moved, unknown])  # type: ignore[list-item]
    assert encoded.encoded() == whole(data)
    assert json.loads(encoded.encoded())["nodes"][2]["tags"] == ["new", "é"]
    assert b"secret" not in encoded.encoded()
    empty = {"version": 1, "base": "/", "nodes": [], "edges": []}
    kept = EncodedGraph(empty)
    kept.split()
    assert kept.encoded() == whole(empty)
