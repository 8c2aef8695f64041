"""The search shards of the edited notes, indexed early: while the build renders its pages.

Why: a one-note rebuild at 10,000 notes re-indexes the edited page's shard (~500 pages). Run
once the note pages were written, Pagefind took ~1.2 s of wall time while the build had ~0.3
s of other outputs left, so the build waited for it (`ShardRuns.wait`). About half of a run
is reading and parsing the pages, and all but the edited ones are already in the output, as
the last build left them. So once the build has parsed the notes that changed and resolved
the links, each of their shards gets a Pagefind service (`trellis.emit.pagefind_service`)
walking the output for the shard's pages (`AddDir`, the command line's own walk and parse)
while the pages are planned and written. (Begun before the parse, it paid less: the build's
own parse and link ran 1.5-2x slower beside it, the two CPUs here sharing caches, and that
was most of the build left before the pages.) Once the pages are written, a thread gives it
again every page whose file is not the one it read (`AddFile`, which replaces that page
where it stands) and has the bundle made (`GetFiles`) while the build plans the other shards
(the CI case checks them all) and makes its other outputs; the shard's run
(`trellis.emit.search`) takes that bundle if no page of the shard changed since, else makes
it again (`finish`).

The same bundle as a run of the command line over the final pages, byte for byte: the
pages are read in the walk's order and a page given again keeps its place, so the index
is built from the same pages in the same order (`tests/test_search_early.py`). A file is
the one the service read when its stat (device, inode, size, modification and change time,
`trellis.emit.output_files`) is still the one taken before the walk: the build replaces a
page by renaming a new file over it, and any write moves the change time. So nothing of a
replaced page survives in the index, and nothing but the shard's current pages is read: a
shard whose page list is not the one the build ends with (a page added, removed, hidden or
made private since) is not finished early but indexed as any other.

When: only for an update in place (`SiteUpdate`: the last output is the folder being
written, cleared of symlinks before anything reads it), never with worker processes (a fork
would inherit the service's pipes: the caller checks), and for at most `jobs` shards.
Anything unexpected (a service that fails, stops or answers oddly) makes the shard's run
fall back to the command line, which says what went wrong if it fails too.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from trellis.emit import pagefind_cli
from trellis.emit.output_files import FileStat, file_stat
from trellis.emit.pagefind_service import PagefindService, ServiceError
from trellis.emit.search_shards import page_url
from trellis.emit.writer import OutputWriter

# Where the early services run (their working and log folder), inside the output folder.
EARLY_DIR = "_trellis/.pagefind-early"


class EarlyShard:
    """Shard `number` (its `pages`), walked by `service` (request `walk`) after each page's
    stat was taken: `given` holds, for each page, the stat of the file the service last
    read it from."""

    def __init__(
        self, number: int, pages: list[str], stats: dict[str, FileStat],
        service: PagefindService, walk: int,
    ) -> None:  # fmt: skip
        self.number, self.pages, self.given = number, pages, stats
        self.service, self._walk = service, walk
        self._halt = threading.Event()
        self._ahead: threading.Thread | None = None
        self._made: tuple[str, list[tuple[str, bytes]]] = ("not made", [])

    def begin(self, site_dir: Path) -> None:
        """Have the bundle made in the background from the pages as they are now (the
        pages are written): `finish` takes it if no page changed since, else makes it again.
        A shard taken over after all wasted a little CPU, nothing else."""
        self._ahead = threading.Thread(target=self._make_ahead, args=(site_dir,), daemon=True)
        self._ahead.start()

    def finish(self, site_dir: Path, bundle: Path, stop: Callable[[], bool]) -> str:
        """Write the bundle of the shard's pages as they are now into `bundle`: "" once
        written, else what went wrong (`STOPPED` when `stop` said so)."""
        try:
            if self._ahead is None:  # (not begun: made now)
                problem, files = self._make(site_dir, stop)
            else:
                while self._ahead.is_alive():
                    if stop():
                        self._halt.set()
                    self._ahead.join(pagefind_cli.STOP_POLL_SECONDS)
                problem, files = self._made  # a failure is final: the command line takes over
                if stop():
                    problem = pagefind_cli.STOPPED
                elif not problem and self._changed(site_dir):  # made from pages since replaced
                    problem, files = self._make(site_dir, stop)
        finally:
            self.close()
        if problem:
            return problem
        try:
            _write_bundle(bundle, files)
        except (OSError, ValueError) as error:
            return f"cannot write the bundle: {error}"
        pagefind_cli.sort_languages(bundle / "pagefind-entry.json")
        return ""

    def close(self) -> None:
        """End the service (and the background request, if any)."""
        self._halt.set()
        if self._ahead is not None:
            self._ahead.join()
        self.service.close()

    def _make_ahead(self, site_dir: Path) -> None:
        self._made = self._make(site_dir, self._halt.is_set)

    def _changed(self, site_dir: Path) -> bool:
        root = f"{site_dir}/"
        return any(file_stat(Path(root + page)) != self.given[page] for page in self.pages)

    def _make(
        self, site_dir: Path, stop: Callable[[], bool]
    ) -> tuple[str, list[tuple[str, bytes]]]:
        """Give the service again each page whose file is not the one it read, then have
        it make the bundle: ("", its files), or (what went wrong, [])."""
        deadline = time.monotonic() + pagefind_cli.TIMEOUT_SECONDS
        service, root = self.service, f"{site_dir}/"
        try:
            if self._walk:
                walked = service.reply(self._walk, stop, deadline)
                if walked.get("page_count") != len(self.pages):
                    return f"the service read {walked.get('page_count')} pages", []
                self._walk = 0
            for page in self.pages:
                found = file_stat(Path(root + page))  # (before the read: a later write shows)
                if found is None:
                    return f"{page} is gone", []
                if found == self.given[page]:
                    continue
                with open(root + page, "rb") as handle:
                    text = handle.read().decode("utf-8")
                url = page_url(page)
                added = service.reply(service.add_file(url, text), stop, deadline)
                if added.get("page_url") != url:  # (then it was not put in the walked one's place)
                    return f"the service gave {page} another URL", []
                self.given[page] = found
            return "", service.files(stop, deadline)
        except ServiceError as error:
            return str(error), []
        except (OSError, UnicodeDecodeError) as error:
            return f"cannot read a page again: {error}", []


def _write_bundle(bundle: Path, files: list[tuple[str, bytes]]) -> None:
    """Write the service's `files` into the folder `bundle`, as the command line would."""
    if "pagefind.js" not in {name for name, _ in files}:
        raise ValueError("Pagefind's service made no pagefind.js")
    for name, data in files:
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or ".." in parts or "\\" in name:
            raise ValueError(f"Pagefind's service named a file {name!r}")
        target = bundle.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as file:
            file.write(data)


class EarlyShards:
    """The shards walked early (`start_early`), by number, until a run takes each."""

    def __init__(self, folder: Path, shards: dict[int, EarlyShard]) -> None:
        self.folder, self._shards = folder, shards

    @property
    def numbers(self) -> list[int]:
        return sorted(self._shards)

    def add(self, shard: EarlyShard) -> None:
        self._shards[shard.number] = shard

    def begin(self, site_dir: Path) -> None:
        """The note pages are written: each shard's bundle made in the background meanwhile."""
        for number in self.numbers:
            self._shards[number].begin(site_dir)

    def take(self, number: int, pages: list[str]) -> EarlyShard | None:
        """Shard `number` if it was walked with exactly `pages` (the run's now own it)."""
        shard = self._shards.pop(number, None)  # (runs take shards from several threads)
        if shard is not None and shard.pages != pages:
            shard.close()
            return None
        return shard

    def cancel(self) -> None:
        """End every service no run took, and remove their folder."""
        while self._shards:
            _, shard = self._shards.popitem()
            shard.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def finish_early(
    early: EarlyShards | None,
    number: int,
    pages: list[str],
    site_dir: Path,
    bundle: Path,
    stop: Callable[[], bool],
) -> str | None:
    """Index shard `number` (`pages`) into `bundle` with its early service: "" when done,
    `STOPPED` if stopped, None when it was not walked early or that failed (the bundle
    folder is then removed: the command line starts afresh)."""
    walked = early.take(number, pages) if early is not None else None
    if walked is None:
        return None
    problem = walked.finish(site_dir, bundle, stop)
    if problem in ("", pagefind_cli.STOPPED):
        return problem
    shutil.rmtree(bundle, ignore_errors=True)
    return None


def start_early(
    binary: Path,
    writer: OutputWriter,
    shards: list[list[str]],
    changed: Iterable[str],
    most: int,
) -> EarlyShards | None:
    """Start a service walking each of `shards` (all searchable pages, `plan_shards`) that
    holds a page of `changed` (notes whose bytes changed), at most `most` of them; None when
    the build is not an update in place or no such shard can be walked."""
    site_dir = writer.staging
    if writer.previous is None or writer.previous != site_dir:
        return None
    changed = set(changed)
    if not changed:
        return None
    folder = site_dir / EARLY_DIR
    early = EarlyShards(folder, {})
    for number, shard in enumerate(shards, start=1):
        if len(early.numbers) >= max(1, most):
            break
        if changed.isdisjoint(shard):
            continue
        walked = _walk(binary, site_dir, folder, number, shard)
        if walked is not None:
            early.add(walked)
    if not early.numbers:
        early.cancel()
        return None
    return early


def _walk(
    binary: Path, site_dir: Path, folder: Path, number: int, shard: list[str]
) -> EarlyShard | None:
    """A service walking `shard`'s pages in `site_dir`, each page's stat taken before;
    None when a page is missing or no glob can name them."""
    glob = pagefind_cli.pages_glob(shard)
    if glob is None:
        return None
    root = f"{site_dir}/"
    stats = {}
    for page in shard:
        found = file_stat(Path(root + page))
        if found is None:
            return None
        stats[page] = found
    try:
        folder.mkdir(parents=True, exist_ok=True)
        service = PagefindService(binary, folder, folder / f"service-{number}.log")
    except (OSError, ServiceError):
        return None
    try:
        walk = service.add_dir(site_dir.absolute(), glob)
    except ServiceError:
        service.close()
        return None
    return EarlyShard(number, shard, stats, service, walk)
