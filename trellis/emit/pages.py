"""Write one HTML page per published note, the home page and the 404 page.

A note page is rendered only when its key changed since the last build; otherwise the file
the last build wrote is taken over as it is (`OutputWriter.reuse`), provided its bytes
still hash as that build recorded: the output folder may have been restored from elsewhere.
The key is made from what the page reads (`note_inputs`), not from its whole
template context: building and printing the context of every page was 6 of the 37 CPU
seconds of a one-note rebuild at 10,000 notes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.config import Settings
from trellis.emit.writer import OutputWriter
from trellis.public.graph import MAX_EMBED_DEPTH, LinkGraph
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer

# How deep a page's key follows embeds of embeds: one level past where rendering stops.
EMBED_KEY_DEPTH = MAX_EMBED_DEPTH + 1


@dataclass
class PageKeys:
    """Keys of the pages the last build wrote, and of the ones this build writes."""

    previous: dict[str, str] = field(default_factory=dict)
    previous_out: Path | None = None
    theme: str = ""
    current: dict[str, str] = field(default_factory=dict)
    # The hash of each page's bytes (output path -> `page_digest`), as written.
    previous_digests: dict[str, str] = field(default_factory=dict)
    current_digests: dict[str, str] = field(default_factory=dict)
    # What every page reads (templates, settings), now and in the last build: when they
    # differ, no page is taken over (`trellis.build.plan` sizes the workers by it).
    layout: str = ""
    previous_layout: str = ""
    # The pages (output paths) this build keys again (`trellis.build.reach`); every other
    # page takes the key the last build recorded. None: every page is keyed.
    reach: frozenset[str] | None = None
    # Keys the plan made itself, by output path (the file tree's: `Reach.explorer_key`).
    given: dict[str, str] = field(default_factory=dict)
    # The pages taken over in this process (so in the output: the search index needs not
    # look for them, `search_shards.page_digests_in`).
    taken: set[str] = field(default_factory=set)

    def kept(self, output: str) -> str | None:
        """The last build's key of `output`, when the plan says nothing it reads changed."""
        if self.reach is None or output in self.reach:
            return None
        return self.previous.get(output)

    def take_over(self, output: str, key: str, writer: OutputWriter) -> bool:
        """Record `key` for `output`; True when the last build's file of that key was taken
        over (checked against its recorded hash), so the page need not be rendered."""
        self.current[output] = key
        recorded = self.previous_digests.get(output, "")
        if (
            self.previous_out is not None
            and recorded
            and self.previous.get(output) == key
            and writer.reuse(output, self.previous_out, recorded)
        ):
            self.current_digests[output] = recorded
            self.taken.add(output)
            return True
        return False

    def written(self, output: str, data: bytes) -> None:
        """Record the hash of the bytes written for `output`."""
        self.current_digests[output] = page_digest(data)


@dataclass
class NotePagesWritten:
    pages: int = 0
    rendered: int = 0


def digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def page_digest(data: bytes) -> str:
    """The hash a page's bytes are recorded by (`file_digest`'s, to check files with it)."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class BodyKeys:
    """The key of a note's rendered body: its bytes, where its links went, what it embeds.

    A key is a function of the note alone (its embeds followed `EMBED_KEY_DEPTH` deep),
    never of which notes were keyed before: a worker process keying only its share of the
    notes must get the same keys as one process keying them all.
    """

    def __init__(
        self,
        graph: LinkGraph,
        settings: Settings,
        results: Callable[[PublishedNote], str] = lambda note: "",
    ) -> None:
        self.graph = graph
        self.results = results  # the digest of the query results a note shows
        # What a body reads of the settings, hashed once; each key goes on from a copy.
        self._common = hashlib.blake2b(digest_size=16)
        self._common.update(repr((settings.trust_html, settings.base_url)).encode())
        self._keys: dict[tuple[int, int], str] = {}

    def of(self, note: PublishedNote, depth: int = 0) -> str:
        known = self._keys.get((id(note), depth))
        if known is not None:
            return known
        embedded = []
        if depth < EMBED_KEY_DEPTH:
            for edge in self.graph.outgoing.get(note, []):
                if edge.embed and edge.target is not note:
                    embedded.append((edge.target.title, self.of(edge.target, depth + 1)))
        read = (
            note.source.content_hash,
            self.graph.resolved.get(note, []),
            embedded,
            self.results(note),
        )
        hasher = self._common.copy()
        hasher.update(repr(read).encode())
        key = hasher.hexdigest()
        self._keys[(id(note), depth)] = key
        return key


def note_inputs(pages: PageRenderer, note: PublishedNote) -> str:
    """Everything `PageRenderer.note_context` reads but the backlinks (`Backlinks.shown`)
    and the settings and templates (which `NotePageWriter.key` adds once), as text: a key
    made of it changes exactly when the context does, at a fraction of its cost. The note's
    bytes stand for what is made of them alone (frontmatter, hence display and tags; the
    parse: headings, description, first line); what comes from elsewhere is named: the
    dates (git, file times), the cover found among the attachments, the episode, the home
    page's title."""
    home = pages.site.home
    return repr(
        (
            note.source.content_hash,
            note.rel_path,
            note.url,
            note.title,
            note.tree_folder,
            note.is_home,
            note.display,
            note.source.dates,
            home.title if home is not None else "Home",  # the first breadcrumb, as shown
            pages.cover_url(note),
            note.episode,
        )
    )


class Backlinks:
    """The backlinks of a note as its page shows them (`LinkGraph.backlinks`: the first
    link from each other note, by the linking note's title), as text for its key. What a
    backlink shows of the linking note is made once per linking note, not once per link."""

    def __init__(self, graph: LinkGraph) -> None:
        self.graph = graph
        # id(note) -> (the note, its sort key, what a backlink shows of it)
        self._sources: dict[int, tuple[PublishedNote, tuple[str, str], str]] = {}

    def _source(self, note: PublishedNote) -> tuple[PublishedNote, tuple[str, str], str]:
        kept = self._sources.get(id(note))
        if kept is None or kept[0] is not note:
            shown = (note.title, note.url, note.tree_folder, note.display.note_icon)
            kept = (note, (note.title.lower(), note.rel_path), repr(shown))
            self._sources[id(note)] = kept
        return kept

    def shown(self, note: PublishedNote) -> str:
        seen: set[int] = set()
        found = []
        for edge in self.graph.incoming.get(note, ()):
            source = edge.source
            if source is note or id(source) in seen:
                continue
            seen.add(id(source))
            _, order, text = self._source(source)
            found.append((order, text + repr(edge.context)))
        found.sort()  # by title then path: one entry per note, so the text never decides
        return "".join([text for _, text in found])


class NotePageWriter:
    """Writes one note page at a time: rendered when its key changed, else taken over.

    The same code runs in the build's own process and in each worker process (see
    `trellis.build.forked`), so both write the same bytes and the same warnings.
    """

    def __init__(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        pages: PageRenderer,
        graph: LinkGraph,
        writer: OutputWriter,
        keys: PageKeys,
    ) -> None:
        self.notes = notes
        self.pages = pages
        self.writer = writer
        self.keys = keys
        self.bodies = BodyKeys(graph, site.settings, notes.query_digest)
        self.backlinks = Backlinks(graph)
        # Every page's context reads the settings (`note_inputs`): hashed once, and each
        # page's key goes on from a copy.
        self._common = hashlib.blake2b(digest_size=16)
        # The site globals every template reads (the CSS snippets, whether the site has an
        # episodes page) are not all settings.
        site_wide = sorted(pages.globals["site"].items())
        self._common.update(
            repr((keys.theme, repr(site.settings.for_output()), site_wide)).encode()
        )

    def key(self, note: PublishedNote) -> str:
        """The page's key: the settings, templates, body key, `note_inputs` and backlinks."""
        key = self._common.copy()
        key.update(f"{self.bodies.of(note)}\0{note_inputs(self.pages, note)}\0".encode())
        if note.display.show_backlinks:  # (`note.display` is in the inputs)
            key.update(self.backlinks.shown(note).encode())
        return key.hexdigest()

    def write(self, note: PublishedNote) -> bool:
        """Write `note`'s page (its key goes into `keys.current`); True if it was rendered."""
        keys = self.keys
        key = keys.kept(note.output_path) or self.key(note)
        if keys.take_over(note.output_path, key, self.writer):
            return False
        context = self.pages.note_context(note)
        page = self.pages.render_note(note, context, self.notes.render_body(note))
        data = page.html.encode("utf-8")
        self.writer.write_bytes(page.output_path, data)
        keys.written(note.output_path, data)
        return True


def emit_note_pages(
    site: PublicSite,
    notes: NoteRenderer,
    pages: PageRenderer,
    graph: LinkGraph,
    writer: OutputWriter,
    keys: PageKeys,
    advance: Callable[[], None] = lambda: None,
) -> NotePagesWritten:
    """Every note page (re-rendered only when its key changed); the site pages are an
    emitter of their own (`trellis.build.emitters`)."""
    written = NotePagesWritten()
    note_pages = NotePageWriter(site, notes, pages, graph, writer, keys)
    for note in site.notes:
        written.rendered += note_pages.write(note)
        written.pages += 1
        advance()
    return written


def emit_site_pages(
    site: PublicSite, pages: PageRenderer, writer: OutputWriter, only: set[str] | None = None
) -> int:
    """The 404 page, the graph page and (without a home note) the home list; how many. With
    `only` (output files: the preview's fast path), only those of them are written."""
    extra = [pages.not_found_page, pages.graph_page]
    if site.home is None:
        extra.append(pages.home_list_page)
    names = ["404.html", "graph/index.html", HOME_LIST_FILE]
    for name, make in zip(names, extra, strict=False):
        if only is None or name in only:
            page = make()
            writer.write_text(page.output_path, page.html)
    return len(extra)


HOME_LIST_FILE = "index.html"
