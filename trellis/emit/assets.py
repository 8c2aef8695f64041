"""Copy the theme's static files (and the vault's overrides of them) to `OUT/static/`.

Assets made from an installed library are written here too, from the library the build
runs with: `static/pygments.css` (see `trellis.markdown.plugins.code`).
"""

from __future__ import annotations

from collections.abc import Callable

from trellis.emit.writer import OutputWriter
from trellis.markdown.plugins.code import pygments_css
from trellis.vault.files import CheckedPath

# Assets generated at build time (name under static/ -> maker); a vault override wins.
GENERATED: dict[str, Callable[[], str]] = {"pygments.css": pygments_css}


def emit_static(files: dict[str, CheckedPath], writer: OutputWriter) -> int:
    """Copy every asset (`trellis.render.templates.theme_files`, overrides already chosen
    over the theme's), each through one checked descriptor, then make the generated ones
    no override replaces; how many were written."""
    copied = sum(writer.copy_file(f"static/{rel}", file) for rel, file in sorted(files.items()))
    made = [rel for rel in GENERATED if rel not in files]
    for rel in made:
        writer.write_text(f"static/{rel}", GENERATED[rel]())
    return copied + len(made)
