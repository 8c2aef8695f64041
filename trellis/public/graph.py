"""The links between published notes, resolved once: outgoing links and backlinks.

Built after every published note was parsed. Resolving here (not while rendering) gives one
place that warns about links leading nowhere, and the data backlinks, the graph, link
previews and incremental rebuilds share. Only published notes can appear on either end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from trellis.diagnostics import Diagnostics
from trellis.markdown.plugins.media import media_kind
from trellis.model.content import LinkRef
from trellis.public.private_names import PrivateNames
from trellis.public.site import PublicSite, PublishedNote, ResolvedLink, looks_like_file

# How many embeds deep a page shows notes (an embed inside an embed is level 2): one number
# for rendering (`NoteRenderer`), page keys (`BodyKeys`) and what workers ship each other.
MAX_EMBED_DEPTH = 5


class Edge(NamedTuple):
    """A link between published notes. A tuple: a build makes one per link of every note
    (~60,000 at 10,000 notes), or made from a kept record when read
    (`trellis.build.link_kept`)."""

    source: PublishedNote
    target: PublishedNote
    embed: bool
    context: str  # plain text around the link in the source note ("" for embeds)
    line: int = 0


T = TypeVar("T")


class NoteLists(MutableMapping[PublishedNote, list[T]], Generic[T]):
    """Note -> list, each list made when first read (`make`; None: not a key).

    Why: the link stage with a cache (`trellis.build.link_cache`) would otherwise make every
    note's edges and hrefs on every build (~60,000 edges at 10,000 notes), though a one-note
    edit reads those of a few pages. Every note of `notes` is a key; a list once made (or
    set) is kept, so callers may change it in place as they do a dict's."""

    def __init__(
        self, notes: Sequence[PublishedNote], make: Callable[[PublishedNote], list[T] | None]
    ) -> None:
        self.made: dict[PublishedNote, list[T]] = {}
        self._notes = notes
        self._make = make
        self._extra: dict[PublishedNote, None] = {}  # keys set that are not of `notes`
        self._ids: set[int] | None = None  # of `notes`, made on the first such question

    def get(self, note: PublishedNote, default: Any = None) -> Any:  # (the hot path)
        made = self.made.get(note)
        if made is None:
            made = self._make(note)
            if made is None:
                return default
            self.made[note] = made
        return made

    def __getitem__(self, note: PublishedNote) -> list[T]:
        made = self.get(note)
        if made is None:
            raise KeyError(note)
        return made

    def __setitem__(self, note: PublishedNote, value: list[T]) -> None:
        if note not in self.made:
            if self._ids is None:
                self._ids = set(map(id, self._notes))
            if id(note) not in self._ids:
                self._extra[note] = None
        self.made[note] = value

    def __delitem__(self, note: PublishedNote) -> None:
        raise TypeError("a note's list is emptied, never removed")

    def __iter__(self) -> Iterator[PublishedNote]:
        yield from self._notes
        yield from list(self._extra)

    def __len__(self) -> int:
        return len(self._notes) + len(self._extra)


@dataclass
class LinkGraph:
    """Each published note's outgoing links and backlinks (edges to and from published
    notes only) and its links as written with their hrefs. Plain dicts, or `NoteLists`
    made when read (`trellis.build.link_cache`)."""

    outgoing: MutableMapping[PublishedNote, list[Edge]] = field(default_factory=dict)
    incoming: MutableMapping[PublishedNote, list[Edge]] = field(default_factory=dict)
    # Every link and embed of a note as written, with the href it resolved to (None: nowhere).
    # What a rendered body shows of other notes and files is a function of this list.
    resolved: MutableMapping[PublishedNote, list[tuple[str, str | None]]] = field(
        default_factory=dict
    )
    # Tells a link to a private note from one to a missing note, in warnings only.
    private_names: PrivateNames | None = field(default=None, repr=False)
    # While a link cache records notes (`trellis.build.link_cache`): each link's resolution
    # as `link_note` made it (None: nowhere), so the record looks nothing up again.
    found: dict[PublishedNote, list[ResolvedLink | None]] | None = field(default=None, repr=False)

    def backlinks(self, note: PublishedNote) -> list[Edge]:
        """One edge per other note linking to or embedding `note`, the first link of each."""
        seen: set[int] = set()
        edges = []
        for edge in self.incoming.get(note, []):
            if edge.source is note or id(edge.source) in seen:
                continue
            seen.add(id(edge.source))
            edges.append(edge)
        return sorted(edges, key=lambda e: (e.source.title.lower(), e.source.rel_path))

    def embeds_reached(self, notes: Iterable[PublishedNote]) -> set[PublishedNote]:
        """The notes that rendering `notes` may show as embeds (embeds of embeds too)."""
        reached: set[PublishedNote] = set()
        frontier = list(notes)
        for _ in range(MAX_EMBED_DEPTH + 1):
            frontier = [
                edge.target
                for note in frontier
                for edge in self.outgoing.get(note, [])
                if edge.embed and edge.target not in reached
            ]
            reached.update(frontier)
        return reached

    def embedding(self, note: PublishedNote) -> list[PublishedNote]:
        """Every note showing `note` through embeds, directly or through other embeds."""
        found: dict[int, PublishedNote] = {}
        stack = [note]
        while stack:
            current = stack.pop()
            for edge in self.incoming.get(current, []):
                if edge.embed and id(edge.source) not in found and edge.source is not note:
                    found[id(edge.source)] = edge.source
                    stack.append(edge.source)
        return list(found.values())

    def neighbours(self, note: PublishedNote) -> set[PublishedNote]:
        out = {e.target for e in self.outgoing.get(note, [])}
        back = {e.source for e in self.incoming.get(note, [])}
        return (out | back) - {note}


def build_link_graph(
    site: PublicSite, diagnostics: Diagnostics, private_names: PrivateNames | None = None
) -> LinkGraph:
    """Resolve every link and embed of every published note once, warning about dead ends."""
    graph = LinkGraph(private_names=private_names)
    for note in site.notes:
        graph.outgoing[note] = []
        graph.incoming.setdefault(note, [])
    for note in site.notes:
        link_note(site, graph, note, diagnostics)
    warn_embed_cycles(graph, diagnostics, site.notes)
    return graph


def link_note(
    site: PublicSite, graph: LinkGraph, note: PublishedNote, diagnostics: Diagnostics
) -> None:
    """Resolve `note`'s links into `graph` (replacing what it held for `note`)."""
    found = None if graph.found is None else graph.found.setdefault(note, [])
    assert note.content is not None, "notes are parsed before they are linked"
    for edge in graph.outgoing.get(note, []):
        graph.incoming[edge.target] = [e for e in graph.incoming[edge.target] if e is not edge]
    graph.outgoing[note] = []
    resolutions = graph.resolved[note] = []
    for link in note.content.links:
        if link.markdown and link.target.lower().startswith("file:"):
            resolutions.append((link.target, None))
            if found is not None:
                found.append(None)
            diagnostics.warn(
                note.rel_path,
                f"link to {link.target!r}, a file on your own disk: shown as its text",
                link.line,
            )
            continue
        path = link.target.partition("#")[0].strip()
        resolved = site.resolve(link.target, note, link.line, warn=True)
        resolutions.append((link.target, resolved.href if resolved else None))
        if found is not None:
            found.append(resolved)
        if resolved is None:
            refused = site.attachment_problem(path, note) if path else None
            if path.lower().endswith((".base", ".canvas")):
                continue  # bases and canvases are embedded by trellis.render.queries, which warns
            if refused:
                diagnostics.warn(note.rel_path, f"{path!r} not published: {refused}", link.line)
            elif path and (media_kind(path) or (looks_like_file(path) and _file_kind(path, link))):
                diagnostics.warn(note.rel_path, f"attachment {path!r} not found", link.line)
            elif graph.private_names is not None and graph.private_names.is_private(
                path, note.source.folder
            ):
                written = f"{'!' if link.embed else ''}[[{link.target}]]"
                if link.html:
                    written = f'<a href="{link.target}">'

                diagnostics.warn(
                    note.rel_path,
                    f"{written} links to a private note: shown as plain text, nothing of "
                    "that note is published",
                    link.line,
                )
            else:
                what = "embed" if link.embed else "link"
                diagnostics.warn(
                    note.rel_path,
                    f"{what} target {path!r} is missing or not published",
                    link.line,
                )
            continue
        if resolved.note is None:
            continue
        edge = Edge(note, resolved.note, link.embed, link.context, link.line)
        graph.outgoing[note].append(edge)
        graph.incoming.setdefault(resolved.note, []).append(edge)


# Extensions that name files besides media: a missing `[[ASP.NET]]` is a note, not a file.
_FILE_EXTENSIONS = frozenset(
    [
        "html",
        "htm",
        "js",
        "css",
        "txt",
        "csv",
        "tsv",
        "json",
        "xml",
        "yaml",
        "yml",
        "toml",
        "zip",
        "gz",
        "tar",
        "7z",
        "rar",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "rtf",
        "epub",
        "mobi",
        "tex",
        "bib",
        "py",
        "sh",
        "ipynb",
        "canvas",
        "base",
        "excalidraw",
    ]
)


def _file_kind(path: str, link: LinkRef) -> bool:
    """Whether a missing link target names a file: embedded, or of a known file kind."""
    return link.embed or path.rsplit(".", 1)[-1].lower() in _FILE_EXTENSIONS


def warn_embed_cycles(
    graph: LinkGraph, diagnostics: Diagnostics, notes: Iterable[PublishedNote]
) -> None:
    """Warn at each embed of `notes` that leads back to its own note (shown as a placeholder)."""
    for note in notes:
        for edge in graph.outgoing.get(note, []):
            if not edge.embed:
                continue
            path = _embed_path(graph, edge.target, note)
            if path is not None:
                chain = " -> ".join([note.rel_path, *(n.rel_path for n in path)])
                diagnostics.warn(note.rel_path, f"embed cycle: {chain}", edge.line or None)


def _embed_path(
    graph: LinkGraph, start: PublishedNote, goal: PublishedNote
) -> list[PublishedNote] | None:
    """The embeds leading from `start` back to `goal` (`start` included), or None."""
    seen: set[int] = set()
    stack: list[tuple[PublishedNote, list[PublishedNote]]] = [(start, [start])]
    while stack:
        current, path = stack.pop()
        if current is goal:
            return path
        if id(current) in seen:
            continue
        seen.add(id(current))
        for edge in graph.outgoing.get(current, []):
            if edge.embed:
                stack.append((edge.target, [*path, edge.target]))
    return None
