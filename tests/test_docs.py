"""Trellis's documentation is a garden (`docs/`): it builds with no warning and no broken
link, and its reference notes are the ones the code makes, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import frontmatter
import pytest
from selectolax.lexbor import LexborHTMLParser

from trellis.pipeline import BuildResult, build
from trellis.reference import reference_notes

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Folders of docs/ that hold attachments (or another helper's material), not notes.
NOT_NOTES = ("gardens", "screenshots")


def _notes() -> list[Path]:
    return [
        path
        for path in sorted(DOCS.rglob("*.md"))
        if path.relative_to(DOCS).parts[0] not in NOT_NOTES
    ]


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("docs") / "site"
    return out, build(DOCS, out, use_cache=False)


def test_the_reference_notes_are_made_from_the_code() -> None:
    for rel_path, text in reference_notes().items():
        committed = (DOCS / rel_path).read_text(encoding="utf-8")
        assert committed == text, f"docs/{rel_path} is stale: python -m trellis.reference docs"


def test_every_note_of_the_docs_is_published() -> None:
    assert len(_notes()) >= 10
    for path in _notes():
        assert frontmatter.load(path).get("dg-publish") is True, path


def test_the_docs_build_without_a_warning(docs_site: tuple[Path, BuildResult]) -> None:
    _, result = docs_site
    assert [str(d) for d in result.diagnostics.items] == []
    assert result.notes_published == len(_notes())
    assert result.site is not None and result.site.home is not None


def test_every_link_and_asset_of_the_docs_site_is_there(
    docs_site: tuple[Path, BuildResult],
) -> None:
    out, _ = docs_site
    checked = 0
    for page in out.rglob("*.html"):
        html = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for node in html.css("a[href], img[src], link[href], script[src], source[src]"):
            url = node.attributes.get("href") or node.attributes.get("src") or ""
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # external, or a fragment of this page
            target = out / unquote(parts.path).lstrip("/")
            if parts.path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(out)} links to missing {url}"
            checked += 1
    assert checked > 200


def test_every_dg_key_trellis_reads_is_documented() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "trellis").rglob("*.py"))
    keys = set(re.findall(r"""["'](dg-[a-z-]+)["']""", source))
    assert {"dg-publish", "dg-home", "dg-permalink"} <= keys
    documented = (DOCS / "Frontmatter.md").read_text(encoding="utf-8")
    assert [key for key in sorted(keys) if f"`{key}`" not in documented] == []


def test_the_docs_use_the_screenshots_of_the_repository_as_attachments(
    docs_site: tuple[Path, BuildResult],
) -> None:
    out, _ = docs_site
    copied = {path.name for path in (out / "attachments").rglob("*.png")}
    assert "callouts-1280-light.png" in copied  # docs/screenshots/
    assert "episode-laptop.png" in copied  # docs/
