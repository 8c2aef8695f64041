"""Media times as notes write them: `26:22`, `1:02:03`, `#t=26:22,27:36`, `[06:01]`.

Shared by audio embeds (`![[episode.mp3#t=30]]`) and episode pages, so both write the same
fragment. Why normalise at all: the W3C media-fragment syntax allows `t=mm:ss` only as
`npt:` clock time with hours (`t=npt:0:26:22`), and browsers differ in what else they accept;
plain seconds (`#t=1582,1656`) is the one form every browser honours, so that is what goes
into the output. Nothing here knows about notes or pages: functions take text, return data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `m:ss`, `mm:ss`, `mmm:ss` or `h:mm:ss`, optionally with fractional seconds.
CLOCK = r"(?:\d{1,2}:\d{1,2}:\d{2}|\d{1,3}:\d{2})(?:\.\d{1,3})?"
_CLOCK = re.compile(r"(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,3}):(?P<s>\d{2}(?:\.\d{1,3})?)")
_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def _bound(name: str) -> str:
    """A clock time as its own word (not part of `1:2:3:4` or `12.5:00`), as group `name`."""
    return r"(?<![\d:.])(?P<" + name + ">" + CLOCK + r")(?![\d:])"


# Timestamps worth linking in prose: `[06:01]`, `(1:02:03)`; and the time opening a line of
# a chapter list (`1 00:00 Welcome`, `- 05:12 — Why slow`, `00:00 Intro`). A bare time in a
# sentence ("meet at 10:30") is left alone.
BRACKETED = re.compile(
    r"\[\s*" + _bound("time") + r"\s*\]"
    r"|(?<=\()\s*" + _bound("ptime") + r"\s*(?=\))"
)
CHAPTER = re.compile(
    r"^[ \t]*(?:(?:\d{1,3}[.)]?|[-–—•*·])[ \t]+)?" + _bound("time") + r"(?=[ \t]*[-–—:|]?[ \t]+\S)",
    re.MULTILINE,
)


def parse_clock(text: str) -> float | None:
    """`26:22` -> 1582.0, `1:02:03` -> 3723.0; None unless it is a valid clock time."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hours = int(match.group("h") or 0)
    minutes = int(match.group("m"))
    seconds = float(match.group("s"))
    if seconds >= 60 or (match.group("h") is not None and minutes >= 60):
        return None
    return hours * 3600 + minutes * 60 + seconds


def parse_time(text: str) -> float | None:
    """A media-fragment time: seconds (`90`, `90.5`), a clock time, `npt:` allowed first."""
    text = text.strip()
    if text.lower().startswith("npt:"):
        text = text[4:].strip()
    if _SECONDS.fullmatch(text):
        return float(text)
    return parse_clock(text)


def seconds_text(seconds: float) -> str:
    """1582.0 -> `1582`, 90.5 -> `90.5`: what goes into `#t=`."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def clock_text(seconds: float) -> str:
    """1582 -> `26:22`, 3723 -> `1:02:03`: how a time is shown."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso_duration(seconds: float) -> str:
    """1582 -> `PT26M22S`: the machine-readable form for `<time datetime>`."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "PT" + parts + (f"{secs}S" if secs or not parts else "")


def duration_text(seconds: float) -> str:
    """74 -> `1 min 14 s`, 45 -> `45 s`, 3720 -> `1 h 2 min`: a snip's length for people."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


@dataclass(frozen=True)
class TimeRange:
    """What a `t=` fragment says. `problem` explains why a written time was not used."""

    start: float | None = None
    end: float | None = None
    problem: str = ""

    @property
    def fragment(self) -> str:
        """`t=1582,1656`, `t=1582`, `t=,60` or "" (the range without the `#`)."""
        if self.start is None and self.end is None:
            return ""
        start = seconds_text(self.start) if self.start is not None else ""
        end = f",{seconds_text(self.end)}" if self.end is not None else ""
        return f"t={start}{end}"


def parse_range(start_text: str, end_text: str | None) -> TimeRange:
    """A start and an optional end as written; a bad or backwards time is dropped, with why."""
    problems = []
    start = parse_time(start_text) if start_text.strip() else None
    if start_text.strip() and start is None:
        problems.append(f"cannot read the time {start_text.strip()!r}")
    end = None
    if end_text is not None and end_text.strip():
        end = parse_time(end_text)
        if end is None:
            problems.append(f"cannot read the time {end_text.strip()!r}")
    if start is not None and end is not None and end <= start:
        problems.append(f"it ends ({clock_text(end)}) before it starts ({clock_text(start)})")
        end = None
    return TimeRange(start, end, "; ".join(problems))


def parse_fragment(fragment: str) -> tuple[TimeRange | None, list[str]]:
    """The `t=` range of a URL fragment (`t=26:22,27:36&x=1`) and its other parameters."""
    time_range = None
    others = []
    for part in fragment.lstrip("#").split("&"):
        name, equals, value = part.partition("=")
        if equals and name.strip().lower() == "t" and time_range is None:
            start, comma, end = value.partition(",")
            time_range = parse_range(start, end if comma else None)
        elif part:
            others.append(part)
    return time_range, others


def normalise_fragment(fragment: str) -> str:
    """`t=0:30` -> `#t=30`, `t=1:00,1:30` -> `#t=60,90`, "" -> "": for an audio/video `src`.

    An unreadable time is dropped (the file then plays from its start); other parameters are
    kept as written.
    """
    time_range, others = parse_fragment(fragment)
    parts = [time_range.fragment] if time_range and time_range.fragment else []
    parts.extend(others)
    return "#" + "&".join(parts) if parts else ""


@dataclass(frozen=True)
class TimestampMatch:
    start: int  # the span of `text` the link replaces: `[06:01]` with its brackets, the
    end: int  # time alone in `(1:02:03)` (parentheses are the sentence's, brackets a marker)
    seconds: float
    label: str  # the time as written, what the link shows


def find_timestamps(text: str, at_line_start: bool = True) -> list[TimestampMatch]:
    """The linkable times in `text`: bracketed anywhere, chapter times at a line's start.

    `at_line_start` says whether `text` begins a line (a text node after a line break does;
    one after emphasis does not), so `**x** 00:00` is not taken for a chapter.
    """
    found: dict[int, TimestampMatch] = {}
    for match in BRACKETED.finditer(text):
        group = "time" if match.group("time") else "ptime"
        seconds = parse_clock(match.group(group))
        if seconds is not None:
            start, end = match.span() if group == "time" else match.span(group)
            found[start] = TimestampMatch(start, end, seconds, match.group(group))
    for match in CHAPTER.finditer(text):
        if match.start() == 0 and not at_line_start:
            continue
        seconds = parse_clock(match.group("time"))
        if seconds is not None and not any(
            m.start <= match.start("time") < m.end for m in found.values()
        ):
            found[match.start("time")] = TimestampMatch(
                match.start("time"), match.end("time"), seconds, match.group("time")
            )
    return [found[key] for key in sorted(found)]
