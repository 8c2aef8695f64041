"""Copy the theme's static files (and the vault's overrides of them) to `OUT/static/`.

Assets made from an installed library are written here too, from the library the build
runs with: `static/pygments.css` (see `trellis.markdown.plugins.code`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trellis.emit.writer import OutputWriter
from trellis.markdown.plugins.code import pygments_css

# Assets generated at build time (name under static/ -> maker); a vault override wins.
GENERATED: dict[str, Callable[[], str]] = {"pygments.css": pygments_css}


def emit_static(static_dirs: list[Path], writer: OutputWriter) -> int:
    """Copy every asset once; a vault override (earlier folder) wins over the theme."""
    chosen: dict[str, Path] = {}
    for folder in static_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(
                part.startswith(".") for part in path.relative_to(folder).parts
            ):
                chosen.setdefault(path.relative_to(folder).as_posix(), path)
    for rel, path in sorted(chosen.items()):
        writer.copy_file(f"static/{rel}", path)
    made = [rel for rel in GENERATED if rel not in chosen]
    for rel in made:
        writer.write_text(f"static/{rel}", GENERATED[rel]())
    return len(chosen) + len(made)
