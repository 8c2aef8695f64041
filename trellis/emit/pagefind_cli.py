"""Running the Pagefind command line over a folder of pages, and picking its output.

Why apart from `trellis.emit.search` (what is indexed, in which shards, and how the bundle
reaches the output): this is the part that knows Pagefind's binary, flags and files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

ROOT_SELECTOR = "main[data-pagefind-body]"
# Left out of the index (`trellis.emit.search` says why): embeds, breadcrumbs, metadata.
EXCLUDED = (
    ".internal-embed.markdown-embed",
    "nav.breadcrumbs",
    '.callout[data-callout="metadata"]',
)
TIMEOUT_SECONDS = 600
# How often a running Pagefind checks whether it should stop (`refresh_search_bundle`).
STOP_POLL_SECONDS = 0.05
STOPPED = "stopped"
# In what Pagefind says of a `--glob` it cannot read (`pages_glob` shuns what it cannot).
GLOB_REFUSED = "did not parse as a valid glob"
# Pagefind's ready-made UIs and the highlight script: our own dialog replaces them.
_UNUSED_PREFIXES = (
    "pagefind-ui",
    "pagefind-component-ui",
    "pagefind-modular-ui",
    "pagefind-highlight",
    "playground/",
)
# Characters wax (Pagefind's globs) reads as syntax unless escaped with a backslash.
_GLOB_META = frozenset("?*$:<>()[]{},")
# Linux refuses a single command-line argument longer than 128 KiB (MAX_ARG_STRLEN).
_GLOB_MAX_BYTES = 100_000
# A merged shard runs on the first bundle's script, worker and WebAssembly.
_SHARED_FILES = ("pagefind.js", "pagefind-worker.js")
_SHARED_PREFIXES = ("wasm.",)


def pagefind_binary(extended: bool = False) -> Path | None:
    """The Pagefind executable: the plain build (`pagefind[bin]`), or the extended one
    (`pagefind[extended]`) when `extended`, each falling back to the other, then to
    `PAGEFIND_BINARY_PATH` or PATH through Pagefind's own lookup.

    Pagefind's lookup always prefers the extended build once installed; Trellis does not:
    on the sample it costs 2.0 s and 340 MB per index run against 0.11 s and 13 MB, and
    only Chinese and Japanese need its word segmentation (see `search.Searchable`)."""
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


def link_pages(site_dir: Path, pages: list[str], folder: Path) -> None:
    """`folder/page` for each page: a hard link to `site_dir/page`, or a copy."""
    shutil.rmtree(folder, ignore_errors=True)
    for page in pages:
        link = folder / page
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site_dir / page, link)
        except OSError:
            shutil.copyfile(site_dir / page, link)


def bundle_files(bundle: Path, shared: bool = True) -> list[Path]:
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


def pages_glob(pages: list[str]) -> str | None:
    """A `--glob` naming exactly `pages` (paths inside the site), for Pagefind's glob crate
    (wax: `{a,b}` alternatives, its metacharacters escaped); None when one cannot be named
    so (a backslash, which wax cannot escape) or the glob would be too long for one
    argument of a command line (Linux: 128 KiB): the pages are then linked instead."""
    if not pages or any("\\" in page for page in pages):
        return None
    escaped = ("".join("\\" + c if c in _GLOB_META else c for c in page) for page in pages)
    glob = "{" + ",".join(escaped) + "}"
    return glob if len(glob.encode()) <= _GLOB_MAX_BYTES else None


def run_pagefind(
    binary: Path,
    site_dir: Path,
    bundle: Path,
    cwd: Path,
    stop: Callable[[], bool] | None = None,
    glob: str | None = None,
) -> str:
    """Run the CLI over the HTML files of `site_dir`, or those `glob` names; "" on success,
    `STOPPED` if `stop` said so, else one line saying what went wrong. Pagefind is never
    left running: stopped, failed or interrupted, it is killed.

    It runs in an empty folder so a stray `pagefind.yml` in the current folder cannot
    change what is indexed.
    """
    command = [
        str(binary),
        "--output-path",
        str(bundle.absolute()),
        "--site",
        str(site_dir.absolute()),
        *(("--glob", glob) if glob is not None else ()),
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
    sort_languages(bundle / "pagefind-entry.json")
    return ""


def sort_languages(entry: Path) -> None:
    """Pagefind lists a multilingual site's languages in a different order on every run;
    sorted, the same input writes the same bytes (its script looks languages up by name)."""
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and isinstance(data.get("languages"), dict):
        data["languages"] = dict(sorted(data["languages"].items()))
        entry.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
