"""What one build leaves for the next: parses, page keys, the report; in memory or a file.

Why: the command line runs a build per process, so what a build can reuse (each note's
parse, each page's key, what it published) goes into a cache file beside the output folder,
never inside it (it names private link targets and warnings about private notes, and must
never be deployed); `serve` keeps the same things in memory.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trellis.config import SETTINGS_FILE
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.model.content import NoteContent
from trellis.public.redirects import PublishedURL
from trellis.render.templates import template_dirs, theme_files
from trellis.versions import output_versions

CACHE_VERSION = 3


@dataclass
class ParsedEntry:
    """A note's parse as the last build left it, valid while its bytes hash the same."""

    content_hash: str
    content: NoteContent
    warnings: list[Diagnostic]


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
    inputs: str,
    summary: Summary,
    search_key: str,
    attachments: dict[str, str],
    urls: list[PublishedURL],
) -> bytes:
    """Parses (without tokens, which are cheap to re-make), page keys, the last report."""
    kept = {
        rel_path: ParsedEntry(entry.content_hash, entry.content.without_tokens(), entry.warnings)
        for rel_path, entry in parsed.items()
    }
    data = {
        "version": (CACHE_VERSION, output_versions()),
        "parsed": kept,
        "page_keys": page_keys,
        "inputs": inputs,
        "summary": summary,
        "search_key": search_key,
        "attachments": attachments,
        "urls": urls,
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
