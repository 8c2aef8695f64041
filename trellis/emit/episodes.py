"""Write `/episodes/`: every published podcast episode, grouped by show, newest first.

Only notes that `attach_episodes` recognised are listed, so the index can hold nothing a
published note does not say. Hidden notes (`dg-hide`) stay out, as on every other list.
With no episode at all nothing is written (and nothing should link here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trellis.emit.writer import OutputWriter
from trellis.episodes.model import Episode
from trellis.public.site import PublicSite, PublishedNote
from trellis.render.pages import PageRenderer

INDEX_URL = "/episodes/"
NO_SHOW = "Other episodes"


@dataclass(frozen=True)
class EpisodeEntry:
    title: str
    href: str
    episode: Episode


@dataclass
class ShowGroup:
    name: str
    id: str
    entries: list[EpisodeEntry] = field(default_factory=list)

    @property
    def snip_count(self) -> int:
        return sum(e.episode.snip_count for e in self.entries)


def _newest_first(note: PublishedNote) -> tuple[int, str, str]:
    published: dt.date | None = note.episode.published_on
    return (-(published.toordinal() if published else 0), note.title.lower(), note.rel_path)


def episode_groups(site: PublicSite) -> list[ShowGroup]:
    """Shows in the order of their newest episode; each show's episodes newest first."""
    notes = [n for n in site.notes if n.episode is not None and not n.display.hidden]
    groups: dict[str, ShowGroup] = {}
    used_ids: set[str] = set()
    for note in sorted(notes, key=_newest_first):
        name = note.episode.show or NO_SHOW
        group = groups.get(name.lower())
        if group is None:
            group_id, number = note.episode.show_id, 1
            while group_id in used_ids:  # two shows whose names slug alike
                number += 1
                group_id = f"{note.episode.show_id}-{number}"
            used_ids.add(group_id)
            group = groups[name.lower()] = ShowGroup(name, group_id)
        group.entries.append(EpisodeEntry(note.episode.title, site.href(note.url), note.episode))
    return list(groups.values())


def emit_episodes(site: PublicSite, pages: PageRenderer, writer: OutputWriter) -> int:
    """Write the episodes index; returns the number of pages written (0 or 1)."""
    groups = episode_groups(site)
    if not groups:
        return 0
    page = pages.base_context(
        "episodes",
        "Episodes",
        INDEX_URL,
        shows=groups,
        episode_count=sum(len(g.entries) for g in groups),
        snip_count=sum(g.snip_count for g in groups),
    )
    writer.write_text("episodes/index.html", pages.render_template("episodes.html", page))
    return 1
