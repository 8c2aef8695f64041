"""What one build leaves for the next: parses, page keys, the report; in memory or a file.

Why: the command line runs a build per process, so what a build can reuse (each note's
parse, each page's key, what it published) goes into a cache file beside the output folder,
never inside it (it names private link targets and warnings about private notes, and must
never be deployed); `serve` keeps the same things in memory.

The cache is portable (a CI job restores it, with the vault and the output, into a new
folder where every file time is new): what it holds is keyed by content and settings, never
by absolute paths or file times. Two things make that so:

- a note dated by its file's time (no frontmatter date, no git history) keeps the time the
  build that first saw its current bytes used (`ParsedEntry.file_time`, `keep_file_times`):
  a checkout or a restored copy changes no page, and an edited note takes its file's time,
  as a build without the cache would;
- a page is taken over from the output folder only when its bytes hash as the cache
  recorded (`PageKeys.previous_digests`), so an output from another build is not trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trellis.config import SETTINGS_FILE, Settings
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.emit.graph import GraphFiles
from trellis.emit.search_shards import ShardRecord
from trellis.model.content import NoteContent
from trellis.public.redirects import PublishedURL
from trellis.render.templates import template_dirs, theme_files
from trellis.signature import input_signature
from trellis.vault.history import head_commit
from trellis.vault.records import SourceNote
from trellis.versions import output_versions

CACHE_VERSION = 6


@dataclass
class ParsedEntry:
    """A note's parse as the last build left it, valid while its bytes hash the same."""

    content_hash: str
    content: NoteContent
    warnings: list[Diagnostic]
    # The file time the note had when a build first saw these bytes (its date, when nothing
    # else dates it): a copy with new file times keeps the dates its pages show.
    file_time: float = 0.0


def keep_file_times(notes: Iterable[SourceNote], parsed: dict[str, ParsedEntry]) -> None:
    """Give each note whose bytes are those of its kept parse the file time kept with it.

    Run before anything reads a note's dates (`SourceNote.dates` is worked out once)."""
    for note in notes:
        kept = parsed.get(note.rel_path)
        if kept is not None and kept.content_hash == note.content_hash and kept.file_time:
            note.mtime = kept.file_time


@dataclass(frozen=True)
class Summary:
    """What a build reported, repeated as it is by a build that finds nothing changed."""

    notes: int
    pages: int
    attachments: int
    warnings: list[Diagnostic]


def read_cache(path: Path) -> dict[str, Any] | None:
    """The cache file's data, or None when it is missing, unreadable or from another version."""
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != (CACHE_VERSION, output_versions()):
        return None
    return data


def cache_bytes(
    parsed: dict[str, ParsedEntry],
    page_keys: dict[str, str],
    page_digests: dict[str, str],
    inputs: str,
    summary: Summary,
    search_shards: list[ShardRecord],
    attachments: dict[str, str],
    urls: list[PublishedURL],
    layout: str = "",
    graph: GraphFiles | None = None,
) -> bytes:
    """Parses (without tokens, which are cheap to re-make), page keys, the last report."""
    kept = {
        rel_path: ParsedEntry(
            entry.content_hash, entry.content.without_tokens(), entry.warnings, entry.file_time
        )
        for rel_path, entry in parsed.items()
    }
    data = {
        "version": (CACHE_VERSION, output_versions()),
        "parsed": kept,
        "page_keys": page_keys,
        "page_digests": page_digests,
        "inputs": inputs,
        "summary": summary,
        "search_shards": search_shards,
        "attachments": attachments,
        "urls": urls,
        "layout": layout,
        "graph": graph,
    }
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


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


def build_inputs(
    vault: Path, settings: Settings, own_paths: list[Path], published: dict[str, str]
) -> tuple[str, bool]:
    """The inputs' digest (equal: nothing changed) and whether the attachments the last
    build published (`published`: vault path -> hash) still have their bytes
    (`trellis.signature`).

    The number of worker processes is left out: it never changes what is written.
    """
    head = head_commit(vault) if settings.git_dates else ""
    context = repr((output_versions(), settings.for_output(), head))
    return input_signature(vault, context, own_paths, published)
