"""Page contexts and whole-page HTML for every kind of page the site has.

Every page gets the same base context (title, URLs, description, display switches,
breadcrumbs, ...) so templates and partials can rely on it; each kind adds its own part.
All decisions are made here, where tests reach them; templates only lay them out.
Nothing here writes to disk: each method returns a `Page` (output path and HTML).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from functools import cached_property, lru_cache
from html import unescape
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from trellis import __version__
from trellis.i18n import direction, note_language, template_functions
from trellis.model.tree import Folder, build_tree
from trellis.public.display import NoteDisplay, note_display
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import local_graph_file, path_slug, tag_path
from trellis.render.cards import Cards, note_dates, note_description
from trellis.render.list_pages import ListPages
from trellis.render.notes import RenderedBody
from trellis.render.page_records import (
    Crumb,
    NoteLink,
    Page,
    TagLink,
    TocEntry,
)


class PageRenderer(ListPages):
    def __init__(self, site: PublicSite, env: Environment, graph: LinkGraph | None = None) -> None:
        self.site = site
        self.env = env
        self.graph = graph or LinkGraph()
        settings = site.settings
        self.site_display = note_display({}, settings)
        self.globals: dict[str, Any] = {
            "site": {
                "title": settings.title,
                "language": settings.language,
                "author": settings.author,
                "description": settings.description,
                "home_href": site.href("/"),
                "base_path": settings.base_path,
                "generator": f"Trellis {__version__}",
                "favicon": site.href("/static/" + settings.favicon.lstrip("/")),
                "snippets": [site.href("/static/snippets/" + name) for name in site.snippets],
                "explorer_href": site.href("/_trellis/explorer.html"),
                "tags_href": site.href("/tags/"),
                "graph_href": site.href("/graph/"),
                "episodes_href": site.href("/episodes/")
                if any(n.episode is not None and not n.display.hidden for n in site.notes)
                else "",
            },
            "static": lambda path: site.href("/static/" + path.lstrip("/")),
            "local_graph_href": lambda url: site.href("/" + local_graph_file(url)),
            **template_functions(settings.language),
        }
        self.cards = Cards(site, env)
        self.globals.update(self.cards.template_functions())
        self._ = template_functions(settings.language)["_"]
        self.tree = build_tree(
            [
                (n.tree_folder, n)
                for n in sorted(site.notes, key=_tree_order)
                if not n.display.hide_in_file_tree and not n.is_home
            ]
        )

    # -- shared pieces ------------------------------------------------------------------

    def render_template(self, template: str, page: dict[str, Any]) -> str:
        """`page["language"]` (the site's, or a note's `lang`) picks the UI words."""
        words = template_functions(page["language"])
        return self.env.get_template(template).render({**self.globals, **words, "page": page})

    def base_context(self, kind: str, title: str, url: str, **extra: Any) -> dict[str, Any]:
        """The context every page has; `extra` adds or overrides keys."""
        display: NoteDisplay = extra.pop("display", self.site_display)
        language = str(extra.pop("language", "") or self.site.settings.language)
        page: dict[str, Any] = {
            "kind": kind,
            "language": language,
            "dir": direction(language),
            "title": title,
            "url": url,
            "href": self.site.href(url),
            "canonical": self.absolute_url(url) if url else "",
            "description": self.site.settings.description,
            "image": "",
            "features": [],
            "show": dict(_shown(display)),
            "searchable": False,
            "breadcrumbs": [],
            "meta_tags": {},
            "created": "",
            "updated": "",
            "notes": [],
            "notes_html": Markup(""),  # `notes` as list cards (`_list_page`)
            "folders": [],
            "tags": [],
            "toc": [],
            "backlinks": [],
        }
        page.update(extra)
        return page

    def absolute_url(self, site_path: str) -> str:
        """A percent-encoded URL for `site_path`: absolute when the base URL has a host."""
        return self.site.settings.site_origin + self.site.href(site_path)

    def note_link(self, note: PublishedNote, context: str = "") -> NoteLink:
        return NoteLink(
            note.title, self.site.href(note.url), note.tree_folder, context, note.display.note_icon
        )

    def breadcrumbs(self, folder_path: str) -> list[Crumb]:
        """Home, then each folder up to `folder_path`, each linking to its folder page."""
        crumbs = [Crumb(self.site.home.title if self.site.home else "Home", self.site.href("/"))]
        parts = [p for p in folder_path.split("/") if p]
        for depth in range(1, len(parts) + 1):
            crumbs.append(
                Crumb(parts[depth - 1], self.site.href(path_slug("/".join(parts[:depth]))))
            )
        return crumbs

    # -- notes --------------------------------------------------------------------------

    def note_context(self, note: PublishedNote) -> dict[str, Any]:
        """Everything a note page shows except its body (and the scripts the body needs).

        Page keys are made of what this reads (`trellis.emit.pages.note_inputs`): a change
        here that reads something new must be mirrored there."""
        content = note.content
        created, updated = note.source.dates
        display = note.display
        headings = content.headings if content else []
        title_in_body = title_opens_body(note)
        if display.show_inline_title and title_in_body:
            display = replace(display, show_inline_title=False)  # the body's H1 is the title
        language = note_language(note.meta) or self.site.settings.language
        return self.base_context(
            "note",
            note.title,
            note.url,
            display=display,
            description=note_description(note) or self.site.settings.description,
            image=self.cover_url(note),
            searchable=display.enable_search and not display.hidden,
            breadcrumbs=[] if note.is_home else self.breadcrumbs(note.tree_folder),
            meta_tags=_meta_tags(note.meta),
            created=created.isoformat(),
            updated=updated.isoformat(),
            language=language,
            dates=note_dates(note.meta, language) if display.show_dates else [],
            is_home=note.is_home,
            path=note.rel_path,
            css_classes=_css_classes(note.meta),
            icon=display.note_icon,
            tags=[TagLink(t, self.site.href(tag_path(t))) for t in note.tags]
            if display.show_tags
            else [],
            toc=[TocEntry(h.level, h.text, h.id) for h in headings] if display.show_toc else [],
            backlinks=[self.note_link(e.source, e.context) for e in self.graph.backlinks(note)]
            if display.show_backlinks
            else [],
            episode=note.episode,
            title_in_body=title_in_body,
        )

    def render_note(self, note: PublishedNote, context: dict[str, Any], body: RenderedBody) -> Page:
        split = context["title_in_body"] and self._note_shows_body_title
        title, rest = _split_title(body.html) if split else ("", body.html)
        page = {
            **context,
            "body_title": Markup(title),
            "body": Markup(rest),
            "body_has_text": shows_text(rest),
            "features": sorted(body.features),
        }
        template = "episode.html" if note.episode is not None else "note.html"
        return Page(note.output_path, self.render_template(template, page))

    def let_go_of_cards(self) -> None:
        """Drop the cards' HTML kept for list pages, once all are written, in a build that
        keeps no live site: at 4,000 notes about a tenth of what the build's process holds
        when it writes the cache."""
        self.cards = Cards(self.site, self.env)
        self.globals.update(self.cards.template_functions())
        self.__dict__.pop("card_lists", None)

    @cached_property
    def _note_shows_body_title(self) -> bool:
        """Whether `note.html` places `page.body_title`: an override written before it
        existed shows the whole body, its opening title included, as it always did."""
        loader = self.env.loader
        return loader is not None and "body_title" in loader.get_source(self.env, "note.html")[0]

    def note_page(self, note: PublishedNote, body: RenderedBody) -> Page:
        return self.render_note(note, self.note_context(note), body)

    def cover_url(self, note: PublishedNote) -> str:
        """An absolute or rooted URL of the note's cover image (frontmatter `image`/`cover`)."""
        for key in ("image", "cover", "banner"):
            value = note.meta.get(key)
            if isinstance(value, str) and value.strip():
                value = value.strip().strip("[]!").split("|")[0]
                if value.startswith(("http://", "https://")):
                    return value
                attachment = self.site.find_attachment(value, note)
                if attachment is not None:
                    return self.absolute_url(attachment.url)
        return ""

    def explorer_fragment(self) -> Page:
        """The file tree as an HTML fragment, fetched once by the explorer script."""
        html = self.env.get_template("explorer.html").render(
            **self.globals, tree=_explorer_tree(self.tree, self)
        )
        return Page("_trellis/explorer.html", html)

    def graph_page(self) -> Page:
        """The whole garden's graph at /graph/; graph.js draws it from /_trellis/graph.json."""
        page = self.base_context("graph", self._("Graph"), "/graph/")
        return Page("graph/index.html", self.render_template("graph.html", page))

    def not_found_page(self) -> Page:
        page = self.base_context("404", self._("Page not found"), "")
        return Page("404.html", self.render_template("404.html", page))


@lru_cache(maxsize=256)
def _shown(display: NoteDisplay) -> dict[str, Any]:
    """`page.show`: a site has few distinct displays, and `asdict` was a tenth of a note
    page's context (copied per page: a template may change its page's)."""
    return asdict(display)


def _tree_order(note: PublishedNote) -> tuple[bool, str, str]:
    return (not note.display.pinned, note.title.lower(), note.rel_path)


def _explorer_tree(folder: Folder[PublishedNote], pages: PageRenderer) -> dict[str, Any]:
    return {
        "name": folder.name,
        "href": pages.site.href(path_slug(folder.path)) if folder.path else "",
        "folders": [_explorer_tree(child, pages) for child in folder.folders.values()],
        "notes": [pages.note_link(note) for note in folder.items],
    }


def _meta_tags(meta: dict[str, Any]) -> dict[str, str]:
    value = meta.get("dg-metatags")
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float)}


def _css_classes(meta: dict[str, Any]) -> str:
    value = meta.get("dg-content-classes") or meta.get("cssclasses") or meta.get("cssClasses")
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value) if isinstance(value, str | int) else ""


def shows_text(html: str) -> bool:
    """Whether `html` reads as text once its tags are gone: `html|striptags|trim` is not
    empty (what `note.html` asks of the body), in one pass. markupsafe's `striptags` copies
    the rest of the string once per tag, which made it a tenth of a note page's template
    time. Equal to it (`tests/test_render_text.py`); comments, rare in a body, go to it."""
    if "<!--" in html:
        return bool(Markup(html).striptags().strip())
    pieces, position = [], 0
    while (start := html.find("<", position)) != -1:
        end = html.find(">", start)
        if end == -1:
            break
        pieces.append(html[position:start])
        position = end + 1
    pieces.append(html[position:])
    text = "".join(pieces)
    if "&" in text:  # an entity may stand for a space
        text = unescape(" ".join(text.split()))
    return bool(text.strip())


def _split_title(html: str) -> tuple[str, str]:
    """The body's opening H1 and the rest, so the dates and tags go under the title the
    note wrote (`# Hjem`) as they go under an inline title, not above it."""
    stripped = html.lstrip()
    end = stripped.find("</h1>") + len("</h1>")
    if not stripped.startswith("<h1") or end < len("</h1>"):
        return "", html
    return stripped[:end], stripped[end:]


def title_opens_body(note: PublishedNote) -> bool:
    """Whether the note's text starts with an H1 that reads as its title (`# Hjem` in a note
    titled Hjem): the page then shows that heading as its title, not the title twice."""
    if note.content is None or not note.content.headings:
        return False
    first = note.content.headings[0]
    body = note.source.body
    leading = body[: len(body) - len(body.lstrip())].count("\n")
    return (
        first.level == 1
        and first.line == note.source.body_line + leading
        and " ".join(first.text.split()).casefold() == " ".join(note.title.split()).casefold()
    )
