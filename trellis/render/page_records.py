"""What page templates are given: plain records of links, dates, tags, crumbs and pages.

Kept apart from `trellis.render.pages`, which decides their contents, so that module stays
about decisions; templates read these records' fields by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NoteDate:
    kind: str  # "created" or "updated"
    iso: str
    text: str


@dataclass(frozen=True)
class NoteLink:
    title: str
    href: str
    folder: str = ""
    context: str = ""
    icon: str = ""
    # On list pages (folders, tags, the home list): what a reader chooses by.
    description: str = ""
    date: NoteDate | None = None
    tags: tuple[TagLink, ...] = ()


@dataclass(frozen=True)
class TagLink:
    name: str
    href: str
    count: int = 0


@dataclass
class TagNode:
    """One level of a nested tag on the tags page: `garden` holding `garden/herbs`."""

    label: str  # the last segment
    link: TagLink
    children: list[TagNode] = field(default_factory=list)


@dataclass(frozen=True)
class Crumb:
    title: str
    href: str


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    id: str


@dataclass(frozen=True)
class Page:
    output_path: str
    html: str


@dataclass
class FolderListing:
    title: str
    href: str
    notes: list[NoteLink] = field(default_factory=list)
    folders: list[NoteLink] = field(default_factory=list)
