"""The build's search stage: index the shards whose pages changed, or keep the last index.

What a builder keeps between builds for it is `SearchIndexState`: the records of the last
index's shards (keys and file hashes, `trellis.emit.search_shards`), whether that index is
stale (it shows pages as they were: `serve` indexes again when idle), and which pages it
indexes. The records always describe the bundle in the last output, stale or not, so the
next build or refresh re-indexes exactly the shards whose pages changed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.emit import search
from trellis.emit.search import (
    BUNDLE_DIR,
    emit_search,
    needs_segmentation,
    pagefind_binary,
    searchable_pages,
)
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


def index_site(
    site: PublicSite,
    writer: OutputWriter,
    diagnostics: Diagnostics,
    page_digests: dict[str, str],
    last: SearchIndexState,
    defer: bool,
) -> tuple[SearchIndexState, ShardedIndex]:
    """Index the staged site (only the shards that changed), or with `defer` (serve) take
    the last index over as it is, stale, while no page left it: a stale index may hold
    old text of published pages, never a page that is no longer published."""
    searchable = frozenset(searchable_pages(site))
    previous = writer.previous
    if (
        defer
        and previous is not None
        and searchable >= last.searchable
        and not _current(site, writer.staging, page_digests, last.records)
        and writer.reuse_tree(BUNDLE_DIR, previous)
    ):
        return SearchIndexState(last.records, True, last.searchable), ShardedIndex()
    index = emit_search(site, writer, diagnostics, page_digests, last.records)
    return SearchIndexState(index.records, False, searchable), index


def _current(
    site: PublicSite, site_dir: Path, page_digests: dict[str, str], records: list[ShardRecord]
) -> bool:
    """Would indexing take every shard over (no Pagefind run)?"""
    binary = pagefind_binary(extended=needs_segmentation(site))
    if binary is None:
        return True
    pages = page_digests_in(site_dir, searchable_pages(site), page_digests)
    return shards_current(pages, search.SHARD_PAGES, engine_id(binary), records)
