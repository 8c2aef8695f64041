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

from feedgen.feed import FeedGenerator

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


def emit_feeds(site: PublicSite, pages: PageRenderer, writer: OutputWriter) -> int:
    """Write the feeds, `sitemap.xml` and `robots.txt`; return how many files were written.

    `pages` is unused: entries need only the public site (summaries, not rendered bodies).
    """
    # Without an origin there is no sitemap, and only the feed's candidates are dated.
    notes = discoverable_notes(site, None if site.settings.site_origin else feed_candidates(site))
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
    listed = [n for n in site.notes if not n.display.hidden and not n.is_home]
    limit = feed_limit(site)
    if 0 < limit < len(listed):
        newest = heapq.nlargest(limit, (n.source.dates[1] for n in listed))[-1]
        cut = newest.replace(microsecond=0)
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
