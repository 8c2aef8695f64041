"""Note embeds (`![[Note]]`) among text: the block they write must leave well-formed HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PUBLISHED, build_vault, published
from hostile_vault import structure_problems
from selectolax.lexbor import LexborNode

OTHERS = {"Beta.md": published("Beta's *own* words.\n")}
LINK = '<a href="https://example.com" class="external-link" target="_blank" rel="noopener">'

# (Markdown, what the HTML on the two sides of the last embed must read)
AROUND_EMBEDS = {
    # Found by tests/test_properties.py::test_our_own_markup_is_well_formed.
    "emphasis across two embeds": (
        "![[Beta]] a *b\n![[Beta]] c* d\n",
        ("<p> a <em>b<br>\n</em></p>", "<p><em> c</em> d</p>"),
    ),
    "strong": (
        "a **b ![[Beta]] c** d\n",
        ("<p>a <strong>b </strong></p>", "<p><strong> c</strong> d</p>"),
    ),
    "nested emphasis and strong": (
        "*a **b ![[Beta]] c** d*\n",
        ("<p><em>a <strong>b </strong></em></p>", "<p><em><strong> c</strong> d</em></p>"),
    ),
    "link text": (
        "[a ![[Beta]] b](https://example.com) c\n",
        (f"<p>{LINK}a </a></p>", f"<p>{LINK} b</a> c</p>"),
    ),
    "link text to a note": (
        "[a ![[Beta]] b](Beta.md)\n",
        (
            '<p><a href="/beta/" class="internal-link" data-href="Beta.md">a </a></p>',
            '<p><a href="/beta/" class="internal-link" data-href="Beta.md"> b</a></p>',
        ),
    ),
    "unresolved link text": (
        "[a ![[Beta]] b](Missing.md)\n",
        (
            '<p><span class="internal-link is-unresolved">a </span></p>',
            '<p><span class="internal-link is-unresolved"> b</span></p>',
        ),
    ),
    "highlight": ("==a ![[Beta]] b==\n", ("<p><mark>a </mark></p>", "<p><mark> b</mark></p>")),
    "tight list item": ("- *a ![[Beta]] b*\n- two\n", ("<li><em>a </em>", "<em> b</em></li>")),
    "table cell": (
        "| h |\n| - |\n| [a ![[Beta]] b](https://example.com) |\n",
        (f"<td>{LINK}a </a>", f"{LINK} b</a></td>"),
    ),
    "inline field value": (
        "key:: *a ![[Beta]] b*\n",
        (
            '<span class="inline-field-value"><em>a </em></span></span></p>',
            '<p><span class="inline-field" data-key="key"><span class="inline-field-value">'
            "<em> b</em></span></span></p>",
        ),
    ),
}


def _build(tmp_path: Path, body: str, trust_html: bool) -> str:
    site = build_vault(tmp_path, {"Test.md": PUBLISHED + body, **OTHERS}, trust_html=trust_html)
    return site.html("/test/")


@pytest.mark.parametrize("trust_html", [True, False], ids=["trusted", "sanitised"])
@pytest.mark.parametrize("case", list(AROUND_EMBEDS))
def test_embed_inside_inline_elements_leaves_well_formed_html(
    tmp_path: Path, case: str, trust_html: bool
) -> None:
    """The inline elements open at the embed are closed before its block, opened again after."""
    body, (before, after) = AROUND_EMBEDS[case]
    page = _build(tmp_path, body, trust_html)
    assert structure_problems(page) == []
    page = page.replace("<br />", "<br>")  # nh3 writes the HTML5 form
    start = page.rindex('<div class="internal-embed markdown-embed"')
    end = page.index("Open ↗</a></div>", start) + len("Open ↗</a></div>")
    assert page[:start].endswith(before)
    assert page[end:].startswith(after)


@pytest.mark.parametrize("case", list(AROUND_EMBEDS))
def test_embedded_note_is_outside_every_inline_element(tmp_path: Path, case: str) -> None:
    """Not italic, not inside a link or a paragraph: the embed is a block of its own."""
    from selectolax.lexbor import LexborHTMLParser

    page = LexborHTMLParser(_build(tmp_path, AROUND_EMBEDS[case][0], trust_html=True))
    embeds = page.css(".note-body .markdown-embed")
    assert embeds
    for embed in embeds:
        assert "Beta's own words." in embed.text()
        ancestors: list[str] = []
        node: LexborNode | None = embed.parent
        while node is not None and node.tag != "article":
            ancestors.append(node.tag or "")
            node = node.parent
        assert not set(ancestors) & {"p", "em", "strong", "a", "span", "mark", "s"}, ancestors
