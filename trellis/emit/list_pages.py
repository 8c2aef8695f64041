"""List pages (tags, `/tags/`, folders, the home list, the file tree) keyed by what they show.

Why: every build made every list page again, and at 10,000 notes they were most of the
render+write phase of a one-note rebuild, though an edit that changes no card (the body of
a note, past its description) changes none of them. A list page's key is a digest of its
context before rendering: its cards as records (title, link, folder, icon, description,
date, tags: everything a card shows), its title, URL, breadcrumbs and subfolders, plus the
site-wide globals, the templates and settings (`PageKeys.layout`) and Trellis's version.
A page whose key is the one the last build recorded is taken over from the last output as
note pages are (`OutputWriter.reuse`: stat-checked, else hashed), so it is never rendered;
the cards themselves are cheap records, kept per note (`trellis.render.cards`).

A note made private or hidden leaves the cards of every list, so the key of every page that
listed it changes and the page is rendered again without it.
"""

from __future__ import annotations

from typing import Any

from trellis import __version__
from trellis.emit.pages import PageKeys, digest, page_digest
from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite
from trellis.render.page_records import ListPage
from trellis.render.pages import PageRenderer


class ListPages:
    """Writes list pages: rendered when their key changed (or without `keys`: always)."""

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

    def key(self, listed: ListPage) -> str:
        """The digest of everything the page shows (see above)."""
        shown: list[tuple[str, Any]] = []
        for name, value in listed.context.items():
            if name == "page":
                value = {k: self._card_reprs(v) if k == "notes" else v for k, v in value.items()}
            shown.append((name, value))
        return digest(self._base, listed.output_path, listed.template, listed.in_folder, shown)

    def _card_reprs(self, cards: list[Any]) -> list[str]:
        """Each card's repr, made once per card (a note's card is on several lists)."""
        found = []
        for card in cards:
            kept = self._cards.get(id(card))
            if kept is None or kept[0] is not card:
                kept = self._cards[id(card)] = (card, repr(card))
            found.append(kept[1])
        return found

    def write(self, listed: ListPage) -> bool:
        """Write `listed` (taken over when its key is the last build's); True if rendered."""
        keys, output = self.keys, listed.output_path
        if keys is not None:
            key = keys.current[output] = self.key(listed)
            recorded = keys.previous_digests.get(output, "")
            if (
                keys.previous_out is not None
                and recorded
                and keys.previous.get(output) == key
                and self.writer.reuse(output, keys.previous_out, recorded)
            ):
                keys.current_digests[output] = recorded
                return False
        data = self.pages.render_list(listed).html.encode("utf-8")
        self.writer.write_bytes(output, data)
        if keys is not None:
            keys.current_digests[output] = page_digest(data)
        self.rendered += 1
        return True


HOME_LIST_FILE = "index.html"


def emit_site_pages(
    site: PublicSite,
    pages: PageRenderer,
    writer: OutputWriter,
    only: set[str] | None = None,
    lists: ListPages | None = None,
) -> int:
    """The 404 page, the graph page and (without a home note) the home list; how many. With
    `only` (output files: the preview's fast path), only those of them are written; with
    keyed `lists`, an unchanged home list is taken over (the other two read no note)."""
    lists = lists or ListPages(pages, writer)
    for name, make in (("404.html", pages.not_found_page), ("graph/index.html", pages.graph_page)):
        if only is None or name in only:
            page = make()
            writer.write_text(page.output_path, page.html)
    if site.home is not None:
        return 2
    if only is None or HOME_LIST_FILE in only:
        lists.write(pages.home_list_page())
    return 3
