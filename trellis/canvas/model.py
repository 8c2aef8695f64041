"""Read a `.canvas` file (JSON Canvas 1.0) into checked records, tolerating bad input.

Every problem (invalid JSON, a node without a position, an unknown type, an edge to a node
that does not exist, a colour that is neither a preset nor a hex code) is recorded with a
message and the rest of the board is kept, so one bad node never loses the page.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

NODE_TYPES = ("text", "file", "link", "group")
SIDES = ("top", "right", "bottom", "left")
ENDS = ("none", "arrow")
PRESET_COLORS = ("1", "2", "3", "4", "5", "6")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# A board larger than this is cut (a hostile file must not make a page of any size).
MAX_NODES = 5000
MAX_EXTENT = 1_000_000


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    x: float
    y: float
    width: float
    height: float
    color: str | None = None
    text: str = ""  # text nodes
    file: str = ""  # file nodes: vault path
    subpath: str = ""  # file nodes: "#Heading" or "#^block"
    url: str = ""  # link nodes
    label: str = ""  # group nodes
    background: str = ""  # group nodes: image path
    background_style: str = "cover"


@dataclass(frozen=True)
class Edge:
    id: str
    from_node: str
    to_node: str
    from_side: str | None = None
    to_side: str | None = None
    from_end: str = "none"
    to_end: str = "arrow"
    color: str | None = None
    label: str = ""


@dataclass
class Canvas:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) of all nodes; a 0-sized box for an empty board."""
        if not self.nodes:
            return 0, 0, 0, 0
        return (
            min(n.x for n in self.nodes),
            min(n.y for n in self.nodes),
            max(n.x + n.width for n in self.nodes),
            max(n.y + n.height for n in self.nodes),
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or abs(value) > MAX_EXTENT:
        return None
    return float(value)


def _color(value: Any) -> str | None:
    if isinstance(value, str) and (value in PRESET_COLORS or _HEX.fullmatch(value)):
        return value
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _node(raw: Any, problems: list[str]) -> Node | None:
    if not isinstance(raw, dict):
        problems.append("a node is not an object; skipped")
        return None
    node_id, kind = raw.get("id"), raw.get("type")
    if not isinstance(node_id, str) or not node_id:
        problems.append("a node has no id; skipped")
        return None
    if kind not in NODE_TYPES:
        problems.append(f"node {node_id!r} has unknown type {kind!r}; skipped")
        return None
    box = [_number(raw.get(k)) for k in ("x", "y", "width", "height")]
    if any(v is None for v in box) or box[2] <= 0 or box[3] <= 0:  # type: ignore[operator]
        problems.append(f"node {node_id!r} has no valid x, y, width and height; skipped")
        return None
    if "color" in raw and _color(raw["color"]) is None:
        problems.append(f"node {node_id!r} has an invalid color {raw['color']!r}; ignored")
    subpath = _text(raw.get("subpath"))
    style = raw.get("backgroundStyle")
    return Node(
        node_id,
        kind,
        *box,  # type: ignore[arg-type]
        color=_color(raw.get("color")),
        text=_text(raw.get("text")),
        file=_text(raw.get("file")),
        subpath=subpath if subpath.startswith("#") else "",
        url=_text(raw.get("url")),
        label=_text(raw.get("label")),
        background=_text(raw.get("background")),
        background_style=style if style in ("cover", "ratio", "repeat") else "cover",
    )


def _edge(raw: Any, ids: set[str], problems: list[str]) -> Edge | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        problems.append("an edge has no id; skipped")
        return None
    edge_id = raw["id"]
    ends = raw.get("fromNode"), raw.get("toNode")
    if not all(isinstance(e, str) and e in ids for e in ends):
        problems.append(f"edge {edge_id!r} connects a node that does not exist; skipped")
        return None

    def pick(key: str, allowed: tuple[str, ...], default: str | None) -> str | None:
        value = raw.get(key)
        return value if value in allowed else default

    return Edge(
        edge_id,
        ends[0],  # type: ignore[arg-type]
        ends[1],  # type: ignore[arg-type]
        pick("fromSide", SIDES, None),
        pick("toSide", SIDES, None),
        pick("fromEnd", ENDS, "none") or "none",
        pick("toEnd", ENDS, "arrow") or "arrow",
        _color(raw.get("color")),
        _text(raw.get("label")),
    )


def parse_canvas(text: str) -> Canvas:
    canvas = Canvas()
    try:
        data = json.loads(text) if text.strip() else {}
    except (json.JSONDecodeError, RecursionError) as error:
        canvas.problems.append(f"not valid JSON: {error}")
        return canvas
    if not isinstance(data, dict):
        canvas.problems.append("the file is not a JSON object")
        return canvas
    raw_nodes = data.get("nodes", [])
    raw_nodes = raw_nodes if isinstance(raw_nodes, list) else []
    if len(raw_nodes) > MAX_NODES:
        canvas.problems.append(f"more than {MAX_NODES} nodes; the rest are left out")
    seen: set[str] = set()
    for raw in raw_nodes[:MAX_NODES]:
        node = _node(raw, canvas.problems)
        if node is not None and node.id in seen:
            canvas.problems.append(f"node id {node.id!r} is used twice; the second is skipped")
        elif node is not None:
            seen.add(node.id)
            canvas.nodes.append(node)
    raw_edges = data.get("edges", [])
    for raw in raw_edges if isinstance(raw_edges, list) else []:
        edge = _edge(raw, seen, canvas.problems)
        if edge is not None:
            canvas.edges.append(edge)
    metadata = data.get("metadata")
    canvas.metadata = metadata if isinstance(metadata, dict) else {}
    return canvas


def canvas_published(
    canvas: Canvas, rel_path: str, patterns: tuple[str, ...] = (), flag: str = "dg-publish"
) -> bool:
    """Opt-in: `metadata.frontmatter.<flag>` is true, or the path matches a setting pattern."""
    front = canvas.metadata.get("frontmatter")
    value = front.get(flag) if isinstance(front, dict) else None
    if value is True or (isinstance(value, str) and value.strip().lower() == "true"):
        return True
    return any(fnmatch.fnmatchcase(rel_path, pattern) for pattern in patterns)
