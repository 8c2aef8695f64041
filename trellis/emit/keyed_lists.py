"""Tag pages and folder pages keyed by what they show, taken over when unchanged.

Why: every build made every list page again, and at 10,000 notes they were most of the
render+write phase of a one-note rebuild, though an edit that changes no card (the body of
a note, past its description) changes none of them. A list page's key is a digest of its
context before its cards are made (`trellis.render.list_pages.ListPlan`: title, URL,
breadcrumbs, subfolders), the key of each card it lists in order (`Cards.key`: a digest of
what the card reads, made without making the card or its HTML), the site-wide globals, the
templates and settings (`PageKeys.layout`) and Trellis's version. A page whose key is the
one the last build recorded is taken over from the last output as note pages are
(`OutputWriter.reuse`: stat-checked, else hashed), so it is never rendered.

A note made private or hidden leaves the cards of every list, so the key of every page that
listed it changes and the page is rendered again without it. `/tags/`, the home list and
the file tree (one page each) are made on every build.
"""

from __future__ import annotations

from trellis import __version__
from trellis.emit.pages import PageKeys, digest
from trellis.emit.writer import OutputWriter
from trellis.render.list_pages import ListPlan
from trellis.render.pages import PageRenderer

# The cards (keyed by their notes' card keys instead) and their HTML.
UNKEYED = ("notes", "notes_html")


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
        self.rendered = 0

    def key(self, plan: ListPlan) -> str:
        """The digest of everything the page shows (see above)."""
        shown = [(name, value) for name, value in plan.page.items() if name not in UNKEYED]
        card_key = self.pages.cards.key
        cards = "".join([card_key(note) for note in self.pages.visible_by_title(plan.members)])
        return digest(self._base, plan.output_path, shown, cards)

    def write(self, plan: ListPlan) -> bool:
        """Write the page (taken over when its key is the last build's); True if rendered."""
        keys, output = self.keys, plan.output_path
        if keys is not None:
            key = keys.kept(output) or self.key(plan)  # (kept: the plan says it is unchanged)
            if keys.take_over(output, key, self.writer):
                return False
        data = self.pages.render_listing(plan.listing()).data
        self.writer.write_bytes(output, data)
        if keys is not None:
            keys.written(output, data)
        self.rendered += 1
        return True
