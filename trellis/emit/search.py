"""The full-text search index: Pagefind run over the written site, at build time.

Why Pagefind, measured on the tud1 garden (1,371 notes, 9.8 M characters of note text) on
the 2-core build machine (busy with other work: figures are upper bounds):

=====================  ==============================  =================================
                       Pagefind 1.5.2                  lunr.py 0.8 (+ lunr.js in pages)
=====================  ==============================  =================================
index build            5.2 s alone (4.4 s CPU);        12.1 s build + 2.1 s serialise
                       11-13 s inside a loaded build
files written          11 MB in 1,447 files (5.8 MB    34 MB index JSON (6.9 MB gzip)
                       index chunks, 5.2 MB excerpts)  + 10.6 MB text store for excerpts
first query downloads  ~390 kB: pagefind.js 46 kB,     the whole index and text store
                       wasm 72 kB, one 200 kB index    (11 MB gzipped) before any result
                       chunk, ten excerpt fragments
later queries          100-260 kB each (cached after)  nothing more
query speed            8-40 ms per search, 25-90 ms    1-25 ms per word (lunr.py)
                       with ten excerpts; keystroke
                       to drawn results 200-270 ms
                       incl. the 120 ms debounce
excerpts, highlights   built in (`<mark>`)             our own code over the text store
=====================  ==============================  =================================

Pagefind splits its index into chunks by word and fetches only those a query needs, so
search on a large garden starts with kilobytes, not megabytes; it stems words for the page
language, builds excerpts with `<mark>` highlights, and runs from any static host (a JS
module plus WebAssembly, no server). lunr would make every visitor download the whole index
before the first result. Pagefind's own UI is not shipped: `static/search.js` is a small
dialog over `pagefind.js` that looks like the theme.

What gets indexed: Pagefind reads only `main[data-pagefind-body]` (the root selector), which
the templates put on note pages whose note is neither `dg-hide` nor `dg-enable-search:
false`. Pages without it (lists, tags, hidden notes, fragments) are skipped whatever a
template override does. Everything it reads is already published output in the staging
folder, so no private note can enter the index. Inside the root, the title, tags, headings
and body text are indexed; the sidebars and backlinks carry `data-pagefind-ignore`, and three
more parts are left out (`pagefind_cli.EXCLUDED`, so a theme override cannot bring them back):
- note embeds (`![[Other note]]`) and their placeholders: the embedded text is indexed on its
  own note's page, where Obsidian's search finds it too. Indexed again on every page that
  embeds it, it listed those pages as well, each with the other note's words as excerpt, and
  on the generated 10,000-note vault it cost 9% of Pagefind's memory and 8% of its time;
- breadcrumbs: the folder names above a note, the same on every page of the folder, so a
  search for a folder's name listed all its notes with the same excerpt;
- `[!metadata]` callouts (Snipd's and the Digital Garden's field blocks: `up::`, `type::`,
  `tags::`): labels and links, not prose, and standing first on a page they began every
  excerpt of it (inline fields elsewhere stay indexed, key and value). The title, tag line
  and an episode's header are kept out by the templates (`data-pagefind-ignore`) and given to
  Pagefind as metadata instead, which it searches too, so a note is still found by them.
The binary writes its bundle into a temporary folder; the files are then copied through the
`OutputWriter` to `_trellis/pagefind/` (Pagefind's own UI bundles left out). If Pagefind is
missing or fails, the build warns and goes on without search; the search box then says
search is unavailable.

Shards: Pagefind's memory grows with the pages one run indexes, so a site with more than
`SHARD_PAGES` searchable pages is indexed in the fewest runs of about that many, up to the
`jobs` setting at once (`trellis.emit.search_runs`), so the peak is that many runs'. A build
starts them as soon as the note pages are written and collects them after its other
outputs. Pages go to shards by the hash of their path and each shard is keyed by its pages'
bytes (`trellis.emit.search_shards`): a rebuild indexes only the shards whose pages changed
and takes the others over from the last output, checked. A run sees only its shard (one
shard too: the index then depends on the searchable pages alone): Pagefind reads the site
with a `--glob` naming exactly the shard's pages, so the URLs in its index are the pages'
own and runs at the same time do not see each other's pages. (Until session 10 each run read
hard links of its pages in `_trellis/.pagefind-pages-N/`, one folder per page; removing a
folder took 2-3 ms on the build machine (ext4 mounted with `discard`: a folder frees a block,
an empty file none and takes 2 us), 1.4-3.5 s of a one-note rebuild at 10,000 notes under
load. Pagefind's walk of the site for the glob costs ~0.2 s at 10,000 notes and grows with
the site's files; the links stay for pages no glob can name.)
Shard 1 is `_trellis/pagefind/`; shard N is `_trellis/pagefind/shard-N/` (no script, worker
or WebAssembly: the first bundle's serve all), listed in
`_trellis/pagefind/trellis-shards.json` (`{"shards": []}` with one). The extra shards live
inside the first bundle's folder so that whatever copies or swaps that folder
(`search_refresh.refresh_search_bundle`) takes every shard at once, and stale ones go with it.
`static/search.js` merges the shards with Pagefind's multisite API (`mergeIndex`): one
query, results from every shard ranked together by score. Two differences from one index:
each shard ranks with its own statistics (BM25's page count and average length), so near
ties among common words may order differently; and a word that no page of a shard has makes
that shard fall back to Pagefind's longest indexed prefix of it (`relatededge` matches
`related` there), which one index does only when no page has it: a rare word lists its real
hits first, then weaker prefix matches, and the count grows.
What Pagefind costs, in one run and in shards: see `trellis.emit.search_shards`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.emit import pagefind_cli
from trellis.emit.pagefind_cli import pagefind_binary
from trellis.emit.search_early import EarlyShards, finish_early
from trellis.emit.search_runs import IndexOne, ShardRuns
from trellis.emit.search_shards import (
    BundleFile,
    LastBundle,
    ShardedIndex,
    ShardPlan,
    ShardRecord,
    assemble_index,
    engine_id,
    page_digests_in,
    plan_index,
    plan_shards,
    shard_folder,
)
from trellis.emit.writer import OutputWriter
from trellis.i18n import note_language, primary
from trellis.public.site import PublicSite

BUNDLE_DIR = "_trellis/pagefind"
# Most pages one Pagefind run indexes, and so what one edit re-indexes (`search_shards`).
SHARD_PAGES = 500
# In the first bundle: the folders of the other shards, relative to it (read by search.js).
SHARD_LIST = "trellis-shards.json"
# Where shard N's pages are linked while Pagefind reads them (`_SHARD_PAGES_DIR-N`), inside
# the site being indexed (the same file system, so hard links work; removed after the run).
_SHARD_PAGES_DIR = "_trellis/.pagefind-pages"
# A build's Pagefind output, in its staging folder until copied into `BUNDLE_DIR`: whatever
# stops the build, `OutputWriter.abort` removes it with the rest.
_WORK_DIR = "_trellis/.pagefind-work"

# Languages written without spaces between words, which only the extended build segments.
SEGMENTED = frozenset({"zh", "ja"})


@dataclass(frozen=True)
class Searchable:
    """The output paths of the pages marked `data-pagefind-body` (see `note_page`), sorted:
    the shard order; and whether one is in Chinese or Japanese (its `lang` or the site's),
    which only the extended Pagefind segments. Made once a build and handed on: each was a
    pass over every note, made up to five times."""

    pages: list[str]
    segmented: bool

    @cached_property
    def shards(self) -> list[list[str]]:
        """The pages in shards (`plan_shards`): planned once a build, for the shards walked
        early and for the index (a hash per page: 9 ms at 10,000 notes)."""
        return plan_shards(self.pages, SHARD_PAGES)


def searchable(site: PublicSite) -> Searchable:
    default = site.settings.language
    shown = [n for n in site.notes if n.display.enable_search and not n.display.hidden]
    if primary(default) in SEGMENTED:
        segmented = any(primary(note_language(n.meta) or default) in SEGMENTED for n in shown)
    else:  # only a note's own `lang` can make it so (most notes have none)
        metas = [n.meta for n in shown]
        segmented = any(
            primary(note_language(meta) or default) in SEGMENTED
            for meta in metas
            if "lang" in meta or "language" in meta
        )
    return Searchable(sorted({n.output_path for n in shown}), segmented)


def searchable_pages(site: PublicSite) -> list[str]:
    """`Searchable.pages` alone."""
    return searchable(site).pages


def start_search(
    site: PublicSite,
    writer: OutputWriter,
    diagnostics: Diagnostics,
    page_digests: dict[str, str] | None = None,
    last_records: list[ShardRecord] | None = None,
    early: EarlyShards | None = None,
    found: Searchable | None = None,
    present: Container[str] = (),
) -> SearchRun:
    """Begin indexing the staged site's note pages (`found`, else made here), shard by
    shard, up to the `jobs` setting at once, in the background; a shard whose pages the
    last output's index (`writer.previous`, `last_records`) shows unchanged is taken over,
    one walked `early` is finished. Call once every note page is written (those of
    `present` were taken over: there)."""
    found = found or searchable(site)
    if not found.pages:
        if early is not None:
            early.cancel()
        return SearchRun(writer, diagnostics, ShardedIndex())
    binary = pagefind_binary(extended=found.segmented)
    if binary is None:  # (then nothing was walked early)
        diagnostics.warn(
            "", "search index not built: Pagefind is not installed (pip install 'pagefind[bin]')"
        )
        return SearchRun(writer, diagnostics, ShardedIndex(problem="no Pagefind"))
    last = writer.previous / BUNDLE_DIR if writer.previous is not None else None
    work = writer.staging / _WORK_DIR
    work.mkdir(parents=True, exist_ok=True)
    checked = LastBundle(last, writer, f"{BUNDLE_DIR}/") if last is not None else None
    pages = page_digests_in(writer.staging, found.pages, page_digests or {}, present)
    plan, index_one = plan_runs(
        binary, writer.staging, found, pages, work, last_records, checked, early
    )
    runs = ShardRuns(index_one, plan.to_index(), site.settings.jobs).start()
    return SearchRun(writer, diagnostics, indexing=_Indexing(plan, runs, last, work, early))


class SearchRun:
    """A build's search index begun by `start_search`: Pagefind runs while the build makes
    its other outputs; `finish` waits and puts the bundle into the staging folder, `cancel`
    (a build failing or interrupted) kills every Pagefind still running. Either, once."""

    def __init__(
        self,
        writer: OutputWriter,
        diagnostics: Diagnostics,
        done: ShardedIndex | None = None,
        indexing: _Indexing | None = None,
    ) -> None:
        self.writer, self.diagnostics = writer, diagnostics
        self._done, self._indexing = done, indexing

    def finish(self) -> ShardedIndex:
        """Wait for Pagefind and write the bundle; a problem is a warning, never an error."""
        if self._indexing is None:
            assert self._done is not None
            return self._done
        writer, indexing, self._indexing = self.writer, self._indexing, None
        try:
            index = indexing.finish()
            # Pagefind may have read those pages through hard links (`plan_runs`): stats moved.
            writer.relinked(page for _, pages in indexing.plan.to_index() for page in pages)
            names, digests = index.kept_files()
            if names:  # (taken over only from a last output: `assemble_index`)
                assert writer.previous is not None
                kept = [f"{BUNDLE_DIR}/{name}" for name in names]
                missing = writer.reuse_files(kept, writer.previous, digests)
                if missing:
                    index.problem = f"{missing} could not be written"
            for file in index.files:
                target = f"{BUNDLE_DIR}/{file.path}"
                # A file the last build's record of its shard lists with these bytes is
                # likely there already: checked as a kept file is (its stat, else its hash).
                copied = (
                    file.recorded
                    and writer.previous is not None
                    and writer.reuse(target, writer.previous, file.digest)
                ) or writer.copy_file(target, file.source)
                if not copied:
                    index.problem = index.problem or f"{target} could not be written"
        finally:
            indexing.cancel()
        if index.problem:
            self.diagnostics.warn("", f"search index not built: {index.problem}")
        return index

    def cancel(self) -> None:
        """Stop indexing: no Pagefind left running, its work folder removed."""
        if self._indexing is not None:
            self._indexing.cancel()
            self._indexing = None


class _Indexing:
    """Pagefind running over the shards of `plan` to index (`runs`), writing into `work`."""

    def __init__(
        self, plan: ShardPlan, runs: ShardRuns, last: Path | None, work: Path,
        early: EarlyShards | None = None,
    ) -> None:  # fmt: skip
        self.plan, self.runs, self.last, self.work = plan, runs, last, work
        self.early = early

    def finish(self) -> ShardedIndex:
        """The new index, or its problem, once every run ended (`with_shard_list`)."""
        problem, made = self.runs.wait()
        if problem:
            return ShardedIndex(problem=problem)
        return with_shard_list(assemble_index(self.plan, self.last, made), self.work)

    def cancel(self) -> None:
        self.runs.cancel()
        if self.early is not None:
            self.early.cancel()
        shutil.rmtree(self.work, ignore_errors=True)


def plan_runs(
    binary: Path,
    site_dir: Path,
    found: Searchable,
    pages: dict[str, str],
    scratch: Path,
    last_records: list[ShardRecord] | None,
    last_bundle: LastBundle | None,
    early: EarlyShards | None = None,
) -> tuple[ShardPlan, IndexOne]:
    """The shards of the searchable pages (`found`) written in `site_dir` (`pages`, with
    their digests; `plan_index`: those the last bundle holds unchanged are taken over), and
    how to index one of the others: one Pagefind run writing into `scratch`.

    Each run sees only its shard's pages: Pagefind reads the site with a glob naming
    exactly them (`pagefind_cli.pages_glob`), or, where no glob can, hard links (copies
    where links fail) at the same paths in a folder of its own inside the site; either
    way the URLs in the index are the pages' own, and runs at the same time do not see
    each other's pages.
    """
    engine = engine_id(binary)

    def index_one(
        number: int, shard: list[str], stop: Callable[[], bool]
    ) -> tuple[str, list[tuple[str, Path]]]:
        bundle = scratch / f"bundle-{number}"
        problem = finish_early(early, number, shard, site_dir, bundle, stop)
        if problem is None:  # not walked early (or that failed): the command line
            problem = _run_shard(binary, site_dir, bundle, scratch, stop, number, shard)
        if problem and problem != pagefind_cli.STOPPED:
            problem = f"{problem} (shard {number})"
        folder = shard_folder(number)
        files = [] if problem else pagefind_cli.bundle_files(bundle, shared=number == 1)
        return problem, [(folder + p.relative_to(bundle).as_posix(), p) for p in files]

    # Shards planned with every searchable page; one not written (refused) leaves them.
    shards = found.shards if len(pages) == len(found.pages) else None
    plan = plan_index(pages, SHARD_PAGES, engine, last_bundle, last_records, shards)
    return plan, index_one


def _run_shard(
    binary: Path, site_dir: Path, bundle: Path, scratch: Path, stop: Callable[[], bool],
    number: int, shard: list[str],
) -> str:  # fmt: skip
    """One run of the command line over `shard`'s pages in `site_dir` (see `plan_runs`)."""
    glob = pagefind_cli.pages_glob(shard)
    problem = pagefind_cli.GLOB_REFUSED
    if glob is not None:  # Pagefind reads the shard's pages where they are
        problem = pagefind_cli.run_pagefind(binary, site_dir, bundle, scratch, stop, glob)
    if pagefind_cli.GLOB_REFUSED in problem:  # no glob names them: hard links do
        shutil.rmtree(bundle, ignore_errors=True)
        linked = site_dir / f"{_SHARD_PAGES_DIR}-{number}"
        try:
            pagefind_cli.link_pages(site_dir, shard, linked)
            problem = pagefind_cli.run_pagefind(binary, linked, bundle, scratch, stop)
        except OSError as error:
            problem = f"cannot gather the pages of a shard: {error.strerror or error}"
        finally:
            shutil.rmtree(linked, ignore_errors=True)
    return problem


def with_shard_list(index: ShardedIndex, scratch: Path) -> ShardedIndex:
    """`index` with the shard list added (the folders of shards 2 and up, for search.js)."""
    listing = scratch / SHARD_LIST
    listing.parent.mkdir(parents=True, exist_ok=True)
    extra = [shard_folder(number) for number in range(2, len(index.records) + 1)]
    listing.write_text(json.dumps({"shards": extra}) + "\n", encoding="utf-8")
    index.files.append(BundleFile(SHARD_LIST, listing, ""))
    return index
