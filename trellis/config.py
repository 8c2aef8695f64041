"""Site settings: a schema with defaults, read from `trellis.toml` at the vault root.

Command-line flags override the file. Loading returns the settings plus warnings (unknown
keys, wrong types fall back to the default), so a typo never stops a build; `--strict`
turns those warnings into a failure like any other. A file that is not valid TOML is fatal:
without it we cannot know what the owner meant to publish.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trellis.diagnostics import Diagnostics, FatalError

SETTINGS_FILE = "trellis.toml"
# Settings a vault's own `trellis.toml` may not give: they name places outside the output.
COMMAND_LINE_ONLY = frozenset({"cache_dir"})
# Where a vault keeps its own templates/ and static/ that override the theme's.
OVERRIDES_DIR = ".trellis"


def setting(default: Any = None, help: str = "", shown: str = "", factory: Any = None) -> Any:
    """A field of `Settings` with the help text the docs, `--help` and `trellis init` show.

    `shown` replaces the default in that text when it is computed (`title`, `jobs`).
    """
    metadata = {"help": help, "shown": shown}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    title: str = setting("", "site title", shown="the vault folder's name")
    base_url: str = setting(
        "/",
        "where the site lives, e.g. https://example.org/garden/: every link, asset and "
        "canonical URL gets its path",
    )
    language: str = setting("en", "the pages' `lang`")
    author: str = setting("", "shown in the footer and meta tags")
    description: str = setting("", "shown in meta tags and the feeds")
    publish_flag: str = setting("dg-publish", "the frontmatter key that publishes a note")
    publish_all: bool = setting(False, "publish every note, whatever its frontmatter says")
    trust_html: bool = setting(
        False, "let raw HTML in notes through unsanitised (scripts too): only for trusted vaults"
    )
    sanitize_every_note: bool = setting(
        False,
        "clean every rendered note with nh3, not only those holding raw HTML, query results "
        "or boards (what Trellis writes itself is escaped already: this is a check, about "
        "1.5 ms a note)",
    )
    home_list_limit: int = setting(
        0, "notes listed on the home page when no note has `dg-home: true` (0: all)"
    )
    feed_limit: int = setting(30, "notes in feed.xml and rss.xml, newest first (0: all)")
    # Per-note display defaults, overridable by the note's own dg-* keys.
    show_backlinks: bool = setting(True, "show backlinks (a note's `dg-show-backlinks` wins)")
    show_toc: bool = setting(True, "show the table of contents (`dg-show-toc` wins)")
    obsidian_snippets: bool = setting(
        False,
        "also add the CSS snippets the vault enables in Obsidian (`.obsidian/appearance.json`)"
        " after the theme; `.trellis/snippets/*.css` are always added",
    )
    favicon: str = setting(
        "favicon.svg",
        "the site icon: a file of the theme's `static/` or the vault's `.trellis/static/`",
    )
    show_dates: bool = setting(
        True, "show a note's created and updated dates under its title (`dg-show-dates` wins)"
    )
    show_tags: bool = setting(True, "show a note's tags (`dg-show-tags` wins)")
    show_inline_title: bool = setting(
        True, "show the title above the note (`dg-show-inline-title` wins)"
    )
    show_local_graph: bool = setting(True, "show the local graph (`dg-show-local-graph` wins)")
    show_file_tree: bool = setting(True, "show the explorer (`dg-show-file-tree` wins)")
    enable_search: bool = setting(True, "show the search box (`dg-enable-search` wins)")
    link_preview: bool = setting(True, "preview a linked note on hover (`dg-link-preview` wins)")
    jobs: int = setting(
        help="processes parsing and rendering: this one and N - 1 forked workers (1: no fork); "
        "also the most Pagefind runs indexing search shards at once",
        shown="the number of cores",
        factory=lambda: os.cpu_count() or 1,
    )
    workers_from: int = setting(
        100,
        "worker processes start only when at least this many notes are to be parsed or pages "
        "rendered; fewer take one process (starting workers costs about 0.1 s of CPU)",
    )
    memory_target_mib: int = setting(
        1400,
        "memory (MiB) a build aims to stay under, all its processes together: worker "
        "processes keep parsed notes as they are within what is left and pack the others",
    )
    extra_attachment_extensions: tuple[str, ...] = setting(
        (),
        "file extensions copied when a published note links or embeds them, beyond the kinds "
        "Trellis publishes (images, audio, video, PDF): served as they are, unchecked, so an "
        "`html` or `svg` listed here runs its scripts on the site's origin",
    )
    publish_canvases: tuple[str, ...] = setting(
        (),
        "JSON Canvas boards published as pages, by vault path or pattern (`Boards/*.canvas`); "
        "a canvas whose own `metadata.frontmatter` holds the publish flag is published too",
    )
    git_dates: bool = setting(
        True,
        "when the vault is in a git repository, date notes without frontmatter dates by their "
        "first and last commits (a fresh clone or checkout then changes no page), not by "
        "file times",
    )
    cache_dir: str = setting(
        "",
        "folder for the build cache, kept between builds (CI restores it); a relative path "
        "is taken from the vault folder; from the command line or the API only, never from "
        "`trellis.toml`: a vault does not choose where Trellis writes outside its output",
        shown="one file `.OUT.trellis-cache` beside the output folder",
    )
    atomic_output: bool = setting(
        False,
        "build into a new folder beside the output and swap it in at the end, so the folder "
        "is never seen half-updated (for serving straight from it); else a rebuild updates "
        "the output in place, writing only what changed: faster, but a page may be new "
        "beside an old one while it runs, and a failed build leaves it incomplete (marked; "
        "the next build makes it whole)",
    )
    redirects: bool = setting(
        True, "keep the published URLs of moved and renamed notes working with redirect pages"
    )
    alias_redirects: bool = setting(
        False, "also write a redirect page at each frontmatter alias of a note, beside its page"
    )

    def for_output(self) -> Settings:
        """These settings with those that never change what a build writes (how many
        processes, from when, within what memory, where the cache lies, how the output is
        replaced) made equal: what
        builds compare. The cache folder is absolute when named on the command line: a copy
        in a new folder (CI) must not count as changed settings."""
        return replace(
            self, jobs=1, workers_from=1, memory_target_mib=0, cache_dir="", atomic_output=False
        )

    def cache_folder(self, vault: Path) -> Path | None:
        """The folder `cache_dir` names (a relative one from the vault), or None: the default."""
        if not self.cache_dir.strip():
            return None
        return (vault / Path(self.cache_dir.strip()).expanduser()).absolute()

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


@dataclass(frozen=True)
class SettingInfo:
    """One setting as the docs, `trellis init` and the command line's help describe it."""

    name: str
    kind: type
    default: Any
    help: str
    shown: str  # the default in words when it is computed, else ""


def settings_schema() -> tuple[SettingInfo, ...]:
    """Every setting in the order of `Settings`, with its type, default and help."""
    defaults = Settings()
    return tuple(
        SettingInfo(
            name=f.name,
            kind=_TYPE_OF[str(f.type)],
            default=getattr(defaults, f.name),
            help=f.metadata.get("help", ""),
            shown=f.metadata.get("shown", ""),
        )
        for f in fields(Settings)
    )


def toml_value(value: bool | int | str | tuple[str, ...]) -> str:
    """`value` written as TOML (`true`, `30`, `"dg-publish"`, `["csv"]`)."""
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}
_TYPE_OF = {"str": str, "bool": bool, "int": int, "tuple[str, ...]": list}


def _read_settings_file(vault: Path, diagnostics: Diagnostics) -> bytes:
    """The settings file's bytes, read by the vault's one symlink rule (a `trellis.toml`
    leading to a note or out of the vault is ignored with a warning, never read)."""
    # Imported here: trellis.vault imports this module for SETTINGS_FILE.
    from trellis.vault.files import FileTree

    located = FileTree.of(vault, vault).locate(SETTINGS_FILE)
    try:
        if isinstance(located, str):
            raise OSError(located)
        return located.read()
    except OSError as error:
        diagnostics.warn(SETTINGS_FILE, f"settings file not read: {error.strerror or error}")
        return b""


def load_settings(vault: Path, overrides: dict[str, Any], diagnostics: Diagnostics) -> Settings:
    """Read `vault/trellis.toml` (if any), apply `overrides` (flags), validate."""
    values: dict[str, Any] = {}
    path = vault / SETTINGS_FILE
    text = ""
    if path.is_file() or path.is_symlink():
        try:
            text = _read_settings_file(vault, diagnostics).decode("utf-8-sig")
            values = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise FatalError(f"{path}: invalid settings file: {error}") from None
    for key in [key for key in values if key.replace("-", "_") in COMMAND_LINE_ONLY]:
        diagnostics.warn(
            SETTINGS_FILE,
            f"setting {key!r} ignored: it is taken from the command line only "
            f"(a vault does not choose where Trellis writes outside its output folder)",
            _line_of(text, key),
        )
        del values[key]
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
        if wanted is list and name == "publish_canvases":
            value = _patterns(key, value, diagnostics)
        elif wanted is list:
            value = _extensions(key, value, diagnostics)
        checked[name] = value
    settings = replace(settings, **checked)
    for name, least in (("jobs", 1), ("workers_from", 1), ("memory_target_mib", 0)):
        if getattr(settings, name) < least:
            diagnostics.warn(SETTINGS_FILE, f"setting {name!r} must be at least {least}")
            settings = replace(settings, **{name: least})
    base = urlsplit(settings.base_url)
    if base.scheme not in ("", "http", "https") or (base.scheme and not base.netloc):
        diagnostics.warn(SETTINGS_FILE, f"base_url {settings.base_url!r} is not an http(s) URL")
        settings = replace(settings, base_url="/")
    return settings


def _line_of(text: str, key: str) -> int | None:
    """The line of the settings `text` setting `key`, for the warning; None if not found."""
    lines = text.splitlines()
    pattern = re.compile(rf"""\s*["']?{re.escape(key)}["']?\s*=""")
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), None)


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


def _patterns(key: str, values: list[Any], diagnostics: Diagnostics) -> tuple[str, ...]:
    """Vault paths or glob patterns, as written; anything but a string is a warning."""
    kept: list[str] = []
    for value in values:
        if isinstance(value, str) and value.strip():
            kept.append(value.strip().lstrip("/"))
        else:
            diagnostics.warn(SETTINGS_FILE, f"setting {key!r}: {value!r} is not a path pattern")
    return tuple(dict.fromkeys(kept))
