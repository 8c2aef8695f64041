"""An episode reading kept between builds: a one-note rebuild reads no other episode again.

Why: every episode note was parsed and read again on every build (4 of the 37 CPU seconds
of a one-note rebuild at 10,000 notes), though what a reading yields (the `Episode` model,
the ids of the headings left on the page, the description, the warnings) is a function of
the note's bytes, its title, the settings and the attachments it names. An `EpisodeRecord`
keeps those with the note's kept parse (`trellis.build.cache.ParsedEntry`, valid while the
bytes hash the same). It is used while the title and settings are the same and every
attachment the reading asked for (`Episode.lookups`, in order) still gives the same href:
asking again also counts each as used, so it is copied as the reading would have it. If one
differs the note is read afresh; the reading would have asked the same questions up to that
one (its path depends on the bytes and the answers so far), so nothing extra was counted.

The rewritten tokens are not kept: they are made again (parse, then read) only when a page
renders them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.episodes.model import Episode
from trellis.episodes.read import read_episode
from trellis.public.site import PublicSite, PublishedNote


@dataclass
class EpisodeRecord:
    """What reading an episode note yielded, without its tokens (see above)."""

    context: str  # the note's title and the settings the reading saw
    episode: Episode
    heading_ids: frozenset[str]
    description: str
    warnings: list[Diagnostic] = field(default_factory=list)


def reading_context(site: PublicSite, note: PublishedNote) -> str:
    return repr((note.title, site.settings.for_output()))


def record_of(
    site: PublicSite, note: PublishedNote, warnings: list[Diagnostic]
) -> EpisodeRecord | None:
    """The record of `note`'s reading (`note.episode` set by `attach_episode`)."""
    if note.episode is None or note.content is None:
        return None
    ids = frozenset(heading.id for heading in note.content.headings)
    context = reading_context(site, note)
    return EpisodeRecord(context, note.episode, ids, note.content.description, list(warnings))


def still_good(site: PublicSite, note: PublishedNote, record: EpisodeRecord) -> bool:
    """Same title and settings, and every attachment asked for gives the same href."""
    if record.context != reading_context(site, note):
        return False
    for path, href in record.episode.lookups:
        attachment = site.find_attachment(path, note)
        if (site.href(attachment.url) if attachment else "") != href:
            return False
    return True


def attach_kept(
    site: PublicSite, note: PublishedNote, record: EpisodeRecord, diagnostics: Diagnostics
) -> None:
    """Give `note` the kept reading: its model, its page's headings and description, and
    tokens made again (parse, read) only when something renders them."""
    parse = note.content
    assert parse is not None
    content = copy.copy(parse)
    content.headings = [h for h in parse.headings if h.id in record.heading_ids]
    content.description = record.description
    content.tokens, content.env = None, None  # type: ignore[assignment]

    def load() -> tuple[list, dict]:
        reading = copy.copy(note)
        reading.content = parse
        return read_episode(site, reading, Diagnostics()).tokens, parse.env

    content.loader = load
    note.content = content
    note.episode = record.episode
    diagnostics.extend(record.warnings)


def attach_episodes_kept(
    site: PublicSite,
    diagnostics: Diagnostics,
    kept: dict[str, EpisodeRecord],
    candidates: list[PublishedNote] | None = None,
) -> dict[str, EpisodeRecord]:
    """`attach_episodes`, taking each kept reading that is still good (`kept`: vault path
    -> record of the note's current bytes); the records of this build's readings.
    `candidates`: the notes that look like episodes, when the caller knows them."""
    from trellis.episodes import attach_episode
    from trellis.episodes.detect import looks_like_episode

    records: dict[str, EpisodeRecord] = {}
    for note in site.notes if candidates is None else candidates:
        if note.content is None or (candidates is None and not looks_like_episode(note)):
            continue
        record = kept.get(note.rel_path)
        if record is not None and still_good(site, note, record):
            attach_kept(site, note, record, diagnostics)
            records[note.rel_path] = record
            continue
        local = Diagnostics()
        if attach_episode(site, note, local):
            record = record_of(site, note, local.items)
            if record is not None:
                records[note.rel_path] = record
        diagnostics.extend(local.items)
    return records
