"""Site settings: a schema with defaults, read from `trellis.toml` at the vault root.

Command-line flags override the file. Loading returns the settings plus warnings (unknown
keys, wrong types fall back to the default), so a typo never stops a build; `--strict`
turns those warnings into a failure like any other. A file that is not valid TOML is fatal:
without it we cannot know what the owner meant to publish.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trellis.diagnostics import Diagnostics, FatalError

SETTINGS_FILE = "trellis.toml"
# Where a vault keeps its own templates/ and static/ that override the theme's.
OVERRIDES_DIR = ".trellis"


@dataclass(frozen=True)
class Settings:
    title: str = ""
    base_url: str = "/"
    language: str = "en"
    author: str = ""
    description: str = ""
    # The frontmatter key that publishes a note when it is `true`.
    publish_flag: str = "dg-publish"
    # Publish every note, whatever its frontmatter says (off by default).
    publish_all: bool = False
    # Let raw HTML through unsanitised (scripts included): only for vaults the owner trusts.
    trust_html: bool = False
    # Notes shown on the home page list when no note has `dg-home: true`.
    home_list_limit: int = 0
    # Notes in feed.xml / rss.xml, newest first (0 = all).
    feed_limit: int = 30
    # Per-note display defaults, overridable by the note's own dg-* keys.
    show_backlinks: bool = True
    show_toc: bool = True
    show_tags: bool = True
    show_inline_title: bool = True
    show_local_graph: bool = True
    show_file_tree: bool = True
    enable_search: bool = True
    link_preview: bool = True
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    # File extensions copied when a published note links or embeds them, beyond the kinds
    # Trellis publishes (images, audio, video, PDF): served as they are, unchecked, so an
    # `html` or `svg` listed here runs its scripts on the site's origin.
    extra_attachment_extensions: tuple[str, ...] = ()

    @property
    def base_path(self) -> str:
        """The path part of the base URL, always with leading and trailing `/`."""
        path = urlsplit(self.base_url).path or "/"
        path = "/" + path.strip("/") + "/"
        return "/" if path == "//" else path

    @property
    def site_origin(self) -> str:
        """`https://host` when the base URL is absolute, else empty."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

    def absolute_url(self, site_path: str) -> str:
        """A site path (`/a/b/`) as a full URL under the base URL (or a rooted path)."""
        return self.site_origin + self.base_path + site_path.lstrip("/")


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}
_TYPE_OF = {"str": str, "bool": bool, "int": int, "tuple[str, ...]": list}


def load_settings(vault: Path, overrides: dict[str, Any], diagnostics: Diagnostics) -> Settings:
    """Read `vault/trellis.toml` (if any), apply `overrides` (flags), validate."""
    values: dict[str, Any] = {}
    path = vault / SETTINGS_FILE
    if path.is_file():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise FatalError(f"{path}: invalid settings file: {error}") from None
    settings = Settings(title=vault.resolve().name)
    checked: dict[str, Any] = {}
    for key, value in {**values, **{k: v for k, v in overrides.items() if v is not None}}.items():
        name = key.replace("-", "_")
        if name not in _FIELD_TYPES:
            diagnostics.warn(SETTINGS_FILE, f"unknown setting {key!r} ignored")
            continue
        wanted = _TYPE_OF[str(_FIELD_TYPES[name])]
        if (wanted is int and isinstance(value, bool)) or not isinstance(value, wanted):
            diagnostics.warn(
                SETTINGS_FILE, f"setting {key!r} must be {wanted.__name__}, not {value!r}"
            )
            continue
        if wanted is list:
            value = _extensions(key, value, diagnostics)
        checked[name] = value
    settings = replace(settings, **checked)
    if settings.jobs < 1:
        diagnostics.warn(SETTINGS_FILE, "setting 'jobs' must be at least 1")
        settings = replace(settings, jobs=1)
    base = urlsplit(settings.base_url)
    if base.scheme not in ("", "http", "https") or (base.scheme and not base.netloc):
        diagnostics.warn(SETTINGS_FILE, f"base_url {settings.base_url!r} is not an http(s) URL")
        settings = replace(settings, base_url="/")
    return settings


def _extensions(key: str, values: list[Any], diagnostics: Diagnostics) -> tuple[str, ...]:
    """`["html", ".ZIP"]` -> `("html", "zip")`; anything but a plain extension is a warning."""
    kept: set[str] = set()
    for value in values:
        extension = value.strip().lstrip(".").lower() if isinstance(value, str) else ""
        if extension.isalnum() and extension.isascii() and extension != "md":
            kept.add(extension)
        else:
            diagnostics.warn(SETTINGS_FILE, f"setting {key!r}: {value!r} is not a file extension")
    return tuple(sorted(kept))
