"""The search index in shards, each keyed by the pages it indexes: an edit re-indexes one shard.

Why: Pagefind re-indexing every shard was 14 of the 51 CPU seconds of a one-note rebuild at
10,000 notes. A shard is a pure function of the bytes of its pages (and of the Pagefind
binary): its key is a digest of its pages' paths and page digests, and a shard whose key is
the one the last build recorded is taken over from the last output instead of indexed.

Stable shards: a page's shard is its output path's hash modulo the number of shards (the
fewest of about `SHARD_PAGES` pages, as `len(pages) / SHARD_PAGES` rounded up), not a cut of
the sorted list, so a page added or removed moves no other page: one edit touches one shard
(the number of shards changes only when the page count crosses a multiple of `SHARD_PAGES`,
and then every shard is indexed again, once). Hashing also mixes folders, so every shard has
pages of every kind and ranks with statistics close to the whole site's. Shards hold about
`SHARD_PAGES` pages, a few percent more or less (binomial: 9,000 pages in eighteen shards,
500 +- 21), which is what the memory estimate needs.

Why shards of 500 pages (2,500 until issue 17's one-note rebuild, then 1,000): an edit
re-indexes the one shard its page is in, and Pagefind's time is about linear in the pages it
reads: a shard of 2,250 pages was 7-10 s of wall time of a one-note rebuild at 10,000 notes,
one of 1,000 pages 4.8 s, so 500 pages about half that. What it costs: the whole index
takes a little more CPU (one run per shard, each with a fixed start of about 0.1 s), and a
first query in the browser fetches, per shard, its entry file, its metadata and one index
chunk: twice the requests of 1,000-page shards, but not twice the bytes, since a shard's
metadata and chunks shrink with its pages (18 shards at 9,000 pages; not measured in the
browser yet).

Checked, never trusted: the last output may be restored from elsewhere (a CI cache) or be
stale. A shard is taken over only when its key is the one recorded, and every file the
cache recorded for it is still the very file the build that recorded it left (its stat:
device, inode, size, modification and change time, as pages are checked,
`trellis.emit.output_files`). The key is a digest of the shard's page paths (so of their
URLs) and bytes, and a build records a shard only after Pagefind indexed exactly those pages
(its run sees only them), so a shard whose files are as recorded holds those pages and
no other. When a file is not as recorded (a restored copy has new inodes; a changed file),
every such file must hash as recorded and the shard's fragments (one per indexed page, gzip
JSON naming the page's URL) must name exactly the URLs of its pages now: a page that left
the site (made private, deleted) cannot come back from an index built when it was
published. Whatever fails a check is indexed again. Each file is read once for both checks
(`LastBundle.look`: its hash, and a fragment's URL from its first 512 bytes unpacked), by the
build or ahead by its helper (`trellis.emit.output_hashes`), and files that hashed as
recorded are not read again when the shard is taken over. Since a file whose stat is not
the recorded one is hashed anyway, the fragment check adds no read, only the unpacking
(~5 us a fragment). Until session 10 the fragments were read
on every build (1.0 s of a one-note rebuild at 10,000 notes); what that defended in addition
is a cache forged to name a stale shard under a current key: someone who can write the
cache and read the output's stats (the same user) can still do that, as they can make any
page be kept (`trellis.emit.output_files`); the fragment read did not stop it either (a
forged record can leave a page's fragment out while the shard's index chunks, kept, still
hold its words).

What Pagefind costs (1.5.2, measured with shards cut from the sorted pages; the generated
10,000-note vault: 9,000 pages, 46 M characters of indexed text, 2 cores): in one run, 14-17 s
of CPU (11-21 s wall, as busy as the machine is)
and 2,170-2,200 MiB at its peak (maximum resident set; 2.47 GB before embeds and breadcrumbs
were left out). Its memory grows with the sum over pages of each page's distinct words (some 300
bytes each): ~0.6 GB while it reads the pages, then about 3.5 times that while it builds the
index; ~0.25 MiB per page here. In shards (`SHARD_PAGES` 2,500: four runs of 2,250 pages) the
peak is 560 MiB (3,000 pages: 755 MiB; 1,800: 450 MiB) for the same CPU time (14-18 s) and,
on a quiet machine, 20-25% more wall time (11.3 s in one run, 14.0 s in four: one run keeps
1.25 cores busy, a smaller one less); linking the pages takes 0.2 s. The whole build's process
tree while Pagefind runs: 2,570 MiB in one run, 970 MiB in shards. The bundle grows from 30.6 to
30.9 MB. In the browser (Chromium, one query, 9,000 pages): the first query fetches 13-17 files
and 250-270 kB from one bundle, 26 files and 340-350 kB from four (each shard adds its entry
file, its 23 kB metadata and one index chunk); a later query 11 files and 66 kB against 15
files and 147 kB (one index chunk per shard). Keystroke to results took 200-650 ms either
way. The HTML around the indexed part barely matters: pages cut down to that part took as
long and as much memory. Its service API (`add_html_file`, or `add_custom_record` with the
plain text) was slower (1,000 notes: 1.5-1.9 s of CPU against 0.9 s for the command line) and
no smaller, and jemalloc settings (`MALLOC_CONF` decay times, one arena) changed nothing: the
memory is live data.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from trellis.emit.output_files import FileStat, LastOutputChecks, looked_at, read_checked
from trellis.vault.files import file_digest

FRAGMENTS = "fragment/"
ENTRY = "pagefind-entry.json"
# The files Pagefind names by their bytes' hash (`en_1a2b3c4.pf_fragment`): those of a
# shard indexed again that the last build's record lists with the same bytes are checked
# as kept files are (`BundleFile.recorded`); a file of a fixed name (the entry file) is
# always compared byte for byte, so a forged record cannot keep one from a stale bundle.
HASH_NAMED = (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter")


@dataclass(frozen=True)
class ShardRecord:
    """One shard as a build wrote it: its key and its files (path inside the bundle ->
    hash of the bytes), kept in the build cache for the next build's check."""

    key: str
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class BundleFile:
    """A file Pagefind made for the new bundle: `path` inside it, `source` (in its scratch
    output) and the hash of its bytes (the shards taken over: `ShardedIndex.kept`)."""

    path: str
    source: Path
    digest: str
    # The last build's record of the same shard folder lists this path with this digest:
    # the file is likely still in the last output, so it is checked there before a copy.
    recorded: bool = False


@dataclass
class ShardedIndex:
    """What indexing produced: a problem (then nothing else counts), or the bundle's files,
    the records for the next build, and how many shards were indexed and taken over."""

    problem: str = ""
    files: list[BundleFile] = field(default_factory=list)
    records: list[ShardRecord] = field(default_factory=list)
    # The shards taken over from the last bundle, whose files are all kept as they are
    # (`kept_files`): no object per file (~9,000 at 10,000 notes).
    kept: list[ShardRecord] = field(default_factory=list)
    indexed: int = 0
    reused: int = 0
    # Shards the cache named whose files in the last output failed the check (re-indexed).
    rejected: list[str] = field(default_factory=list)

    def kept_files(self) -> tuple[list[str], list[str]]:
        """The paths (inside the bundle) and digests of every file of the `kept` shards."""
        names: list[str] = []
        digests: list[str] = []
        for record in self.kept:
            names += record.files
            digests += record.files.values()
        return names, digests


def shard_of(page: str, count: int) -> int:
    """The shard (from 0) of the page at output path `page` among `count`: by its hash alone."""
    value = int.from_bytes(hashlib.blake2b(page.encode(), digest_size=8).digest(), "big")
    return value % count


def plan_shards(pages: Iterable[str], shard_pages: int) -> list[list[str]]:
    """`pages` in the fewest shards of about `shard_pages`, each page by its path's hash
    (see above), each shard sorted; empty shards are dropped (only tiny sites have them)."""
    pages = sorted(pages)
    count = max(1, -(-len(pages) // max(1, shard_pages)))
    buckets: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        buckets[shard_of(page, count)].append(page)
    return [bucket for bucket in buckets if bucket] or [[]]


def shard_folder(number: int) -> str:
    """Where shard `number` (from 1) goes inside the first bundle: "" for the first itself.

    The extra shards live inside the first bundle's folder, so everything that copies,
    reuses or swaps that folder takes all shards at once.
    """
    return "" if number == 1 else f"shard-{number}/"


def shard_key(engine: str, pages: list[str], page_digests: dict[str, str]) -> str:
    """The key of a shard: the Pagefind binary and the shard's folder (`engine`), its pages'
    paths and their bytes' hashes."""
    digest = hashlib.blake2b(engine.encode(), digest_size=16)
    for page in pages:
        digest.update(f"\n{page}\0{page_digests[page]}".encode())
    return digest.hexdigest()


def engine_id(binary: Path) -> str:
    """The Pagefind binary in a shard's key: plain or extended (and its size; its version is
    in the cache's own version, `trellis.versions`)."""
    try:
        return f"{binary.name} {binary.stat().st_size}"
    except OSError:
        return binary.name


def page_digests_in(
    site_dir: Path, pages: Iterable[str], known: dict[str, str], present: Container[str] = ()
) -> dict[str, str]:
    """Output path -> page digest of each of `pages` written in `site_dir`: as the build
    recorded it (`known`), else hashed from the file. A page of `present` (taken over by
    the build, so there) is not looked for: a one-note rebuild looks for one page, not 9,000."""
    digests = {}
    root = f"{site_dir}/"
    for page in pages:
        if page not in present and not os.path.isfile(root + page):  # (a string, no `Path`)
            continue
        if page in known:
            digests[page] = known[page]
        else:
            with open(root + page, "rb") as handle:
                digests[page] = file_digest(handle)
    return digests


def shards_current(
    pages: dict[str, str], shard_pages: int, engine: str, records: list[ShardRecord]
) -> bool:
    """Would `plan_index` find every shard's key among `records` (nothing to index)?"""
    keys = {record.key for record in records}
    shards = plan_shards(pages, shard_pages)
    return len(shards) == len(records) and all(
        shard_key(f"{engine}\0{shard_folder(number)}", shard, pages) in keys
        for number, shard in enumerate(shards, start=1)
    )


def page_url(page: str) -> str:
    """The URL Pagefind gives the page at output path `page` ("a/index.html" is "/a/")."""
    return "/" + page.removesuffix("index.html")


@dataclass(frozen=True)
class LastBundle:
    """The last output's search bundle in `folder`, as the new index's shards check it:
    through the build's writer (`checks`, the bundle at `prefix` in its last output: the
    stats recorded, files hashed once per build), else every file read (the preview's
    refresh)."""

    folder: Path
    checks: LastOutputChecks | None = None
    prefix: str = ""

    def not_as_recorded(self, names: Iterable[str]) -> set[str]:
        """Those of `names` that are not the very files the build that recorded their stats
        left (all of them without the writer's checks)."""
        if self.checks is None:
            return set(names)
        return self.checks.previous_changed(self.prefix, names)

    def look(self, name: str) -> tuple[FileStat, str, str | None] | None:
        """`name`'s stat and hash, and the URL it names if it is a fragment."""
        if self.checks is not None:
            return self.checks.previous_look(self.prefix + name)
        read = read_checked(self.folder, self.folder / name)
        return None if read is None else looked_at(name, *read)

    def vouch(self, name: str, found: FileStat) -> None:
        """`name`, with stat `found`, hashed as recorded: its next check this build is a stat."""
        if self.checks is not None:
            self.checks.vouched[self.prefix + name] = found


def fragment_urls(
    last: LastBundle, folder: str, files: dict[str, str], unverified: set[str]
) -> tuple[set[str], list[tuple[str, FileStat]]] | None:
    """The URLs a shard's fragments among `files` (path in the bundle -> recorded hash)
    name, and the stats of the `unverified` files, each read once and hashed as recorded;
    None when a file fails its hash or a fragment cannot be read as Pagefind writes them."""
    urls: set[str] = set()
    hashed: list[tuple[str, FileStat]] = []
    fragments = folder + FRAGMENTS
    for name, digest in files.items():
        fragment = name.startswith(fragments)
        if not fragment and name not in unverified:
            continue
        look = last.look(name)
        if look is None or (name in unverified and look[1] != digest):
            return None
        if name in unverified:
            hashed.append((name, look[0]))
        if fragment:
            if look[2] is None:
                return None
            urls.add(look[2])
    return urls, hashed


def restorable(record: ShardRecord, last: LastBundle, folder: str, pages: list[str]) -> bool:
    """May the last build's shard in `folder` of `last` be taken over for `pages` (its key
    already matched)? Nothing it records lies outside the shard's folder, and either every
    file is the very one the build that indexed it left (`as_recorded`: the stat recorded
    after that build, as pages are checked), or every file not as recorded hashes as
    recorded and its fragments name exactly the URLs of `pages` (a restored or changed
    output: see "Checked, never trusted" above). Files hashed are vouched for: taking the
    shard over (`SearchRun.finish`) does not hash them again."""
    files = record.files
    if folder + ENTRY not in files or not names_inside(files, folder):
        return False
    unverified = last.not_as_recorded(files)
    if not unverified:
        return True
    checked = fragment_urls(last, folder, files, unverified)
    if checked is None or checked[0] != {page_url(page) for page in pages}:
        return False
    for name, found in checked[1]:
        last.vouch(name, found)
    return True


def names_inside(names: Iterable[str], folder: str) -> bool:
    """Is each of `names` a path inside shard `folder` ("" the first: not in another's),
    with no ".." part? (Tested name by name in C: ~9,000 names at 10,000 notes.)"""
    names = list(names)
    if folder:
        inside = all(map(str.startswith, names, repeat(folder)))
    else:
        inside = not any(map(str.startswith, names, repeat("shard-")))
    if inside and any(map(str.__contains__, names, repeat(".."))):
        inside = not any(".." in name.split("/") for name in names)
    return inside


@dataclass(frozen=True)
class PlannedShard:
    """One shard of the new index: its number (from 1), pages, key, and the last build's
    record when that shard is taken over (checked), else None: it is to be indexed; then
    `last` is the last build's record of the same folder, if any (its files' digests say
    which new files the last output may already hold)."""

    number: int
    pages: list[str]
    key: str
    taken_over: ShardRecord | None
    last: ShardRecord | None = None


@dataclass
class ShardPlan:
    """Every shard of the new index, in order, and the cache's shards that failed the check."""

    shards: list[PlannedShard] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def to_index(self) -> list[tuple[int, list[str]]]:
        """(number, pages) of each shard Pagefind must index, in shard order."""
        return [(s.number, s.pages) for s in self.shards if s.taken_over is None]


def plan_index(
    pages: dict[str, str],
    shard_pages: int,
    engine: str,
    last_bundle: LastBundle | None = None,
    last_records: list[ShardRecord] | None = None,
    shards: list[list[str]] | None = None,
) -> ShardPlan:
    """Plan the shards of `pages` (output path -> page digest; `shards` when the build
    planned them already) and take over each one the last bundle holds under the same key,
    once checked (`restorable`)."""
    records = (last_records or []) if last_bundle else []
    last = {record.key: record for record in records}
    plan = ShardPlan()
    if shards is None:
        shards = plan_shards(pages, shard_pages)
    for number, shard in enumerate(shards, start=1):
        folder = shard_folder(number)
        key = shard_key(f"{engine}\0{folder}", shard, pages)
        record = last.get(key)
        if (
            record is not None
            and last_bundle is not None
            and not restorable(record, last_bundle, folder, shard)
        ):
            plan.rejected.append(
                f"search shard {number} in the last output is not the one the build "
                "cache recorded (changed or replaced); it was indexed again"
            )
            record = None
        # (Its files are named by path in the bundle: a record of another folder has none.)
        before = records[number - 1] if record is None and number <= len(records) else None
        plan.shards.append(PlannedShard(number, shard, key, record, before))
    return plan


def assemble_index(
    plan: ShardPlan, last_bundle: Path | None, made: dict[int, list[tuple[str, Path]]]
) -> ShardedIndex:
    """The new index from `plan`: the shards taken over from `last_bundle`, and the files
    Pagefind `made` for each other shard ((path in the bundle, file), by shard number),
    in shard order whatever order the runs finished in."""
    result = ShardedIndex(rejected=list(plan.rejected))
    for shard in plan.shards:
        record = shard.taken_over
        if record is not None and last_bundle is not None:
            result.kept.append(record)
            result.records.append(record)
            result.reused += 1
            continue
        files = {}
        before = shard.last.files if shard.last is not None else {}
        for name, path in made[shard.number]:
            with path.open("rb") as handle:
                files[name] = digest = file_digest(handle)
            recorded = name.endswith(HASH_NAMED) and before.get(name) == digest
            result.files.append(BundleFile(name, path, digest, recorded=recorded))
        result.records.append(ShardRecord(shard.key, files))
        result.indexed += 1
    return result
