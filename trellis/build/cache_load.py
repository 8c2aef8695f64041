"""`CacheFileLoad`: how a `SiteBuilder` takes up the cache file a command-line build left.

In two steps, since most builds on the command line find nothing changed: `load_cache`
takes the file's head (the inputs' digest, the last report, the published attachments, the
stats of the files the last scan read), which is all such a build reads; `_take_rest` the
body (parses, page keys, search shards...: tens of MB at 10,000 notes) once the build has
work to do. A body found damaged then leaves the build as clean as a missing file.

A build that finds nothing changed writes nothing, but for one thing: when its scan recorded
many files the head did not hold as they are now (a checkout or a `touch`: the same bytes
with new stats, which it read and hashed), the head is written again, with the body as read
after it (`keep_seen`); else every later build would read and hash them again. A few such
files (one saved just before the last build's scan) cost less read again than the whole
file written (40 MB at 10,000 notes): `REWRITE_AFTER`.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from trellis.build.cache import CacheRead, ParsedEntry, Summary, load_cache_file
from trellis.build.cache_parts import PARTS, ParsedParts
from trellis.build.link_cache import LinkRecord, NamePart
from trellis.build.reach import ReachRecord
from trellis.build.search_index import SearchIndexState
from trellis.config import load_settings
from trellis.diagnostics import Diagnostics
from trellis.emit.graph import GraphFiles
from trellis.emit.output_files import FileStat
from trellis.emit.writer import OutputWriter, cache_path, site_finished
from trellis.public.redirects import PublishedURL
from trellis.signature import SeenFile

# Files read anew by an unchanged build's scan from which its head is written again: reading
# and hashing a note is ~50 us, writing the cache file ~0.1 s at 10,000 notes.
REWRITE_AFTER = 128


class CacheFileLoad:
    """The part of `SiteBuilder` that reads its cache file (the fields are the builder's)."""

    vault: Path
    out: Path | None
    overrides: dict[str, Any]
    _parsed: dict[str, ParsedEntry]
    _links: dict[str, LinkRecord]
    _reach: ReachRecord | None  # what the last build's plan recorded (`trellis.build.reach`)
    _names: dict[str, NamePart]  # each note's part of the names table (`names_table`)
    _page_keys: dict[str, str]
    _page_digests: dict[str, str]
    _inputs: str
    _published_attachments: dict[str, str]
    _last_out: Path | None
    _summary: Summary | None
    _search: SearchIndexState
    _layout: str
    _published_urls: list[PublishedURL]
    _graph_files: GraphFiles | None
    _file_stats: dict[str, FileStat]
    _cache_problem: str
    # The file read, until a build with work to do takes its body.
    _cache_rest: CacheRead | None = None
    # The files the last scan read, with their stats (`trellis.signature`).
    _seen: dict[str, SeenFile]
    # The parses as read from the file: unchanged ones are written back as read.
    _parsed_parts: ParsedParts | None = None

    def load_cache(self) -> None:
        """Take up the head of the cache the last build left beside the output folder (all an
        unchanged build reads); the rest waits for a build with work to do (`_take_rest`)."""
        assert self.out is not None, "the cache file lies beside the builder's output folder"
        settings = load_settings(self.vault, self.overrides, Diagnostics())
        read = load_cache_file(cache_path(self.out, settings.cache_folder(self.vault)))
        self._cache_problem, head = read.problem, read.data
        if head is None:
            return
        self._cache_rest, self._seen = read, head.get("seen", {})
        if site_finished(self.out):  # not one an update in place left midway
            self._last_out, self._inputs = self.out.absolute(), head["inputs"]
            self._published_attachments, self._summary = head["attachments"], head["summary"]

    def _take_rest(self) -> None:
        """The body of the file `load_cache` read: parses, page keys, search shards..."""
        if self._cache_rest is None:
            return
        read, self._cache_rest = self._cache_rest.with_body(), None
        self._cache_problem = read.problem
        if read.data is None:  # a damaged body: nothing of the file is used
            self._last_out, self._inputs, self._summary = None, "", None
            self._published_attachments = {}
            return
        data = read.data
        self._parsed, self._links = data["parsed"], data.get("links", {})
        self._names = data.get("names", {})
        self._parsed_parts = data.get(PARTS)
        self._page_keys, self._page_digests = data["page_keys"], data["page_digests"]
        self._published_urls = data.get("urls", [])
        if self._last_out is not None:
            self._search = SearchIndexState(data["search_shards"])
            self._layout, self._graph_files = data.get("layout", ""), data.get("graph")
            self._file_stats = data.get("file_stats", {})
            self._reach = data.get("reach")

    def keep_seen(self, writer: OutputWriter, seen: dict[str, SeenFile]) -> None:
        """For a build that found nothing changed: write the head again with the files its
        scan recorded (`seen`), when more than `REWRITE_AFTER` differ from the head's, the
        body as read after it."""
        read = self._cache_rest
        if read is None or read.data is None or not read.raw:
            return
        old = read.data.get("seen", {})
        if sum(1 for name, entry in seen.items() if old.get(name) != entry) <= REWRITE_AFTER:
            return
        head, body = {**read.data, "seen": seen}, memoryview(read.raw)[read.body_at :]

        def dump(file: BinaryIO) -> None:
            pickle.dump(head, file, protocol=pickle.HIGHEST_PROTOCOL)
            file.write(body)

        writer.write_cache(dump)
        self._cache_rest = replace(read, data=head)  # (`serve`: the file as it is now)
