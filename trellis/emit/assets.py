"""Copy the theme's static files (and the vault's overrides of them) to `OUT/static/`."""

from __future__ import annotations

from trellis.emit.writer import OutputWriter
from trellis.vault.files import CheckedPath


def emit_static(files: dict[str, CheckedPath], writer: OutputWriter) -> int:
    """Copy every asset (`trellis.render.templates.theme_files`, overrides already chosen
    over the theme's), each through one checked descriptor; how many were written."""
    return sum(writer.copy_file(f"static/{rel}", file) for rel, file in sorted(files.items()))
