"""The preview's refresh of the search index: the shards whose pages changed indexed again,
then the new bundle swapped in whole (`refresh_search_bundle`).

Why apart from `trellis.emit.search`: a build writes its bundle through its writer while
the rest of the site is made; the preview, idle after an edit, re-indexes the finished
site in place and must keep serving the old bundle until the new one is complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.emit import pagefind_cli
from trellis.emit.pagefind_cli import pagefind_binary
from trellis.emit.search import BUNDLE_DIR, plan_runs, searchable, with_shard_list
from trellis.emit.search_runs import ShardRuns
from trellis.emit.search_shards import (
    LastBundle,
    ShardedIndex,
    ShardRecord,
    assemble_index,
    page_digests_in,
)
from trellis.public.site import PublicSite


def refresh_search_bundle(
    site: PublicSite,
    out: Path,
    diagnostics: Diagnostics,
    stop: Callable[[], bool],
    page_digests: dict[str, str] | None = None,
    last_records: list[ShardRecord] | None = None,
) -> ShardedIndex | None:
    """Index the finished site in `out` again (only the shards whose pages changed since
    `last_records`) and swap the new bundle in (the preview's in-place edits); None when
    `stop` said so while Pagefind ran, or it failed.

    The old bundle, all its shards, is served until every new shard is complete: the swap
    is two renames of `BUNDLE_DIR`, which holds the shards, so stale ones go with it. The
    shards are indexed one after another: the preview refreshes while idle, and leaves the
    other core to the next save.
    """
    found = searchable(site)
    if not found.pages:
        return ShardedIndex()
    binary = pagefind_binary(extended=found.segmented)
    if binary is None:
        return ShardedIndex()  # the full build said so already
    target = out / BUNDLE_DIR
    fresh, old = target.with_name(".pagefind-new"), target.with_name(".pagefind-old")
    with tempfile.TemporaryDirectory(prefix="trellis-pagefind-") as scratch:
        work = Path(scratch)
        last = LastBundle(target)
        pages = page_digests_in(out, found.pages, page_digests or {})
        plan, index_one = plan_runs(binary, out, found, pages, work, last_records, last)
        problem, made = ShardRuns(index_one, plan.to_index(), 1, stop).run()
        index = ShardedIndex(problem=problem) if problem else assemble_index(plan, target, made)
        if index.problem:
            if index.problem != pagefind_cli.STOPPED:
                diagnostics.warn("", f"search index not refreshed: {index.problem}")
            return None
        with_shard_list(index, work)
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        kept, _ = index.kept_files()
        sources = [(f.path, str(f.source)) for f in index.files]
        for name, source in [*sources, *((name, f"{target}/{name}") for name in kept)]:
            copy = fresh / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, copy)
            except OSError:
                shutil.copyfile(source, copy)
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    return index
