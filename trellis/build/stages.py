"""The parse stage, run by either executor: this process, or worker processes.

Each note is parsed by `parse_note` (here, in a worker, or by the preview's fast path) or
takes its kept parse (`reuse_parse`); the warnings come out in note order whichever runs.
"""

from __future__ import annotations

from typing import Any

from trellis.build.aside import Aside
from trellis.build.cache import ParsedEntry
from trellis.build.forked import ParallelNotes
from trellis.build.held import TokensHere
from trellis.build.parse import parse_note, reuse_parse
from trellis.build.plan import Plan
from trellis.build.result import Progress
from trellis.build.worker_job import RenderSetup
from trellis.diagnostics import Diagnostics
from trellis.episodes.detect import looks_like_episode
from trellis.episodes.kept import EpisodeRecord, attach_episodes_kept, record_of
from trellis.public.site import PublicSite
from trellis.render.notes import NoteRenderer
from trellis.render.query_marks import holds_query_marks


def parse_in_process(
    plan: Plan,
    site: PublicSite,
    notes: NoteRenderer,
    kept: dict[str, ParsedEntry],
    diagnostics: Diagnostics,
    progress: Progress,
) -> tuple[dict[str, ParsedEntry], TokensHere, set[str]]:
    """Parse (or reuse) each published note here, then read the episode notes (taking the
    kept reading of a note whose parse is kept, when it is still good); the tokens are
    held within the memory budget (`trellis.build.held`). Last, the vault paths of notes
    whose parse was kept but whose episode reading was not (`trellis.build.reach`)."""
    fresh: dict[str, ParsedEntry] = {}
    readings: dict[str, EpisodeRecord] = {}
    held = TokensHere(site, notes)
    for index, note in enumerate(site.notes):
        if plan.reuses(index):
            entry = kept[note.rel_path]
            reuse_parse(notes, note, entry, tokens_here=True)
            if entry.episode is not None:
                readings[note.rel_path] = entry.episode
        else:
            warnings = parse_note(notes, note)
            assert note.content is not None
            entry = ParsedEntry(note.source.content_hash, note.content, warnings, note.source.mtime)
            entry.quiet = not holds_query_marks(note)
        diagnostics.extend(entry.warnings)
        fresh[note.rel_path] = entry
        held.place(index)
        progress.advance()
    # A kept parse of a note that did not look like an episode still does not: the test
    # reads only its bytes (`looks_like_episode`).
    candidates = [
        note
        for index, note in enumerate(site.notes)
        if not (plan.reuses(index) and fresh[note.rel_path].plain) and looks_like_episode(note)
    ]
    records = attach_episodes_kept(site, diagnostics, readings, candidates)
    looked = {note.rel_path for note in candidates}
    afresh = set()
    for index, note in enumerate(site.notes):
        rel_path = note.rel_path
        record = records.get(rel_path)
        if plan.reuses(index) and record is not readings.get(rel_path):
            afresh.add(rel_path)
        entry = fresh[rel_path]
        entry.episode, entry.plain = record, rel_path not in looked
    held.read_episodes(fresh)
    return fresh, held, afresh


def parse_in_workers(
    plan: Plan,
    site: PublicSite,
    notes: NoteRenderer,
    kept: dict[str, ParsedEntry],
    diagnostics: Diagnostics,
    progress: Progress,
    setup: RenderSetup,
    aside: Aside[Any] | None = None,
) -> tuple[dict[str, ParsedEntry], ParallelNotes]:
    """Fork the workers, which parse their shares (and read episodes), then render pages;
    `aside` is packed just before (`trellis.build.aside`)."""
    for index, note in enumerate(site.notes):
        if plan.reuses(index):  # the workers make its tokens again if they need them
            reuse_parse(notes, note, kept[note.rel_path], tokens_here=False)
    workers = ParallelNotes(site, notes, set(plan.to_parse), plan.workers, setup, aside)
    try:
        parsed, episodes = workers.parse(progress.advance)
    except BaseException:
        workers.close()
        raise
    fresh: dict[str, ParsedEntry] = {}
    for index, note in enumerate(site.notes):
        if plan.reuses(index):
            entry = kept[note.rel_path]
        else:
            note.content, warnings = parsed[index]
            entry = ParsedEntry(note.source.content_hash, note.content, warnings, note.source.mtime)
            entry.quiet = not holds_query_marks(note)
        diagnostics.extend(entry.warnings)
        fresh[note.rel_path] = entry
        entry.episode = None  # the workers read every episode of their shares again
        entry.plain = entry.plain or not looks_like_episode(note)
    for index, content, episode, warnings in episodes:
        diagnostics.extend(warnings)
        note = site.notes[index]
        if content is not None:
            note.content, note.episode = content, episode
            fresh[note.rel_path].episode = record_of(site, note, warnings)
    return fresh, workers
