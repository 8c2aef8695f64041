"""`_trellis/graph.json`: the published notes and the links between them, for the graph views.

Built from the `PublicSite` and its `LinkGraph` only, so a private note can be neither a node
nor the end of an edge. Notes with `dg-hide-in-graph` (or `dg-hide`) are left out together
with every edge touching them. The local graph on each note page and the global graph page
both read this one file (fetched once, then cached by the browser) rather than each page
carrying its own neighbourhood: a page stays small and the file is shared.

Format (`version` 1)::

    {"version": 1,
     "nodes": [{"id": "/a/b/", "url": "/base/a/b/", "title": "B", "tags": ["x"]}, ...],
     "edges": [{"source": "/a/b/", "target": "/c/", "type": "link"}, ...]}

`id` is the note's site path (what `<body data-url>` holds on its page), `url` the link to
it with the base path, percent-encoded. Edges are directed, deduplicated per
(source, target, type), without self-links, in a stable order so builds are reproducible.
"""

from __future__ import annotations

import json
from typing import Any

from trellis.emit.writer import OutputWriter
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote

GRAPH_PATH = "_trellis/graph.json"
GRAPH_VERSION = 1


def graph_data(site: PublicSite, graph: LinkGraph) -> dict[str, Any]:
    """Nodes and edges as plain data (the dict that `emit_graph` writes as JSON)."""
    shown: list[PublishedNote] = [n for n in site.notes if not n.display.hide_in_graph]
    visible = {id(n) for n in shown}
    nodes = [
        {"id": n.url, "url": site.href(n.url), "title": n.title, "tags": n.tags}
        for n in sorted(shown, key=lambda n: n.url)
    ]
    edges: set[tuple[str, str, str]] = set()
    for note in shown:
        for edge in graph.outgoing.get(note, []):
            target = edge.target
            if target is note or id(target) not in visible:
                continue
            edges.add((note.url, target.url, "embed" if edge.embed else "link"))
    return {
        "version": GRAPH_VERSION,
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "type": kind} for s, t, kind in sorted(edges)],
    }


def emit_graph(site: PublicSite, graph: LinkGraph, writer: OutputWriter) -> int:
    """Write the graph file; returns the number of files written (always 1)."""
    data = graph_data(site, graph)
    writer.write_text(GRAPH_PATH, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return 1
