"""Where each page goes: slugs, permalinks, dg-path, the home page, collisions, base URL."""

import pytest
from helpers import build_vault, published

from trellis.public.urls import clean_permalink, path_slug
from trellis.slug import slugify


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("Note.md", "/note/"),
        ("Foo Bar.md", "/foo-bar/"),
        ("Sources/🎙 Podcasts/Foo Bar.md", "/sources/podcasts/foo-bar/"),
        ("A/B/C d.md", "/a/b/c-d/"),
        ("Hello, World!.md", "/hello-world/"),
        ("জীবনের কথা.md", "/জীবনের-কথা/"),  # Bengali vowel signs kept
        ("Bánk bán.md", "/bánk-bán/"),
        ("日本の庭.md", "/日本の庭/"),
        ("Über Straße.md", "/über-straße/"),
        ("🌱.md", "/seedling/"),  # an all-emoji name is spelled out rather than lost
        ("C++ & Rust.md", "/c-rust/"),
    ],
)
def test_path_slug(path, url):
    assert path_slug(path) == url


def test_slug_keeps_combining_marks_that_python_slugify_drops():
    assert slugify("জীবন") == "জীবন"
    assert slugify("हिन्दी भाषा") == "हिन्दी-भाषा"


@pytest.mark.parametrize(
    ("permalink", "cleaned", "changed"),
    [
        ("/x/", "/x/", False),
        ("x", "/x/", False),
        ("/a/../../etc/passwd", "/a/etc/passwd/", True),
        ("/ok/%2e%2e/x", "/ok/x/", True),
        ("https://example.org/a/b", "/a/b/", True),
        ("/a//b/./c", "/a/b/c/", True),
        ("C:\\Windows\\x", "/Windows/x/", True),
        ("/Keep Case/Ünïcode/", "/Keep Case/Ünïcode/", False),
    ],
)
def test_clean_permalink(permalink, cleaned, changed):
    assert clean_permalink(permalink) == (cleaned, changed)


def test_url_rules_in_order(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "a/Both.md": published("x", **{"dg-permalink": "/dg/", "permalink": "/plain/"}),
            "a/Plain.md": published("x", permalink="/plain/"),
            "a/Path.md": published("x", **{"dg-path": "Moved/Somewhere Else.md"}),
            "a/Slug Me.md": published("x"),
        },
    )
    by_path = {n.rel_path: n.url for n in site.result.site.notes}
    assert by_path == {
        "a/Both.md": "/dg/",
        "a/Plain.md": "/plain/",
        "a/Path.md": "/moved/somewhere-else/",
        "a/Slug Me.md": "/a/slug-me/",
    }
    for url in by_path.values():
        assert site.exists(url)
    assert (site.out / "dg" / "index.html").is_file()


def test_permalink_cannot_leave_the_output(tmp_path):
    site = build_vault(tmp_path, {"Evil.md": published("x", permalink="/../../../outside/")})
    assert [n.url for n in site.result.site.notes] == ["/outside/"]
    assert (site.out / "outside" / "index.html").is_file()
    assert not (tmp_path / "outside").exists()
    assert site.warned("Evil.md", "cleaned")


def test_two_notes_one_url_first_path_wins(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "b.md": published("second", permalink="/same/"),
            "a.md": published("first", permalink="/same/"),
        },
    )
    assert [n.rel_path for n in site.result.site.notes] == ["a.md"]
    assert "first" in site.body("/same/").text()
    assert site.warned("b.md", "/same/", "a.md")


def test_reserved_urls_are_moved_aside(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Notes.md": published("x", permalink="/static/"),
            "Tags/Tagging.md": published("a folder named like the tag pages", tags="[t]"),
        },
    )
    by_path = {n.rel_path: n.url for n in site.result.site.notes}
    assert by_path == {"Notes.md": "/static-note/", "Tags/Tagging.md": "/tags-note/tagging/"}
    assert site.warned("Notes.md", "reserved")
    assert (site.out / "static" / "trellis.css").is_file()
    assert not (site.out / "static" / "index.html").exists()
    assert site.exists("/tags/t/")


def test_home_note_is_the_index(tmp_path):
    site = build_vault(
        tmp_path,
        {"Start.md": published("Welcome text", **{"dg-home": "true"}), "Other.md": published("o")},
    )
    assert site.result.site.home.rel_path == "Start.md"
    assert "Welcome text" in site.body("/").text()
    assert not site.exists("/start/")


def test_without_home_note_the_home_page_lists_notes(tmp_path):
    site = build_vault(
        tmp_path, {"Zeta.md": published("z"), "f/Alpha.md": published("a"), "Priv.md": "p\n"}
    )
    links = [a.text() for a in site.page("/").css("ul.notes a")]
    assert links == ["Alpha", "Zeta"]
    hrefs = [a.attributes["href"] for a in site.page("/").css("ul.notes a")]
    assert hrefs == ["/f/alpha/", "/zeta/"]


def test_second_home_note_is_ignored_with_a_warning(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "A.md": published("a", **{"dg-home": "true"}),
            "B.md": published("b", **{"dg-home": "true"}),
        },
    )
    assert site.result.site.home.rel_path == "A.md"
    assert site.exists("/b/")
    assert site.warned("B.md", "dg-home")


def test_base_url_prefixes_every_link_asset_and_canonical(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Home.md": published("[[Other]] ![[pic.png]] #tag", **{"dg-home": "true"}),
            "Other.md": published("o"),
            "pic.png": b"\x89PNG",
        },
        base_url="https://example.org/garden/",
    )
    page = site.page("/")
    assert page.css_first("a.internal-link").attributes["href"] == "/garden/other/"
    assert page.css_first("img").attributes["src"].startswith("/garden/attachments/")
    stylesheets = [link.attributes["href"] for link in page.css('link[rel="stylesheet"]')]
    assert stylesheets and all(h.startswith("/garden/static/") for h in stylesheets)
    assert (
        page.css_first('link[rel="canonical"]').attributes["href"] == "https://example.org/garden/"
    )
    assert page.css_first("a.site-title").attributes["href"] == "/garden/"
    canonical = site.page("/other/").css_first('link[rel="canonical"]').attributes["href"]
    assert canonical == "https://example.org/garden/other/"
    # Files are still written at the root of the output: the host maps /garden/ onto it.
    assert (site.out / "other" / "index.html").is_file()


def test_unicode_url_is_written_and_linked_percent_encoded(tmp_path):
    site = build_vault(
        tmp_path,
        {"জীবন.md": published("x"), "Home.md": published("[[জীবন]]", **{"dg-home": "true"})},
    )
    assert (site.out / "জীবন" / "index.html").is_file()
    href = site.page("/").css_first("a.internal-link").attributes["href"]
    assert href == "/%E0%A6%9C%E0%A7%80%E0%A6%AC%E0%A6%A8/"
