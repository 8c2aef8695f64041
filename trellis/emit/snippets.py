"""CSS snippets, as Obsidian users keep them: small files added after the theme's stylesheets.

`.trellis/snippets/*.css` are always used; with `obsidian_snippets = true` so are the snippets
the vault enables in Obsidian (`.obsidian/appearance.json`'s `enabledCssSnippets`, files in
`.obsidian/snippets/`). They are read by the vault's symlink rules (`theme_files`), copied to
`static/snippets/`, and linked from every page in name order, after the theme: a snippet
written for Obsidian's variables and `body.theme-dark` applies unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

from trellis.config import OVERRIDES_DIR, Settings
from trellis.diagnostics import Diagnostics
from trellis.emit.writer import OutputWriter
from trellis.render.templates import theme_files
from trellis.vault.files import CheckedPath

OBSIDIAN = ".obsidian"


def _enabled_in_obsidian(vault: Path, diagnostics: Diagnostics) -> set[str] | None:
    path = vault / OBSIDIAN / "appearance.json"
    if not path.is_file() or path.is_symlink():
        return None
    try:
        names = json.loads(path.read_text(encoding="utf-8")).get("enabledCssSnippets", [])
    except (OSError, ValueError, AttributeError):
        diagnostics.warn(f"{OBSIDIAN}/appearance.json", "not readable as JSON: snippets skipped")
        return None
    return {f"{name}.css" for name in names if isinstance(name, str)}


def find_snippets(
    vault: Path, settings: Settings, diagnostics: Diagnostics
) -> dict[str, CheckedPath]:
    """Snippet file name -> file; `.trellis/snippets/` wins over Obsidian's of the same name."""
    found: dict[str, CheckedPath] = {}
    if settings.obsidian_snippets:
        enabled = _enabled_in_obsidian(vault, diagnostics)
        folder = vault / OBSIDIAN / "snippets"
        if enabled and folder.is_dir():
            files = theme_files([folder], vault, diagnostics, overrides=folder.parent)
            found.update({name: file for name, file in files.items() if name in enabled})
    own = vault / OVERRIDES_DIR / "snippets"
    if own.is_dir():
        files = theme_files([own], vault, diagnostics)
        found.update({name: file for name, file in files.items() if "/" not in name})
    return {name: found[name] for name in sorted(found) if name.endswith(".css")}


def emit_snippets(snippets: dict[str, CheckedPath], writer: OutputWriter) -> int:
    return sum(writer.copy_file(f"static/snippets/{name}", file) for name, file in snippets.items())
