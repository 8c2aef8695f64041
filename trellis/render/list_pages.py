"""The list pages of `PageRenderer`: the home list, tag pages, `/tags/` and folder pages.

Kept apart from the note pages because lists are what the preview's tags saves remake: each
list is of cards made once per note (`trellis.render.cards`), a tag page's list is kept
between saves and patched (`trellis.render.card_lists`), and cards are spliced into the
rendered page as bytes. A mixin: it reads the renderer's site, cards and file tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from trellis.model.tags import TagEntry
from trellis.model.tree import Folder
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import output_file, path_slug, tag_path
from trellis.render.card_lists import CardLists, ListPage, overrides_read_cards, splice_list
from trellis.render.cards import Cards
from trellis.render.page_records import Crumb, NoteLink, Page, TagLink, TagNode

FOLD_SINGLE_TAGS = 12  # from this many top-level tags used by one note each


@dataclass(frozen=True)
class Listing:
    """A tag or folder page before it is rendered: its context (`page`, whose `notes` are
    the cards as records) and its cards' HTML."""

    output_path: str
    page: dict[str, Any]
    html: list[bytes]


@dataclass(frozen=True)
class ListPlan:
    """A tag or folder page before its cards are made: its context but for the cards
    (`page`), the notes it may list (`members`: hidden ones are left out, the rest sorted
    by title) and how to make its `Listing`. A whole build keys the page by these and
    its notes' card keys (`trellis.emit.keyed_lists`), so an unchanged page costs no card
    and no card HTML."""

    output_path: str
    page: dict[str, Any]
    members: list[PublishedNote]
    listing: Callable[[], Listing]


class ListPages:
    """The list pages' part of `PageRenderer`."""

    site: PublicSite
    env: Environment
    cards: Cards
    tree: Folder[PublishedNote]
    _: Callable[[str], str]

    if TYPE_CHECKING:  # `PageRenderer`'s

        def base_context(self, kind: str, title: str, url: str, **extra: Any) -> dict[str, Any]: ...

        def render_template(self, template: str, page: dict[str, Any]) -> str: ...

        def breadcrumbs(self, folder_path: str) -> list[Crumb]: ...

    def _listed(self, notes: list[PublishedNote]) -> list[NoteLink]:
        """The notes as cards (`trellis.render.cards`), by title, hidden ones left out."""
        return [self.cards.link(note) for note in self.visible_by_title(notes)]

    def visible_by_title(self, notes: list[PublishedNote]) -> list[PublishedNote]:
        """`notes` as a list shows them: by title, hidden ones left out."""
        rank = self._title_rank
        return sorted((n for n in notes if not n.display.hidden), key=lambda n: rank[id(n)])

    @cached_property
    def _title_rank(self) -> dict[int, int]:
        """Each note's place by title: lists are sorted by it (titles do not change while
        this renderer lives: the preview's fast path keeps them)."""
        ordered = sorted(self.site.notes, key=_title_order)
        return {id(note): rank for rank, note in enumerate(ordered)}

    @cached_property
    def card_lists(self) -> CardLists:
        """The list pages' encoded cards, and each tag page's list kept between saves.
        (Given the ranks, not a function of this renderer: no cycle through it, so it is
        freed by reference counting, even with the cycle collector off.)"""
        ranks = self._title_rank
        return CardLists(self.cards, lambda: ranks)

    @cached_property
    def _may_splice(self) -> bool:
        return not overrides_read_cards(self.env)

    def _list_page(self, page: dict[str, Any], html: list[bytes]) -> bytes:
        """`list.html` for `page`, its cards' HTML (`page["notes"]`'s) joined once, not in
        a template loop (a tag page can list thousands of notes), and spliced in."""
        return splice_list(self.render_template, page, html, self._may_splice)

    def home_list_page(self) -> Page:
        """The home page when no note has `dg-home: true`: every published note, by title."""
        links = self._listed(self.site.notes)
        limit = self.site.settings.home_list_limit
        shown = links[:limit] if limit else links
        page = self.base_context("list", self.site.settings.title, "/", notes=shown)
        html = [self.card_lists.encoded(card) for card in shown]
        return Page("index.html", self._list_page(page, html).decode("utf-8"))

    def tag_page(self, entry: TagEntry[PublishedNote]) -> ListPage:
        """One tag: the notes carrying it or one of its child tags."""
        return self.render_listing(self.tag_listing(entry))

    def tag_listing(self, entry: TagEntry[PublishedNote]) -> Listing:
        """`tag_page` before it is rendered."""
        return self.tag_plan(entry).listing()

    def tag_plan(self, entry: TagEntry[PublishedNote]) -> ListPlan:
        """`tag_page` before its cards are made (what its key is made of)."""
        url = tag_path(entry.name)
        page = self.base_context(
            "tag",
            f"#{entry.name}",
            url,
            breadcrumbs=[Crumb(self._("Tags"), self.site.href("/tags/"))],
        )

        def listing() -> Listing:
            listed = self.card_lists.listed(url, entry.all)
            return Listing(output_file(url), {**page, "notes": listed.cards}, listed.html)

        return ListPlan(output_file(url), page, entry.all, listing)

    def render_listing(self, listing: Listing) -> ListPage:
        return ListPage(listing.output_path, self._list_page(listing.page, listing.html))

    def tags_index_page(self, index: dict[str, TagEntry[PublishedNote]]) -> Page:
        """Every tag with its count (notes with it or a child tag), nested tags as a tree."""
        tags = []
        nodes: dict[str, TagNode] = {}
        roots: list[TagNode] = []
        hidden = {id(n) for n in self.site.notes if n.display.hidden}  # most sites: none
        for key, entry in index.items():
            count = len(entry.all) - (sum(id(n) in hidden for n in entry.all) if hidden else 0)
            if not count:
                continue
            link = TagLink(entry.name, self.site.href(tag_path(entry.name)), count)
            tags.append(link)
            node = nodes[key] = TagNode(entry.name.rsplit("/", 1)[-1], link)
            parent = nodes.get(key.rsplit("/", 1)[0]) if "/" in key else None
            (parent.children if parent else roots).append(node)
        # A long tail of tags used once folds away below the ones that gather notes.
        once = [n for n in roots if n.link.count == 1 and not n.children]
        fold = len(once) >= FOLD_SINGLE_TAGS
        page = self.base_context(
            "tags",
            self._("Tags"),
            "/tags/",
            tags=tags,
            tag_tree=[n for n in roots if n not in once] if fold else roots,
            single_tags=once if fold else [],
        )
        return Page("tags/index.html", self.render_template("tags.html", page))

    def listed_folders(self) -> list[Folder[PublishedNote]]:
        """The folders of published notes that have a page: those no note owns the URL of."""
        return list(self._listed_by_path.values())

    @cached_property
    def _listed_by_path(self) -> dict[str, Folder[PublishedNote]]:
        """`listed_folders` by path, made once: the tree and the URLs do not change while
        this renderer lives, and slugging every folder cost each preview save."""
        return {
            folder.path: folder
            for folder in self.tree.walk()
            if folder.path
            and (url := path_slug(folder.path)) not in self.site.by_url
            and url != "/"
        }

    def folders_listing(self, notes: list[PublishedNote]) -> set[str]:
        """The paths of the folders whose page lists one of `notes` (a note is listed in the
        folder of its `tree_folder`, unless hidden from the file tree)."""
        found: set[str] = set()
        for note in notes:
            folder = self._listed_by_path.get(note.tree_folder)
            if folder is not None and any(item is note for item in folder.items):
                found.add(folder.path)
        return found

    def folder_page(self, folder: Folder[PublishedNote]) -> ListPage:
        """`/<folder>/`: its notes as cards and its subfolders."""
        return self.render_listing(self.folder_listing(folder))

    def folder_listing(self, folder: Folder[PublishedNote]) -> Listing:
        """`folder_page` before it is rendered."""
        return self.folder_plan(folder).listing()

    def folder_plan(self, folder: Folder[PublishedNote]) -> ListPlan:
        """`folder_page` before its cards are made (what its key is made of)."""
        url = path_slug(folder.path)
        page = self.base_context(
            "folder",
            folder.name,
            url,
            breadcrumbs=self.breadcrumbs(folder.path)[:-1],
            folders=[
                NoteLink(child.name, self.site.href(path_slug(child.path)))
                for child in folder.folders.values()
            ],
        )

        def listing() -> Listing:
            cards = self._listed(folder.items)
            html = [self.card_lists.encoded(card, in_folder=True) for card in cards]
            return Listing(output_file(url), {**page, "notes": cards}, html)

        return ListPlan(output_file(url), page, folder.items, listing)

    def home_list_shows(self, notes: list[PublishedNote]) -> bool:
        """Whether the home list (made without a home note) shows one of `notes`."""
        if self.site.home is not None or not notes:
            return False
        limit = self.site.settings.home_list_limit
        visible = [n for n in self.site.notes if not n.display.hidden]
        for note in notes:
            if note.display.hidden:
                continue
            order = _title_order(note)
            if not limit or sum(1 for n in visible if _title_order(n) < order) < limit:
                return True
        return False


def _title_order(note: PublishedNote) -> tuple[str, str]:
    return (note.title.lower(), note.rel_path)
