"""Podcast episode notes (Snipd exports): recognised after parsing, shown as episode pages.

`attach_episodes` runs once all published notes are parsed (so links and embeds inside an
episode resolve like anywhere else) and before anything is rendered. For each episode note
it sets `note.episode` (the `Episode` model that templates/episode.html and the episodes
index read) and gives the note a copy of its parsed content holding the rewritten tokens
(see `read.py`); the parse itself is never changed, so a build that keeps parses between
runs reads the same note the same way each time. A note that trips the reader keeps its
ordinary page, with a warning: the build never fails here.
"""

from __future__ import annotations

import copy

from trellis.diagnostics import Diagnostics
from trellis.episodes.detect import looks_like_episode
from trellis.episodes.model import AudioSource, Episode, Snip
from trellis.episodes.read import read_episode
from trellis.public.site import PublicSite, PublishedNote

__all__ = ["AudioSource", "Episode", "Snip", "attach_episode", "attach_episodes"]


def attach_episodes(site: PublicSite, diagnostics: Diagnostics) -> int:
    """Recognise episode notes among the published ones and set `note.episode`; how many."""
    return sum(attach_episode(site, note, diagnostics) for note in site.notes)


def attach_episode(site: PublicSite, note: PublishedNote, diagnostics: Diagnostics) -> bool:
    """If `note` is an episode, set `note.episode` and its episode page's content; True if so."""
    if note.content is None or not looks_like_episode(note):
        return False
    try:
        found = read_episode(site, note, diagnostics)
    except Exception as error:  # one odd note must not stop the build
        diagnostics.warn(
            note.rel_path,
            f"could not read this podcast episode ({type(error).__name__}: {error});"
            " shown as a plain note",
        )
        return False
    # A copy: the parse itself may be kept for the next build, which reads it afresh.
    content = copy.copy(note.content)
    content.tokens = found.tokens
    content.headings = [h for h in content.headings if h.id in found.heading_ids]
    if hasattr(content, "description") and found.description:
        content.description = found.description
    note.content = content
    note.episode = found.episode
    return True
