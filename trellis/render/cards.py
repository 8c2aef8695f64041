"""The cards of notes on list pages (folders, tags, the home list), made once per note.

Why: a note shows on its folder page, on the page of each of its tags (and their parents)
and on the home list, and a tag page of a common tag lists thousands of notes. Making every
card again for each page, and rendering its HTML again, made a preview save that touched
one note's tags re-do the cards of most of the vault. A card is a function of its note
alone, so it is kept per note (`forget` drops those of edited notes), and so is its HTML
(rendered through `partials/note_card.html`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from trellis.i18n import long_date
from trellis.model.dates import CREATED_KEYS, UPDATED_KEYS, first_date
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import tag_path
from trellis.render.page_records import NoteDate, NoteLink, TagLink

CARD_TEMPLATE = "partials/note_card.html"
DESCRIPTION_LIMIT = 160
CARD_TAGS = 4  # tags a card shows
DATE_KEYS = (*CREATED_KEYS, *UPDATED_KEYS)  # where `note_dates` finds a card's date
NO_DATES = [None] * len(DATE_KEYS)


class Cards:
    def __init__(self, site: PublicSite, env: Environment) -> None:
        self.site = site
        self.env = env
        self._links: dict[int, tuple[PublishedNote, NoteLink]] = {}
        self._keys: dict[int, tuple[PublishedNote, str]] = {}  # id(note) -> (note, `key`)
        # (id of a kept card, in a folder) -> (the card, its HTML); by id, since hashing a
        # card (its tags, its date) costs more than rendering many cards' lookups.
        self._html: dict[tuple[int, bool], tuple[NoteLink, Markup]] = {}
        # The notes whose card was dropped, in order: kept lists take them out and put them
        # back (`trellis.render.card_lists`).
        self.forgotten: list[PublishedNote] = []

    def link(self, note: PublishedNote) -> NoteLink:
        """The note as a card: title, description, latest frontmatter date and tags."""
        kept = self._links.get(id(note))
        if kept is not None and kept[0] is note:
            return kept[1]
        site = self.site
        language = site.settings.language
        dates = note_dates(note.meta, language) if note.display.show_dates else []
        tags = tuple(TagLink(t, site.href(tag_path(t))) for t in note.tags[:CARD_TAGS])
        card = NoteLink(
            note.title,
            site.href(note.url),
            note.tree_folder,
            "",
            note.display.note_icon,
            description=shorten(note_description(note), DESCRIPTION_LIMIT),
            date=dates[-1] if dates else None,
            tags=tags if note.display.show_tags else (),
        )
        self._links[id(note)] = (note, card)
        return card

    def key(self, note: PublishedNote) -> str:
        """A digest of what the note's card reads (`link`'s inputs), made without the card:
        no date parsed, no description cut, no Jinja. A list page's key is made of its
        cards' keys (`trellis.emit.keyed_lists`); the settings and templates a card also
        reads (base URL, language, `note_card.html`) are in every page's key already."""
        kept = self._keys.get(id(note))
        if kept is not None and kept[0] is note:
            return kept[1]
        meta, display = note.meta, note.display
        description = meta.get("description")
        if not (isinstance(description, str) and description.strip()):
            description = note.content.description if note.content else ""
        read = (
            note.title,
            note.url,
            note.tree_folder,
            display.note_icon,
            description,
            # Hidden dates or tags read as none: the card is the same.
            [meta.get(name) for name in DATE_KEYS] if display.show_dates else NO_DATES,
            note.tags[:CARD_TAGS] if display.show_tags else [],
        )
        key = hashlib.blake2b(repr(read).encode(), digest_size=12).hexdigest()
        self._keys[id(note)] = (note, key)
        return key

    def know(self, note: PublishedNote, key: str) -> None:
        """Take `key` as the note's card key: the last build's, for a note the build's plan
        found unchanged (`trellis.build.reach`)."""
        self._keys[id(note)] = (note, key)

    def forget(self, notes: list[PublishedNote]) -> None:
        """Drop the cards of `notes` (edited: their text, tags or dates may differ)."""
        for note in notes:
            self.forgotten.append(note)
            self._keys.pop(id(note), None)
            kept = self._links.pop(id(note), None)
            if kept is not None:
                self._html.pop((id(kept[1]), False), None)
                self._html.pop((id(kept[1]), True), None)

    def html(self, card: NoteLink, in_folder: bool) -> Markup:
        """The card's `<li>`; on a folder page the card does not repeat its folder."""
        key = (id(card), in_folder)
        kept = self._html.get(key)
        if kept is not None and kept[0] is card:
            return kept[1]
        html = self.render(card, in_folder)
        self._html[key] = (card, html)
        return html

    def render(self, card: NoteLink, in_folder: bool) -> Markup:
        """`html` made again, not kept: list pages keep each card's HTML encoded
        (`trellis.render.card_lists`), and a `str` kept beside it took two to four times as
        much again."""
        return Markup(self.env.get_template(CARD_TEMPLATE).render(note=card, in_folder=in_folder))

    def template_functions(self) -> dict[str, Any]:
        return {"note_card": self.html}


def note_description(note: PublishedNote) -> str:
    """Frontmatter `description`, else the start of the note's first paragraph."""
    value = note.meta.get("description")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return note.content.description if note.content else ""


def note_dates(meta: dict[str, Any], language: str) -> list[NoteDate]:
    """The frontmatter's dates as the reader's language writes them (`updated` only when it
    differs). A file's modification time is not shown: a checkout or a sync changes it."""
    dates: list[NoteDate] = []
    for kind, keys in (("created", CREATED_KEYS), ("updated", UPDATED_KEYS)):
        value = first_date(meta, keys)
        if value is None:
            continue
        day = value.date()
        if dates and dates[0].iso == day.isoformat():
            continue
        dates.append(NoteDate(kind, day.isoformat(), _long_date(day, language)))
    return dates


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    """`long_date`, once per day and language: Babel reads the month names of the locale on
    every call (a quarter of a millisecond: most of a note page's context)."""
    return long_date(day, language)


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary before `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
