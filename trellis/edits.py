"""The preview's fast path: notes saved with only their body changed.

A full incremental build (`SiteBuilder.build`) stats every file, reads every note's
frontmatter, resolves every link and makes a new output folder: seconds at 10,000 notes,
whatever changed. Yet nearly every save while writing changes one note's body and nothing
else. `plan_edits` recognises exactly that case against the model the last build left
(`LiveSite`), and `apply_edits` handles it: the saved notes are parsed and linked again,
only the pages whose key changed are rendered (the note, the notes embedding it, the notes
whose backlinks show it), and they are written in place into the folder being served,
with the feeds and sitemap (dates, summaries) and the graph file when its edges changed.
The search index is not rebuilt here: the preview refreshes it when it is idle
(`SiteBuilder.refresh_search`).

Anything else makes `plan_edits` or `apply_edits` return None, and the caller runs the full
incremental build, which is always right: a changed frontmatter (title, URL, publish flag,
aliases, tags, display settings), created, deleted or renamed files, attachments,
templates, settings, episode notes, changed embeds or tags, changed headings or block ids
that other notes link to, or a note whose reading needs a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trellis.config import OVERRIDES_DIR, SETTINGS_FILE
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.emit.assets import GENERATED
from trellis.emit.attachments import copy_attachment
from trellis.emit.feeds import emit_feeds
from trellis.emit.folders import emit_folder_pages
from trellis.emit.graph import emit_graph
from trellis.emit.inplace import InPlaceWriter
from trellis.emit.pages import NotePageWriter, PageKeys, emit_site_pages
from trellis.emit.tags import emit_tag_pages
from trellis.episodes.detect import looks_like_episode
from trellis.model.content import NoteContent
from trellis.public.graph import Edge, LinkGraph, link_note, warn_embed_cycles
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import publication_problem
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer, note_description
from trellis.render.queries import update_queries
from trellis.render.templates import static_dirs, theme_files
from trellis.vault.records import SourceNote
from trellis.vault.scan import read_note

# The phases whose warnings a build keeps apart, so an edit can replace one note's share.
READING, PARSING, LINKING, WRITING = range(4)


@dataclass
class LiveSite:
    """What the last full build leaves for the fast path (a long-lived `SiteBuilder` keeps it)."""

    vault: Path
    out: Path  # the finished output folder, updated in place
    site: PublicSite
    graph: LinkGraph
    notes: NoteRenderer
    pages: PageRenderer
    theme: str
    note_paths: frozenset[str]  # every note of the vault, published or not
    # The build's warnings by phase (READING ... WRITING), in the order they were given.
    warnings: list[list[Diagnostic]] = field(default_factory=list)
    by_path: dict[str, PublishedNote] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_path = {note.rel_path: note for note in self.site.notes}

    @property
    def all_warnings(self) -> list[Diagnostic]:
        return [item for phase in self.warnings for item in phase]


@dataclass(frozen=True)
class NoteEdit:
    note: PublishedNote
    source: SourceNote  # the note as saved


@dataclass
class EditsApplied:
    rendered: int  # pages whose HTML was made again
    written: int  # files replaced in the output folder (pages, feeds, graph, attachments)
    parses: dict[str, tuple[str, NoteContent, list[Diagnostic]]]  # rel_path -> (hash, parse)
    attachments_added: int


def plan_edits(live: LiveSite, changed: Iterable[Path]) -> list[NoteEdit] | None:
    """The body edits `changed` amounts to, or None if it is anything more."""
    edits: list[NoteEdit] = []
    settings = live.site.settings
    for path in changed:
        if not path.is_relative_to(live.vault):
            return None  # the theme
        rel_path = path.relative_to(live.vault).as_posix()
        if rel_path == SETTINGS_FILE or rel_path.split("/")[0] == OVERRIDES_DIR:
            return None
        if path.suffix.lower() != ".md" or rel_path not in live.note_paths or not path.is_file():
            return None
        reading = Diagnostics()
        source = read_note(live.vault, rel_path, reading)
        if source is None or reading.items:
            return None
        note = live.by_path.get(rel_path)
        if note is None:  # private: it changes nothing unless it is published now
            if source.frontmatter_ok and publication_problem(source.meta, settings) != (
                False,
                None,
            ):
                return None
            continue
        old = note.source
        source.history = old.history  # the commits do not move when a file is saved
        if (source.meta, source.meta_lines, source.body_line, source.frontmatter_ok) != (
            old.meta,
            old.meta_lines,
            old.body_line,
            old.frontmatter_ok,
        ) or any(d.path == rel_path for d in live.warnings[READING]):
            return None
        if note.episode is not None:
            return None
        # The same bytes saved again still move the note's date (when it comes from the file).
        if (source.content_hash, source.mtime) != (old.content_hash, old.mtime):
            edits.append(NoteEdit(note, source))
    return edits


def apply_edits(
    live: LiveSite, edits: list[NoteEdit], page_keys: dict[str, str]
) -> EditsApplied | None:
    """Parse, link, render and write what `edits` change; None if it turns out to be more.

    On None the model is left half-updated: the caller must run a full build, which makes
    a new model from the vault. `page_keys` (output path -> key) is updated in place.
    """
    if not edits:
        return EditsApplied(0, 0, {}, 0)
    site, graph, notes, pages = live.site, live.graph, live.notes, live.pages
    parsing, linking, writing = Diagnostics(), Diagnostics(), Diagnostics()
    used_before = {attachment.url for attachment in site.attachments}
    affected: dict[int, PublishedNote] = {}
    parses: dict[str, tuple[str, NoteContent, list[Diagnostic]]] = {}
    graph_changed = lists_changed = False  # lists: folder, tag and home cards show descriptions
    for edit in edits:
        note = edit.note
        old_content, old_tags = note.content, note.tags
        old_edges = list(graph.outgoing.get(note, []))
        old_description = note_description(note)
        note.source = edit.source
        local = Diagnostics()
        notes.parse(note, local)
        parsing.extend(local.items)
        assert note.content is not None and old_content is not None
        parses[note.rel_path] = (edit.source.content_hash, note.content, local.items)
        if note.tags != old_tags or looks_like_episode(note):
            return None
        lists_changed |= note_description(note) != old_description
        if _anchors(note.content) != _anchors(old_content) and _anchor_links_moved(
            site, graph, note
        ):
            return None
        site.diagnostics = linking
        link_note(site, graph, note, linking)
        new_edges = graph.outgoing[note]
        if {id(e.target) for e in old_edges if e.embed} != {
            id(e.target) for e in new_edges if e.embed
        }:
            return None
        warn_embed_cycles(graph, linking, [note])
        graph_changed |= _edge_set(old_edges) != _edge_set(new_edges)
        for shown in [note, *(e.target for e in old_edges), *(e.target for e in new_edges)]:
            affected[id(shown)] = shown
        for embedding in _embedding(graph, note):
            affected[id(embedding)] = embedding

    moved = update_queries(notes, [edit.note for edit in edits])  # results the edits change
    if moved is None:
        return None
    for note in moved:
        for shown in [note, *_embedding(graph, note)]:
            affected[id(shown)] = shown

    site.diagnostics = notes.diagnostics = writing
    writer = InPlaceWriter(live.out, live.vault, writing)
    # The pages of the folder itself are "the last output": a page whose key is unchanged
    # stays as it is, the others are rendered, by the code a whole build uses.
    keys = PageKeys(page_keys, live.out, live.theme)
    note_pages = NotePageWriter(site, notes, pages, graph, writer, keys)
    rendered = sum(
        note_pages.write(note) for note in sorted(affected.values(), key=lambda n: n.rel_path)
    )
    page_keys.update(keys.current)
    emit_feeds(site, pages, writer)
    if lists_changed:
        emit_tag_pages(site, pages, writer)
        emit_folder_pages(pages, writer)
        emit_site_pages(site, pages, writer)
    if graph_changed:
        emit_graph(site, graph, writer)
    added = [a for a in site.attachments if a.url not in used_before]
    for attachment in added:
        copy_attachment(attachment, writer)

    edited = {edit.note.rel_path for edit in edits}
    rerendered = {note.rel_path for note in affected.values()}
    _replace(live.warnings, PARSING, edited, parsing.items)
    _replace(live.warnings, LINKING, edited, linking.items)
    _replace(live.warnings, WRITING, rerendered, writing.items)
    return EditsApplied(rendered, len(writer.written), parses, len(added))


def apply_static_edits(live: LiveSite, changed: Iterable[Path]) -> int | None:
    """Copy changed theme or override assets into the served `static/` folder (a removed
    override brings the theme's file back); how many, or None if `changed` is more than that.

    Pages name assets by path alone, so nothing else changes: a stylesheet edit costs a copy.
    """
    folders = static_dirs(live.vault)
    assets: set[str] = set()
    for path in changed:
        folder = next((f for f in folders if path.is_relative_to(f)), None)
        if folder is None or path.is_dir():
            return None
        rel = path.relative_to(folder)
        if not any(part.startswith(".") for part in rel.parts):
            assets.add(rel.as_posix())
    writer = InPlaceWriter(live.out, live.vault, Diagnostics())
    files = theme_files(folders, live.vault, Diagnostics())  # by the rules a build follows
    for rel in sorted(assets):
        source = files.get(rel)
        if source is None and rel in GENERATED:  # a removed override of a generated asset
            writer.write_bytes(f"static/{rel}", GENERATED[rel]().encode())
        elif source is None:
            writer.remove(f"static/{rel}")
        else:
            writer.copy_file(f"static/{rel}", source)
    return len(assets)


def _anchors(content: NoteContent) -> tuple[list[str], dict[str, str]]:
    """What links into a note can point at: its heading ids and block ids."""
    return [h.id for h in content.headings], content.block_ids


def _anchor_links_moved(site: PublicSite, graph: LinkGraph, note: PublishedNote) -> bool:
    """True when a link from another note to a heading or block of the edited `note` now
    resolves differently (its href, and whether it warns, would change on that page)."""
    page = site.href(note.url)
    sources = {id(e.source): e.source for e in graph.incoming.get(note, []) if e.source is not note}
    for source in sources.values():
        for target, href in graph.resolved.get(source, []):
            if href is None or "#" not in target or href.partition("#")[0] != page:
                continue
            now = site.resolve(target, source)
            if now is None or now.href != href:
                return True
    return False


def _edge_set(edges: list[Edge]) -> set[tuple[int, bool]]:
    return {(id(e.target), e.embed) for e in edges}


def _embedding(graph: LinkGraph, note: PublishedNote) -> list[PublishedNote]:
    """Every note showing `note` through embeds, directly or through other embeds."""
    found: dict[int, PublishedNote] = {}
    stack = [note]
    while stack:
        current = stack.pop()
        for edge in graph.incoming.get(current, []):
            if edge.embed and id(edge.source) not in found and edge.source is not note:
                found[id(edge.source)] = edge.source
                stack.append(edge.source)
    return list(found.values())


def _replace(
    phases: list[list[Diagnostic]], phase: int, paths: set[str], fresh: list[Diagnostic]
) -> None:
    """Drop `paths`' warnings of `phase` and add the fresh ones."""
    phases[phase] = [d for d in phases[phase] if d.path not in paths] + fresh
