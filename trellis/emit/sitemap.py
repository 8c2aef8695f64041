"""`sitemap.xml` and `robots.txt`: what a search engine may find, and nothing more.

The sitemap lists the home page and every published note that is not `dg-hide`, each with its
`lastmod` (frontmatter `updated`/`created`, else the file time). Tag, folder and 404 pages are
left out: they only list notes that are already there.

The sitemap protocol requires absolute URLs, so without an origin in `base_url` (the default
`/`, or `/garden/`) no sitemap is written and `robots.txt` does not point at one. This is not a
warning: a path-only base URL is the default, and `--strict` builds of it must pass. Crawlers
only read `robots.txt` at the root of a host; under a base path it is written all the same
(it is harmless) so the site can be moved to a root unchanged.

The dated, discoverable notes and the guard against a note that took a file name Trellis needs
live here too, shared with the feeds (`trellis.emit.feeds`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite, PublishedNote

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DatedNote:
    note: PublishedNote
    created: datetime
    updated: datetime


def discoverable_notes(
    site: PublicSite, notes: list[PublishedNote] | None = None
) -> list[DatedNote]:
    """Published notes (or `notes`) that may be listed (not `dg-hide`), with whole-second
    dates."""
    dated = []
    for note in site.notes if notes is None else notes:
        if note.display.hidden:
            continue
        created, updated = note.source.dates
        dated.append(
            DatedNote(note, created.replace(microsecond=0), updated.replace(microsecond=0))
        )
    return dated


def public_url(site: PublicSite, site_path: str) -> str:
    """`site_path` under the base URL, percent-encoded; absolute when the base has an origin."""
    return site.settings.site_origin + site.href(site_path)


def write_if_free(site: PublicSite, writer: OutputWriter, name: str, data: bytes) -> bool:
    """Write the top-level file `name` unless a page already took `name/` as its folder.

    A note with `permalink: feed.xml` is written to `feed.xml/index.html` first; writing the
    file over that folder would stop the build, so the file is skipped with a warning.
    """
    if any(path.startswith(name + "/") for path in writer.written):
        site.diagnostics.warn("", f"a page's URL takes /{name}/, so {name} was not written")
        return False
    writer.write_bytes(name, data)
    return True


def sitemap_entries(site: PublicSite, notes: list[DatedNote]) -> list[tuple[str, datetime]]:
    """(absolute URL, lastmod) of the home page, then of each listed note by URL."""
    entries: list[tuple[str, datetime]] = []
    if site.home is None:
        # The generated home page lists every listed note: it changes when the newest one does.
        newest = max((d.updated for d in notes), default=EPOCH)
        entries.append((public_url(site, "/"), newest))
    for dated in sorted(notes, key=lambda d: (not d.note.is_home, d.note.url)):
        entries.append((public_url(site, dated.note.url), dated.updated))
    return entries


def sitemap_xml(entries: list[tuple[str, datetime]]) -> bytes:
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for loc, lastmod in entries:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = loc
        ET.SubElement(url, "lastmod").text = lastmod.isoformat()
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(sitemap_url: str) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if sitemap_url:
        lines += ["", f"Sitemap: {sitemap_url}"]
    return "\n".join(lines) + "\n"


def emit_sitemap(site: PublicSite, writer: OutputWriter, notes: list[DatedNote]) -> int:
    """Write `sitemap.xml` (only with an absolute base URL) and `robots.txt`; count files."""
    written = 0
    sitemap_url = ""
    if site.settings.site_origin:
        data = sitemap_xml(sitemap_entries(site, notes))
        if write_if_free(site, writer, "sitemap.xml", data):
            sitemap_url = public_url(site, "/sitemap.xml")
            written += 1
    if write_if_free(site, writer, "robots.txt", robots_txt(sitemap_url).encode()):
        written += 1
    return written
