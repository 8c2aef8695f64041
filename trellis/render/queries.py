"""Dataview queries, bases and canvases of a build, evaluated once over the published notes.

`QueryResults.evaluate` runs after parsing and linking, in the build's own process: it makes
the `PublishedView` from the published notes only (`note_record` with the `PageFacts`
worked out at parse time, see `NoteRenderer._parse`), runs every ```dataview /
```dataviewjs / ```base block, every inline `= expr`, and every `![[X.base]]` and
`![[Board.canvas]]` embed of every published note, and keeps the HTML. Rendering then only
looks results up (`render_query`, `embed`): a query is evaluated once per build whatever
the number of pages that show it (embeds included).

Why everything, every build: a page's key must change when a result it shows changes, and
a result can change when any published note changes. So each note's key holds the digest
of its results (`digest`), which makes the page cache correct by construction: a page is
rendered again exactly when its own bytes, links, embeds or one of its results changed.
Evaluation is cheap next to rendering (see benchmarks/RESULTS.md).

A query that cannot be evaluated shows its notice on the page and a warning naming the
file and line; never a failed build. Links in results go through `QueryHooks`, which
resolve against the `PublicSite`: published notes and published attachments only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from markdown_it.common.utils import escapeHtml

from trellis.bases import run_base
from trellis.canvas import parse_canvas, render_canvas
from trellis.canvas.publish import CanvasPage, published_canvases
from trellis.diagnostics import Diagnostics
from trellis.model.index import PathIndex
from trellis.public.site import PublicSite, PublishedNote
from trellis.query import Dependencies, PublishedView, Rendered, diff_views, run_block, run_inline
from trellis.query.facts import page_facts, query_blocks
from trellis.query.records import note_record
from trellis.render.query_hooks import QueryHooks
from trellis.render.query_marks import BOARD_EXTENSIONS, may_have_queries
from trellis.vault.records import Attachment

if TYPE_CHECKING:
    from trellis.render.notes import NoteRenderer


class QueryResults:
    """Every query result of one build, by note; see the module docstring."""

    def __init__(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        diagnostics: Diagnostics,
        boards: Iterable[Attachment] = (),
    ) -> None:
        self.site, self.notes, self.diagnostics = site, notes, diagnostics
        self.boards: PathIndex[Attachment] = PathIndex(strip_md=False)
        for attachment in boards:
            if attachment.suffix in BOARD_EXTENSIONS:
                self.boards.add(attachment.rel_path, attachment)
        self.boards.finish()
        self.canvases: list[CanvasPage] = []  # published canvases (`trellis.emit.canvas`)
        self.canvas_pages: dict[str, str] = {}  # published canvas (vault path) -> its href
        self.view = PublishedView(())
        self._results: dict[tuple[str, str, str], str] = {}
        self._digests: dict[str, str] = {}
        self._deps: dict[str, list[Dependencies]] = {}  # what each note's results read
        self._shown_by_canvases: set[str] | None = None
        self._evaluating = False
        # Canvas embeds are placed in a note's body after it is cleaned (nh3 would drop the
        # board's layout and controls): the body holds a slot, `fill_slots` puts the board.
        self._slots: dict[str, str] = {}

    def evaluate(self) -> None:
        """Build the view from the published notes, then run every query they hold."""
        records = []
        for note in self.site.notes:
            content = note.content
            assert content is not None, "notes are parsed before queries run"
            if content.query_facts is None:  # parsed while the vault had no queries
                held, loader = content.has_tokens, content.loader
                content.query_facts = page_facts(content.tokens, content.env)
                content.queries = tuple(query_blocks(content.tokens, content.env))
                if not held:  # tokens made for this only: not kept for every note
                    content.forget_tokens(loader)
            records.append(note_record(note, content.query_facts))
        self.view = PublishedView(records)
        shown: dict[str, list[str]] = {}
        self._evaluating = True
        try:
            for note in self.site.notes:
                shown[note.rel_path] = self._evaluate_note(note)
        finally:
            self._evaluating = False
        # Then embeds: a canvas shows notes, whose own queries are known by now.
        for note in self.site.notes:
            shown[note.rel_path] += self._board_embeds(note)
        for path, results in shown.items():
            self._set_digest(path, results)

    def _set_digest(self, path: str, results: list[str]) -> None:
        if results:
            self._digests[path] = _digest("\0".join(results))
        else:
            self._digests.pop(path, None)

    def _evaluate_note(self, note: PublishedNote) -> list[str]:
        """Run `note`'s queries (their HTML, in order); what they read goes to `_deps`."""
        assert note.content is not None
        hooks = QueryHooks(self.site, self.notes, note)
        shown: list[str] = []
        deps = self._deps[note.rel_path] = []
        for block in note.content.queries:
            key = (note.rel_path, block.language, block.source)
            if key not in self._results:
                rendered = self._run(block.language, block.source, note, hooks)
                self._results[key] = rendered.html
                deps.append(rendered.deps)
                if rendered.error is not None:
                    line = block.line + max(rendered.error.line, 1) - 1
                    if block.language == "inline":
                        line = block.line
                    self.diagnostics.warn(note.rel_path, rendered.error.message, line)
            shown.append(self._results[key])
        return shown

    def _board_embeds(self, note: PublishedNote) -> list[str]:
        """The HTML of `note`'s base and canvas embeds; warnings for missing ones."""
        assert note.content is not None
        hooks = QueryHooks(self.site, self.notes, note)
        shown = []
        for link in note.content.links:
            path = link.target.partition("#")[0].strip()
            if not path.lower().endswith(BOARD_EXTENSIONS):
                continue
            if self._board(link.target, note) is None:
                what = "embed" if link.embed else "link"
                message = f"{what} target {path!r} is missing or not published"
                self.diagnostics.warn(note.rel_path, message, link.line)
            elif link.embed:
                shown.append(self._embed(link.target, note, hooks, link.line))
            else:  # a link to a canvas: its href goes into the page key too
                href = self.canvas_href(link.target, note)
                if href is None and path.lower().endswith(".canvas"):
                    message = f"link target {path!r} is missing or not published"
                    self.diagnostics.warn(note.rel_path, message, link.line)
                shown.append(f"link {href}")
        return shown

    def update(self, edited: list[PublishedNote]) -> list[PublishedNote] | None:
        """After body edits to `edited` (parsed again): run again the queries whose result
        the edits may change (`Dependencies.affected`) and those of the edited notes; the
        notes whose shown results changed. None when a full build must decide instead: a
        canvas shows a note whose body changed (canvas pages are written by full builds),
        or a query now warns.
        """
        touched = {note.rel_path for note in edited}
        if touched & self._canvas_shown():
            return None
        records = []
        for note in edited:
            assert note.content is not None and note.content.query_facts is not None
            records.append(note_record(note, note.content.query_facts))
        old, self.view = self.view, self.view.replaced(records)
        change = diff_views(old, self.view, touched)
        redo = set(touched)
        for path, deps in self._deps.items():
            if path not in redo and any(d.affected(change) for d in deps):
                redo.add(path)
        by_path = {note.rel_path: note for note in self.site.notes}
        build_warnings, self.diagnostics = self.diagnostics, Diagnostics()
        moved = []
        try:
            for path in sorted(redo):
                note = by_path[path]
                self._results = {k: v for k, v in self._results.items() if k[0] != path}
                self._evaluating = True
                try:
                    shown = self._evaluate_note(note)
                finally:
                    self._evaluating = False
                shown += self._board_embeds(note)
                before = self._digests.get(path)
                self._set_digest(path, shown)
                if self._digests.get(path) != before:
                    moved.append(note)
            if self.diagnostics.items or {n.rel_path for n in moved} & self._canvas_shown():
                return None
        finally:
            self.diagnostics = build_warnings
        return moved

    def _run(self, language: str, source: str, note: PublishedNote, hooks: QueryHooks) -> Rendered:
        if language == "inline":
            return run_inline(source, self.view, note.rel_path, hooks)
        if language == "base":
            return run_base(source, self.view, note.rel_path, hooks)
        return run_block(source, self.view, note.rel_path, hooks, language)

    def _board(self, target: str, note: PublishedNote | None) -> Attachment | None:
        path = target.partition("#")[0].strip()
        if not path.lower().endswith(BOARD_EXTENSIONS):
            return None
        folder = note.rel_path.rpartition("/")[0] if note is not None else ""
        match = self.boards.resolve(path, folder)
        return match.item if match is not None else None

    def _embed(
        self, target: str, note: PublishedNote, hooks: QueryHooks, line: int | None = None
    ) -> str:
        key = (note.rel_path, "embed", target)
        known = self._results.get(key)
        if known is not None:
            return known
        board = self._board(target, note)
        assert board is not None
        html = self._embed_board(board, target, note, hooks, line)
        self._results[key] = html
        return html

    def _embed_board(
        self,
        board: Attachment,
        target: str,
        note: PublishedNote,
        hooks: QueryHooks,
        line: int | None,
    ) -> str:
        try:
            text = board.file.read().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            self.diagnostics.warn(note.rel_path, f"{board.rel_path} not read: {error}", line)
            return _placeholder("This file could not be read.")
        subpath = target.partition("#")[2].strip() or None
        if board.suffix == ".base":
            rendered = run_base(text, self.view, note.rel_path, hooks, subpath, show_source=False)
            self._deps.setdefault(note.rel_path, []).append(rendered.deps)
            if rendered.error is not None:
                message = f"{board.rel_path}: {rendered.error.message}"
                self.diagnostics.warn(note.rel_path, message, line)
            return f'<div class="internal-embed bases-embed">{rendered.html}</div>'
        href = self.canvas_pages.get(board.rel_path)
        if href is None:  # not published: exactly what an embed of a private note shows
            message = f"embed target {board.name!r} is missing or not published"
            self.diagnostics.warn(note.rel_path, message, line)
            return _placeholder("This note is not published.")
        canvas = parse_canvas(text)
        uid = "c" + _digest(board.rel_path)[:8]
        with self.notes.standalone():
            body = render_canvas(canvas, self.canvas_hooks(), uid)
        html = (
            f'<div class="internal-embed canvas-embed" data-src="{escapeHtml(target)}">{body}'
            f'<a class="markdown-embed-link" href="{escapeHtml(href)}">Open the canvas ↗</a></div>'
        )
        slot = f'<div class="trellis-slot-{_digest(html)}"></div>'
        self._slots[slot] = html
        return slot

    # -- rendering ----------------------------------------------------------------------

    def render_query(self, language: str, source: str, env: dict[str, Any]) -> str | None:
        """The HTML of a query of the note being rendered (None: show it as code)."""
        note = env.get("note")
        if self._evaluating or not isinstance(note, PublishedNote):
            return None
        return self._results.get((note.rel_path, language, source))

    def embed(self, target: str, env: dict[str, Any]) -> str | None:
        """A base or canvas embed's HTML; None when `target` names no base or canvas."""
        note = env.get("note")
        if self._evaluating or not isinstance(note, PublishedNote):
            return None
        if self._board(target, note) is None:
            return None
        return self._embed(target, note, QueryHooks(self.site, self.notes, note))

    def fill_slots(self, html: str) -> str:
        """`html` (a cleaned page body) with each canvas slot replaced by its board."""
        if "trellis-slot-" not in html:
            return html
        for slot, board in self._slots.items():
            html = html.replace(slot, board)
        return html

    def _canvas_shown(self) -> set[str]:
        """The notes published canvases show, through their file nodes and the embeds of
        those notes (a body edit that changes embeds never reaches `update`)."""
        if self._shown_by_canvases is None:
            found: set[str] = set()
            stack: list[tuple[str, PublishedNote | None]] = [
                (node.file, None)
                for page in self.canvases
                for node in page.canvas.nodes
                if node.type == "file" and node.file
            ]
            while stack:
                target, source = stack.pop()
                resolved = self.site.resolve(target, source)
                note = resolved.note if resolved is not None else None
                if note is None or note.rel_path in found or note.content is None:
                    continue
                found.add(note.rel_path)
                stack += [(link.target, note) for link in note.content.links if link.embed]
            self._shown_by_canvases = found
        return self._shown_by_canvases

    def canvas_href(self, target: str, note: PublishedNote | None) -> str | None:
        """The page of the published canvas a link names, or None."""
        board = self._board(target, note if isinstance(note, PublishedNote) else None)
        return None if board is None else self.canvas_pages.get(board.rel_path)

    def canvas_hooks(self) -> QueryHooks:
        """The hooks a canvas page renders with (links from the vault's root)."""
        return QueryHooks(self.site, self.notes, None, block=True)

    def digest(self, note: PublishedNote) -> str:
        """A digest of every result `note`'s page shows ("" for none): part of its key."""
        return self._digests.get(note.rel_path, "")


def _placeholder(message: str) -> str:
    return (
        '<div class="internal-embed markdown-embed is-unresolved">'
        f'<p class="embed-placeholder">{escapeHtml(message)}</p></div>'
    )


def prepare_queries(
    site: PublicSite, notes: NoteRenderer, diagnostics: Diagnostics, files: list[Attachment]
) -> QueryResults | None:
    """Evaluate the build's queries, base and canvas embeds (after linking); None when the
    vault has none, so the build goes on exactly as without queries."""
    if not may_have_queries(site, files):
        return None
    results = QueryResults(site, notes, diagnostics, files)
    results.canvases = published_canvases(site, files, diagnostics)
    results.canvas_pages = {page.rel_path: site.href(page.url) for page in results.canvases}
    results.evaluate()
    return results


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def update_queries(notes: NoteRenderer, edited: list[PublishedNote]) -> list[PublishedNote] | None:
    """For the preview's fast path (`trellis.edits`): the notes whose query results body
    edits to `edited` changed, or None when only a full build can tell (see `update`; and
    when the last build had no queries and an edited note now holds one)."""
    if notes.queries is not None:
        return notes.queries.update(edited)
    for note in edited:
        assert note.content is not None
        if note.content.queries or any(
            link.target.partition("#")[0].strip().lower().endswith(BOARD_EXTENSIONS)
            for link in note.content.links
        ):
            return None
    return []
