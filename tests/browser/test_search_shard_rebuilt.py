"""A search index whose one shard was indexed again after an edit answers, in a real browser,
as a clean build's full index does.

The shared garden is built in shards of two pages (`SHARD_PAGES = 2`, as in
test_search_shards_ui.py) with the build cache; Delta is then edited (a word added, one
removed) and the garden built again with the cache: only Delta's shard is indexed, the
others are taken over from the last output. A clean build of the edited garden without the
cache and in one bundle (the full index) is the reference: for each query (the added word,
the removed one, words of pages in other shards, a word on many pages) both sites list the
same notes with the same titles and excerpts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from garden_vault import GARDEN
from helpers import published, write_vault
from test_search_ui import search

import trellis.emit.search as search_module
from trellis.emit.search import BUNDLE_DIR, SHARD_LIST
from trellis.pipeline import build

pytestmark = pytest.mark.browser

DELTA_EDITED = published("Delta sits three steps from Alpha, near quokkaflare.\n")
QUERIES = ["quokkaflare", "two", "three", "steps", "Alpha", "fernwhistle", "graphlessgull"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("shard-rebuilt")
    vault = write_vault(root / "vault", GARDEN)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "SHARD_PAGES", 2)
        first = build(vault, root / "sharded")
        assert first.search_shards_indexed == 3, first.diagnostics.items
        (vault / "Delta.md").write_text(DELTA_EDITED, encoding="utf-8")
        again = build(vault, root / "sharded")
    # Delta's shard alone was indexed again; its page alone was rendered again.
    assert (again.search_shards_indexed, again.search_shards_reused) == (1, 2)
    assert again.pages_rendered == 1 and not again.cache_problem
    clean = build(vault, root / "full", use_cache=False)
    assert clean.search_shards_indexed == 1
    assert not (root / "full" / BUNDLE_DIR / "shard-2").exists()
    assert (root / "sharded" / BUNDLE_DIR / SHARD_LIST).is_file()
    return {"sharded": root / "sharded", "full": root / "full"}


def answers(page: Any, base: str, term: str) -> list[tuple[str, str, str]]:
    """The notes a query lists (href, title, excerpt), in a stable order: shards rank each
    on its own statistics, so the order across shards is not the full index's."""
    page.goto(base + "lonely/")
    return sorted((r["href"], r["title"], r["excerpt"]) for r in search(page, term))


def test_a_shard_indexed_alone_answers_as_the_full_index(page, sites, serve_site) -> None:
    sharded, full = serve_site(sites["sharded"]), serve_site(sites["full"])
    for term in QUERIES:
        expected = answers(page, full, term)
        assert answers(page, sharded, term) == expected, term
    # The queries are not empty on both sides: the edit is found, the removed word is gone.
    assert [href for href, _, _ in answers(page, sharded, "quokkaflare")] == ["/delta/"]
    assert "/delta/" not in [href for href, _, _ in answers(page, sharded, "two")]
    assert len(answers(page, sharded, "Alpha")) >= 3
