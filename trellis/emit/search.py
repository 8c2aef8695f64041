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
and body text are indexed; the sidebars and backlinks carry `data-pagefind-ignore`, and two
more parts are left out here (`EXCLUDED`, so a theme override cannot bring them back):
- note embeds (`![[Other note]]`) and their placeholders: the embedded text is indexed on its
  own note's page, where Obsidian's search finds it too. Indexed again on every page that
  embeds it, it listed those pages as well, each with the other note's words as excerpt, and
  on the generated 10,000-note vault it cost 9% of Pagefind's memory and 8% of its time;
- breadcrumbs: the folder names above a note, the same on every page of the folder, so a
  search for a folder's name listed all its notes with the same excerpt.
The binary writes its bundle into a temporary folder; the files are then copied through the
`OutputWriter` to `_trellis/pagefind/` (Pagefind's own UI bundles left out). If Pagefind is
missing or fails, the build warns and goes on without search; the search box then says
search is unavailable.

What Pagefind costs (1.5.2, the generated 10,000-note vault: 9,000 pages, 46 M characters of
indexed text, 2 cores): 9-14 s of CPU (5-13 s wall, as busy as the machine is) and 2.26 GB at
its peak (maximum resident set; 2.47 GB before embeds and breadcrumbs were left out). Its
memory grows with the sum over pages of each page's distinct words (some 300 bytes each): ~0.6
GB while it reads the pages, then about 3.5 times that while it builds the index. The HTML
around the indexed part barely matters: pages cut down to that part took as long and as much
memory. Its service API (`add_html_file`, or `add_custom_record` with the plain text) was
slower (1,000 notes: 1.5-1.9 s of CPU against 0.9 s for the command line) and no smaller, and
jemalloc settings (`MALLOC_CONF` decay times, one arena) changed nothing: the memory is live
data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from trellis.diagnostics import Diagnostics
from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite

BUNDLE_DIR = "_trellis/pagefind"
ROOT_SELECTOR = "main[data-pagefind-body]"
# Left out of the index (see above): embedded notes and placeholders, and breadcrumbs.
EXCLUDED = (".internal-embed.markdown-embed", "nav.breadcrumbs")
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


def pagefind_binary() -> Path | None:
    """The Pagefind executable from the `pagefind[bin]` package (or PATH), if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except (FileNotFoundError, OSError):
        return None


def searchable_count(site: PublicSite) -> int:
    """How many notes the templates mark `data-pagefind-body` (see `note_page`)."""
    return sum(1 for n in site.notes if n.display.enable_search and not n.display.hidden)


def emit_search(site: PublicSite, writer: OutputWriter, diagnostics: Diagnostics) -> int:
    """Index the staged site and copy the bundle; returns the number of files written."""
    if searchable_count(site) == 0:
        return 0
    binary = pagefind_binary()
    if binary is None:
        diagnostics.warn(
            "", "search index not built: Pagefind is not installed (pip install 'pagefind[bin]')"
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="trellis-pagefind-") as scratch:
        bundle = Path(scratch) / "bundle"
        problem = _run_pagefind(binary, writer.staging, bundle, Path(scratch))
        if problem:
            diagnostics.warn("", f"search index not built: {problem}")
            return 0
        files = _bundle_files(bundle)
        for path in files:
            writer.copy_file(f"{BUNDLE_DIR}/{path.relative_to(bundle).as_posix()}", path)
    return len(files)


def refresh_search_bundle(
    site: PublicSite, out: Path, diagnostics: Diagnostics, stop: Callable[[], bool]
) -> bool:
    """Index the finished site in `out` again and swap the new bundle in (the preview's
    in-place edits); False when `stop` said so while Pagefind ran, or it failed.

    The old bundle is served until the new one is complete: the swap is two renames.
    """
    if searchable_count(site) == 0:
        return True
    binary = pagefind_binary()
    if binary is None:
        return True  # the full build said so already
    target = out / BUNDLE_DIR
    fresh, old = target.with_name(".pagefind-new"), target.with_name(".pagefind-old")
    with tempfile.TemporaryDirectory(prefix="trellis-pagefind-") as scratch:
        bundle = Path(scratch) / "bundle"
        problem = _run_pagefind(binary, out, bundle, Path(scratch), stop)
        if problem:
            if problem != STOPPED:
                diagnostics.warn("", f"search index not refreshed: {problem}")
            return False
        for leftover in (fresh, old):
            shutil.rmtree(leftover, ignore_errors=True)
        for path in _bundle_files(bundle):
            copy = fresh / path.relative_to(bundle)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    return True


def _bundle_files(bundle: Path) -> list[Path]:
    """The files of Pagefind's output that the site needs (its own UIs left out)."""
    return [
        path
        for path in sorted(bundle.rglob("*"))
        if path.is_file() and not path.relative_to(bundle).as_posix().startswith(_UNUSED_PREFIXES)
    ]


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
    return ""
