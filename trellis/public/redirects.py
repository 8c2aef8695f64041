"""Redirects: the published URL of a moved or renamed note keeps working.

Each build remembers the URLs it published (`PublishedURL`, kept in the build cache): each
page's URL with the vault path and content hash of its note, and each redirect's. The next
build finds every remembered note again: at the same vault path, else (the old path is gone:
moved or renamed) by the same bytes, the same file name, or an alias naming its old name,
always a single match among notes that did not exist before. When that note is published at
another URL and no page of this build takes the old one, the old URL becomes a redirect.

Privacy: notes are matched against the whole vault, private ones included, and a remembered
URL whose note is now private (or gone) gets no redirect: it disappears, as the page of an
unpublished note must. A redirect would tell that the note still exists, and where it went.
No redirect sits at the URL a private note would have, and every target is a published page;
nothing else of a private note leaves this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.public.site import PublicSite, PublishedNote, _site_path, note_aliases
from trellis.public.urls import RESERVED_ROOTS, path_slug, slug_segment
from trellis.vault.records import SourceNote, Vault


@dataclass(frozen=True)
class PublishedURL:
    """A URL a build published, and the note behind it then (kept in the build cache)."""

    url: str  # site path, "/a/b/"
    rel_path: str
    content_hash: str


@dataclass(frozen=True)
class Redirect:
    url: str  # the old site path, taken by no page of this build
    target: PublishedNote
    alias: bool = False  # made from a frontmatter alias (setting `alias_redirects`)


def published_urls(site: PublicSite, redirects: Iterable[Redirect]) -> list[PublishedURL]:
    """What the next build must keep working: every page's URL and every moved-note redirect."""
    records = [PublishedURL(n.url, n.rel_path, n.source.content_hash) for n in site.notes]
    for redirect in redirects:
        if not redirect.alias:
            note = redirect.target
            records.append(PublishedURL(redirect.url, note.rel_path, note.source.content_hash))
    return records


def plan_redirects(
    previous: Iterable[PublishedURL],
    vault: Vault,
    site: PublicSite,
    taken: Callable[[str], bool],
    diagnostics: Diagnostics,
) -> list[Redirect]:
    """Redirects for the remembered URLs no page takes now, then (if set) for aliases."""
    previous = list(previous)
    published = {note.rel_path: note for note in site.notes}
    private_urls = _PrivateURLs(vault, published, site.settings)
    finder: _NoteFinder | None = None  # made for the first URL no page takes (rare)
    redirects: dict[str, Redirect] = {}
    if site.settings.redirects:
        for record in previous:
            if record.url in redirects or taken(record.url) or record.url in private_urls:
                continue
            if finder is None:
                finder = _NoteFinder(vault.notes, {r.rel_path for r in previous})
            found = finder.find(record)
            target = published.get(found.rel_path) if found is not None else None
            if target is not None and target.url != record.url:
                redirects[record.url] = Redirect(record.url, target)
    if site.settings.alias_redirects:
        for note in site.notes:
            for alias in note.aliases:
                url = _alias_url(note, alias)
                if url is None or url == note.url or url in redirects:
                    continue
                if taken(url) or url in private_urls:
                    diagnostics.warn(
                        note.rel_path, f"alias {alias!r}: {url} is taken; no redirect written"
                    )
                    continue
                redirects[url] = Redirect(url, note, alias=True)
    return sorted(redirects.values(), key=lambda r: r.url)


class _NoteFinder:
    """Where a remembered note is now, among every note of the vault."""

    def __init__(self, notes: Iterable[SourceNote], known_paths: set[str]) -> None:
        self.by_path: dict[str, SourceNote] = {}
        self.by_hash: dict[str, list[SourceNote]] = defaultdict(list)
        self.by_name: dict[str, list[SourceNote]] = defaultdict(list)
        self.by_alias: dict[str, list[SourceNote]] = defaultdict(list)
        for note in notes:
            self.by_path[note.rel_path] = note
            if note.rel_path in known_paths:
                continue  # it was there before: not where another note went
            self.by_hash[note.content_hash].append(note)
            self.by_name[PurePosixPath(note.rel_path).name.lower()].append(note)
            for alias in note_aliases(note):
                self.by_alias[alias.lower()].append(note)

    def find(self, record: PublishedURL) -> SourceNote | None:
        """The note at the same path, else the one note the old one became; None: gone."""
        if record.rel_path in self.by_path:
            return self.by_path[record.rel_path]
        old = PurePosixPath(record.rel_path)
        for index, key in (
            (self.by_hash, record.content_hash),
            (self.by_name, old.name.lower()),
            (self.by_alias, old.stem.lower()),
        ):
            found = index.get(key, [])
            if len(found) == 1:
                return found[0]
        return None


class _PrivateURLs:
    """Whether a URL is the one a private note would have if it were published.

    Worked out on the first question only (most builds ask none), with one slug per private
    note (its file name's) and a full URL only for the notes whose name fits the last segment.
    """

    def __init__(self, vault: Vault, published: dict[str, PublishedNote], settings: Settings):
        self._notes = [note for note in vault.notes if note.rel_path not in published]
        self._settings = settings
        self._exact: set[str] = set()
        self._by_name: dict[str, list[SourceNote]] | None = None

    def __contains__(self, url: str) -> bool:
        if self._by_name is None:
            self._by_name = defaultdict(list)
            quiet = Diagnostics()
            for note in self._notes:
                if any(note.meta.get(key) for key in ("dg-permalink", "permalink", "dg-path")):
                    self._exact.add(_site_path(note, self._settings, quiet))
                else:  # the URL is the slugged vault path, whose last segment is the name's
                    self._by_name[slug_segment(PurePosixPath(note.rel_path).stem)].append(note)
        if url in self._exact:
            return True
        name = url.rstrip("/").rpartition("/")[2]
        candidates = [*self._by_name.get(name, ()), *self._by_name.get("", ())]
        return any(path_slug(note.rel_path) == url for note in candidates)


def _alias_url(note: PublishedNote, alias: str) -> str | None:
    """`/a/b/` for alias `B` of the note at `/a/note/`: beside the note's own page."""
    slug = path_slug(alias.replace("/", " ").replace("\\", " "))
    if slug == "/":
        return None
    parent = note.url.rstrip("/").rpartition("/")[0] + "/"
    if parent == "/" and slug.strip("/").lower() in RESERVED_ROOTS:
        return None
    return parent + slug.lstrip("/")
