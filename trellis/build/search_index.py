"""The build's search stage: index the shards whose pages changed, or keep the last index.

Begun as soon as the note pages are written and ended after the other outputs
(`start_index`, `SearchStage.finish`): Pagefind runs in the background meanwhile
(`trellis.emit.search_runs`). The shards of the notes whose bytes changed are begun earlier
still, once the notes are parsed and linked (`begin_index`, `trellis.emit.search_early`).

What a builder keeps between builds for it is `SearchIndexState`: the records of the last
index's shards (keys and file hashes, `trellis.emit.search_shards`), whether that index is
stale (it shows pages as they were: `serve` indexes again when idle), and which pages it
indexes. The records always describe the bundle in the last output, stale or not, so the
next build or refresh re-indexes exactly the shards whose pages changed since.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.emit import search
from trellis.emit.search import (
    BUNDLE_DIR,
    Searchable,
    SearchRun,
    pagefind_binary,
    searchable,
    start_search,
)
from trellis.emit.search_early import EarlyShards, start_early
from trellis.emit.search_shards import (
    ShardedIndex,
    ShardRecord,
    engine_id,
    page_digests_in,
    shards_current,
)
from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite


@dataclass(frozen=True)
class SearchIndexState:
    """The last output's search index: its shards, whether it is stale, its pages."""

    records: list[ShardRecord] = field(default_factory=list)
    stale: bool = False
    searchable: frozenset[str] = frozenset()


class SearchStage:
    """The search stage of one build, begun by `start_index` once the note pages are
    written (Pagefind reads nothing else) and ended by `finish` after the other outputs,
    or by `cancel` when the build fails: no Pagefind is left running either way."""

    def __init__(
        self,
        searchable: frozenset[str],
        kept: SearchIndexState | None = None,
        run: SearchRun | None = None,
        early: EarlyShards | None = None,
        found: Searchable | None = None,
    ) -> None:
        self.searchable, self._kept, self._run = searchable, kept, run
        self.early = early  # shards walked before the pages were written (`begin_index`)
        self.found = found  # the pages to index, when `begin_index` made them

    def finish(self) -> tuple[SearchIndexState, ShardedIndex]:
        """The new index's state and what indexing did (the last index's, when kept)."""
        if self._run is None:
            assert self._kept is not None
            return self._kept, ShardedIndex()
        index = self._run.finish()
        return SearchIndexState(index.records, False, self.searchable), index

    def cancel(self) -> None:
        if self._run is not None:
            self._run.cancel()
        if self.early is not None:
            self.early.cancel()


def begin_index(
    site: PublicSite, writer: OutputWriter, changed: Iterable[str], defer: bool
) -> SearchStage:
    """The search stage begun before the pages are written: the shards of the pages of
    `changed` (notes whose bytes changed) walked early, for `start_index` to finish. Not
    with `defer` (serve may take the last index over) or with forked workers (the caller)."""
    if defer:
        return SearchStage(frozenset())
    found = searchable(site)
    binary = pagefind_binary(extended=found.segmented) if found.pages else None
    if binary is None:
        return SearchStage(frozenset(), found=found)
    early = start_early(binary, writer, found.shards, changed, site.settings.jobs)
    return SearchStage(frozenset(), early=early, found=found)


def start_index(
    site: PublicSite,
    writer: OutputWriter,
    diagnostics: Diagnostics,
    page_digests: dict[str, str],
    last: SearchIndexState,
    defer: bool,
    begun: SearchStage | None = None,
    present: Container[str] = (),
) -> SearchStage:
    """Start indexing the staged site (only the shards that changed; those `begun` walked
    are finished), or with `defer` (serve) take the last index over as it is, stale, while
    no page left it: a stale index may hold old text of published pages, never a page that
    is no longer published. The pages of `present` were taken over: they are there."""
    early = begun.early if begun is not None else None
    if early is not None:  # their bundles made while the others are planned
        early.begin(writer.staging)
    found = (begun.found if begun is not None else None) or searchable(site)
    pages = frozenset(found.pages)
    previous = writer.previous
    if (
        defer
        and previous is not None
        and pages >= last.searchable
        and not _current(found, writer.staging, page_digests, last.records)
        and writer.reuse_tree(BUNDLE_DIR, previous)
    ):
        if early is not None:
            early.cancel()
        return SearchStage(pages, SearchIndexState(last.records, True, last.searchable))
    run = start_search(site, writer, diagnostics, page_digests, last.records, early, found, present)
    return SearchStage(pages, run=run)


def _current(
    found: Searchable, site_dir: Path, page_digests: dict[str, str], records: list[ShardRecord]
) -> bool:
    """Would indexing take every shard over (no Pagefind run)?"""
    binary = pagefind_binary(extended=found.segmented)
    if binary is None:
        return True
    pages = page_digests_in(site_dir, found.pages, page_digests)
    return shards_current(pages, search.SHARD_PAGES, engine_id(binary), records)
