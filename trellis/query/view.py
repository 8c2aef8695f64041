"""The published-notes view: everything a query, a base or a canvas may know about the vault.

The build hands over one `NoteRecord` per *published* note and nothing else; the view is
all the engines ever see. Links are resolved here, against these records only, so a link
to a private note is exactly a link to a missing one: it has no path, `file.outlinks` and
`file.inlinks` leave it out, `FROM [[Private]]` and `[[Private]].field` find nothing. Every
string handed to a query is *sealed* first: a wikilink or note link in it whose target is no
published note is replaced by the text a reader would see (`[[Secret|alias]]` -> `alias`),
so no string manipulation can dig out a private note's name from an aliased link.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from trellis.markdown.plugins.wikilinks import display_text, split_wikilink
from trellis.model.content import pickled_by_fields
from trellis.model.index import PathIndex
from trellis.public.site import looks_like_file
from trellis.query.values import Link


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ItemFacts:
    """One list item or task of a note, as parsed (see `trellis.query.facts`)."""

    line: int  # 0-based line of the file, as Dataview counts
    text: str  # its Markdown, the `- [ ]` marker removed, continuation lines joined by \n
    status: str | None = None  # the task's status character; None for a plain item
    parent: int | None = None  # line of the enclosing item
    line_count: int = 1
    list_line: int = -1  # line of the first item of its list
    section: str | None = None  # the heading above it
    block_id: str | None = None
    symbol: str = "-"
    tags: tuple[str, ...] = ()  # without `#`
    links: tuple[str, ...] = ()  # link targets as written
    fields: tuple[tuple[str, str], ...] = ()  # inline fields (key, raw value)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageFacts:
    """What parsing a note's body yields for queries (kept in the build cache)."""

    fields: tuple[tuple[str, str], ...] = ()  # page-level inline fields (key, raw value)
    items: tuple[ItemFacts, ...] = ()


@dataclass(frozen=True)
class NoteRecord:
    """One published note, as the build supplies it to the view."""

    path: str  # vault path, "Folder/Note.md"
    frontmatter: Mapping[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()  # frontmatter and inline tags, without `#`
    links: tuple[str, ...] = ()  # every link and embed target as written (body, frontmatter)
    facts: PageFacts = field(default_factory=PageFacts)
    ctime: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    mtime: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    size: int = 0
    aliases: tuple[str, ...] = ()


_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_MDLINK = re.compile(r"(!?)\[([^\[\]\n]*)\]\(([^()\s]+)\)")


class PublishedView:
    """Published notes by path, with links resolved among them only."""

    def __init__(
        self, records: Iterable[NoteRecord], zone: tzinfo = UTC, now: datetime | None = None
    ) -> None:
        self.zone = zone
        self.now = now  # a fixed "now" (tests, reproducible builds); None: the clock
        self.records: dict[str, NoteRecord] = {r.path: r for r in records}
        self.paths: list[str] = sorted(self.records)
        self._index: PathIndex[str] = PathIndex()
        for record in self.records.values():
            self._index.add(record.path, record.path, record.aliases)
        self._index.finish()
        self.outlinks: dict[str, tuple[Link, ...]] = {
            path: self._resolve_links(self.records[path]) for path in self.paths
        }
        self._index_links_and_tags()

    def _resolve_links(self, record: NoteRecord) -> tuple[Link, ...]:
        links: dict[tuple[str, str | None], Link] = {}
        for target in record.links:
            link = self.make_link(target, record.path)
            if link.path is not None:
                links.setdefault((link.path, link.subpath), link)
        return tuple(links.values())

    def _index_links_and_tags(self) -> None:
        self.inlinks: dict[str, list[str]] = defaultdict(list)
        self.tags: dict[str, set[str]] = defaultdict(set)  # lowercased tag and parents -> paths
        for path in self.paths:
            for target_path in dict.fromkeys(link.path for link in self.outlinks[path]):
                self.inlinks[target_path].append(path)  # type: ignore[index]
            for tag in self.records[path].tags:
                for parent in sub_tags("#" + tag.lstrip("#")):
                    self.tags[parent.lower()].add(path)
        self._cache: dict[tuple[str, str], Any] = {}

    def replaced(self, records: Iterable[NoteRecord]) -> PublishedView:
        """This view with `records` in place of the notes of the same paths: what the
        preview's fast path needs after body edits. Names and aliases are unchanged, so
        every other note's links resolve as before and are not resolved again (at 10,000
        notes that is most of making a view). A record that adds a note or changes its
        aliases makes a whole new view."""
        records = list(records)
        if any(
            r.path not in self.records or r.aliases != self.records[r.path].aliases for r in records
        ):
            return PublishedView([*self.records.values(), *records], self.zone, self.now)
        new = object.__new__(PublishedView)
        new.zone, new.now = self.zone, self.now
        new.records = {**self.records, **{r.path: r for r in records}}
        new.paths, new._index = self.paths, self._index
        new.outlinks = dict(self.outlinks)
        for record in records:
            new.outlinks[record.path] = new._resolve_links(record)
        new._index_links_and_tags()
        return new

    # -- links ---------------------------------------------------------------------------

    def resolve(self, target: str, from_path: str | None) -> str | None:
        """The published note a link target names, seen from `from_path`, or None."""
        path = target.split("#", 1)[0].strip()
        if not path:
            return from_path if from_path in self.records else None
        folder = posixpath.dirname(from_path) if from_path else ""
        match = self._index.resolve(path, folder)
        return match.item if match is not None else None

    def make_link(
        self, inner: str, from_path: str | None, embed: bool = False, display: str | None = None
    ) -> Link:
        """A sealed `Link` for `Target#sub|alias` written in `from_path`."""
        target, alias = split_wikilink(inner) if display is None else (inner.strip(), display)
        _path, _, sub = target.partition("#")
        kind, subpath = "file", None
        if sub:
            parts = [p.strip() for p in sub.split("#") if p.strip()]
            if parts and parts[-1].startswith("^"):
                kind, subpath = "block", parts[-1][1:]
            elif parts:
                kind, subpath = "header", parts[-1]
        resolved = self.resolve(target, from_path)
        shown = alias or display_text(target)
        if resolved is None:
            return Link(None, None, kind, alias or None, embed, shown)
        return Link(resolved, subpath, kind, alias or None, embed, shown)

    def seal(self, text: str, from_path: str) -> str:
        """`text` with every link to something unpublished replaced by its visible text."""
        if "[[" not in text and "](" not in text:
            return text

        def wiki(match: re.Match[str]) -> str:
            target, alias = split_wikilink(match.group(2))
            name = target.split("#", 1)[0]
            if (name and looks_like_file(name)) or self.resolve(target, from_path) is not None:
                return match.group()
            return alias or display_text(target)

        def markdown(match: re.Match[str]) -> str:
            href = match.group(3)
            if "://" in href or href.startswith(("#", "mailto:")):
                return match.group()
            from urllib.parse import unquote

            name = unquote(href.split("#", 1)[0])
            if looks_like_file(name) or self.resolve(name, from_path) is not None:
                return match.group()
            return match.group(2)

        return _MDLINK.sub(markdown, _WIKILINK.sub(wiki, text))

    # -- sources -------------------------------------------------------------------------

    def in_folder(self, folder: str) -> set[str]:
        """Dataview's folder source: notes under the folder, else the one note it names."""
        folder = folder.strip().strip("/")
        if not folder:
            return set(self.paths)
        prefix = folder.lower() + "/"
        found = {p for p in self.paths if p.lower().startswith(prefix)}
        if found:
            return found
        for candidate in (folder, folder + ".md"):
            for path in self.paths:
                if path.lower() == candidate.lower():
                    return {path}
        return set()

    def with_tag(self, tag: str) -> set[str]:
        return set(self.tags.get(tag.lower(), ()))

    def cached(self, path: str, key: str, make: Any) -> Any:
        """Per-note values worked out once per view (fields, the `file` object, items)."""
        slot = (path, key)
        if slot not in self._cache:
            self._cache[slot] = make()
        return self._cache[slot]


def sub_tags(tag: str) -> list[str]:
    """`#a/b/c` -> [`#a/b/c`, `#a/b`, `#a`]."""
    out = [tag]
    while "/" in tag:
        tag = tag.rsplit("/", 1)[0]
        out.append(tag)
    return out
