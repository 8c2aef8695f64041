"""`==highlights==`, paired like markdown-it-mark pairs them (flanking rules, nesting)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import inner_html, published, render_note


@pytest.mark.parametrize(
    ("source", "html"),
    [
        pytest.param("==text==", "<mark>text</mark>", id="plain"),
        pytest.param("a ==b c== d", "a <mark>b c</mark> d", id="in-a-sentence"),
        pytest.param("foo==bar==baz", "foo<mark>bar</mark>baz", id="inside-a-word"),
        pytest.param(
            "==**bold** and *it*==",
            "<mark><strong>bold</strong> and <em>it</em></mark>",
            id="nested-emphasis",
        ),
        pytest.param("**==in bold==**", "<strong><mark>in bold</mark></strong>", id="in-bold"),
        pytest.param("~~==gone==~~", "<s><mark>gone</mark></s>", id="in-strikethrough"),
        pytest.param(
            "==see [link](https://x.org) here==",
            '<mark>see <a href="https://x.org" class="external-link" target="_blank"'
            ' rel="noopener">link</a> here</mark>',
            id="around-a-link",
        ),
        pytest.param("==a\nb==", "<mark>a<br>\nb</mark>", id="across-a-line-break"),
        pytest.param("===a===", "=<mark>a</mark>=", id="odd-runs"),
        pytest.param("==a== ==b==", "<mark>a</mark> <mark>b</mark>", id="two"),
        pytest.param("==a ==b== c==", "<mark>a <mark>b</mark> c</mark>", id="nested-marks"),
        pytest.param(
            "==`code` inside==", "<mark><code>code</code> inside</mark>", id="code-inside"
        ),
        # Like markdown-it-mark (and strikethrough): `==` between word characters can both
        # open and close, so unspaced comparisons in prose pair up; write code as code.
        pytest.param("(a==b) and (c==d)", "(a<mark>b) and (c</mark>d)", id="unspaced-pairs"),
    ],
)
def test_highlight(tmp_path: Path, source: str, html: str) -> None:
    body = render_note(tmp_path, source)
    assert inner_html(body.css_first("p")) == html


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("a == b", id="spaced-comparison"),
        pytest.param("a == b == c", id="two-comparisons"),
        pytest.param("==", id="alone"),
        pytest.param("== spaced ==", id="spaces-inside"),
        pytest.param("==unclosed", id="unclosed"),
        pytest.param("`==code==`", id="code-span"),
        pytest.param("\\==escaped==", id="escaped"),
        pytest.param("a==", id="trailing"),
    ],
)
def test_no_highlight(tmp_path: Path, source: str) -> None:
    body = render_note(tmp_path, source)
    assert body.css("mark") == []
    assert "==" in body.text(deep=True)


def test_not_in_fenced_code(tmp_path: Path) -> None:
    body = render_note(tmp_path, "```\n==x==\n```")
    assert body.css("mark") == []
    assert body.css_first("pre").text(deep=True) == "==x==\n"


def test_setext_underline_is_still_a_heading(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Title\n===\n\n==mark==")
    assert body.css_first("h1").text() == "Title"
    assert body.css_first("mark").text() == "mark"


def test_does_not_cross_a_link_boundary(tmp_path: Path) -> None:
    body = render_note(tmp_path, "==a [li==nk](https://x.org)")
    assert body.css("mark") == []
    assert body.css_first("a").text() == "li==nk"


@pytest.mark.parametrize(
    ("source", "inside"),
    [
        ("[==x==](https://x.org)", "a mark"),
        ("[[Other|==x==]]", "a.internal-link mark"),
        ("==[[Other]]==", "mark a.internal-link"),
        ("==#tag==", "mark a.tag"),
        ("| ==cell== |\n|---|", "th mark"),
        ("- ==item==", "li mark"),
        ("# ==Heading==", "h1 mark"),
    ],
)
def test_highlights_combine_with_other_syntax(tmp_path: Path, source: str, inside: str) -> None:
    body = render_note(tmp_path, source, {"Other.md": published("Hi")})
    assert body.css_first(inside) is not None, inner_html(body)


def test_highlightr_plugin_marks_pass_through(tmp_path: Path) -> None:
    body = render_note(tmp_path, '<mark class="hltr-yellow">kept</mark> and ==ours==')
    first, second = body.css("mark")
    assert first.attributes["class"] == "hltr-yellow"
    assert first.text() == "kept"
    assert second.attributes == {}
    assert second.text() == "ours"
