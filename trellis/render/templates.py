"""The Jinja2 environment: the theme's templates, overridable from the vault.

A vault overrides any theme template by putting a file of the same name in
`.trellis/templates/` (and any asset in `.trellis/static/`). Templates only lay out what
the page context already computed; every decision lives in Python where tests reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)

from trellis.config import OVERRIDES_DIR
from trellis.diagnostics import FatalError
from trellis.package_data import theme_folder

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


def create_environment(vault: Path) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(p)) for p in template_dirs(vault)]),
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
