"""Tag pages and folder pages are keyed by what they show (`trellis.emit.keyed_lists`): a
rebuild with the cache takes an unchanged one over from the last output (the same file: a
hard link, same inode) and renders only those whose cards changed, writing what a clean
build writes. `/tags/`, the home list and the file tree are made on every build. A note
made private leaves every list page, the search index and the cache's own records."""

from __future__ import annotations

import gzip
from pathlib import Path

from helpers import published, snapshot, write_vault

from trellis.build.cache import read_cache
from trellis.emit.search import BUNDLE_DIR
from trellis.emit.writer import cache_path
from trellis.pipeline import BuildResult, build

SETTINGS = {"git_dates": False}
FILES: dict[str, str | bytes] = {
    "Garden/Alpha.md": published("Alpha opens with this.\n\nMore alpha.\n", tags="[moss]"),
    "Garden/Beta.md": published("Beta opens with this.\n", tags="[fern]"),
    "Garden/Deep/Gamma.md": published("Gamma is deep.\n", tags="[moss/green]"),
    "Shed/Delta.md": published("Delta is elsewhere.\n", tags="[fern]", created="2024-01-02"),
    "Shed/Secret.md": published("Kept under the bed: zanzibarword.\n", tags="[hidden]"),
}
# A note's card is on its folder's page and its tags' pages (and their parents').
LISTS = {
    "garden/index.html",
    "garden/deep/index.html",
    "shed/index.html",
    "tags/moss/index.html",
    "tags/moss/green/index.html",
    "tags/fern/index.html",
    "tags/hidden/index.html",
}


def inodes(out: Path) -> dict[str, int]:
    return {name: (out / name).stat().st_ino for name in LISTS if (out / name).is_file()}


def rebuilt(tmp_path: Path, edit: dict[str, str | bytes]) -> tuple[set[str], BuildResult]:
    """Build, apply `edit`, build again with the cache (checked against a clean build);
    the list pages the second build wrote anew, and its result."""
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", SETTINGS)
    assert set(inodes(tmp_path / "site")) == LISTS
    before = inodes(tmp_path / "site")
    write_vault(vault, edit)
    result = build(vault, tmp_path / "site", SETTINGS)
    build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")
    after = inodes(tmp_path / "site")
    return {name for name in after if before.get(name) != after[name]}, result


def test_an_edit_past_the_description_rewrites_no_list_page(tmp_path):
    edit = {"Garden/Alpha.md": published("Alpha opens with this.\n\nMore text.\n", tags="[moss]")}
    rewritten, result = rebuilt(tmp_path, edit)
    assert rewritten == set()
    assert result.pages_rendered == 1


def test_a_new_description_rewrites_the_lists_showing_the_card(tmp_path):
    edit = {"Garden/Alpha.md": published("Alpha now starts anew.\n", tags="[moss]")}
    rewritten, _ = rebuilt(tmp_path, edit)
    assert rewritten == {"garden/index.html", "tags/moss/index.html"}
    assert b"Alpha now starts anew." in (tmp_path / "site/tags/moss/index.html").read_bytes()


def test_a_card_change_rewrites_exactly_the_pages_listing_the_note(tmp_path):
    """Its folder's page and the page of its tag and of each parent of it: no other."""
    edit = {"Garden/Deep/Gamma.md": published("Gamma now says more.\n", tags="[moss/green]")}
    rewritten, result = rebuilt(tmp_path, edit)
    assert rewritten == {
        "garden/deep/index.html",
        "tags/moss/index.html",
        "tags/moss/green/index.html",
    }
    assert result.pages_rendered == 1


def test_a_new_title_rewrites_its_lists(tmp_path):
    text = published("Beta opens with this.\n", tags="[fern]", title="Bravo")
    rewritten, _ = rebuilt(tmp_path, {"Garden/Beta.md": text})
    assert rewritten == {"garden/index.html", "tags/fern/index.html"}


def test_a_new_date_rewrites_the_lists_showing_the_card(tmp_path):
    text = published("Delta is elsewhere.\n", tags="[fern]", created="2025-05-06")
    rewritten, _ = rebuilt(tmp_path, {"Shed/Delta.md": text})
    assert rewritten == {"shed/index.html", "tags/fern/index.html"}


def test_a_moved_tag_rewrites_the_old_and_new_tag_pages_and_the_counts(tmp_path):
    text = published("Gamma is deep.\n", tags="[fern]")
    rewritten, _ = rebuilt(tmp_path, {"Garden/Deep/Gamma.md": text})
    # tags/moss/green/ is gone; the others changed.
    assert rewritten == {"garden/deep/index.html", "tags/moss/index.html", "tags/fern/index.html"}
    assert not (tmp_path / "site/tags/moss/green/index.html").exists()


def test_a_note_made_private_leaves_every_list_and_the_search_index(tmp_path):
    secret = str(FILES["Shed/Secret.md"]).replace("dg-publish: true", "dg-publish: false")
    edit: dict[str, str | bytes] = {"Shed/Secret.md": secret}
    rebuilt(tmp_path, edit)
    site = tmp_path / "site"
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".pf_fragment":
                data = gzip.decompress(data)
            assert b"zanzibarword" not in data, path
            assert b"Secret" not in data or path.suffix in {".pf_index", ".pf_meta"}, path
    assert not (site / "tags/hidden/index.html").exists()
    assert any((site / BUNDLE_DIR).rglob("*.pf_fragment"))
    cache = read_cache(cache_path(site))
    assert cache is not None
    for records in (cache["page_keys"], cache["page_digests"], cache["file_stats"]):
        assert not [name for name in records if "secret" in name or "hidden" in name]
    for records in (cache["parsed"], cache["links"]):
        assert "Shed/Secret.md" not in records


def test_notes_of_one_title_swapping_vault_path_order_rewrite_their_lists(tmp_path):
    """Lists show notes by title, then vault path: two notes titled alike, one renamed so
    that their paths' order flips while its URL (a permalink), folder and card stay the
    same, change the order of the folder page (its members come pinned first) and of the
    tag page. The pages' keys read the members' vault paths, so both are rendered again."""
    twin = {"title": "Twin", "tags": "[pair]"}
    files = {
        "Pair/a.md": published("First twin.\n", permalink="/one/", dg_pinned="true", **twin),
        "Pair/b.md": published("Second twin.\n", permalink="/two/", **twin),
    }
    vault = write_vault(tmp_path / "vault", files)
    build(vault, tmp_path / "site", SETTINGS)
    first = (tmp_path / "site" / "pair" / "index.html").read_text()
    assert first.index('href="/one/"') < first.index('href="/two/"')
    (vault / "Pair" / "a.md").rename(vault / "Pair" / "c.md")
    build(vault, tmp_path / "site", SETTINGS)
    build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    for page in ("pair/index.html", "tags/pair/index.html"):
        shown = (tmp_path / "clean" / page).read_text()
        assert shown.index('href="/two/"') < shown.index('href="/one/"'), page
        assert (tmp_path / "site" / page).read_text() == shown, page
