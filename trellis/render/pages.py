"""Page contexts and whole-page HTML: notes, the home list and the 404 page.

Each function returns `(output path, html)`; nothing here writes to disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from trellis import __version__
from trellis.model.tags import TagEntry
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import output_file, tag_path


@dataclass(frozen=True)
class NoteLink:
    title: str
    href: str
    folder: str


@dataclass(frozen=True)
class TagLink:
    name: str
    href: str
    count: int = 0


@dataclass(frozen=True)
class Page:
    output_path: str
    html: str


class PageRenderer:
    def __init__(self, site: PublicSite, env: Environment) -> None:
        self.site = site
        self.env = env
        settings = site.settings
        self.globals: dict[str, Any] = {
            "site": {
                "title": settings.title,
                "language": settings.language,
                "author": settings.author,
                "description": settings.description,
                "home_href": site.href("/"),
                "base_path": settings.base_path,
                "generator": f"Trellis {__version__}",
            },
            "static": lambda path: site.href("/static/" + path.lstrip("/")),
        }

    def _render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**self.globals, **context)

    def note_link(self, note: PublishedNote) -> NoteLink:
        return NoteLink(note.title, self.site.href(note.url), note.source.folder)

    def note_page(self, note: PublishedNote, body_html: str) -> Page:
        page = {
            "title": note.title,
            "href": self.site.href(note.url),
            "canonical": self.site.settings.absolute_url(note.url),
            "is_home": note.is_home,
            "path": note.rel_path,
            "body": Markup(body_html),
            "css_classes": _css_classes(note.meta),
            "features": sorted(note.content.features) if note.content else [],
            "tags": [TagLink(tag, self.site.href(tag_path(tag))) for tag in note.tags],
        }
        return Page(note.output_path, self._render("note.html", page=page))

    def home_list_page(self) -> Page:
        """The home page when no note has `dg-home: true`: every published note, by title."""
        notes = sorted(self.site.notes, key=lambda n: (n.title.lower(), n.rel_path))
        limit = self.site.settings.home_list_limit
        links = [self.note_link(n) for n in (notes[:limit] if limit else notes)]
        page = {
            "title": self.site.settings.title,
            "href": self.site.href("/"),
            "canonical": self.site.settings.absolute_url("/"),
            "notes": links,
        }
        return Page("index.html", self._render("list.html", page=page))

    def tag_page(self, entry: TagEntry[PublishedNote]) -> Page:
        """One tag: the notes carrying it or one of its child tags."""
        notes = sorted(entry.all, key=lambda n: (n.title.lower(), n.rel_path))
        url = tag_path(entry.name)
        page = {
            "title": f"#{entry.name}",
            "href": self.site.href(url),
            "canonical": self.site.settings.absolute_url(url),
            "notes": [self.note_link(n) for n in notes],
            "features": [],
        }
        return Page(output_file(url), self._render("list.html", page=page))

    def tags_index_page(self, index: dict[str, TagEntry[PublishedNote]]) -> Page:
        tags = [
            TagLink(e.name, self.site.href(tag_path(e.name)), len(e.all)) for e in index.values()
        ]
        page = {
            "title": "Tags",
            "href": self.site.href("/tags/"),
            "canonical": self.site.settings.absolute_url("/tags/"),
            "tags": tags,
            "features": [],
        }
        return Page("tags/index.html", self._render("tags.html", page=page))

    def not_found_page(self) -> Page:
        page = {
            "title": "Page not found",
            "href": self.site.href("/404.html"),
            "canonical": "",
            "features": [],
        }
        return Page("404.html", self._render("404.html", page=page))


def _css_classes(meta: dict[str, Any]) -> str:
    value = meta.get("dg-content-classes") or meta.get("cssclasses") or meta.get("cssClasses")
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value) if isinstance(value, str | int) else ""
