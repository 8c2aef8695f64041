"""OpenGraph, Twitter and description meta in each page's head, and the feed link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from helpers import BuiltSite, build_vault, published
from selectolax.lexbor import LexborHTMLParser

BASE = "https://example.org/garden/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

VAULT: dict[str, str | bytes] = {
    "Described.md": published(
        "First paragraph of the note.",
        description="A note about 'quotes' & <angles>",
        created="2024-01-01T09:00:00Z",
        updated="2024-02-01T10:00:00Z",
    ),
    "Covered.md": published("Cover body.", image="cover.png"),
    "pics/cover.png": PNG,
    "Tagged.md": """\
        ---
        dg-publish: true
        tags: [plants]
        dg-metatags:
          og:description: Written for sharing
          og:image: https://cdn.example.com/share.png
          robots: noindex
          twitter:creator: "@ann"
        ---
        Plain body text.
        """,
    "Home.md": published("Welcome home.", dg_home="true"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_vault(tmp_path_factory.mktemp("meta"), VAULT, base_url=BASE)


def metas(page: LexborHTMLParser) -> dict[str, list[str]]:
    """Every head meta by its `property` or `name`, with all its contents (to spot repeats)."""
    found: dict[str, list[str]] = {}
    for node in page.css("head meta[property], head meta[name]"):
        key = node.attributes.get("property") or node.attributes.get("name") or ""
        found.setdefault(key, []).append(node.attributes.get("content") or "")
    return found


def social(page: LexborHTMLParser) -> dict[str, str]:
    """The OpenGraph, Twitter and article meta, each of which must appear once."""
    found = metas(page)
    chosen = {k: v for k, v in found.items() if k.split(":")[0] in ("og", "twitter", "article")}
    assert all(len(v) == 1 for v in chosen.values()), chosen
    return {k: v[0] for k, v in chosen.items()}


def test_note_with_a_description(site: BuiltSite) -> None:
    tags = social(site.page("/described/"))
    assert tags == {
        "og:site_name": "vault",
        "og:title": "Described",
        "og:description": "A note about 'quotes' & <angles>",
        "og:type": "article",
        "og:url": BASE + "described/",
        "twitter:card": "summary",
        "article:published_time": "2024-01-01T09:00:00+00:00",
        "article:modified_time": "2024-02-01T10:00:00+00:00",
    }
    assert "A note about 'quotes' & <angles>" in metas(site.page("/described/"))["description"]


def test_values_are_escaped(site: BuiltSite) -> None:
    html = site.html("/described/")
    assert "<angles>" not in html
    assert "&lt;angles&gt;" in html


def test_cover_image_is_an_absolute_attachment_url(site: BuiltSite) -> None:
    tags = social(site.page("/covered/"))
    image = tags["og:image"]
    assert image.startswith(BASE + "attachments/") and image.endswith("/cover.png")
    assert "pics" not in image  # the vault folder is not revealed
    assert (site.out / unquote(urlsplit(image).path).removeprefix("/garden/")).is_file()
    assert tags["twitter:card"] == "summary_large_image"


def test_metatags_override_defaults_and_add_new_ones(site: BuiltSite) -> None:
    page = site.page("/tagged/")
    tags = social(page)
    assert tags["og:description"] == "Written for sharing"
    assert tags["og:image"] == "https://cdn.example.com/share.png"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:creator"] == "@ann"
    assert metas(page)["robots"] == ["noindex"]
    # The page's own description is untouched by og:description.
    assert "Plain body text." in metas(page)["description"]


def test_description_meta_is_written_once(site: BuiltSite) -> None:
    assert metas(site.page("/described/"))["description"] == ["A note about 'quotes' & <angles>"]


def test_description_metatag_replaces_the_default(tmp_path: Path) -> None:
    note = "---\ndg-publish: true\ndg-metatags:\n  description: Chosen words\n---\nBody words.\n"
    site = build_vault(tmp_path, {"A.md": note}, base_url=BASE)
    found = metas(site.page("/a/"))
    assert "Chosen words" in found["description"]
    assert found["og:description"] == ["Chosen words"]


def test_home_and_list_pages_are_websites_without_article_times(site: BuiltSite) -> None:
    for url in ("/", "/tags/", "/tags/plants/"):
        tags = social(site.page(url))
        assert tags["og:type"] == "website", url
        assert not any(k.startswith("article:") for k in tags), url
        assert tags["og:url"] == BASE + url.lstrip("/"), url


def test_feed_link_is_in_every_head_and_exists(site: BuiltSite) -> None:
    for url in ("/", "/described/", "/tags/", "404.html"):
        links = site.page(url).css('head link[rel="alternate"][type="application/atom+xml"]')
        assert [link.attributes.get("href") for link in links] == ["/garden/feed.xml"], url
    assert (site.out / "feed.xml").is_file()


def test_no_og_url_without_an_origin(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"A.md": published("a")}, base_url="/garden/")
    tags = social(site.page("/a/"))
    assert "og:url" not in tags
    assert tags["og:title"] == "A"
