"""Footnotes (mdit-py-plugins' footnote plugin): references, named and inline notes, embeds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import BuiltSite, build_vault, published, render_note
from selectolax.lexbor import LexborNode


def _refs(body: LexborNode) -> list[tuple[str, str]]:
    """(shown label, href) of each footnote reference."""
    return [(a.text(), a.attributes["href"]) for a in body.css("sup.footnote-ref > a")]


def _notes(body: LexborNode) -> list[tuple[str, str]]:
    """(id, text without the back link) of each footnote at the end."""
    found = []
    for item in body.css("section.footnotes li.footnote-item"):
        text = item.text().replace("↩︎", "").strip()
        found.append((item.attributes["id"], text))
    return found


@pytest.mark.parametrize(
    ("source", "refs", "notes"),
    [
        ("Text[^1].\n\n[^1]: The note.\n", [("[1]", "#fn1")], [("fn1", "The note.")]),
        (
            "Named[^source].\n\n[^source]: Named note.\n",
            [("[1]", "#fn1")],
            [("fn1", "Named note.")],
        ),
        (
            "Inline^[an inline note] here.\n",
            [("[1]", "#fn1")],
            [("fn1", "an inline note")],
        ),
        (
            "A[^b] then B[^a].\n\n[^a]: first defined\n[^b]: second defined\n",
            [("[1]", "#fn1"), ("[2]", "#fn2")],
            [("fn1", "second defined"), ("fn2", "first defined")],  # numbered by first use
        ),
        (
            "Mixed[^1] and^[inline] end.\n\n[^1]: one\n",
            [("[1]", "#fn1"), ("[2]", "#fn2")],
            [("fn1", "one"), ("fn2", "inline")],
        ),
        (
            "Twice[^1] and again[^1].\n\n[^1]: shared\n",
            [("[1]", "#fn1"), ("[1:1]", "#fn1")],
            [("fn1", "shared")],
        ),
    ],
)
def test_footnotes(tmp_path: Path, source: str, refs: list, notes: list) -> None:
    body = render_note(tmp_path, source)
    assert _refs(body) == refs
    assert _notes(body) == notes
    # Every reference has an anchor the note links back to.
    for item in body.css("li.footnote-item"):
        back = item.css_first("a.footnote-backref").attributes["href"]
        assert body.css_first(back) is not None


def test_undefined_footnote_stays_text(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Missing[^nope] here.\n")
    assert body.css("sup") == []
    assert body.text().strip() == "Missing[^nope] here."


def test_definition_is_not_shown_as_paragraph(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Text[^1].\n\n[^1]: Only at the end.\n")
    paragraphs = body.css("p")
    assert paragraphs[0].text() == "Text[1]."
    assert "[^1]:" not in body.text()


def test_footnote_with_links(tmp_path: Path) -> None:
    body = render_note(
        tmp_path,
        "Claim[^1] and^[see [[Other|the other]]].\n\n"
        "[^1]: From [a site](https://example.com) and [[Other]].\n",
        {"Other.md": published("Hi")},
    )
    first, second = body.css("li.footnote-item")
    assert first.css_first('a[href="https://example.com"]').text() == "a site"
    assert first.css_first("a.internal-link").attributes["href"] == "/other/"
    assert second.css_first("a.internal-link").text() == "the other"


def test_footnote_with_formatting_and_code(tmp_path: Path) -> None:
    body = render_note(tmp_path, "X[^1].\n\n[^1]: **bold** and `code [^2]`\n")
    item = body.css_first("li.footnote-item")
    assert item.css_first("strong").text() == "bold"
    assert item.css_first("code").text() == "code [^2]"


def test_link_to_unpublished_note_in_footnote_leaks_nothing(tmp_path: Path) -> None:
    body = render_note(
        tmp_path,
        "X[^1].\n\n[^1]: See [[Secret plans]].\n",
        {"Secret plans.md": "---\ndg-publish: false\n---\nSecret body\n"},
    )
    item = body.css_first("li.footnote-item")
    assert item.css("a.internal-link") == []
    assert "secret-plans" not in (body.html or "").lower()
    assert "Secret body" not in body.text()


def test_footnote_in_list_and_blockquote(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- item[^1]\n\n> quote^[inline]\n\n[^1]: in a list\n")
    assert body.css_first("li sup.footnote-ref") is not None
    assert body.css_first("blockquote sup.footnote-ref") is not None
    assert [text for _, text in _notes(body)] == ["in a list", "inline"]


def _embedding_site(tmp_path: Path) -> BuiltSite:
    return build_vault(
        tmp_path,
        {
            "Page.md": published("Main[^1] text.\n\n![[A]]\n\n![[B]]\n\n[^1]: Page note.\n"),
            "A.md": published("A says[^1] and^[inline A].\n\n[^1]: A's note.\n"),
            "B.md": published("B says[^x].\n\n[^x]: B's note.\n"),
        },
    )


def test_two_embedded_notes_keep_their_own_footnotes(tmp_path: Path) -> None:
    """What is sane today: each embed shows its own notes, the page its own, nothing lost."""
    body = _embedding_site(tmp_path).body("/page/")
    embeds = body.css(".internal-embed")
    assert len(embeds) == 2
    assert [text for _, text in _notes(embeds[0])] == ["A's note.", "inline A"]
    assert [text for _, text in _notes(embeds[1])] == ["B's note."]
    page_sections = [s for s in body.css("section.footnotes") if "Page note." in s.text()]
    assert len(page_sections) == 1
    assert len(body.css("section.footnotes")) == 3
    assert body.css_first("p").text() == "Main[1] text."


def test_embedded_footnote_ids_are_unique_on_the_page(tmp_path: Path) -> None:
    body = _embedding_site(tmp_path).body("/page/")
    ids = Counter(node.attributes["id"] for node in body.css("[id]"))
    assert [name for name, count in ids.items() if count > 1] == []
