"""Folder and tag pages list notes as cards: description, latest date and tags, not bare links."""

from __future__ import annotations

from helpers import build_vault, published


def test_folder_page_cards(tmp_path):
    long = "Word " * 80
    site = build_vault(
        tmp_path,
        {
            "Beds/Raised.md": published(
                "Raised beds warm up early.\n", tags="[beds, soil]", updated="2026-05-04"
            ),
            "Beds/Long.md": published(long + "\n", description="Told in one line."),
            "Beds/Wordy.md": published(long + "\n"),
        },
    )
    cards = {
        card.css_first("a.internal-link").text(): card
        for card in site.page("/beds/").css("li.note-card")
    }
    raised = cards["Raised"]
    assert raised.css_first(".note-card-description").text() == "Raised beds warm up early."
    assert raised.css_first("time").attributes["datetime"] == "2026-05-04"
    assert [t.text() for t in raised.css(".tag")] == ["#beds", "#soil"]
    assert cards["Long"].css_first(".note-card-description").text() == "Told in one line."
    wordy = cards["Wordy"].css_first(".note-card-description").text()
    assert wordy.endswith("…") and len(wordy) <= 161
    assert cards["Wordy"].css_first("time") is None  # no frontmatter date, none shown
    assert site.page("/tags/beds/").css_first("li.note-card .note-card-description") is not None
