"""A large site's search index in shards: one Pagefind run per shard, one after another.

`SHARD_PAGES` is set low here so the sample vault (`site_src/`) gives three shards, whatever
number of searchable pages it has.
Read back from the real bundles (see test_search.py for the format): every searchable page
is in exactly one shard, the one its path hashes to, and indexed exactly as one unsharded
run indexes it; the first bundle lists the others; the same input writes the same files;
the preview's refresh swaps all shards at once and a stopped one changes nothing. Shards are
cached by content (test_search_shards_cache.py).
"""

from __future__ import annotations

import functools
import gzip
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import write_vault
from test_edits import COMPOST, edit, generate_vault, live_builder, psutil_children

import trellis.emit.search as search
from trellis.build.options import BuildOptions
from trellis.emit import pagefind_cli
from trellis.emit.search import BUNDLE_DIR, SHARD_LIST
from trellis.emit.search_shards import plan_shards, shard_of
from trellis.pipeline import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "site_src"


@functools.cache
def sample_pages() -> int:
    """How many searchable pages the sample vault has (one build, without sharding)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        SiteBuilder(SAMPLE, out, options=BuildOptions(keep_cache=False)).build()
        return len(searchable_urls(out))


def shard_pages(shards: int) -> int:
    """A shard size that cuts the sample's searchable pages into `shards` shards."""
    return -(-sample_pages() // shards)


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", shard_pages(3))


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The sample vault built three times: sharded twice, and in one shard."""
    root = tmp_path_factory.mktemp("shards")
    outs = {}
    with pytest.MonkeyPatch.context() as patch:
        three = shard_pages(3)
        for name, size in (("sharded", three), ("again", three), ("one", 0)):
            patch.setattr(search, "SHARD_PAGES", size or 10_000)
            outs[name] = root / name
            builder = SiteBuilder(SAMPLE, outs[name], options=BuildOptions(keep_cache=False))
            result = builder.build()
            assert not [w for w in result.diagnostics.items if "search" in w.message]
    yield outs


def bundle_files(out: Path) -> dict[str, bytes]:
    """Every file of the search bundle (all shards), by its path inside `BUNDLE_DIR`."""
    root = out / BUNDLE_DIR
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def shard_folders(out: Path) -> list[str]:
    """The bundle folders, first one ("") first, as the shard list names them."""
    listing = json.loads((out / BUNDLE_DIR / SHARD_LIST).read_text(encoding="utf-8"))
    return ["", *listing["shards"]]


def shard_fragments(out: Path, folder: str) -> dict[str, dict]:
    """The pages one shard indexes: its fragments by URL."""
    pages = {}
    for path in sorted((out / BUNDLE_DIR / folder / "fragment").glob("*.pf_fragment")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        page = json.loads(text.removeprefix("pagefind_dcd"))
        pages[page["url"]] = page
    return pages


def output_path(url: str) -> str:
    """The file a page's URL is written to: "/a/b/" is "a/b/index.html"."""
    return (url.strip("/") + "/index.html").lstrip("/")


def searchable_urls(out: Path) -> list[str]:
    """URLs of the pages the templates mark `data-pagefind-body`, from the HTML itself."""
    urls = []
    for page in sorted(out.rglob("index.html")):
        if b"data-pagefind-body" in page.read_bytes():
            folder = page.parent.relative_to(out).as_posix()
            urls.append("/" if folder == "." else f"/{folder}/")
    return urls


def test_the_shards_are_listed_in_the_first_bundle(sample_builds: dict[str, Path]) -> None:
    out = sample_builds["sharded"]
    assert shard_folders(out) == ["", "shard-2/", "shard-3/"]
    names = set(bundle_files(out))
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"} <= names
    assert any(n.startswith("wasm.") for n in names)
    for folder in ("shard-2/", "shard-3/"):
        own = {n.removeprefix(folder) for n in names if n.startswith(folder)}
        assert "pagefind-entry.json" in own and any(n.endswith(".pf_meta") for n in own)
        assert any(n.startswith("index/") for n in own)
        # The first bundle's script, worker and WebAssembly serve every shard.
        assert not any(n.startswith(("pagefind.js", "pagefind-worker", "wasm.")) for n in own)
    assert not [
        n for n in names if n.startswith("shard-") and not n.startswith(("shard-2/", "shard-3/"))
    ]
    # Nothing of the work is left in the site: no linked pages, no Pagefind folder.
    assert sorted(p.name for p in (out / "_trellis").iterdir()) == [
        "explorer.html",
        "graph",  # each note's neighbourhood (issue 18)
        "graph.json",
        "pagefind",
    ]


def test_every_searchable_page_is_in_exactly_one_shard(sample_builds: dict[str, Path]) -> None:
    out = sample_builds["sharded"]
    shards = [shard_fragments(out, folder) for folder in shard_folders(out)]
    urls = [url for shard in shards for url in shard]
    assert len(urls) == len(set(urls))
    assert sorted(urls) == sorted(searchable_urls(out))
    # The fewest shards of about SHARD_PAGES; each page in the one its path hashes to.
    assert len(shards) == -(-len(urls) // shard_pages(3)) == 3
    for number, shard in enumerate(shards):
        assert {shard_of(output_path(url), 3) for url in shard} == {number}
    for shard, folder in zip(shards, shard_folders(out), strict=True):
        entry = json.loads((out / BUNDLE_DIR / folder / "pagefind-entry.json").read_bytes())
        assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(shard)


def test_a_page_is_indexed_in_its_shard_as_one_run_indexes_it(
    sample_builds: dict[str, Path],
) -> None:
    sharded, one = sample_builds["sharded"], sample_builds["one"]
    assert shard_folders(one) == [""]
    whole = shard_fragments(one, "")
    merged = {
        url: page
        for folder in shard_folders(sharded)
        for url, page in shard_fragments(sharded, folder).items()
    }
    assert merged == whole  # same URLs, text, titles, anchors: the linked pages are the pages
    # Below the threshold the bundle is what it always was: one folder, no shard in it.
    assert not [n for n in bundle_files(one) if n.startswith("shard-")]


def test_the_same_input_writes_the_same_files(sample_builds: dict[str, Path]) -> None:
    first, second = bundle_files(sample_builds["sharded"]), bundle_files(sample_builds["again"])
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_build_that_reuses_the_index_keeps_every_shard(tmp_path: Path) -> None:
    # A change no note page shows (a new private note): the pipeline takes over
    # `BUNDLE_DIR` from the last build, and the shards inside it come along.
    vault = tmp_path / "vault"
    shutil.copytree(SAMPLE, vault)
    out = tmp_path / "out"
    builder = SiteBuilder(vault, out)
    builder.build()
    before = bundle_files(out)
    inode = (out / BUNDLE_DIR / "shard-3" / "pagefind-entry.json").stat().st_ino
    write_vault(vault, {"Private thought.md": "---\ndg-publish: false\n---\nunseen words\n"})
    result = builder.build()
    assert not result.unchanged
    assert bundle_files(out) == before
    assert (out / BUNDLE_DIR / "shard-3" / "pagefind-entry.json").stat().st_ino == inode


def test_a_refresh_swaps_in_every_shard_and_a_stopped_one_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(SAMPLE, vault)
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    before = bundle_files(out)
    edit(vault, COMPOST, "made of green", "made of SHARDEDEDIT green")
    assert builder.apply_edits([vault / COMPOST]) is not None

    # Stopped between two shards: the first new shard is done, nothing is swapped in. (In
    # four shards, every shard is new: one edit alone re-indexes one shard.)
    monkeypatch.setattr(search, "SHARD_PAGES", shard_pages(4))
    runs: list[Path] = []
    real_run = pagefind_cli.run_pagefind

    def counted(binary: Path, site_dir: Path, *args: object, **kwargs: object) -> str:
        runs.append(site_dir)
        return real_run(binary, site_dir, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pagefind_cli, "run_pagefind", counted)
    assert builder.refresh_search(stop=lambda: len(runs) >= 2) is False
    assert len(runs) == 2 and builder.search_stale
    assert bundle_files(out) == before
    assert not [p for p in (out / "_trellis").iterdir() if p.name.startswith(".")]

    # Fewer, larger shards this time: the old third shard must not outlive the swap.
    monkeypatch.setattr(search, "SHARD_PAGES", shard_pages(2))
    assert builder.refresh_search(stop=lambda: False) is True
    assert not builder.search_stale
    assert shard_folders(out) == ["", "shard-2/"]
    assert not (out / BUNDLE_DIR / "shard-3").exists()
    assert not [p for p in (out / "_trellis").iterdir() if p.name.startswith(".")]
    clean = tmp_path / "clean"
    SiteBuilder(vault, clean).build()
    assert bundle_files(out) == bundle_files(clean)  # what a full build of the edit writes
    found = [
        url
        for folder in shard_folders(out)
        for url, page in shard_fragments(out, folder).items()
        if "SHARDEDEDIT" in page["content"]
    ]
    assert found == ["/garden/compost/"]


def test_a_refresh_stopped_while_a_later_shard_runs_kills_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 400 generated notes in shards of at most 150 pages: three Pagefind runs long enough
    # to be seen. Stopped while a later one runs, it is killed and the old bundles stay.
    monkeypatch.setattr(search, "SHARD_PAGES", 150)
    vault = tmp_path / "vault"
    generate_vault(vault, 400, seed=3)
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    assert len(shard_folders(out)) == 3
    note = next(n for n in builder._live.site.notes if n.episode is None)  # type: ignore[union-attr]
    path = note.source.abs_path
    path.write_text(path.read_text(encoding="utf-8") + "\n\nMore words.\n", encoding="utf-8")
    assert builder.apply_edits([path]) is not None
    before = bundle_files(out)
    # Four new shards, all to index (one edited page alone re-indexes only its shard).
    monkeypatch.setattr(search, "SHARD_PAGES", 100)
    runs: list[Path] = []
    real_run = pagefind_cli.run_pagefind

    def counted(binary: Path, site_dir: Path, *args: object, **kwargs: object) -> str:
        runs.append(site_dir)
        return real_run(binary, site_dir, *args, **kwargs)  # type: ignore[arg-type]

    killed: list[int] = []

    def stop_while_a_later_one_runs() -> bool:
        if not killed and len(runs) >= 2 and [p for p in psutil_children() if "pagefind" in p]:
            killed.append(len(runs))
        return bool(killed)

    monkeypatch.setattr(pagefind_cli, "run_pagefind", counted)
    started = time.monotonic()
    assert builder.refresh_search(stop=stop_while_a_later_one_runs) is False
    assert killed and len(runs) == killed[0] >= 2, (killed, len(runs))
    assert time.monotonic() - started < 30
    assert builder.search_stale
    assert bundle_files(out) == before
    assert not [p for p in psutil_children() if "pagefind" in p]
    assert not [p for p in (out / "_trellis").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("pages", "shard_pages", "shards"),
    [(0, 6, 1), (6, 6, 1), (7, 6, 2), (18, 6, 3), (9000, 2500, 4), (10_001, 2500, 5)],
)
def test_shards_are_the_fewest_of_about_the_limit(
    pages: int, shard_pages: int, shards: int
) -> None:
    names = [f"p{i:05}/index.html" for i in range(pages)]
    planned = plan_shards(names, shard_pages)
    assert len(planned) == shards  # no shard is empty at these sizes
    assert sorted(name for shard in planned for name in shard) == names
    assert all(shard == sorted(shard) for shard in planned)
    if pages >= 9000:  # hashing spreads pages within a few percent of the mean
        mean = pages / shards
        assert all(abs(len(shard) - mean) < 0.05 * mean for shard in planned)


def test_a_page_added_or_removed_moves_no_other_page() -> None:
    names = [f"notes/n{i:05}/index.html" for i in range(9000)]
    before = plan_shards(names, 2500)
    added = plan_shards([*names, "notes/new/index.html"], 2500)
    removed = plan_shards(names[1:], 2500)
    changed = [i for i in range(4) if added[i] != before[i]]
    assert len(changed) == 1 and "notes/new/index.html" in added[changed[0]]
    assert [i for i in range(4) if removed[i] != before[i]] == [
        next(i for i in range(4) if names[0] in before[i])
    ]
