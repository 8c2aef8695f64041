"""What an episode page knows: plain data read from one published note, nothing rendered.

Kept free of tokens and HTML so templates, the episodes index and tests read the same
values. Times are seconds (floats); URLs are ready to write (public attachment hrefs or
`http(s)` addresses only, never a vault path).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trellis.markdown.plugins.timestamps import (
    TimeRange,
    clock_text,
    duration_text,
    iso_duration,
)
from trellis.slug import slugify


@dataclass(frozen=True)
class AudioSource:
    """One `<source>` of a snip: the file's address and the MIME type, if the note gave one."""

    url: str  # without fragment
    type: str = ""


@dataclass
class Snip:
    number: int  # 1-based, in page order
    title: str
    line: int | None  # line of its heading in the note's file
    element_id: str  # id of its `<section>` on the page
    heading_id: str = ""
    marker: float | None = None  # the time in the heading (`### [27:34] ...`)
    start: float | None = None
    end: float | None = None
    sources: list[AudioSource] = field(default_factory=list)
    snip_url: str = ""  # the snip's own page (share.snipd.com/snip/...)
    takeaways: list[str] = field(default_factory=list)
    has_transcript: bool = False

    @property
    def time_range(self) -> TimeRange:
        return TimeRange(self.start, self.end)

    @property
    def fragment(self) -> str:
        """`#t=1582,1656`, or "" when the snip has no readable start."""
        text = self.time_range.fragment
        return f"#{text}" if text else ""

    @property
    def duration(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @property
    def range_text(self) -> str:
        """`26:22 – 27:36` (or just the start), for people."""
        if self.start is None:
            return ""
        if self.end is None:
            return f"from {clock_text(self.start)}"
        return f"{clock_text(self.start)} – {clock_text(self.end)}"

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration) if self.duration is not None else ""

    @property
    def iso_start(self) -> str:
        return iso_duration(self.start) if self.start is not None else ""

    @property
    def has_audio(self) -> bool:
        return bool(self.sources)


@dataclass
class Episode:
    """A podcast episode note (a Snipd export, or a note typed or tagged as one)."""

    title: str
    show: str = ""
    host: str = ""
    published: str = ""  # as written in the note
    published_on: dt.date | None = None  # the same, when it reads as a date
    link: str = ""  # the episode's page elsewhere (http/https only)
    cover: str = ""  # image URL (public attachment href or http/https)
    audio: str = ""  # the whole episode's audio, which timestamps seek ("" if none)
    snips: list[Snip] = field(default_factory=list)
    has_show_notes: bool = False
    # The attachments the reading asked for (as written) and the href each gave ("" none):
    # a kept reading is good while they give the same (`trellis.episodes.kept`).
    lookups: list[tuple[str, str]] = field(default_factory=list, repr=False, compare=False)

    @property
    def published_text(self) -> str:
        """`14 March 2024` when the date was read, else the text as written."""
        if self.published_on is not None:
            return f"{self.published_on.day} {self.published_on:%B %Y}"
        return self.published

    @property
    def show_id(self) -> str:
        """The id of this episode's show on the episodes index (`show-the-slow-garden`)."""
        return "show-" + (slugify(self.show) or "episodes") if self.show else "show-episodes"

    @property
    def snip_count(self) -> int:
        return len(self.snips)

    @property
    def snipped_seconds(self) -> float:
        return sum(s.duration or 0.0 for s in self.snips)
