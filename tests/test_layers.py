"""Imports stay one-way (issue 16): no cycles between Trellis's modules, and each layer
imports only from the layers below it.

Module-level imports only (`import` inside a function is how a command defers a heavy
import, and `TYPE_CHECKING` imports are for type checkers): read with `ast`, nothing run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "trellis"

# Lowest first. A module may import its own layer and those before it, never after.
LAYERS = [
    {"diagnostics", "slug", "package_data", "__init__", "config", "workers", "versions", "i18n"},
    {"vault", "model", "markdown"},
    {"public", "episodes"},
    {"render", "query", "bases", "canvas"},
    {"emit"},
    {"build", "signature"},
    {"edits"},
    {"pipeline", "preview_edits", "check", "progress", "reference", "scaffold"},
    {"serve"},
    {"cli", "__main__"},
]


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """What `path` imports when it is loaded; `from pkg import sub` counts as `pkg.sub` only
    when `sub` is a module (the package is already loading: importing a sibling is no cycle).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in ast.walk(node) if not isinstance(node, ast.FunctionDef | ast.ClassDef) else []:
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module.startswith("trellis"):
                    names = [f"{child.module}.{alias.name}" for alias in child.names]
                    submodules = [name for name in names if name in modules]
                    found.update(submodules)
                    if len(submodules) < len(names):
                        found.add(child.module)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("trellis"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in _top_level_imports(path, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }


def _layer(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    for index, layer in enumerate(LAYERS):
        if key in layer:
            return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_no_module_imports_a_layer_above_its_own():
    upward = [
        f"{module} -> {imported}"
        for module, imports in _graph().items()
        for imported in imports
        if imported != "trellis" and _layer(imported) > _layer(module)
    ]
    assert upward == []


def test_there_are_no_import_cycles():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done
    cycles: list[str] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                cycles.append(" -> ".join([*path[path.index(imported) :], imported]))
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
