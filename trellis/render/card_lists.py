"""List pages made of kept pieces: each tag page's cards by title, patched by the notes a
preview save changed, and a page's card list spliced into the rendered page.

Why: the page of a common tag lists thousands of cards. A tags save remakes every tag page
showing the edited note's card, and sorting, looking up and joining thousands of cards, then
passing the joined megabytes through Jinja (which copies and escapes-checks them), cost most
of a tags save at 10,000 notes. A `CardList` keeps one tag's visible notes by title with
their cards' HTML; asked again, it takes out and puts back only the notes whose card was
dropped since (`Cards.forget`: the notes the fast path edited). The HTML list is then
spliced (`splice_list`) into the page rendered with a short mark in its place.

Kept lists hold only notes of the entry they are asked with (published notes of the public
site), and a note leaves every list it was in when its card is dropped: a list is never
shown without being brought up to date first.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from trellis.public.site import PublishedNote
from trellis.render.cards import Cards
from trellis.render.page_records import NoteLink
from trellis.render.templates import THEME_TEMPLATES

LIST_TEMPLATE = "list.html"
# Rendered where the joined cards go, then replaced by them; no card or template holds it.
LIST_MARK = Markup("<trellis-card-list-e1f3a9>")
SEPARATOR = b"\n    "  # between cards, as `list.html` lays them out


@dataclass(frozen=True)
class ListPage:
    """A list page as bytes: its cards are kept encoded and joined into it in one copy."""

    output_path: str
    data: bytes

    @property
    def html(self) -> str:
        return self.data.decode("utf-8")


@dataclass
class CardList:
    """One list's visible notes by title rank, with their cards and the cards' HTML."""

    ranks: list[int] = field(default_factory=list)
    notes: list[PublishedNote] = field(default_factory=list)
    cards: list[NoteLink] = field(default_factory=list)
    html: list[bytes] = field(default_factory=list)  # each card's, encoded
    mark: int = 0  # how much of `Cards.forgotten` it has taken in

    def remove(self, note: PublishedNote, rank: int) -> None:
        place = bisect_left(self.ranks, rank)
        if place < len(self.ranks) and self.notes[place] is note:
            for column in (self.ranks, self.notes, self.cards, self.html):
                del column[place]

    def insert(self, note: PublishedNote, rank: int, card: NoteLink, html: bytes) -> None:
        place = bisect_left(self.ranks, rank)
        self.ranks.insert(place, rank)
        self.notes.insert(place, note)
        self.cards.insert(place, card)
        self.html.insert(place, html)


class CardLists:
    """Kept `CardList`s by name (a tag's key); one set per `PageRenderer`, whose titles,
    hidden notes and card HTML do not change while it lives."""

    def __init__(self, cards: Cards, rank: Callable[[], dict[int, int]]) -> None:
        self.cards = cards
        self._rank = rank
        self._lists: dict[str, CardList] = {}
        # (id of a card, in a folder) -> the card and its HTML, encoded
        self._encoded: dict[tuple[int, bool], tuple[NoteLink, bytes]] = {}

    def encoded(self, card: NoteLink, in_folder: bool = False) -> bytes:
        """The card's HTML (`Cards.render`) as UTF-8, made and encoded once per card."""
        key = (id(card), in_folder)
        kept = self._encoded.get(key)
        if kept is not None and kept[0] is card:
            return kept[1]
        data = self.cards.render(card, in_folder).encode("utf-8")
        self._encoded[key] = (card, data)
        return data

    @cached_property
    def rank(self) -> dict[int, int]:
        return self._rank()

    def listed(self, name: str, members: list[PublishedNote]) -> CardList:
        """The visible `members` by title as cards: kept under `name`, brought up to date."""
        kept = self._lists.get(name)
        forgotten = self.cards.forgotten
        if kept is None:
            kept = self._lists[name] = self._made(members)
        elif kept.mark < len(forgotten):
            changed = {id(note): note for note in forgotten[kept.mark :]}
            rank = self.rank
            for note in changed.values():
                kept.remove(note, rank[id(note)])
            present = {id(note) for note in members}
            for key, note in changed.items():
                if key in present and not note.display.hidden:
                    self._insert(kept, note)
        kept.mark = len(forgotten)
        return kept

    def _made(self, members: list[PublishedNote]) -> CardList:
        rank = self.rank
        made = CardList()
        for note in sorted((n for n in members if not n.display.hidden), key=lambda n: rank[id(n)]):
            card = self.cards.link(note)
            made.ranks.append(rank[id(note)])
            made.notes.append(note)
            made.cards.append(card)
            made.html.append(self.encoded(card))
        return made

    def _insert(self, kept: CardList, note: PublishedNote) -> None:
        card = self.cards.link(note)
        kept.insert(note, self.rank[id(note)], card, self.encoded(card))


def splice_list(
    render: Callable[[str, dict[str, Any]], str],
    page: dict[str, Any],
    html: list[bytes],
    may_splice: bool,
) -> bytes:
    """`list.html` rendered for `page` with `html` (the cards' HTML) as `notes_html`.

    With `may_splice` (`overrides_read_cards` is False), the page is rendered with
    `LIST_MARK` in place of the cards and the cards joined where the mark came out (once),
    in one copy: the same bytes, without the megabytes passing through Jinja."""
    if html and may_splice:
        shell = render(LIST_TEMPLATE, {**page, "notes_html": LIST_MARK})
        head, mark, tail = shell.partition(LIST_MARK)
        if mark and LIST_MARK not in tail:
            return b"".join([head.encode(), *interleaved(html, SEPARATOR), tail.encode()])
    joined = Markup(SEPARATOR.join(html).decode("utf-8"))
    return render(LIST_TEMPLATE, {**page, "notes_html": joined}).encode("utf-8")


def interleaved(pieces: list[bytes], separator: bytes) -> list[bytes]:
    """`pieces` with `separator` between each two: joined by `b"".join` with the pieces
    around them in one copy (`separator.join` then concatenating would copy twice)."""
    parts = [separator] * (2 * len(pieces) - 1) if pieces else []
    parts[0::2] = pieces
    return parts


def overrides_read_cards(env: Environment) -> bool:
    """Whether a template that is not the theme's mentions `notes_html`: one that filters
    or measures it would not show it as is, so its lists are rendered whole."""
    loader = env.loader
    if loader is None:
        return True
    theme = THEME_TEMPLATES.resolve()
    for name in loader.list_templates():
        source, filename, _ = loader.get_source(env, name)
        theirs = filename is not None and Path(filename).resolve().is_relative_to(theme)
        if not theirs and "notes_html" in source:
            return True
    return False
