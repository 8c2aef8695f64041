"""List pages whose cards are spliced into the rendered page (`trellis.render.card_lists`):
the theme's `list.html` gets the cards as they are; an override that reads `notes_html`
otherwise (filters or measures it) is rendered whole, and the splice mark never shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import build_vault, published
from pytest import MonkeyPatch

from trellis.render.card_lists import LIST_MARK
from trellis.render.cards import Cards

NOTES = {
    "A/One.md": published("One says hello.\n", tags="[shared]"),
    "A/Two.md": published("Two says <b>bold</b> things.\n", tags="[shared, other]"),
}
MEASURING_LIST = """{% extends "base.html" %}
{% block content %}<p class="size">{{ page.notes_html|length }}</p>
<p class="upper">{{ page.notes_html|upper }}</p>
<ul class="notes">{{ page.notes_html }}</ul>{% endblock %}
"""


def all_output(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


def test_the_theme_list_shows_every_card_and_no_mark(tmp_path: Path) -> None:
    site = build_vault(tmp_path, NOTES)
    page = site.page("/tags/shared/")
    cards = page.css("ul.notes > li.note-card")
    assert [card.css_first("a").text() for card in cards] == ["One", "Two"]
    assert str(LIST_MARK) not in all_output(site.out)


def test_an_override_that_measures_the_cards_is_rendered_whole(tmp_path: Path) -> None:
    files = {**NOTES, ".trellis/templates/list.html": MEASURING_LIST}
    site = build_vault(tmp_path, files)
    page = site.page("/tags/shared/")
    size = page.css_first("p.size")
    notes = page.css_first("ul.notes")
    assert size is not None and notes is not None
    assert int(size.text()) == len(notes.html.removeprefix('<ul class="notes">')[: -len("</ul>")])
    assert "ONE SAYS HELLO" in site.html("/tags/shared/")  # the cards, filtered
    assert str(LIST_MARK) not in all_output(site.out)
    assert str(LIST_MARK).upper() not in all_output(site.out)


def test_list_pages_keep_a_card_only_encoded(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """Tag, folder and home list pages keep each card's HTML once, as UTF-8 bytes: not also
    as the `Markup` it was rendered to (two to four times the bytes), which `Cards.html`
    keeps only for templates calling `note_card` themselves."""
    made: list[Cards] = []
    start = Cards.__init__

    def recording(self: Cards, *args: Any) -> None:
        start(self, *args)
        made.append(self)

    monkeypatch.setattr(Cards, "__init__", recording)
    site = build_vault(tmp_path, NOTES)
    assert len(site.page("/tags/shared/").css("ul.notes > li.note-card")) == 2
    assert len(site.page("/a/").css("ul.notes > li.note-card")) == 2
    assert made and all(not cards._html for cards in made)
