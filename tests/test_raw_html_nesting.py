"""Raw HTML a note leaves open cannot take in the markup Trellis writes after it (found by
hypothesis: an `<a>` then a `<table>` left open, then a footnote or a link, and the HTML
parser nested our `<a>` inside the author's, on the note's page and on a page embedding it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_vault
from hostile_vault import structure_problems

from trellis.pipeline import build

PUBLISHED = "---\ndg-publish: true\n---\n"


@pytest.mark.parametrize(
    "body",
    [
        "<a>\n<table>\n\nx [[Gamma]]\n",  # a later block's link
        "<a>\n<table>\n\nx^[note]\n",  # the footnote's reference and its backlink
        "<a href='javascript:alert(1)'>\n<table><tr><td>\n\n![[doc.pdf]] and [[Gamma]]\n",
        "| h |\n| - |\n| <a href=x><table> [[Gamma]] |\n",  # all in one table cell
        "[^1]\n\n[^1]: <a href=x><table> note\n",  # all in one footnote
        "x <a href=x><marquee> [[Gamma]]\n",  # a removed element that scoped the `<a>`
    ],
)
def test_an_element_left_open_does_not_nest_our_links_in_it(body: str, tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "Raw.md": PUBLISHED + body,
            "Host.md": PUBLISHED + "Before.\n\n![[Raw]]\n\nAfter the embed.\n",
            "Gamma.md": PUBLISHED + "gamma\n",
            "doc.pdf": b"%PDF",
        },
    )
    build(vault, tmp_path / "out", {"trust_html": False})
    for page in ("raw/index.html", "host/index.html"):
        html = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert structure_problems(html) == [], page
        assert 'class="internal-link"' in html or "footnote" in html


def test_our_footnotes_stay_out_of_an_element_left_open(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Raw.md": PUBLISHED + "<a>\n<table>\n\nx^[note]\n"})
    build(vault, tmp_path / "out", {"trust_html": False})
    html = (tmp_path / "out/raw/index.html").read_text(encoding="utf-8")
    body = html.split('<div class="note-body">', 1)[1]
    # The author's `<a>` closes with its block, before the paragraph and the footnotes.
    assert body.lstrip().startswith("<a>")
    assert body.index("</a>") < body.index("<p>x") < body.index('<section class="footnotes">')
