"""The search dialog in a real browser, over the Pagefind index the build wrote.

Typing a word from a note's body lists that note with the word highlighted; the keyboard
opens, moves through and closes the results; a site built for a sub-path works when served
there. What private, hidden and unsearchable notes say is never found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from garden_vault import GARDEN, PRIVATE_MARKERS
from helpers import build_vault, published

pytestmark = pytest.mark.browser


def search(page: Any, term: str) -> list[dict[str, str]]:
    """Open the dialog with Ctrl-K, type `term`, wait for the answer; the results shown."""
    page.keyboard.press("Control+k")
    page.wait_for_selector(".search-dialog[open]")
    page.fill(".search-input", term)
    page.wait_for_function(
        """(term) => {
            const status = document.querySelector('.search-status').textContent;
            return status.includes(term) || document.querySelector('.search-results li');
        }""",
        arg=term,
    )
    page.wait_for_timeout(300)  # let a debounced, superseding query settle
    return page.eval_on_selector_all(
        ".search-results li",
        """items => items.map(li => ({
            href: li.querySelector('a').getAttribute('href'),
            title: li.querySelector('.search-result-title').textContent,
            excerpt: li.querySelector('.search-result-excerpt').innerHTML,
            selected: li.getAttribute('aria-selected'),
        }))""",
    )


def test_a_word_from_a_body_finds_its_note_highlighted(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "beta/")
    results = search(page, "zephyrquill")
    assert [r["href"] for r in results] == ["/alpha/"]
    assert results[0]["title"] == "Alpha"
    assert "<mark>zephyrquill</mark>" in results[0]["excerpt"]
    assert results[0]["selected"] == "true"
    assert page.inner_text(".search-status") == "1 note found."


def test_keyboard_opens_moves_and_follows_a_result(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "delta/")
    page.keyboard.press("/")
    page.wait_for_selector(".search-dialog[open]")
    assert page.evaluate("document.activeElement.classList.contains('search-input')")
    page.keyboard.type("Alpha")
    page.wait_for_selector(".search-results li")
    page.wait_for_timeout(300)
    hrefs = page.eval_on_selector_all(".search-results a", "as => as.map(a => a.pathname)")
    assert len(hrefs) >= 2, hrefs  # Alpha itself and notes that mention it
    page.keyboard.press("ArrowDown")
    chosen = page.eval_on_selector(".search-results [aria-selected=true] a", "a => a.pathname")
    assert chosen == hrefs[1]
    active = page.get_attribute(".search-input", "aria-activedescendant")
    assert active == "search-result-1"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # wraps round to the last one
    last = page.eval_on_selector(".search-results [aria-selected=true] a", "a => a.pathname")
    assert last == hrefs[-1]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") == hrefs[-1]


def test_escape_closes_in_one_press_and_slash_in_a_field_types(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "alpha/")
    search(page, "moss")
    page.keyboard.press("Escape")
    page.wait_for_selector(".search-dialog", state="hidden")
    assert page.evaluate("document.querySelector('.search-dialog').open") is False
    page.keyboard.press("Control+k")
    page.wait_for_selector(".search-dialog[open]")
    page.keyboard.type("a/b")
    assert page.input_value(".search-input") == "a/b"


def test_hidden_unsearchable_and_private_words_find_nothing(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base)
    for word in ("hushedheron", "mutedmarten", "PRIVATEMARKER", "draftmarker"):
        assert search(page, word) == [], word
        assert "No notes found" in page.inner_text(".search-status")
        page.keyboard.press("Escape")
    # A word a private note shares with published ones finds only the published ones.
    results = search(page, "betaopening")
    assert [r["href"] for r in results] == ["/beta/"]
    shown = page.inner_text(".search-dialog")
    for marker in PRIVATE_MARKERS:
        assert marker.lower() not in shown.lower()


def test_the_box_is_absent_where_search_is_switched_off(page, garden, serve_site):
    base = serve_site(garden.out)
    page.goto(base + "nosearch/")
    assert page.query_selector(".search-open") is None
    page.keyboard.press("Control+k")
    assert page.query_selector(".search-dialog[open]") is None


def test_search_works_on_a_site_built_for_a_sub_path(page, tmp_path: Path, serve_site):
    site = build_vault(tmp_path, GARDEN, base_url="https://example.org/my-garden/")
    base = serve_site(site.out, "/my-garden/")
    page.goto(base + "gamma/")
    results = search(page, "fernwhistle")
    assert [r["href"] for r in results] == ["/my-garden/beta/"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") == "/my-garden/beta/"
    assert "fernwhistle" in page.inner_text(".note-body")


def test_without_an_index_the_dialog_says_so(page, tmp_path: Path, serve_site):
    site = build_vault(tmp_path, GARDEN)
    for path in sorted((site.out / "_trellis" / "pagefind").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    base = serve_site(site.out)
    page.goto(base + "alpha/")
    page.keyboard.press("Control+k")
    page.wait_for_function(
        "document.querySelector('.search-status').textContent.includes('not available')"
    )


def test_an_excerpt_starts_in_the_body_not_at_the_title_tags_or_header(
    page, tmp_path: Path, serve_site
):
    """The word is in the title, the tag line, the dates, a `[!metadata]` callout and an
    episode's header too, but the excerpt is cut from the body's prose; a tag the note has
    only in its frontmatter, a title word its body never says and an episode's show still
    find it."""
    site = build_vault(
        tmp_path,
        {
            "Marigold Care.md": published(
                "> [!metadata]- Meta\n> **up**:: [[Quiet]]\n> **topic**:: marigold\n\n"
                "Opening words about the bed. Later, marigold flowers keep aphids away.\n",
                tags="[marigold, tagetesonly]",
                created="2024-03-01",
            ),
            "Marigold Talk.md": published(
                "## Episode metadata\n- Episode title:: Marigold talk\n- Show:: Marigold Radio\n"
                "- Episode publish date:: 2024-05-01\n\n"
                "The host explains why a marigold border pays its way.\n"
            ),
            "Quiet.md": published("Nothing about flowers here.\n"),
        },
    )
    page.goto(serve_site(site.out) + "quiet/")
    results = {r["href"]: r["excerpt"] for r in search(page, "marigold")}
    assert set(results) == {"/marigold-care/", "/marigold-talk/"}
    assert results["/marigold-care/"].startswith("Opening words about the bed.")
    assert "<mark>marigold</mark> flowers" in results["/marigold-care/"]
    assert results["/marigold-talk/"].startswith("The host explains why a <mark>marigold</mark>")
    for excerpt in results.values():
        assert "#" not in excerpt and "2024" not in excerpt and "Care." not in excerpt
    page.keyboard.press("Escape")
    assert [r["href"] for r in search(page, "tagetesonly")] == ["/marigold-care/"]
    page.keyboard.press("Escape")
    assert [r["href"] for r in search(page, "care")] == ["/marigold-care/"]
    page.keyboard.press("Escape")
    assert [r["href"] for r in search(page, "radio")] == ["/marigold-talk/"]  # its show
