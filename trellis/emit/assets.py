"""Copy the theme's static files (and the vault's overrides of them) to `OUT/static/`."""

from __future__ import annotations

from pathlib import Path

from trellis.emit.writer import OutputWriter


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
    return len(chosen)
