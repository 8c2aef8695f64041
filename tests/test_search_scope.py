"""What of a note page Pagefind indexes: headings and text (title and tags as metadata), not
embeds or crumbs.

An embedded note's text is found on that note's own page only (as in Obsidian), and the
folder names in the breadcrumbs are not page text. Read back from the fragments Pagefind
wrote (see test_search.py for the bundle format).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import BuiltSite, build_vault, published
from test_search import fragments

VAULT: dict[str, str | bytes] = {
    "Garden/Host.md": published(
        """\
        Host words hostheron.

        ## Quillwort heading

        ![[Guest]]

        ![[Guest#Part two]]

        ![[Missing note]]

        After the embeds: hostlinnet.
        """,
        tags="[hosttag]",
        title="Host Title",
    ),
    "Guest.md": published("Guest words guestgrebe.\n\n## Part two\n\nSection words sectionsmew.\n"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_vault(tmp_path_factory.mktemp("search-scope"), VAULT)


def _content(site: BuiltSite, url: str) -> str:
    return next(p for p in fragments(site) if p["url"] == url)["content"]


def test_title_tags_headings_and_text_are_indexed(site: BuiltSite) -> None:
    host = next(p for p in fragments(site) if p["url"] == "/garden/host/")
    # Title and tags are searchable metadata (Pagefind searches them), kept out of the
    # text so that an excerpt starts where the body matches (issue 18).
    assert host["meta"]["title"] == "Host Title"
    assert "hosttag" in host["meta"]["tags"].split()
    assert not host["content"].startswith("Host Title")
    assert "hosttag" not in host["content"]
    for word in ("Quillwort heading", "hostheron", "hostlinnet"):
        assert word in host["content"], word


def test_a_note_without_words_of_its_own_is_indexed_by_its_title(tmp_path: Path) -> None:
    """Pagefind builds no index from pages without words: such a note keeps its title in
    the text (a vault of one image note still gets a search index, no warning)."""
    site = build_vault(tmp_path, {"Picture.md": published("\n", title="Only Title")})
    assert site.warnings == []
    (page,) = [p for p in fragments(site) if p["url"] == "/picture/"]
    assert "Only Title" in page["content"]


def test_embedded_text_is_indexed_on_its_own_page_only(site: BuiltSite) -> None:
    # The page shows the embeds...
    assert "guestgrebe" in site.body("/garden/host/").text()
    # ...but the index has their words, title and placeholder only where they come from.
    host = _content(site, "/garden/host/")
    for word in ("guestgrebe", "sectionsmew", "Guest", "not published", "Open"):
        assert word not in host, word
    guest = _content(site, "/guest/")
    assert "guestgrebe" in guest and "sectionsmew" in guest


def test_breadcrumbs_are_not_page_text(site: BuiltSite) -> None:
    crumbs = site.page("/garden/host/").css_first("nav.breadcrumbs")
    assert crumbs is not None and "Garden" in crumbs.text()
    assert "Garden" not in _content(site, "/garden/host/")
