"""Bare URLs: `SchemeLinkify` links exactly what linkify-it itself would link, only faster.

`SchemeLinkify.pretest` skips inline text that holds no scheme name; these tests parse the
same Markdown with linkify-it's own class and compare the HTML, over hand-picked edge cases
and random text made of the characters that matter (schemes, `:`, `/`, `@`, tags, escapes,
entities, code, links, wikilinks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import inner_html, render_note
from hypothesis import given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

from trellis.markdown.parser import SchemeLinkify, create_markdown


class _Link:
    def __init__(self, href: str) -> None:
        self.href = href


class _Hooks:
    """Resolves every link and file, so both parsers render the same whatever the text."""

    def resolve_link(self, target: str, env: dict[str, Any]) -> _Link:
        return _Link("/" + target)

    def resolve_file(self, path: str, env: dict[str, Any], embed: bool) -> _Link:
        return _Link("/files/" + path)

    def embed_note(self, target: str, env: dict[str, Any]) -> str:
        return "<div>embed</div>"

    def tag_href(self, tag: str) -> str:
        return "/tags/" + tag


def _parsers() -> tuple[MarkdownIt, MarkdownIt]:
    ours = create_markdown(_Hooks())
    stock = create_markdown(_Hooks())
    stock.linkify = LinkifyIt()
    stock.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    assert isinstance(ours.linkify, SchemeLinkify)
    return ours, stock


OURS, STOCK = _parsers()


def _render(md: MarkdownIt, text: str) -> str:
    env: dict[str, Any] = {"content": None, "line_offset": 0, "note": None}
    return md.render(text, env)


EDGE_CASES = [
    "see https://example.org/a?b=c#d now",
    "HTTPS://EXAMPLE.ORG and Http://x.org",
    "ftp://files.example.org/x and mailto:someone@example.org",
    "write to someone@example.org or www.example.org or example.com",
    "//example.org/path after a space, (//example.org) in brackets",
    "#tag//example.com and #tag/https://example.com",
    "http\\://example.org and http&#58;//example.org and https&colon;//example.org",
    "`https://in.code` and [text](https://x.org) and <https://auto.link>",
    "[[Note|https://alias.example]] and [[https://target.example]]",
    "key:: https://field.example and (key:: mailto:a@b.co)",
    "a:b c://d e:/f g//h i@j.k 10:30 std::vector",
    '<a href="x">https://inside.html.link</a> after',
    "> [!note] https://callout.example\n> body http://body.example",
    "- [ ] task https://task.example\n- https://list.example",
    "| a | https://cell.example |\n| - | - |\n| b | ftp://c.example |",
    "![alt](https://img.example/x.png) ![[https://embed.example/y.png]]",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_links_the_same_as_linkify_it(text: str) -> None:
    assert _render(OURS, text) == _render(STOCK, text)


_PIECES = st.sampled_from(
    [
        "http:", "https:", "HTTP:", "ftp:", "mailto:", "//", ":", "/", "@", ".", "#", "\\",
        "&#58;", "&colon;", "`", "[[", "]]", "[", "](", ")", "(", "<", ">", "|", "::", "*",
        "example.org", "a@b.co", "www.", "x", " ", "\n", "tag", "-", "_", "é", "日本",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=24).map("".join))
def test_random_text_links_the_same_as_linkify_it(text: str) -> None:
    assert _render(OURS, text) == _render(STOCK, text)


def test_pretest_is_false_only_without_a_scheme_name() -> None:
    linkify = OURS.linkify
    assert not linkify.pretest("plain words, a@b.co, www.example.org, 10:30")
    for text in ("go to https://x.org", "HTTP:", "see //x", "mailto:a@b.co", "ftp:"):
        assert linkify.pretest(text), text


@pytest.mark.parametrize(
    ("source", "href"),
    [
        pytest.param("See https://example.org/page now", "https://example.org/page", id="https"),
        pytest.param("Mail mailto:me@example.org", "mailto:me@example.org", id="mailto"),
    ],
)
def test_bare_urls_with_a_scheme_are_links_in_a_build(
    tmp_path: Path, source: str, href: str
) -> None:
    assert f'href="{href}"' in inner_html(render_note(tmp_path, source))


def test_without_a_scheme_nothing_is_linked_in_a_build(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Write to me@example.org or visit www.example.org, e.g. x.com")
    assert body.css("a") == []


def test_with_fuzzy_links_on_the_library_decides() -> None:
    linkify = SchemeLinkify()  # linkify-it's defaults: fuzzy links and emails on
    for text in ("www.example.org", "write to a@b.co", "plain words"):
        assert linkify.pretest(text) == LinkifyIt().pretest(text), text
