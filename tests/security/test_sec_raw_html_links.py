"""Links an author's raw HTML carries (issue 13): an `<a>` that points into the vault (the
Digital Garden plugin's pre-rendered Dataview tables, a hand-written `href="Note.md"`) goes
through the same link index as a wikilink. A published target gets its URL; a private or
missing one becomes the text-only unresolved span, with nothing of where it pointed; and
`trellis check` lists the ones that name private notes."""

# ruff: noqa: E501 (the table below is written as the plugin writes it, a row a line)
from __future__ import annotations

from pathlib import Path

from helpers import build_vault, published, write_vault
from test_sec_symlinks import output_holds

from trellis.check import check_vault, format_report

PRIVATE = "---\ndg-publish: false\ntitle: Dear diary TITLE-5c1e\n---\nSECRET-BODY-2b7d\n"
TABLE = """\
<table class="dataview table-view-table"><thead><tr><th>File</th></tr></thead><tbody>
<tr><td><span><a class="internal-link" data-href="Private/Secret Diary" href="Private/Secret Diary.md" data-type="file" target="_blank" rel="noopener">Diary</a></span></td></tr>
<tr><td><span><a class="internal-link" data-href="Books/Dune" href="Books/Dune.md" target="_blank" rel="noopener">Dune</a></span></td></tr>
<tr><td><span><a class="internal-link" href="Books/Dune%20Messiah.md#Plot">Messiah</a></span></td></tr>
<tr><td><a href="Private/Secret%20Diary.md" title="Private/Secret Diary">hand-made</a></td></tr>
<tr><td><a class="internal-link" data-href="Nowhere" href="Nowhere.md">gone</a></td></tr>
</tbody></table>
{ .block-language-dataview}

Inline: <a href="Private/Secret Diary.md">my <b>diary</b></a> and <a href="Books/Dune.md">Dune</a>.
"""
FILES = {
    "Home.md": published(TABLE),
    "Books/Dune.md": published("# Dune\n"),
    "Books/Dune Messiah.md": published("## Plot\nsequel\n"),
    "Private/Secret Diary.md": PRIVATE,
}


def test_raw_html_links_resolve_like_wikilinks(tmp_path: Path) -> None:
    site = build_vault(tmp_path, FILES)
    body = site.body("/home/")
    links = {a.text(): a.attributes for a in body.css("a")}
    assert links["Dune"]["href"] == "/books/dune/"
    assert links["Dune"]["data-href"] == "Books/Dune"
    assert links["Messiah"]["href"] == "/books/dune-messiah/#plot"
    unresolved = [s.text() for s in body.css("span.internal-link.is-unresolved")]
    assert unresolved == ["Diary", "hand-made", "gone", "my diary"]
    for span in body.css("span.internal-link.is-unresolved"):
        assert set(span.attributes) == {"class"}


def test_nothing_of_a_private_note_reaches_the_output(tmp_path: Path) -> None:
    site = build_vault(tmp_path, FILES)
    for needle in ("Secret Diary", "Secret%20Diary", "secret-diary", "TITLE-5c1e", "SECRET-BODY"):
        assert output_holds(site.out, needle) == [], needle
    assert site.warned("Home.md", "links to a private note")


def test_check_reports_raw_html_links_to_private_notes(tmp_path: Path) -> None:
    report = check_vault(write_vault(tmp_path / "v", FILES))
    flagged = sorted({(p.source, p.target, p.private) for p in report.private_links})
    assert flagged == [("Home.md", "Private/Secret Diary", "Private/Secret Diary.md")]
    assert len(report.private_links) == 3  # the table's, the hand-made one, the inline one
    assert '<a href="Private/Secret Diary">' in format_report(report)


def test_trusted_html_still_hides_private_targets(tmp_path: Path) -> None:
    """`trust_html = true` turns the cleaner off, not the link rule."""
    site = build_vault(tmp_path, FILES, trust_html=True)
    for needle in ("Secret Diary", "Secret%20Diary", "TITLE-5c1e", "SECRET-BODY"):
        assert output_holds(site.out, needle) == [], needle
    assert site.body("/home/").css_first('a[href="/books/dune/"]') is not None
