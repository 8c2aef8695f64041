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
more parts are left out here (`EXCLUDED`, so a theme override cannot bring them back):
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
`SHARD_PAGES` searchable pages is indexed in the fewest runs of about that many, one after
another, so the peak is one run's. Pages go to shards by the hash of their path and each
shard is keyed by its pages' bytes (`trellis.emit.search_shards`): a rebuild indexes only
the shards whose pages changed and takes the others over from the last output, checked. A
run sees only its shard (one shard too: the index then depends on the searchable pages
alone): hard links (copies where links fail) of its pages at the same paths in
`_trellis/.pagefind-pages/` inside the site, removed when it ends, so the URLs in its index
are the pages' own. Shard 1 is `_trellis/pagefind/`; shard N is
`_trellis/pagefind/shard-N/` (no script, worker or WebAssembly: the first bundle's serve
all), listed in `_trellis/pagefind/trellis-shards.json` (`{"shards": []}` with one). The
extra shards live inside the first bundle's folder so that whatever copies or swaps that
folder (`refresh_search_bundle`) takes every shard at once, and stale ones go with it.
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
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.emit.search_shards import (
    BundleFile,
    ShardedIndex,
    ShardRecord,
    engine_id,
    index_in_shards,
    page_digests_in,
    shard_folder,
)
from trellis.emit.writer import OutputWriter
from trellis.i18n import note_language, primary
from trellis.public.site import PublicSite

BUNDLE_DIR = "_trellis/pagefind"
ROOT_SELECTOR = "main[data-pagefind-body]"
# Left out of the index (see above): embedded notes and placeholders, and breadcrumbs.
EXCLUDED = (
    ".internal-embed.markdown-embed",
    "nav.breadcrumbs",
    '.callout[data-callout="metadata"]',
)
# Most pages one Pagefind run indexes, and so what one edit re-indexes (`search_shards`).
SHARD_PAGES = 1000
# In the first bundle: the folders of the other shards, relative to it (read by search.js).
SHARD_LIST = "trellis-shards.json"
# Where a shard's pages are linked while Pagefind reads them, inside the site being indexed
# (the same file system, so hard links work; removed before the site is used).
_SHARD_PAGES_DIR = "_trellis/.pagefind-pages"
TIMEOUT_SECONDS = 600
# How often a running Pagefind checks whether it should stop (`refresh_search_bundle`).
STOP_POLL_SECONDS = 0.05
STOPPED = "stopped"
# Pagefind's ready-made UIs and the highlight script: our own dialog replaces them.
_UNUSED_PREFIXES = (
    "pagefind-ui",
    "pagefind-component-ui",
    "pagefind-modular-ui",
    "pagefind-highlight",
    "playground/",
)
# A merged shard runs on the first bundle's script, worker and WebAssembly.
_SHARED_FILES = ("pagefind.js", "pagefind-worker.js")
_SHARED_PREFIXES = ("wasm.",)


def pagefind_binary(extended: bool = False) -> Path | None:
    """The Pagefind executable: the plain build (`pagefind[bin]`), or the extended one
    (`pagefind[extended]`) when `extended`, each falling back to the other, then to
    `PAGEFIND_BINARY_PATH` or PATH through Pagefind's own lookup.

    Pagefind's lookup always prefers the extended build once installed; Trellis does not:
    on the sample it costs 2.0 s and 340 MB per index run against 0.11 s and 13 MB, and
    only Chinese and Japanese need its word segmentation (see `needs_segmentation`)."""
    order = ("pagefind_bin_extended", "pagefind_bin")
    for name in order if extended else order[::-1]:
        try:
            return import_module(name).get_executable()
        except (ImportError, FileNotFoundError, OSError):
            continue
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except (FileNotFoundError, OSError):
        return None


# Languages written without spaces between words, which only the extended build segments.
SEGMENTED = frozenset({"zh", "ja"})


def needs_segmentation(site: PublicSite) -> bool:
    """Whether a searchable page is in Chinese or Japanese (its `lang` or the site's)."""
    default = site.settings.language
    return any(
        primary(note_language(n.meta) or default) in SEGMENTED
        for n in site.notes
        if n.display.enable_search and not n.display.hidden
    )


def searchable_count(site: PublicSite) -> int:
    """How many notes the templates mark `data-pagefind-body` (see `note_page`)."""
    return sum(1 for n in site.notes if n.display.enable_search and not n.display.hidden)


def searchable_pages(site: PublicSite) -> list[str]:
    """The output paths of the pages marked `data-pagefind-body`, sorted: the shard order."""
    return sorted(
        {n.output_path for n in site.notes if n.display.enable_search and not n.display.hidden}
    )


def emit_search(
    site: PublicSite,
    writer: OutputWriter,
    diagnostics: Diagnostics,
    page_digests: dict[str, str] | None = None,
    last_records: list[ShardRecord] | None = None,
) -> ShardedIndex:
    """Index the staged site, shard by shard, and write the bundle; a shard whose pages the
    last output's index (`writer.previous`, `last_records`) shows unchanged is taken over."""
    if searchable_count(site) == 0:
        return ShardedIndex()
    binary = pagefind_binary(extended=needs_segmentation(site))
    if binary is None:
        diagnostics.warn(
            "", "search index not built: Pagefind is not installed (pip install 'pagefind[bin]')"
        )
        return ShardedIndex(problem="no Pagefind")
    last = writer.previous / BUNDLE_DIR if writer.previous is not None else None
    with tempfile.TemporaryDirectory(prefix="trellis-pagefind-") as scratch:
        index = _index(
            binary, writer.staging, site, page_digests, Path(scratch), last_records, last
        )
        for file in index.files:
            target = f"{BUNDLE_DIR}/{file.path}"
            if file.reused:
                assert writer.previous is not None
                copied = writer.reuse(target, writer.previous, file.digest)
            else:
                copied = writer.copy_file(target, file.source)
            if not copied:
                index.problem = index.problem or f"{target} could not be written"
        if index.problem:
            diagnostics.warn("", f"search index not built: {index.problem}")
    return index


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
    is two renames of `BUNDLE_DIR`, which holds the shards, so stale ones go with it.
    """
    if searchable_count(site) == 0:
        return ShardedIndex()
    binary = pagefind_binary(extended=needs_segmentation(site))
    if binary is None:
        return ShardedIndex()  # the full build said so already
    target = out / BUNDLE_DIR
    fresh, old = target.with_name(".pagefind-new"), target.with_name(".pagefind-old")
    with tempfile.TemporaryDirectory(prefix="trellis-pagefind-") as scratch:
        index = _index(binary, out, site, page_digests, Path(scratch), last_records, target, stop)
        if index.problem:
            if index.problem != STOPPED:
                diagnostics.warn("", f"search index not refreshed: {index.problem}")
            return None
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        for file in index.files:
            copy = fresh / file.path
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(file.source, copy)
            except OSError:
                shutil.copyfile(file.source, copy)
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    return index


def _index(
    binary: Path,
    site_dir: Path,
    site: PublicSite,
    page_digests: dict[str, str] | None,
    scratch: Path,
    last_records: list[ShardRecord] | None,
    last_bundle: Path | None,
    stop: Callable[[], bool] | None = None,
) -> ShardedIndex:
    """Index the searchable pages in `site_dir` in shards (`index_in_shards`: one Pagefind
    run per shard whose pages changed, one after another, so the peak is one shard's) and
    add the shard list; the files are in `scratch` or, for shards taken over, `last_bundle`.

    Each run sees only its shard's pages: hard links (copies where links fail) at the same
    paths in a folder inside the site, so the URLs in the index are the pages' own.
    """
    pages = page_digests_in(site_dir, searchable_pages(site), page_digests or {})
    engine = engine_id(binary)

    def index_one(number: int, shard: list[str]) -> tuple[str, list[tuple[str, Path]]]:
        bundle = scratch / f"bundle-{number}"
        linked = site_dir / _SHARD_PAGES_DIR
        try:
            _link_pages(site_dir, shard, linked)
            problem = _run_pagefind(binary, linked, bundle, scratch, stop)
        except OSError as error:
            problem = f"cannot gather the pages of a shard: {error.strerror or error}"
        finally:
            shutil.rmtree(linked, ignore_errors=True)
        if problem and problem != STOPPED:
            problem = f"{problem} (shard {number})"
        folder = shard_folder(number)
        files = [] if problem else _bundle_files(bundle, shared=number == 1)
        return problem, [(folder + p.relative_to(bundle).as_posix(), p) for p in files]

    index = index_in_shards(pages, SHARD_PAGES, engine, index_one, last_bundle, last_records)
    if index.problem:
        return index
    listing = scratch / SHARD_LIST
    extra = [shard_folder(number) for number in range(2, len(index.records) + 1)]
    listing.write_text(json.dumps({"shards": extra}) + "\n", encoding="utf-8")
    index.files.append(BundleFile(SHARD_LIST, listing, ""))
    return index


def _link_pages(site_dir: Path, pages: list[str], folder: Path) -> None:
    """`folder/page` for each page: a hard link to `site_dir/page`, or a copy."""
    shutil.rmtree(folder, ignore_errors=True)
    for page in pages:
        link = folder / page
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site_dir / page, link)
        except OSError:
            shutil.copyfile(site_dir / page, link)


def _bundle_files(bundle: Path, shared: bool = True) -> list[Path]:
    """The files of Pagefind's output that the site needs (its own UIs left out; without
    `shared`, also the script and WebAssembly that the first bundle's serve every shard)."""
    files = []
    for path in sorted(bundle.rglob("*")):
        rel_path = path.relative_to(bundle).as_posix()
        if not path.is_file() or rel_path.startswith(_UNUSED_PREFIXES):
            continue
        if not shared and (rel_path in _SHARED_FILES or rel_path.startswith(_SHARED_PREFIXES)):
            continue
        files.append(path)
    return files


def _run_pagefind(
    binary: Path, site_dir: Path, bundle: Path, cwd: Path, stop: Callable[[], bool] | None = None
) -> str:
    """Run the CLI; "" on success, `STOPPED` if `stop` said so, else one line saying what
    went wrong. Pagefind is never left running: stopped, failed or interrupted, it is killed.

    It runs in an empty folder so a stray `pagefind.yml` in the current folder cannot
    change what is indexed.
    """
    command = [
        str(binary),
        "--site",
        str(site_dir.absolute()),
        "--output-path",
        str(bundle.absolute()),
        "--root-selector",
        ROOT_SELECTOR,
        *(arg for selector in EXCLUDED for arg in ("--exclude-selectors", selector)),
        "--quiet",
    ]
    if stop is not None and stop():
        return STOPPED
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as error:
        return f"cannot run Pagefind ({binary}): {error.strerror or error}"
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        while True:
            try:
                stdout, stderr = process.communicate(timeout=STOP_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop():
                    return STOPPED
                if time.monotonic() > deadline:
                    return f"Pagefind did not finish in {TIMEOUT_SECONDS} s"
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if process.returncode != 0:
        lines = [line.strip() for line in (stderr + stdout).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error")]
        said = (errors or lines or ["no output"])[0]
        return f"Pagefind failed ({process.returncode}): {said}"
    if not (bundle / "pagefind.js").is_file():
        return "Pagefind wrote no pagefind.js"
    _sort_languages(bundle / "pagefind-entry.json")
    return ""


def _sort_languages(entry: Path) -> None:
    """Pagefind lists a multilingual site's languages in a different order on every run;
    sorted, the same input writes the same bytes (its script looks languages up by name)."""
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and isinstance(data.get("languages"), dict):
        data["languages"] = dict(sorted(data["languages"].items()))
        entry.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
