"""Conformance cases (our own writing) for what real gardens hold: the Digital Garden plugin's
export (`src/site/notes` of its Eleventy template) and Quartz `content/` folders.

Each case builds a small vault and reads the HTML written (issue 14).
"""

from __future__ import annotations

from pathlib import Path

from helpers import build_vault, published, render_note


def test_attrs_block_id_line_is_an_id_not_a_tag(tmp_path: Path) -> None:
    """`{ #75f403}` under a paragraph (hex, not only digits) names it and shows nothing."""
    body = render_note(tmp_path, "A quote worth keeping.\n{ #75f403}\n\nNext.\n")
    paragraph = body.css_first("#75f403")
    assert paragraph is not None and paragraph.text().strip() == "A quote worth keeping."
    assert "{" not in body.text() and body.css(".tag") == []
    assert not (tmp_path / "out" / "tags" / "75f403").exists()


def test_attrs_block_id_line_under_a_table_names_the_table(tmp_path: Path) -> None:
    """GFM reads the line under a table as one more row; markdown-it-attrs gives the id to
    the table. No row of `{ #id}`, and `[[Note#^id]]` lands on the table."""
    table = "| level | form |\n| --- | --- |\n| 1st | none |\n{ #8085ec}\n"
    site = build_vault(
        tmp_path,
        {
            "Table.md": published(table),
            "Link.md": published("See [[Table#^8085ec|the table]]."),
        },
    )
    body = site.body("/table/")
    assert body.css_first("table#8085ec") is not None
    assert len(body.css("tbody tr")) == 1 and "{" not in body.text()
    link = site.body("/link/").css_first("a.internal-link")
    assert link is not None and link.attributes["href"] == "/table/#8085ec"
