"""The preview's fast path, the in-place executor: saves that keep every note's URL, title
and aliases.

A full incremental build (`SiteBuilder.build`) stats every file, reads every note's
frontmatter, resolves every link and makes a new output folder: seconds at 10,000 notes,
whatever changed. Yet nearly every save while writing changes one note's body, or its tags,
dates or display keys, and nothing that other notes find it by. `plan_edits` recognises
exactly that case against the model the last build left (`LiveSite`; the identity test is
`trellis.build.plan.keeps_identity`), and `apply_edits` handles it with the stages a build
uses: the saved notes are parsed (`trellis.build.parse`) and linked again, only the pages
whose key changed are rendered (the note, the notes embedding it, the notes whose
backlinks show it), in place in the folder being served; then the inputs the edits
changed (text, dates, links, tags, display keys) go to the planner, and the emitters that
read them (`trellis.build.emitters.touched`: feeds and sitemap always, the graph file when
edges or tags changed) run in place, removing the files they no longer write. Lists of
notes (folder pages, tag pages, `/tags/`, the home list) are narrowed to what changed:
unless display keys changed, only the lists showing an edited note whose card (title,
description, date, tags) moved, the tag pages a note entered or left (the tag index is
kept and updated by delta), and `/tags/` when tag names or counts moved. What would be
made over the whole vault is kept between saves and patched with the edited notes: the
graph file's encoded nodes (`EncodedGraph`), each tag page's cards (`CardLists`), the feed's
candidates (`KeptCandidates`; feeds whose entries stay are not written). The search index
is not rebuilt here: the preview refreshes it when it is idle (`refresh_search`).

Anything else makes `plan_edits` or `apply_edits` return None, and the caller runs the full
incremental build, which is always right: a changed title, URL, publish flag or aliases,
a page entering or leaving search (`dg-hide`), created, deleted or renamed files,
attachments, templates, settings, episode notes, changed embeds, changed headings or block
ids that other notes link to, or a note whose reading needs a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from trellis.build.cache import ParsedEntry
from trellis.build.emitters import EmitContext, Emitted, Input, touched
from trellis.build.plan import keeps_identity
from trellis.build.stages import parse_note
from trellis.build.state import BuildState, Stage
from trellis.config import OVERRIDES_DIR, SETTINGS_FILE
from trellis.diagnostics import Diagnostics
from trellis.emit.assets import GENERATED
from trellis.emit.attachments import copy_attachment
from trellis.emit.feeds import KeptCandidates
from trellis.emit.graph_json import EncodedGraph
from trellis.emit.inplace import InPlaceWriter
from trellis.emit.pages import NotePageWriter, PageKeys
from trellis.emit.tags import TagIndex, update_tag_index
from trellis.episodes.detect import looks_like_episode
from trellis.model.content import NoteContent
from trellis.public.display import NoteDisplay, note_display
from trellis.public.graph import Edge, LinkGraph, link_note, warn_embed_cycles
from trellis.public.site import PublicSite, PublishedNote
from trellis.public.urls import publication_problem
from trellis.render.notes import NoteRenderer
from trellis.render.page_records import NoteLink
from trellis.render.pages import PageRenderer
from trellis.render.query_marks import holds_query_marks
from trellis.render.templates import static_dirs, theme_files
from trellis.vault.records import SourceNote
from trellis.vault.scan import read_note


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
    # The build's warnings by stage: an edit replaces its notes' share of some stages.
    state: BuildState = field(default_factory=BuildState)
    # What each emitter wrote (`trellis.build.emitters`): an in-place run replaces it.
    emitted: dict[str, Emitted] = field(default_factory=dict)
    # Every tag's notes, kept between saves and updated by delta (`update_tag_index`).
    tag_index: TagIndex = field(default_factory=dict)
    # The graph file as data and encoded pieces (`EmitContext.graph_json`), kept while
    # edits keep the edges: a tags save re-encodes its nodes only.
    graph_json: EncodedGraph | None = None
    by_path: dict[str, PublishedNote] = field(default_factory=dict)
    # id -> place in `site.notes` (the order lists and the tag index follow): the fast path
    # keeps every note, so it is made once.
    order: dict[int, int] = field(default_factory=dict)
    feed: KeptCandidates | None = None  # the feed's candidates, made at the first save

    def feed_candidates(self, edited: list[PublishedNote] | None) -> list[PublishedNote]:
        """The feed's candidates after `edited` changed (None: any note's listing may
        have changed)."""
        if self.feed is None:
            self.feed = KeptCandidates(self.site)
        return self.feed.update(edited)

    def __post_init__(self) -> None:
        self.by_path = {note.rel_path: note for note in self.site.notes}
        self.order = {id(note): place for place, note in enumerate(self.site.notes)}
        if self.graph_json is not None:
            self.graph_json.split()  # at the end of the build, not at the first tags save


@dataclass(frozen=True)
class NoteEdit:
    note: PublishedNote
    source: SourceNote  # the note as saved


@dataclass
class EditsApplied:
    rendered: int  # pages whose HTML was made again
    written: int  # files replaced in the output folder (pages, feeds, graph, attachments)
    parses: dict[str, ParsedEntry]  # rel_path -> the new parse
    attachments_added: int
    pages_delta: int = 0  # site pages (tags, folders) that came or went


def plan_edits(live: LiveSite, changed: Iterable[Path]) -> list[NoteEdit] | None:
    """The edits of published notes `changed` amounts to (their body, or frontmatter that
    keeps each note's URL, title and aliases), or None if it is anything more."""
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
        if not keeps_identity(old, source, settings) or live.state.for_note(rel_path, Stage.READ):
            return None
        display = note_display(source.meta, settings)
        if _searchable(display) != _searchable(note.display):
            return None  # a page entering or leaving search: the index is made again
        if note.episode is not None:
            return None
        # The same bytes saved again change nothing, not even a date taken from the file's
        # time: it is the time the bytes changed, as a full build has it (`build.cache`).
        if source.content_hash != old.content_hash:
            edits.append(NoteEdit(note, source))
    return edits


def apply_edits(
    live: LiveSite, edits: list[NoteEdit], page_keys: dict[str, str], page_digests: dict[str, str]
) -> EditsApplied | None:
    """Parse, link, render and write what `edits` change; None if it turns out to be more.

    On None the model is left half-updated: the caller must run a full build, which makes
    a new model from the vault. `page_keys` (output path -> key) and `page_digests` (output
    path -> hash of the page's bytes) are updated in place.
    """
    if not edits:
        return EditsApplied(0, 0, {}, 0)
    site, graph, notes, pages = live.site, live.graph, live.notes, live.pages
    state, report = live.state, live.state.report
    edited = {edit.note.rel_path for edit in edits}
    state.drop(Stage.PARSE, edited)
    state.drop(Stage.LINK, edited)
    used_before = state.attachments.mark()
    affected: dict[int, PublishedNote] = {}
    parses: dict[str, ParsedEntry] = {}
    # What the edits change, for the planner: a save moves the text and (file time) dates.
    changed = {Input.TEXT, Input.DATES}
    old_tags: dict[int, list[str]] = {}  # what the tag index holds of each edited note
    old_cards: dict[int, NoteLink] = {}  # what list pages show of it
    for edit in edits:
        note = edit.note
        old_content, old_tags[id(note)], old_display = note.content, note.tags, note.display
        old_cards[id(note)] = pages.cards.link(note)
        old_edges = list(graph.outgoing.get(note, []))
        note.source = edit.source
        note.display = note_display(note.meta, site.settings)
        warnings = parse_note(notes, note)
        state.add(Stage.PARSE, warnings)
        assert note.content is not None and old_content is not None
        parses[note.rel_path] = ParsedEntry(
            edit.source.content_hash, note.content, warnings, edit.source.mtime
        )
        if looks_like_episode(note):
            return None
        entry = parses[note.rel_path]  # what the next whole build need not test again
        entry.plain, entry.quiet = True, not holds_query_marks(note)
        pages.cards.forget([note])
        if note.tags != old_tags[id(note)]:
            changed.add(Input.TAGS)
        if note.display != old_display:
            changed.add(Input.DISPLAY)
        if _anchors(note.content) != _anchors(old_content) and _anchor_links_moved(
            site, graph, note
        ):
            return None
        state.enter(Stage.LINK)
        link_note(site, graph, note, report)
        new_edges = graph.outgoing[note]
        if {id(e.target) for e in old_edges if e.embed} != {
            id(e.target) for e in new_edges if e.embed
        }:
            return None
        warn_embed_cycles(graph, report, [note])
        if _edge_set(old_edges) != _edge_set(new_edges):
            changed.add(Input.LINKS)
        for shown in [note, *(e.target for e in old_edges), *(e.target for e in new_edges)]:
            affected[id(shown)] = shown
        for embedding in graph.embedding(note):
            affected[id(embedding)] = embedding

    from trellis.render.queries import update_queries  # (the engine: loaded when needed)

    moved = update_queries(notes, [edit.note for edit in edits])  # results the edits change
    if moved is None:
        return None
    for note in moved:
        for shown in [note, *graph.embedding(note)]:
            affected[id(shown)] = shown

    state.drop(Stage.WRITE, {note.rel_path for note in affected.values()})
    state.enter(Stage.WRITE)
    writer = InPlaceWriter(live.out, live.vault, report)
    if Input.DISPLAY in changed:  # the file tree and the site's links are made at the start
        live.pages = pages = PageRenderer(site, pages.env, graph)
    # The pages of the folder itself are "the last output": a page whose key is unchanged
    # stays as it is, the others are rendered, by the code a whole build uses.
    keys = PageKeys(page_keys, live.out, live.theme, previous_digests=page_digests)
    note_pages = NotePageWriter(site, notes, pages, graph, writer, keys)
    rendered = sum(
        note_pages.write(note) for note in sorted(affected.values(), key=lambda n: n.rel_path)
    )
    page_keys.update(keys.current)
    page_digests.update(keys.current_digests)
    ctx = EmitContext(site, pages, graph, writer, report, live.vault, state.attachments)
    edited_notes = [edit.note for edit in edits]
    if Input.DISPLAY in changed:  # every list may differ: made again, the tag index too
        live.tag_index = ctx.tag_index
    else:
        ctx.cards = [n for n in edited_notes if pages.cards.link(n) != old_cards[id(n)]]
        ctx.tag_index = live.tag_index
        ctx.tag_changes = update_tag_index(
            live.tag_index, live.order, old_tags, edited_notes, ctx.cards
        )
    skipped: set[str] = set()  # emitters whose files stay as they are
    if not site.settings.site_origin:  # with an origin the sitemap dates every note anyway
        listing = None if Input.DISPLAY in changed else edited_notes
        ctx.feed_candidates = live.feed_candidates(listing)
        if live.feed is not None and not live.feed.moved(edited_notes):
            skipped.add("feeds")  # the same entries: the same bytes (robots.txt too)
    if live.graph_json is not None and not changed & {Input.LINKS, Input.DISPLAY}:
        if Input.TAGS in changed:
            live.graph_json.retag(edited_notes)
        ctx.graph_json, ctx.graph_data = live.graph_json, live.graph_json.data
    pages_delta = _emit_in_place(live, ctx, changed, skipped)
    live.graph_json = ctx.__dict__.get("graph_json")  # None: not made this time
    added = state.attachments.added_since(used_before)
    for attachment in added:
        copy_attachment(attachment, writer)
    return EditsApplied(rendered, len(writer.written), parses, len(added), pages_delta)


def _emit_in_place(live: LiveSite, ctx: EmitContext, changed: set[Input], skipped: set[str]) -> int:
    """Run the emitters `changed` touches on the folder served, but the `skipped` ones;
    remove the files one wrote last time and not now. How many more (or fewer) pages the
    site has."""
    delta = 0
    for emitter in touched(changed):
        if emitter.name in skipped:
            continue
        before = set(ctx.writer.written)
        count = emitter.emit(ctx)
        files = frozenset(ctx.writer.written - before)
        scope = emitter.scope(ctx)  # None: it wrote all its files, else those of `scope`
        last = live.emitted.get(emitter.name)
        if last is not None:
            reached = last.files if scope is None else last.files & scope
            for gone in sorted(reached - files):
                ctx.writer.remove(gone)
            if scope is not None:
                files = (last.files - scope) | files
            if emitter.counts == "pages":
                delta += count - last.count
        live.emitted[emitter.name] = Emitted(count, files)
    return delta


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


def _searchable(display: NoteDisplay) -> bool:
    return display.enable_search and not display.hidden
