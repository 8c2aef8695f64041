"""Discovery files: the Atom (`feed.xml`) and RSS 2.0 (`rss.xml`) feeds, the sitemap, robots.txt.

`emit_feeds` is the one entry point the pipeline calls; the sitemap lives in
`trellis.emit.sitemap`. Feeds are made with feedgen from the published notes only, minus
`dg-hide` notes and the home note (the feed's own link already points at it), newest
`updated` date first (a garden note that is tended again comes back up), at most
`settings.feed_limit` of them (30 by default; 0 means all). Each entry has the note's title,
link, `published`/`updated` dates and its description as summary; the body is not included.

Output is deterministic: the feed's `updated`/`lastBuildDate` is the newest entry's date,
never the build time, so an unchanged vault gives the same bytes.

Without an origin in `base_url` the feeds are still written (pages link to them) with rooted
links (`/garden/a/`), which feed readers resolve against the feed's own address; ids are then
`urn:uuid:` names made from those paths, since Atom ids must be absolute. Set `base_url` to
`https://host/...` for feeds that work everywhere.
"""

from __future__ import annotations

import heapq
import re
import uuid
from datetime import datetime

from trellis import __version__
from trellis.emit.sitemap import (
    EPOCH,
    DatedNote,
    discoverable_notes,
    emit_sitemap,
    public_url,
    write_if_free,
)
from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.pages import PageRenderer, note_description

DEFAULT_FEED_LIMIT = 30
ATOM_FILE = "feed.xml"
RSS_FILE = "rss.xml"
# Characters XML 1.0 cannot hold; lxml refuses them, so they are dropped from text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def emit_feeds(
    site: PublicSite,
    pages: PageRenderer,
    writer: OutputWriter,
    candidates: list[PublishedNote] | None = None,
) -> int:
    """Write the feeds, `sitemap.xml` and `robots.txt`; return how many files were written.

    `pages` is unused: entries need only the public site (summaries, not rendered bodies).
    `candidates`: `feed_candidates` as the preview keeps them (`KeptCandidates`).
    """
    # Without an origin there is no sitemap, and only the feed's candidates are dated.
    if site.settings.site_origin:
        notes = discoverable_notes(site)
    else:
        notes = discoverable_notes(
            site, feed_candidates(site) if candidates is None else candidates
        )
    written = 0
    atom, rss = feed_documents(site, feed_notes(site, notes))
    written += write_if_free(site, writer, ATOM_FILE, atom)
    written += write_if_free(site, writer, RSS_FILE, rss)
    return written + emit_sitemap(site, writer, notes)


def feed_limit(site: PublicSite) -> int:
    # `feed_limit` is read with a default until the setting exists in `Settings`.
    return int(getattr(site.settings, "feed_limit", DEFAULT_FEED_LIMIT))


def feed_candidates(site: PublicSite) -> list[PublishedNote]:
    """The notes that can be in the feed: those updated in or after the second of the
    limit-th newest (dates count in whole seconds). Dating every note cost a preview save
    at 10,000 notes more than making the feed."""
    return _newest([n for n in site.notes if _listed(n)], feed_limit(site))


class KeptCandidates:
    """`feed_candidates`, kept between preview saves and brought up to date from the notes
    a save changed, not from every note's dates (a Python pass over 10,000 notes a save).

    The candidates are the notes updated at or after `cut` (the limit-th newest, in whole
    seconds). When no edited candidate falls below `cut`, at least `limit` notes are still
    at or after it, so the new cut is not older and every new candidate is an old one or
    an edited one: those alone are sorted again. Otherwise all notes are dated again."""

    def __init__(self, site: PublicSite) -> None:
        self.site = site
        self.notes: list[PublishedNote] = []
        self._ids: set[int] = set()
        self._made = False
        self.cut: datetime | None = None  # None: every listed note is a candidate
        self._feed: tuple[int, ...] | None = None  # the notes of the feeds last asked about

    def update(self, edited: list[PublishedNote] | None = None) -> list[PublishedNote]:
        """The candidates after `edited` changed (None: which notes are listed may have
        changed too: made from every note)."""
        limit = feed_limit(self.site)
        cut = self.cut
        if not self._made or edited is None:
            listed = [n for n in self.site.notes if _listed(n)]
            self._keep(_newest(listed, limit), limit, 0 < limit < len(listed))
        elif cut is not None:
            if any(id(n) in self._ids and n.source.dates[1] < cut for n in edited):
                self._made = False
                return self.update()
            fresh = [n for n in edited if id(n) not in self._ids and _listed(n)]
            self._keep(_newest(self.notes + fresh, limit), limit, True)
        return self.notes

    def moved(self, edited: list[PublishedNote]) -> bool:
        """Whether the feeds differ from the ones last asked about: other notes, or an
        `edited` one among them (its title, summary, dates or tags may differ). The rest of
        an entry is its note's alone, so unchanged feeds need not be made or written."""
        dated = discoverable_notes(self.site, self.notes)
        chosen = tuple(id(d.note) for d in feed_notes(self.site, dated))
        edited_ids = {id(note) for note in edited}
        moved = chosen != self._feed or any(entry in edited_ids for entry in chosen)
        self._feed = chosen
        return moved

    def _keep(self, notes: list[PublishedNote], limit: int, cut: bool) -> None:
        self.notes, self._ids, self._made = notes, {id(n) for n in notes}, True
        self.cut = _cut(notes, limit) if cut else None


def _listed(note: PublishedNote) -> bool:
    return not note.display.hidden and not note.is_home


def _cut(notes: list[PublishedNote], limit: int) -> datetime:
    newest = heapq.nlargest(limit, (n.source.dates[1] for n in notes))[-1]
    return newest.replace(microsecond=0)


def _newest(listed: list[PublishedNote], limit: int) -> list[PublishedNote]:
    """The notes of `listed` updated at or after the second of the limit-th newest."""
    if 0 < limit < len(listed):
        cut = _cut(listed, limit)
        listed = [n for n in listed if n.source.dates[1] >= cut]
    return listed


def feed_notes(site: PublicSite, notes: list[DatedNote]) -> list[DatedNote]:
    """The notes of the feed, newest first: by updated, then created date, then URL."""
    chosen = [d for d in notes if not d.note.is_home]
    limit = feed_limit(site)
    if 0 < limit < len(chosen):
        # Only notes at least as new as the limit-th newest can be in the feed: sorting
        # them alone by URL (for ties) spares sorting every note's URL on each save.
        cut = _newness(heapq.nlargest(limit, chosen, key=_newness)[-1])
        chosen = [d for d in chosen if _newness(d) >= cut]
    chosen.sort(key=lambda d: d.note.url)
    # `nlargest` is a stable `sort(reverse=True)[:limit]`, without sorting every note.
    return heapq.nlargest(limit if limit > 0 else len(chosen), chosen, key=_newness)


def _newness(dated: DatedNote) -> tuple[datetime, datetime]:
    return dated.updated, dated.created


def feed_documents(site: PublicSite, notes: list[DatedNote]) -> tuple[bytes, bytes]:
    """(Atom, RSS) bytes for `notes`, in the order given."""
    from feedgen.feed import FeedGenerator  # (and lxml): only when a feed is made

    settings = site.settings
    absolute = bool(settings.site_origin)
    home = public_url(site, "/")
    feed = FeedGenerator()
    feed.id(_id(home, absolute))
    feed.title(_text(settings.title) or "Trellis")
    # Atom wants an author for the feed or every entry; the site's title stands in.
    feed.author(name=_text(settings.author) or _text(settings.title) or "Trellis")
    if settings.description.strip():
        feed.subtitle(_text(settings.description))
    feed.language(settings.language)
    feed.generator("Trellis", version=__version__)
    feed.updated(max((d.updated for d in notes), default=EPOCH))
    for dated in notes:
        note = dated.note
        url = public_url(site, note.url)
        entry = feed.add_entry(order="append")
        entry.guid(url if absolute else _id(url, absolute), permalink=absolute)
        entry.title(_text(note.title))
        entry.link(href=url, rel="alternate")
        entry.published(dated.created)
        entry.updated(dated.updated)
        summary = _text(note_description(note))
        if summary:
            entry.summary(summary)
        if note.display.show_tags:
            for tag in note.tags:
                entry.category(term=_text(tag))
    feed.link(href=public_url(site, "/" + ATOM_FILE), rel="self", type="application/atom+xml")
    feed.link(href=home, rel="alternate")
    atom = feed.atom_str(pretty=True)
    # RSS takes the channel link from the last link and its atom:link from the first `self`.
    feed.link(
        href=public_url(site, "/" + RSS_FILE),
        rel="self",
        type="application/rss+xml",
        replace=True,
    )
    feed.link(href=home, rel="alternate")
    if not settings.description.strip():
        feed.description(_text(settings.title) or "Trellis")  # RSS requires a description
    rss = feed.rss_str(pretty=True)
    return atom, rss


def _id(url: str, absolute: bool) -> str:
    """An Atom id: the URL itself when absolute, else a stable `urn:uuid:` made from it."""
    return url if absolute else uuid.uuid5(uuid.NAMESPACE_URL, url).urn


def _text(value: str) -> str:
    return _NOT_XML.sub("", value).strip()
