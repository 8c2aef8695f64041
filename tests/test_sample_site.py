"""The sample vault, site_src/, built for real: every internal link works, nothing private leaks."""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from trellis.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_MARKERS = [
    b"TRELLIS-PRIVATE",  # every private note and attachment of the sample carries it
    b"Secret Diary",
    b"private-tag-trellis",
    b"secret-photo",
    b"Unfinished idea",
    b"/drafts/",
    b"/private/",
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "public"
    result = build(ROOT / "site_src", out)
    return out, result


def html_files(out: Path):
    return sorted(out.rglob("*.html"))


def target_file(out: Path, page: Path, url: str) -> Path | None:
    """The file an internal URL points at, or None for external URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "data:")):
        return None
    path = unquote(parts.path)
    base = out if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


def test_every_internal_href_and_src_exists(sample):
    out, _ = sample
    broken = []
    checked = 0
    for page in html_files(out):
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for node in tree.css("[href], [src]"):
            for attribute in ("href", "src"):
                url = node.attributes.get(attribute)
                if not url:
                    continue
                target = target_file(out, page, url)
                if target is None:
                    continue
                checked += 1
                if not target.is_file() or not target.is_relative_to(out.resolve()):
                    broken.append(f"{page.relative_to(out)}: {attribute}={url}")
    assert checked > 100
    assert broken == []


def test_every_fragment_lands_on_an_id(sample):
    out, _ = sample
    missing = []
    for page in html_files(out):
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for link in tree.css("a.internal-link[href*='#']"):
            url = link.attributes["href"]
            target = target_file(out, page, url)
            fragment = unquote(urlsplit(url).fragment)
            target_tree = LexborHTMLParser(target.read_text(encoding="utf-8"))
            if target_tree.css_first(f'[id="{fragment}"]') is None:
                missing.append(f"{page.relative_to(out)} -> {url}")
    assert missing == []


def test_no_private_marker_in_any_output_byte(sample):
    out, _ = sample
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for marker in PRIVATE_MARKERS:
                assert marker not in data, f"{marker!r} leaked into {path.relative_to(out)}"
    names = {p.name for p in out.rglob("*")}
    assert "secret-photo.svg" not in names and "diary" not in names


def test_published_notes_and_home(sample):
    out, result = sample
    paths = {n.rel_path for n in result.site.notes}
    assert "Private/Diary.md" not in paths and "Drafts/Unfinished idea.md" not in paths
    assert result.site.home.rel_path == "Home.md"
    assert 15 <= len(paths) <= 40
    home = LexborHTMLParser((out / "index.html").read_text())
    assert home.css_first("h1.inline-title").text() == "Welcome to the garden"
    assert (out / "custom" / "place" / "index.html").is_file()  # dg-permalink
    assert (out / "from-the-plugin" / "index.html").is_file()  # JSON frontmatter permalink
    assert (out / "languages" / "জীবনের-কথা" / "index.html").is_file()
    assert (out / "languages" / "magyar-kert" / "index.html").is_file()
    assert (out / "languages" / "日本の庭" / "index.html").is_file()
    assert (out / "404.html").is_file()


def test_used_attachments_are_copied(sample):
    out, _ = sample
    copied = sorted(p.name for p in (out / "attachments").rglob("*") if p.is_file())
    assert copied == [
        "birdsong.wav",
        "garden-path.svg",
        "planting-plan.pdf",
        "raised bed.svg",
        "seedlings.svg",
        "slow-garden-12.wav",
        "slow-garden-cover.svg",
    ]
