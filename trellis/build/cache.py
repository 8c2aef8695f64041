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
  recorded (`PageKeys.previous_digests`), so an output from another build is not trusted;
  the stat of each file recorded after the build (`file_stats`) spares the hashing while
  the file is the very one that build left (`trellis.emit.output_files`): a copy has new
  inodes and change times, so it is hashed.

The file holds two pickles: a small head (the inputs' digest, the last report, the published
attachments, the stats of the files the scan read: all an unchanged build reads, see
`trellis.signature`), then the body (parses, page keys and digests, search shards, URLs,
graph files, output stats: 46 MB at 10,000 notes, most of an unchanged build's time when it
was one pickle), written by `trellis.build.cache_dump`. `load_cache_file` reads the head;
`CacheRead.with_body` the rest, once a build has work to do.

Both are read by `_CacheUnpickler`, which builds only the plain record classes a
cache holds (`CACHE_CLASSES`): a cache restored from elsewhere (a CI cache a pull request
wrote) must not run code, and plain pickle calls whatever the file names. What cannot be
read so, or holds data of the wrong shape, is rejected with a message (`CacheRead.problem`)
and the build starts clean.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from trellis.build.cache_checks import (
    column,
    diagnostics,
    episode_record,
    fields_of,
    file_stats,
    graph_files,
    lengths,
    only,
    sound_contents,
    stat_values,
    str_map,
)
from trellis.build.cache_parts import PARTS, ParsedParts, decode_parses
from trellis.build.link_cache import names_well_formed
from trellis.build.link_cache import well_formed as links_well_formed
from trellis.build.reach import well_formed as reach_well_formed
from trellis.diagnostics import Diagnostic
from trellis.emit.search_shards import ShardRecord
from trellis.episodes.kept import EpisodeRecord
from trellis.model.content import Heading, LinkRef, NoteContent
from trellis.public.redirects import PublishedURL
from trellis.vault.records import SourceNote
from trellis.versions import output_versions

# 9: a head before the body; 10: parses as slotted classes, query facts only where queries may be;
# 11: where notes' links went (`links`, `trellis.build.link_cache`); 12: frontmatter blocks;
# 13: what an edit can reach (`reach`, `trellis.build.reach`), site globals in page keys,
# `ParsedEntry.plain` and `quiet`; 14: each parse pickled alone (`trellis.build.cache_parts`),
# a graph entry in each seat, `GraphFiles.whole`; 15: the tag index and the file tree's key
# in `reach` (`trellis.build.reach_kept`), each note's part of the names table (`names`)
CACHE_VERSION = 15


@dataclass
class ParsedEntry:
    """A note's parse as the last build left it, valid while its bytes hash the same."""

    content_hash: str
    content: NoteContent
    warnings: list[Diagnostic]
    # The file time the note had when a build first saw these bytes (its date, when nothing
    # else dates it): a copy with new file times keeps the dates its pages show.
    file_time: float = 0.0
    # Its episode reading, when it is an episode note (`trellis.episodes.kept`).
    episode: EpisodeRecord | None = None
    # True once a build found it does not look like an episode note (`looks_like_episode`,
    # a function of its bytes): the next build does not test it again.
    plain: bool = False
    # True when its text holds no query mark (`holds_query_marks`, a function of its bytes).
    quiet: bool = False


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


# (module, name) of every class a cache file may hold: records of plain data whose
# construction runs no code of the file's choosing.
CACHE_CLASSES = frozenset(
    {
        ("trellis.build.cache", "ParsedEntry"),
        ("trellis.build.cache", "Summary"),
        ("datetime", "date"),
        ("trellis.diagnostics", "Diagnostic"),
        ("trellis.episodes.kept", "EpisodeRecord"),
        ("trellis.episodes.model", "AudioSource"),
        ("trellis.episodes.model", "Episode"),
        ("trellis.episodes.model", "Snip"),
        ("trellis.emit.graph", "GraphFiles"),
        ("trellis.emit.search_shards", "ShardRecord"),
        ("trellis.model.content", "Heading"),
        ("trellis.model.content", "LinkRef"),
        ("trellis.model.content", "NoteContent"),
        ("trellis.public.redirects", "PublishedURL"),
        ("trellis.query.facts", "QueryBlock"),
        ("trellis.query.view", "ItemFacts"),
        ("trellis.query.view", "PageFacts"),
    }
)


CLEAN = "; it was not used: every page is built again"


# Each class of `CACHE_CLASSES` as found once (each of 9,000 parses is its own pickle,
# naming its classes again).
_FOUND: dict[tuple[str, str], Any] = {}


class _CacheUnpickler(pickle.Unpickler):
    """Unpickles the classes in `CACHE_CLASSES` and the builtin containers, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        found = _FOUND.get((module, name))
        if found is not None:
            return found
        if (module, name) not in CACHE_CLASSES:
            raise pickle.UnpicklingError(f"it names {module}.{name}, which no build cache holds")
        found = _FOUND[module, name] = super().find_class(module, name)
        return found


# What the head of the file holds (the rest is the body).
HEAD_KEYS = ("version", "inputs", "summary", "attachments", "seen")


@dataclass(frozen=True)
class CacheRead:
    """A cache file's data, or why there is none (`problem` empty: the file is missing).

    After `load_cache_file`, `data` holds the head's records; `with_body` adds the rest."""

    data: dict[str, Any] | None
    problem: str = ""
    path: Path | None = None
    # The file's bytes, and where its body starts in them.
    raw: bytes = b""
    body_at: int = 0

    def with_body(self) -> CacheRead:
        """The whole cache: the head's records and the body's, or why it cannot be used."""
        if self.data is None or self.path is None or "parsed" in self.data:
            return self
        stream = io.BytesIO(self.raw)  # shares the bytes, no copy
        stream.seek(self.body_at)
        body = _unpickled(self.path, stream)
        if isinstance(body, str):
            return CacheRead(None, body, self.path)
        return _checked({**self.data, **body} if isinstance(body, dict) else {}, self.path)


def _checked(data: dict[str, Any], path: Path) -> CacheRead:
    """The whole cache `data`, if every record has the type a build reads it as; the parses
    decoded from their parts (`trellis.build.cache_parts`)."""
    decoded = decode_parses(data.get("parsed"), _CacheUnpickler)
    if decoded is None:
        return CacheRead(None, _damaged(path), path)
    entries, blobs = decoded
    data = {**data, "parsed": entries}
    if not _well_formed(data):
        return CacheRead(None, _damaged(path), path)
    parts = ParsedParts()
    for rel_path, entry in entries.items():
        content = entry.content
        if content._tokens is not None or content._env is not None or content.loader is not None:
            entry.content = content = content.without_tokens()  # no loader, tokens or env
        # Headings and links as the file keeps them (plain tuples, checked): records again.
        content.headings = list(map(tuple.__new__, repeat(Heading), content.headings))
        content.links = list(map(tuple.__new__, repeat(LinkRef), content.links))
        if rel_path in blobs:
            parts.remember(rel_path, entry, blobs[rel_path])
    return CacheRead({**data, PARTS: parts}, "", path)


def load_cache_file(path: Path) -> CacheRead:
    """Read the head of the cache file at `path` (`CacheRead.with_body` reads the rest);
    reject one that is not a cache this Trellis wrote."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return CacheRead(None)
    except OSError as error:
        return CacheRead(None, f"{path} is not a build cache Trellis can read ({error}){CLEAN}")
    stream = io.BytesIO(raw)
    head = _unpickled(path, stream)
    if isinstance(head, str):
        return CacheRead(None, head)
    if not isinstance(head, dict) or head.get("version") != (CACHE_VERSION, output_versions()):
        return CacheRead(None, f"{path} was written by another version of Trellis{CLEAN}")
    if not _head_well_formed(head):
        return CacheRead(None, _damaged(path))
    if "parsed" in head:  # a file of one pickle (as tests write): the body is in the head
        return _checked(head, path)
    return CacheRead(head, "", path, raw, stream.tell())


def _unpickled(path: Path, stream: io.BytesIO) -> Any:
    """The next object pickled in `stream`, or the problem (a string) if it is not one."""
    try:
        return _CacheUnpickler(stream).load()
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, KeyError) as error:
        return f"{path} is not a build cache Trellis can read ({error}){CLEAN}"
    except Exception as error:  # a garbled pickle can fail in any way; nothing ran
        return f"{path} is not a build cache Trellis can read ({error!r}){CLEAN}"


def _damaged(path: Path) -> str:
    return f"{path} is damaged (its records are not of the expected types){CLEAN}"


def read_cache(path: Path) -> dict[str, Any] | None:
    """The whole cache file's data, or None when it is missing, unreadable or from another
    version (without the parts it was read from: the records alone)."""
    data = load_cache_file(path).with_body().data
    return None if data is None else {k: v for k, v in data.items() if k != PARTS}


def _head_well_formed(head: dict[str, Any]) -> bool:
    """Has every record of the head the type the build reads it as?"""
    seen = head.get("seen", {})
    if not (
        str_map(head.get("attachments"))
        and isinstance(head.get("inputs"), str)
        and _summary(head.get("summary"))
        and type(seen) is dict
        and only(seen, str)
    ):
        return False
    values = list(seen.values())
    if not (only(values, tuple) and lengths(values, 2)):
        return False
    return only(map(itemgetter(1), values), str) and stat_values(list(map(itemgetter(0), values)))


def _summary(summary: Any) -> bool:
    return (
        type(summary) is Summary
        and fields_of([summary], {"notes": (int,), "pages": (int,), "attachments": (int,)})
        and type(summary.warnings) is list
        and diagnostics(summary.warnings)
    )


def _urls(urls: Any) -> bool:
    """A list of `PublishedURL`s of strings."""
    return (
        type(urls) is list
        and only(urls, PublishedURL)
        and fields_of(urls, {"url": (str,), "rel_path": (str,), "content_hash": (str,)})
    )


def _sound_parses(parsed: Any) -> bool:
    """Is `parsed` vault path -> `ParsedEntry`, down to each value its content holds?"""
    if type(parsed) is not dict or not only(parsed, str):
        return False
    entries = list(parsed.values())
    return (
        only(entries, ParsedEntry)
        and fields_of(
            entries,
            {
                "content_hash": (str,),
                "warnings": (list,),
                "file_time": (int, float),
                "plain": (bool,),
                "quiet": (bool,),
            },
        )
        and diagnostics(chain.from_iterable(column(entries, "warnings")))
        and all(map(episode_record, column(entries, "episode")))
        and sound_contents(column(entries, "content"))
    )


def _well_formed(data: dict[str, Any]) -> bool:
    """Has every record the type the build reads it as (a damaged file could crash a build)?"""
    return (
        _head_well_formed(data)
        and _sound_parses(data.get("parsed"))
        and str_map(data.get("page_keys"))
        and str_map(data.get("page_digests"))
        and isinstance(data.get("layout", ""), str)
        and isinstance(data.get("search_shards"), list)
        and all(
            isinstance(record, ShardRecord)
            and isinstance(record.key, str)
            and str_map(record.files)
            for record in data["search_shards"]
        )
        and _urls(data.get("urls", []))
        and graph_files(data.get("graph"))
        and file_stats(data.get("file_stats", {}))
        and links_well_formed(data.get("links", {}))
        and names_well_formed(data.get("names", {}))
        and (data.get("reach") is None or reach_well_formed(data["reach"]))
    )
