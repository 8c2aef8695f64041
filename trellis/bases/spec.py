"""Read a base (a `.base` file or a ```base block): YAML into a checked `BaseSpec`.

The YAML is read with Trellis' frontmatter loader (YAML 1.2 as Obsidian reads it, aliases
and nesting bounded), so a hostile file cannot blow up. The structure follows Obsidian's
help (`Bases/Bases syntax.md`): `filters` (a statement, or `and`/`or`/`not` lists nested
at will), `formulas`, `properties` (`displayName`), `summaries`, and `views` (`type`,
`name`, `filters`, `order`, `sort`, `groupBy`, `limit`, `summaries`, and for cards
`image`, `imageFit`, `imageAspectRatio`, `cardSize`). Problems are collected with their
YAML line where there is one; what can be kept is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trellis.bases.expr import BaseSyntaxError, Node, parse_formula
from trellis.vault.frontmatter import split_frontmatter

VIEW_TYPES = ("table", "cards", "list", "map")


@dataclass(frozen=True)
class Filter:
    """`op` is "and", "or", "not" or "expr" (then `node` is set)."""

    op: str
    children: tuple[Filter, ...] = ()
    node: Node | None = None


@dataclass
class ViewSpec:
    type: str = "table"
    name: str = ""
    filters: Filter | None = None
    order: list[str] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (property, ascending)
    group_by: tuple[str, bool] | None = None
    limit: int | None = None
    summaries: dict[str, str] = field(default_factory=dict)
    image: str | None = None
    image_fit: str = "cover"
    image_aspect_ratio: float = 1.0
    card_size: int = 200


@dataclass
class BaseSpec:
    filters: Filter | None = None
    formulas: dict[str, Node] = field(default_factory=dict)
    display_names: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, Node] = field(default_factory=dict)
    views: list[ViewSpec] = field(default_factory=list)
    problems: list[tuple[str, int | None]] = field(default_factory=list)


def _filter(raw: Any, problems: list[tuple[str, int | None]], depth: int = 0) -> Filter | None:
    if depth > 32:
        problems.append(("filters nested too deep", None))
        return None
    if isinstance(raw, str | int | float | bool):
        try:
            source = str(raw).lower() if isinstance(raw, bool) else str(raw)
            return Filter("expr", node=parse_formula(source))
        except BaseSyntaxError as error:
            problems.append((f"filter: {error}", None))
            return None
    if isinstance(raw, dict) and len(raw) == 1:
        op, items = next(iter(raw.items()))
        if op in ("and", "or", "not") and isinstance(items, list):
            children = [_filter(item, problems, depth + 1) for item in items]
            return Filter(op, tuple(c for c in children if c is not None))
    problems.append(("a filter must be a statement or one of and/or/not with a list", None))
    return None


def _direction(value: Any) -> bool:
    return str(value or "ASC").upper() != "DESC"


def _view(raw: Any, problems: list[tuple[str, int | None]]) -> ViewSpec | None:
    if not isinstance(raw, dict):
        problems.append(("a view must be a mapping", None))
        return None
    kind = str(raw.get("type", "table"))
    spec = ViewSpec(type=kind, name=str(raw.get("name") or kind.title()))
    if kind not in VIEW_TYPES:
        problems.append((f"view {spec.name!r}: unknown type {kind!r}", None))
    if "filters" in raw:
        spec.filters = _filter(raw["filters"], problems)
    order = raw.get("order")
    spec.order = [str(p) for p in order] if isinstance(order, list) else []
    for entry in raw.get("sort") or []:
        if isinstance(entry, dict) and (entry.get("property") or entry.get("column")):
            prop = entry.get("property") or entry.get("column")
            spec.sort.append((str(prop), _direction(entry.get("direction"))))
    group = raw.get("groupBy")
    if isinstance(group, dict) and group.get("property"):
        spec.group_by = (str(group["property"]), _direction(group.get("direction")))
    elif isinstance(group, str):
        spec.group_by = (group, True)
    limit = raw.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        spec.limit = limit
    summaries = raw.get("summaries")
    if isinstance(summaries, dict):
        spec.summaries = {str(k): str(v) for k, v in summaries.items()}
    if isinstance(raw.get("image"), str):
        spec.image = raw["image"]
    if raw.get("imageFit") in ("cover", "contain"):
        spec.image_fit = raw["imageFit"]
    ratio = raw.get("imageAspectRatio")
    if isinstance(ratio, int | float) and not isinstance(ratio, bool) and 0.1 <= ratio <= 10:
        spec.image_aspect_ratio = float(ratio)
    size = raw.get("cardSize")
    if isinstance(size, int) and not isinstance(size, bool) and 50 <= size <= 1000:
        spec.card_size = size
    return spec


def parse_base(text: str) -> BaseSpec:
    spec = BaseSpec()
    front = split_frontmatter(f"---\n{text}\n---\n")
    if not front.ok:
        for line, message in front.problems or [(None, "invalid YAML")]:
            message = message.replace("invalid frontmatter", "not valid YAML")
            message = message.replace("frontmatter", "a base")
            lines = text.count("\n") + 1
            spec.problems.append((message, min(line - 1, lines) if line else None))
        return spec
    data = front.meta or {}
    if "filters" in data:
        spec.filters = _filter(data["filters"], spec.problems)
    for name, source in (data.get("formulas") or {}).items():
        try:
            spec.formulas[str(name)] = parse_formula(str(source))
        except BaseSyntaxError as error:
            spec.problems.append((f"formula {name!r}: {error}", None))
    for prop, config in (data.get("properties") or {}).items():
        if isinstance(config, dict) and isinstance(config.get("displayName"), str | int):
            spec.display_names[str(prop)] = str(config["displayName"])
    for name, source in (data.get("summaries") or {}).items():
        try:
            spec.summaries[str(name)] = parse_formula(str(source))
        except BaseSyntaxError as error:
            spec.problems.append((f"summary {name!r}: {error}", None))
    views = data.get("views")
    for raw in views if isinstance(views, list) else []:
        view = _view(raw, spec.problems)
        if view is not None:
            spec.views.append(view)
    if not spec.views:
        spec.views.append(ViewSpec(name="Table"))
    return spec
