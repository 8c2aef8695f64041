"""The search dialog over an index built in shards, in a real browser.

The shared garden is built with `SHARD_PAGES = 2`: its seven searchable pages go into three
Pagefind bundles (four shards by their paths' hashes, one of them empty), the first at
`_trellis/pagefind/` and the others inside it, listed in its
`trellis-shards.json`. `search.js` merges them, so a word from a page of the last shard is
found like one from the first, and results from every shard come in one list.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from garden_vault import GARDEN, PRIVATE_MARKERS
from helpers import BuiltSite, build_vault
from test_search_ui import search

import trellis.emit.search as search_module
from trellis.emit.search import BUNDLE_DIR, SHARD_LIST

pytestmark = pytest.mark.browser


def build_sharded(root: Path, **overrides: Any) -> BuiltSite:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "SHARD_PAGES", 2)
        site = build_vault(root, GARDEN, **overrides)
    assert not site.warned("search index"), site.warnings
    return site


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_sharded(tmp_path_factory.mktemp("sharded-garden"))


def shard_urls(site: BuiltSite) -> list[list[str]]:
    """The page URLs each shard indexes, first shard first (read from its fragments)."""
    bundle = site.out / BUNDLE_DIR
    folders = ["", *json.loads((bundle / SHARD_LIST).read_text(encoding="utf-8"))["shards"]]
    shards = []
    for folder in folders:
        urls = []
        for path in sorted((bundle / folder / "fragment").glob("*.pf_fragment")):
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
            urls.append(json.loads(text.removeprefix("pagefind_dcd"))["url"])
        shards.append(sorted(urls))
    return shards


def test_the_garden_is_indexed_in_shards(sharded: BuiltSite) -> None:
    # Each page in the shard its path hashes to (`plan_shards`: four, one of them empty).
    assert shard_urls(sharded) == [
        ["/nograph/"],
        ["/", "/beta/", "/delta/", "/lonely/"],
        ["/alpha/", "/gamma/"],
    ]


def test_words_from_the_first_and_the_last_shard_are_found(page, sharded, serve_site):
    base = serve_site(sharded.out)
    page.goto(base + "beta/")
    last = search(page, "graphlessgull")
    assert [r["href"] for r in last] == ["/nograph/"]
    assert "<mark>graphlessgull" in last[0]["excerpt"]  # Pagefind marks "graphlessgull,"
    assert page.inner_text(".search-status") == "1 note found."
    page.keyboard.press("Escape")
    first = search(page, "zephyrquill")
    assert [r["href"] for r in first] == ["/alpha/"]
    assert first[0]["title"] == "Alpha" and "<mark>zephyrquill</mark>" in first[0]["excerpt"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") == "/alpha/"


def test_results_from_every_shard_come_in_one_list(page, sharded, garden, serve_site):
    # The same query on the one-bundle garden finds the same notes.
    one = serve_site(garden.out)
    page.goto(one + "lonely/")
    expected = sorted(r["href"] for r in search(page, "Alpha"))
    page.keyboard.press("Escape")
    base = serve_site(sharded.out)
    page.goto(base + "lonely/")
    results = search(page, "Alpha")
    hrefs = [r["href"] for r in results]
    assert sorted(hrefs) == expected
    shards = shard_urls(sharded)
    assert len({i for i, urls in enumerate(shards) for href in hrefs if href in urls}) >= 2
    assert all("<mark>" in r["excerpt"] for r in results)
    assert page.inner_text(".search-status") == f"{len(hrefs)} notes found."


def test_one_query_loads_every_shard_and_the_engine_once(page, sharded, serve_site):
    base = serve_site(sharded.out)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base + "delta/")
    search(page, "graphlessgull")
    paths = [url.removeprefix(base.rstrip("/")).split("?")[0] for url in requests]
    pagefind = [p for p in paths if p.startswith("/_trellis/pagefind/")]
    assert pagefind.count("/_trellis/pagefind/" + SHARD_LIST) == 1
    entries = sorted(p for p in pagefind if p.endswith("pagefind-entry.json"))
    assert entries == [
        "/_trellis/pagefind/pagefind-entry.json",
        "/_trellis/pagefind/shard-2/pagefind-entry.json",
        "/_trellis/pagefind/shard-3/pagefind-entry.json",
    ]
    assert len([p for p in pagefind if "/wasm." in p]) == 1
    assert len([p for p in pagefind if p.endswith("pagefind.js")]) == 1


def test_private_words_find_nothing_in_any_shard(page, sharded, serve_site):
    base = serve_site(sharded.out)
    page.goto(base)
    for word in ("hushedheron", "mutedmarten", "PRIVATEMARKER", "draftmarker"):
        assert search(page, word) == [], word
        page.keyboard.press("Escape")
    # Its real hit first; a shard without the word matches its prefix ("beta"), as documented
    # in trellis.emit.search, and lists weaker matches after it.
    assert next(r["href"] for r in search(page, "betaopening")) == "/beta/"
    shown = page.inner_text(".search-dialog").lower()
    assert not [m for m in PRIVATE_MARKERS if m.lower() in shown]


def test_shards_on_a_site_built_for_a_sub_path(page, tmp_path: Path, serve_site):
    site = build_sharded(tmp_path, base_url="https://example.org/my-garden/")
    base = serve_site(site.out, "/my-garden/")
    page.goto(base + "gamma/")
    results = search(page, "graphlessgull")
    assert [r["href"] for r in results] == ["/my-garden/nograph/"]
    assert [r["href"] for r in search(page, "fernwhistle")] == ["/my-garden/beta/"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") == "/my-garden/beta/"
