"""`shows_text` answers what `note.html` asked Jinja (`page.body|striptags|trim`), the same
for every string: a note page's inline title is kept out of the search excerpt exactly when
the body has text of its own."""

from __future__ import annotations

from pathlib import Path

from helpers import PUBLISHED, build_vault
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from trellis.render.pages import shows_text


def _striptags_trim(html: str) -> bool:
    return bool(Markup(html).striptags().strip())


PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<", ">", "<!--", "-->", "<!-", "--", "&", "&nbsp;", "&#32;", "&amp;",
        "&nb", "sp;", "&#x20;", "\xa0", " ", "\n", "\t", "a", "é", "<br/>", "<a href='x>y'>",
        "<img alt=\"<\">", "&lt;", "&gt;", "&Tab;", "&NewLine;", "&#8203;", "\u3000",
    ]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=14))
def test_shows_text_is_striptags_then_trim(pieces: list[str]) -> None:
    html = "".join(pieces)
    assert shows_text(html) is _striptags_trim(html), html


@given(st.text(max_size=40))
def test_shows_text_on_any_text(html: str) -> None:
    assert shows_text(html) is _striptags_trim(html)


def test_cases_by_hand() -> None:
    assert not shows_text("")
    assert not shows_text('<div class="x"><img src="a.png"></div>\n')
    assert not shows_text("<p>&nbsp; &#32;</p>")
    assert shows_text("<p>Hello</p>")
    assert shows_text("<p>a &lt; b</p>")
    assert not shows_text("<!-- only a comment --><p> </p>")
    assert shows_text("<p>unclosed < tag")


def test_inline_title_kept_out_of_the_excerpt_only_when_the_body_has_text(
    tmp_path: Path,
) -> None:
    site = build_vault(
        tmp_path,
        {
            "Words.md": PUBLISHED + "Some <b>words</b>.\n",
            "Picture.md": PUBLISHED + '<img src="https://example.com/a.png">\n',
            "Space.md": PUBLISHED + "&nbsp;\n",
            "Empty.md": PUBLISHED,
        },
    )

    def title_tag(url: str) -> str:
        node = site.page(url).css_first("h1.inline-title")
        assert node is not None
        return str(node.attributes)

    assert "data-pagefind-ignore" in title_tag("/words/")
    for url in ("/picture/", "/space/", "/empty/"):
        assert "data-pagefind-ignore" not in title_tag(url), url
