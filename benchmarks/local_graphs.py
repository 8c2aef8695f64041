"""The local graphs' neighbourhood files from a built site's `_trellis/graph.json`: how many
bytes they make and the CPU to make them, without building the site again.

Why: the neighbourhood files are a function of the global graph data alone, and at 10,000
notes they were most of the output; this measures the emitter's part on its own (making
each file's JSON text, as `emit_local_graphs` does, without writing).
Run it with another checkout first on PYTHONPATH to measure that version on the same data.

Usage: python benchmarks/local_graphs.py SITE/_trellis/graph.json [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from trellis.emit import graph as graph_module


def measure(data: dict) -> dict[str, float | int]:
    """Bytes and CPU seconds of every neighbourhood file of `data` (node counts are read
    back from the text after the clock stops)."""
    started = time.process_time()
    if hasattr(graph_module, "local_graph_index"):  # from the compact index (mem20)
        index = graph_module.GraphIndex.of_data(data)
        made = graph_module.neighbourhood_texts(index, graph_module.LOCAL_DEPTH, graph_module.CAPS)
        texts = [text for _, text in made]
    elif hasattr(graph_module, "neighbourhood_texts"):
        made = graph_module.neighbourhood_texts(data, graph_module.LOCAL_DEPTH, graph_module.CAPS)
        texts = [text for _, text in made]
    else:  # a checkout from before the files were made as text
        texts = [graph_module._json(part) for part in graph_module.neighbourhoods(data)]
    sizes = [len(text.encode("utf-8")) for text in texts]
    cpu = time.process_time() - started
    nodes = [len(json.loads(text)["nodes"]) for text in texts]
    return {
        "files": len(sizes),
        "total_mb": round(sum(sizes) / 1e6, 1),
        "median_kb": round(statistics.median(sizes) / 1e3, 1) if sizes else 0,
        "max_kb": round(max(sizes, default=0) / 1e3, 1),
        "max_nodes": max(nodes, default=0),
        "median_nodes": statistics.median(nodes) if nodes else 0,
        "cpu_s": round(cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph", type=Path, help="a built site's _trellis/graph.json")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    data = json.loads(args.graph.read_text(encoding="utf-8"))
    result = {"module": graph_module.__file__, "notes": len(data["nodes"]), **measure(data)}
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
