"""Inline `#tags`, checked against Obsidian's tag rules (Editing and formatting/Tags.md)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import PUBLISHED, build_vault, inner_html, published, render_note
from selectolax.lexbor import LexborNode


def _tags(body: LexborNode) -> list[str]:
    return [node.attributes["data-tag"] or "" for node in body.css(".tag")]


def _note_tags(tmp_path: Path, body: str) -> list[str]:
    site = build_vault(tmp_path, {"Test.md": PUBLISHED + textwrap.dedent(body)})
    assert site.result.site is not None
    (note,) = site.result.site.notes
    return note.content.tags


@pytest.mark.parametrize(
    ("source", "tags"),
    [
        pytest.param("#tag", ["tag"], id="alone"),
        pytest.param("A #nested/tag here", ["nested/tag"], id="nested"),
        pytest.param("#inbox/to-read/later", ["inbox/to-read/later"], id="deeply-nested"),
        pytest.param("#📥/🎙 episode", ["📥/🎙"], id="emoji-nested"),
        pytest.param("#árbol y #niño", ["árbol", "niño"], id="accents"),
        pytest.param("#日本語 の", ["日本語"], id="cjk"),
        pytest.param("#বাংলা লেখা", ["বাংলা"], id="bengali"),
        pytest.param(
            "#kebab-case #snake_case #camelCase", ["kebab-case", "snake_case", "camelCase"]
        ),
        pytest.param("#y1984 #2024-review", ["y1984", "2024-review"], id="digits-and-more"),
        pytest.param("(#tag)", ["tag"], id="in-parentheses"),
        pytest.param("**#bold** *#em* ~~#gone~~ ==#marked==", ["bold", "em", "gone", "marked"]),
        pytest.param("line one\n#second-line", ["second-line"], id="start-of-a-later-line"),
        pytest.param("- #in-a-list\n> #in-a-quote", ["in-a-list", "in-a-quote"]),
        pytest.param("`code`#after-code", ["after-code"], id="after-code-span"),
        pytest.param("#a/b/ is nested", ["a/b"], id="trailing-slash-is-text"),
        pytest.param("#one#two", ["one"], id="second-hash-ends-the-tag"),
    ],
)
def test_tags_found(tmp_path: Path, source: str, tags: list[str]) -> None:
    assert _tags(render_note(tmp_path, source)) == tags


@pytest.mark.parametrize(
    ("source", "text"),
    [
        pytest.param("#1984", "#1984", id="only-digits"),
        pytest.param("Issue #42 fixed", "Issue #42 fixed", id="issue-number"),
        pytest.param("`#code`", "#code", id="code-span"),
        pytest.param("```\n#not-a-tag\n```", "#not-a-tag", id="fenced-code"),
        pytest.param("https://x.org/#frag", "https://x.org/#frag", id="url"),
        pytest.param("See x.org/#frag now", "See x.org/#frag now", id="bare-url"),
        pytest.param("[a](https://x.org/#frag)", "a", id="link-destination"),
        pytest.param("page.html#part", "page.html#part", id="word-before"),
        pytest.param("C# and F#", "C# and F#", id="language-names"),
        pytest.param("##double", "##double", id="two-hashes"),
        pytest.param("#/root", "#/root", id="leading-slash"),
        pytest.param("\\#escaped", "#escaped", id="escaped"),
        pytest.param("# Heading", "Heading", id="heading-marker"),
        pytest.param("# ", "", id="empty-heading"),
        pytest.param("a # b", "a # b", id="lone-hash"),
    ],
)
def test_not_tags(tmp_path: Path, source: str, text: str) -> None:
    body = render_note(tmp_path, source)
    assert _tags(body) == []
    assert body.text(deep=True).strip() == text


@pytest.mark.parametrize("mark", [*",.;:!?()[]\"'", "…", "—", "“", "”", "<", "&"])
def test_tag_ends_at_punctuation(tmp_path: Path, mark: str) -> None:
    body = render_note(tmp_path, f"#tag{mark}rest")
    assert _tags(body) == ["tag"]
    assert body.css_first(".tag").text() == "#tag"
    assert body.text(deep=True).strip().startswith("#tag" + mark)


def test_tag_markup(tmp_path: Path) -> None:
    body = render_note(tmp_path, "See #nested/tag.")
    paragraph = body.css_first("p")
    assert inner_html(paragraph) == (
        'See <a href="/tags/nested/tag/" class="tag" data-tag="nested/tag">#nested/tag</a>.'
    )


def test_href_leads_to_the_tag_page_and_the_written_case_is_kept(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"Test.md": PUBLISHED + "#Project/Alpha #📥/🎙"})
    first, second = site.body("/test/").css("a.tag")
    assert first.attributes["href"] == "/tags/project/alpha/"
    assert first.attributes["data-tag"] == "Project/Alpha"
    assert first.text() == "#Project/Alpha"
    assert second.attributes["data-tag"] == "📥/🎙"
    for link in (first, second):
        assert site.exists(link.attributes["href"] or ""), link.attributes["href"]


def test_heading_holds_a_tag(tmp_path: Path) -> None:
    body = render_note(tmp_path, "## Plan #todo\n\n#Heading-like-tag")
    assert _tags(body.css_first("h2")) == ["todo"]
    assert body.css_first("p a.tag").attributes["data-tag"] == "Heading-like-tag"


@pytest.mark.parametrize(
    "source",
    ["[#tag and text](https://x.org)", "[[Other|#tag]]", "[[Other|see #tag]]"],
)
def test_tag_in_link_text_is_not_a_nested_link(tmp_path: Path, source: str) -> None:
    body = render_note(tmp_path, source, {"Other.md": published("Hi")})
    (link,) = body.css("a")
    span = link.css_first("span.tag")
    assert span is not None
    assert span.attributes["data-tag"] == "tag"
    assert span.text() == "#tag"


def test_recorded_in_order_once_case_insensitively(tmp_path: Path) -> None:
    tags = _note_tags(tmp_path, "#Tag #b/c\n\n- #tag and #TAG\n- #B/C #d `#code`\n\n# #h1984\n")
    assert tags == ["Tag", "b/c", "d", "h1984"]


def test_not_recorded_from_code_or_urls(tmp_path: Path) -> None:
    tags = _note_tags(tmp_path, "`#a` https://x.org/#b\n\n```\n#c\n```\n#1984 #real")
    assert tags == ["real"]
