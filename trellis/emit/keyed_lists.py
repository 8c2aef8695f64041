"""Tag pages and folder pages keyed by what they show, taken over when unchanged.

Why: every build made every list page again, and at 10,000 notes they were most of the
render+write phase of a one-note rebuild, though an edit that changes no card (the body of
a note, past its description) changes none of them. A list page's key is a digest of its
context before rendering (`trellis.render.list_pages.Listing`): its cards as records (title,
link, folder, icon, description, date, tags: everything a card shows), its title, URL,
breadcrumbs and subfolders, plus the site-wide globals, the templates and settings
(`PageKeys.layout`) and Trellis's version. A page whose key is the one the last build
recorded is taken over from the last output as note pages are (`OutputWriter.reuse`:
stat-checked, else hashed), so it is never rendered.

A note made private or hidden leaves the cards of every list, so the key of every page that
listed it changes and the page is rendered again without it. `/tags/`, the home list and
the file tree (one page each) are made on every build.
"""

from __future__ import annotations

from typing import Any

from trellis import __version__
from trellis.emit.pages import PageKeys, digest
from trellis.emit.writer import OutputWriter
from trellis.render.list_pages import Listing
from trellis.render.pages import PageRenderer


class KeyedLists:
    """Writes tag and folder pages: rendered when their key changed (without `keys`, as the
    preview's in-place updates have none: always)."""

    def __init__(
        self, pages: PageRenderer, writer: OutputWriter, keys: PageKeys | None = None
    ) -> None:
        self.pages = pages
        self.writer = writer
        self.keys = keys
        site = pages.globals["site"]
        self._base = digest(__version__, keys.layout if keys else "", sorted(site.items()))
        self._cards: dict[int, tuple[Any, str]] = {}  # id(card) -> (card, its repr)
        self.rendered = 0

    def key(self, listing: Listing) -> str:
        """The digest of everything the page shows (see above)."""
        shown = [
            (name, self._card_reprs(value) if name == "notes" else value)
            for name, value in listing.page.items()
            if name != "notes_html"
        ]
        return digest(self._base, listing.output_path, shown)

    def _card_reprs(self, cards: list[Any]) -> list[str]:
        """Each card's repr, made once per card (a note's card is on several lists)."""
        found = []
        for card in cards:
            kept = self._cards.get(id(card))
            if kept is None or kept[0] is not card:
                kept = self._cards[id(card)] = (card, repr(card))
            found.append(kept[1])
        return found

    def write(self, listing: Listing) -> bool:
        """Write the page (taken over when its key is the last build's); True if rendered."""
        keys, output = self.keys, listing.output_path
        if keys is not None and keys.take_over(output, self.key(listing), self.writer):
            return False
        data = self.pages.render_listing(listing).data
        self.writer.write_bytes(output, data)
        if keys is not None:
            keys.written(output, data)
        self.rendered += 1
        return True
