"""The Jinja2 environment: the theme's templates, overridable from the vault.

A vault overrides any theme template by putting a file of the same name in
`.trellis/templates/` (and any asset in `.trellis/static/`), read by the symlink rules of
`trellis.vault.files` (`theme_files`) like every file of the vault. Templates only lay out
what the page context already computed; every decision lives in Python where tests reach it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    select_autoescape,
)

from trellis.config import OVERRIDES_DIR, SETTINGS_FILE
from trellis.diagnostics import Diagnostics, FatalError
from trellis.package_data import theme_folder
from trellis.vault.files import CheckedPath, FileTree, walk

Result = TypeVar("Result")

THEME_TEMPLATES = theme_folder("templates")
THEME_STATIC = theme_folder("static")


def template_dirs(vault: Path) -> list[Path]:
    """Template folders, the vault's overrides first."""
    override = vault / OVERRIDES_DIR / "templates"
    return [p for p in (override, THEME_TEMPLATES) if p.is_dir()]


def static_dirs(vault: Path) -> list[Path]:
    """Asset folders, the vault's overrides first."""
    override = vault / OVERRIDES_DIR / "static"
    return [p for p in (override, THEME_STATIC) if p.is_dir()]


def theme_files(
    folders: list[Path], vault: Path, diagnostics: Diagnostics, overrides: Path | None = None
) -> dict[str, CheckedPath]:
    """Every file of `folders` (`template_dirs` or `static_dirs`) by name, the first folder
    winning, read by the rules of `trellis.vault.files`: a vault override may not lead out
    of the vault or to a note, a theme file not out of the theme's folder. Folders inside
    `overrides` (default `.trellis/`) are the vault's own."""
    overrides = overrides or vault / OVERRIDES_DIR
    inside = overrides.relative_to(vault)
    vault = vault.resolve()
    files: dict[str, CheckedPath] = {}
    for folder in folders:
        if folder.parent == overrides:
            tree = FileTree.of(vault / inside / folder.name, vault, notes=False)
        else:
            tree = FileTree.of(folder.resolve(), folder.resolve())
        problem = tree.problem()
        if problem:
            diagnostics.warn(tree.label.rstrip("/"), problem)
            continue
        for found in walk(tree, diagnostics):
            files.setdefault(found.rel_path, found.file)
    return files


class _CheckedLoader(BaseLoader):
    """Templates read through `CheckedPath` (Jinja's own loader follows any symlink)."""

    def __init__(self, files: dict[str, CheckedPath]) -> None:
        self.files = files

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        file = self.files.get(template)
        if file is None:
            raise TemplateNotFound(template)
        try:
            source = file.read().decode("utf-8")
        except OSError:
            raise TemplateNotFound(template) from None
        return source, str(file.path), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.files)


def create_environment(vault: Path, diagnostics: Diagnostics | None = None) -> Environment:
    files = theme_files(
        template_dirs(vault), vault, Diagnostics() if diagnostics is None else diagnostics
    )
    env = Environment(
        loader=_CheckedLoader(files),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    return env


def checked(action: Callable[[], Result]) -> Result:
    """Run `action`, turning a broken template into one clear fatal line."""
    try:
        return action()
    except TemplateSyntaxError as error:
        raise FatalError(
            f"{error.filename or error.name}:{error.lineno}: template error: {error.message}"
        ) from None
    except TemplateError as error:
        raise FatalError(f"template error: {error}") from None


def theme_signature(vault: Path) -> str:
    """Templates are part of every page: their contents go into each page's key."""
    digest = hashlib.blake2b(digest_size=16)
    for name, file in sorted(theme_files(template_dirs(vault), vault, Diagnostics()).items()):
        try:
            digest.update(os.fsencode(name) + b"\0" + file.read())
        except OSError as error:
            digest.update(os.fsencode(name) + f"\0unreadable {error.errno}".encode())
    settings_file = vault / SETTINGS_FILE
    if settings_file.is_file():
        digest.update(settings_file.read_bytes())
    return digest.hexdigest()
