"""Feeds, sitemap and robots.txt, read back from real builds: order, dates, links, privacy."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from helpers import BuiltSite, build_vault, published

from trellis.config import Settings
from trellis.pipeline import build

BASE = "https://example.org/garden/"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

PRIVATE_TITLE = "Secret Orchard Plans"
PRIVATE_TEXT = "PRIVATE-BODY-7391"
PRIVATE_TAG = "private-tag-7391"

# Dates: YAML dates, JSON ISO strings with a zone, and notes newer than everything public
# that must never show up (hidden, private).
GARDEN: dict[str, str | bytes] = {
    "Old.md": """\
        ---
        dg-publish: true
        created: 2024-01-01
        updated: 2024-01-02
        description: An old note about soil.
        tags: [soil]
        ---
        Old body.
        """,
    "New.md": """\
        ---
        {"dg-publish": true, "created": "2024-03-01T10:00:00Z",
         "updated": "2024-03-05T12:30:00+02:00"}
        ---
        New notes start with this paragraph.
        """,
    "Middle.md": published("Middle body.", created="2024-02-01T08:00:00"),
    "Hidden.md": published("Hidden body.", dg_hide="true", created="2025-01-01"),
    "Private.md": f"""\
        ---
        title: {PRIVATE_TITLE}
        created: 2030-01-01
        tags: [{PRIVATE_TAG}]
        ---
        {PRIVATE_TEXT}
        """,
    "Home.md": published("Welcome.", dg_home="true", created="2029-01-01"),
}


def xml_root(site: BuiltSite, name: str) -> ET.Element:
    return ET.fromstring((site.out / name).read_bytes())


def atom_entries(site: BuiltSite) -> list[ET.Element]:
    return xml_root(site, "feed.xml").findall(f"{ATOM}entry")


def atom_titles(site: BuiltSite) -> list[str]:
    return [e.findtext(f"{ATOM}title") or "" for e in atom_entries(site)]


def when(text: str | None) -> datetime:
    assert text, "missing date"
    return datetime.fromisoformat(text)


def sitemap(site: BuiltSite) -> dict[str, str]:
    root = xml_root(site, "sitemap.xml")
    return {
        u.findtext(f"{SM}loc") or "": u.findtext(f"{SM}lastmod") or ""
        for u in root.iter(f"{SM}url")
    }


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_vault(tmp_path_factory.mktemp("garden"), GARDEN, base_url=BASE)


# -- Atom -------------------------------------------------------------------------------------


def test_entries_are_published_visible_notes_newest_first(garden: BuiltSite) -> None:
    # Home is published but is the feed's own link; Hidden and Private are newer but absent.
    assert atom_titles(garden) == ["New", "Middle", "Old"]


def test_entry_links_and_ids_are_absolute_under_the_base_url(garden: BuiltSite) -> None:
    entry = atom_entries(garden)[0]
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == BASE + "new/"
    assert entry.findtext(f"{ATOM}id") == BASE + "new/"
    assert (garden.out / "new" / "index.html").is_file()


def test_dates_come_from_yaml_dates_and_json_iso_strings(garden: BuiltSite) -> None:
    new, middle, old = atom_entries(garden)
    assert when(new.findtext(f"{ATOM}published")) == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert when(new.findtext(f"{ATOM}updated")) == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
    assert when(old.findtext(f"{ATOM}published")) == datetime(2024, 1, 1, tzinfo=UTC)
    assert when(old.findtext(f"{ATOM}updated")) == datetime(2024, 1, 2, tzinfo=UTC)
    # Only `created` given: it is the updated date too; no zone means UTC.
    assert when(middle.findtext(f"{ATOM}updated")) == datetime(2024, 2, 1, 8, tzinfo=UTC)


def test_feed_updated_is_the_newest_entry_not_the_build_time(garden: BuiltSite) -> None:
    root = xml_root(garden, "feed.xml")
    assert when(root.findtext(f"{ATOM}updated")) == datetime(2024, 3, 5, 10, 30, tzinfo=UTC)


def test_summary_is_the_description_or_first_paragraph(garden: BuiltSite) -> None:
    summaries = {
        e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary") for e in atom_entries(garden)
    }
    assert summaries["Old"] == "An old note about soil."
    assert summaries["New"] == "New notes start with this paragraph."


def test_feed_metadata_comes_from_settings(tmp_path: Path) -> None:
    files = {
        "trellis.toml": 'title = "Green & Co"\nauthor = "Ann"\ndescription = "Notes on <soil>"\n',
        "A.md": published("a"),
    }
    site = build_vault(tmp_path, files, base_url=BASE)
    root = xml_root(site, "feed.xml")
    assert root.findtext(f"{ATOM}title") == "Green & Co"
    assert root.findtext(f"{ATOM}subtitle") == "Notes on <soil>"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Ann"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": BASE + "feed.xml", "alternate": BASE}


def test_tags_become_categories(garden: BuiltSite) -> None:
    old = atom_entries(garden)[2]
    assert [c.get("term") for c in old.findall(f"{ATOM}category")] == ["soil"]


# -- RSS --------------------------------------------------------------------------------------


def test_rss_has_the_same_items_with_permalink_guids(garden: BuiltSite) -> None:
    channel = xml_root(garden, "rss.xml").find("channel")
    assert channel is not None
    assert channel.findtext("link") == BASE
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["New", "Middle", "Old"]
    new = items[0]
    assert new.findtext("link") == BASE + "new/"
    guid = new.find("guid")
    assert guid is not None and guid.text == BASE + "new/" and guid.get("isPermaLink") == "true"
    assert parsedate_to_datetime(new.findtext("pubDate") or "") == datetime(
        2024, 3, 1, 10, tzinfo=UTC
    )
    assert parsedate_to_datetime(channel.findtext("lastBuildDate") or "") == datetime(
        2024, 3, 5, 10, 30, tzinfo=UTC
    )


# -- limits, determinism, file times ----------------------------------------------------------


def test_feed_keeps_the_newest_30(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"N{i:02}.md": published(f"note {i}", created=f"2024-01-{i:02}") for i in range(1, 32)
    }
    files["Extra.md"] = published("x", created="2023-12-01")
    site = build_vault(tmp_path, files, base_url=BASE)
    assert atom_titles(site) == [f"N{i:02}" for i in range(31, 1, -1)]
    assert len(xml_root(site, "rss.xml").findall("channel/item")) == 30


@pytest.mark.skipif(
    "feed_limit" not in Settings.__dataclass_fields__, reason="feed_limit not in Settings yet"
)
def test_feed_limit_setting(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"N{i}.md": published("n", created=f"2024-01-0{i}") for i in range(1, 5)
    }
    assert atom_titles(build_vault(tmp_path / "two", files, feed_limit=2)) == ["N4", "N3"]
    assert len(atom_titles(build_vault(tmp_path / "all", files, feed_limit=0))) == 4


@pytest.mark.parametrize("base_url", [BASE, "/"])
def test_notes_tied_at_the_limit_are_taken_by_url(tmp_path: Path, base_url: str) -> None:
    """Ties on the dates are broken by URL, also across the limit (the feed sorts only the
    notes at least as new as the limit-th by URL; without an origin, so no sitemap, only
    those are dated)."""
    files: dict[str, str | bytes] = {
        name: published("n", created="2024-01-02") for name in ("D.md", "B.md", "E.md", "A.md")
    }
    files["New.md"] = published("n", created="2024-02-01")
    files["Old.md"] = published("n", created="2023-01-01")
    site = build_vault(tmp_path, files, base_url=base_url, feed_limit=3)
    assert atom_titles(site) == ["New", "A", "B"]


def test_same_vault_gives_the_same_bytes(tmp_path: Path) -> None:
    first = build_vault(tmp_path, {"A.md": published("a"), "B.md": published("b")}, base_url=BASE)
    second = tmp_path / "again"
    build(tmp_path / "vault", second, {"base_url": BASE})
    for name in ("feed.xml", "rss.xml", "sitemap.xml", "robots.txt"):
        assert (first.out / name).read_bytes() == (second / name).read_bytes(), name


def test_file_time_is_used_without_frontmatter_dates(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "A.md").write_text(published("a"), encoding="utf-8")
    stamp = datetime(2021, 6, 7, 8, 9, 10, tzinfo=UTC).timestamp()
    os.utime(vault / "A.md", (stamp, stamp))
    build(vault, tmp_path / "out", {"base_url": BASE})
    root = ET.fromstring((tmp_path / "out" / "feed.xml").read_bytes())
    assert when(root.findtext(f"{ATOM}entry/{ATOM}updated")) == datetime(
        2021, 6, 7, 8, 9, 10, tzinfo=UTC
    )
    assert when(root.findtext(f"{ATOM}updated")) == datetime(2021, 6, 7, 8, 9, 10, tzinfo=UTC)


def test_text_xml_cannot_hold_is_dropped_not_fatal(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"A.md": published("a", description='"ring\\a bell"')})
    assert [e.findtext(f"{ATOM}summary") for e in atom_entries(site)] == ["ring bell"]


# -- path-only base URL -----------------------------------------------------------------------


def test_path_only_base_url_gives_rooted_links_and_no_sitemap(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"A.md": published("a")}, base_url="/garden/")
    entry = atom_entries(site)[0]
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == "/garden/a/"
    assert (entry.findtext(f"{ATOM}id") or "").startswith("urn:uuid:")
    assert (site.out / "rss.xml").is_file()
    assert not (site.out / "sitemap.xml").exists()
    assert (site.out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert site.warnings == []


# -- sitemap and robots.txt -------------------------------------------------------------------


def test_sitemap_lists_exactly_the_visible_published_pages(garden: BuiltSite) -> None:
    assert sitemap(garden) == {
        BASE: "2029-01-01T00:00:00+00:00",
        BASE + "middle/": "2024-02-01T08:00:00+00:00",
        BASE + "new/": "2024-03-05T12:30:00+02:00",
        BASE + "old/": "2024-01-02T00:00:00+00:00",
    }


def test_sitemap_without_a_home_note_lists_the_generated_home(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "A.md": published("a", created="2024-05-01"),
        "Deep/Ünïcode note.md": published("b", created="2024-04-01"),
    }
    site = build_vault(tmp_path, files, base_url=BASE)
    assert sitemap(site) == {
        BASE: "2024-05-01T00:00:00+00:00",
        BASE + "a/": "2024-05-01T00:00:00+00:00",
        BASE + "deep/%C3%BCn%C3%AFcode-note/": "2024-04-01T00:00:00+00:00",
    }
    assert (site.out / "404.html").is_file()


def test_robots_txt_allows_all_and_points_at_the_sitemap(garden: BuiltSite) -> None:
    robots = (garden.out / "robots.txt").read_text(encoding="utf-8")
    assert robots == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"


# -- privacy and collisions -------------------------------------------------------------------


def test_private_and_hidden_notes_never_reach_feeds_or_sitemap(garden: BuiltSite) -> None:
    for name in ("feed.xml", "rss.xml", "sitemap.xml", "robots.txt"):
        data = (garden.out / name).read_bytes()
        for secret in (PRIVATE_TITLE, PRIVATE_TEXT, PRIVATE_TAG, "private", "Hidden body"):
            assert secret.encode() not in data, (name, secret)
        assert b"/hidden/" not in data, name
    assert (garden.out / "hidden" / "index.html").is_file()  # built, just not listed


def test_a_note_taking_the_feed_name_is_moved_aside(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "A.md": published("a", dg_permalink="feed.xml"),
        "B.md": published("b"),
    }
    site = build_vault(tmp_path, files, base_url=BASE)
    assert (site.out / "feed.xml-note" / "index.html").is_file()
    assert (site.out / "feed.xml").is_file()
    assert site.warned("A.md", "reserved")
    items = xml_root(site, "rss.xml").findall("channel/item")
    assert sorted(i.findtext("title") or "" for i in items) == ["A", "B"]


def test_feedgen_is_imported_only_to_make_a_feed():
    """feedgen (and lxml under it) cost every build's start ~0.03 s when imported there."""
    import subprocess
    import sys

    code = (
        "import sys, trellis.cli, trellis.pipeline\n"
        "print(sorted(m for m in ('feedgen', 'lxml') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
