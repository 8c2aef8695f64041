"""Reading dates, durations and inline-field values the way Dataview reads them.

`parse_date_prefix` is Dataview's date grammar (`YYYY-MM[-DD[THH[:mm[:ss[.SSS]]]]][zone]`),
`parse_duration_prefix` its duration grammar (`3 days, 4h2min`), `inline_value` the value
of a `key:: value` field (a date, a duration, a quoted string, a tag, a link, a boolean, a
number, `null`, or a comma-separated list of those; anything else stays text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

from trellis.query.durations import UNIT_NAMES, Duration, end_of, start_of

DATE_SHORTHANDS: dict[str, Callable[[datetime], datetime]] = {
    "now": lambda now: now,
    "today": lambda now: start_of(now, "day"),
    "yesterday": lambda now: start_of(now, "day") - timedelta(days=1),
    "tomorrow": lambda now: start_of(now, "day") + timedelta(days=1),
    "sow": lambda now: start_of(now, "week"),
    "start-of-week": lambda now: start_of(now, "week"),
    "eow": lambda now: end_of(now, "week"),
    "end-of-week": lambda now: end_of(now, "week"),
    "som": lambda now: start_of(now, "month"),
    "start-of-month": lambda now: start_of(now, "month"),
    "eom": lambda now: end_of(now, "month"),
    "end-of-month": lambda now: end_of(now, "month"),
    "soy": lambda now: start_of(now, "year"),
    "start-of-year": lambda now: start_of(now, "year"),
    "eoy": lambda now: end_of(now, "year"),
    "end-of-year": lambda now: end_of(now, "year"),
}

_DATE_PARTS = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})"
    r"(?:-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2})"
    r"(?::(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<ms>\d{3}))?)?)?)?)?"
    r"(?P<zone>[+-]\d{1,2}(?::\d{2})?|Z)?"
)
_UNIT = "|".join(sorted(UNIT_NAMES, key=len, reverse=True))
_DURATION_PART = re.compile(rf"(-?[0-9]+(?:\.[0-9]+)?)\s*({_UNIT})")
_DURATION_SEP = re.compile(r"\s*,\s*|\s*")


def _zone(text: str | None, fallback: tzinfo) -> tzinfo:
    if not text:
        return fallback
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, _, minutes = text[1:].partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def parse_date_prefix(text: str, start: int, zone: tzinfo) -> tuple[datetime, int] | None:
    """The date written at `text[start:]` and where it ends, or None."""
    match = _DATE_PARTS.match(text, start)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        value = datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"] or 1),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            int(parts["ms"] or 0) * 1000,
            tzinfo=_zone(parts["zone"], zone),
        )
    except ValueError:
        return None
    return value, match.end()


def parse_date(text: str, zone: tzinfo) -> datetime | None:
    found = parse_date_prefix(text, 0, zone)
    return found[0] if found and found[1] == len(text) else None


def parse_duration_prefix(text: str, start: int) -> tuple[Duration, int] | None:
    """The duration written at `text[start:]` (`1 s, 2 m 3h`) and where it ends, or None."""
    units: dict[str, float] = {}
    position = start
    match = _DURATION_PART.match(text, position)
    if match is None:
        return None
    while match is not None:
        unit = UNIT_NAMES[match.group(2)]
        units[unit] = units.get(unit, 0) + float(match.group(1))
        position = match.end()
        sep = _DURATION_SEP.match(text, position)
        nxt = _DURATION_PART.match(text, sep.end() if sep else position)
        if nxt is None:
            break
        match = nxt
    values = {unit: int(v) if float(v).is_integer() else v for unit, v in units.items()}
    return Duration(**values), position


def parse_duration(text: str) -> Duration | None:
    found = parse_duration_prefix(text.strip(), 0)
    return found[0] if found and found[1] == len(text.strip()) else None


def to_date(value: date | datetime, zone: tzinfo) -> datetime:
    """A YAML date or datetime as an aware datetime (no zone: the view's zone)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return datetime(value.year, value.month, value.day, tzinfo=zone)


# -- inline field values ----------------------------------------------------------------

_TAG_VALUE = re.compile(r"#[^\u2000-\u206F\u2E00-\u2E7F'!\"#$%&()*+,.:;<=>?@^`{|}~\[\]\\\s]+")
_LINK_VALUE = re.compile(r"(!?)\[\[([^\[\]]*?)\]\]")
_NUMBER_VALUE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_BOOL_VALUE = re.compile(r"(?:true|false|True|False)\b")


def _atom(
    text: str, start: int, zone: tzinfo, make_link: Callable[[str, bool], Any]
) -> tuple[Any, int] | None:
    dated = parse_date_prefix(text, start, zone)
    if dated is not None:
        return dated
    duration = parse_duration_prefix(text, start)
    if duration is not None:
        return duration[0].normalize(), duration[1]
    if text.startswith('"', start):
        end = start + 1
        out = []
        while end < len(text) and text[end] != '"':
            if text[end] == "\\" and end + 1 < len(text):
                out.append(text[end + 1] if text[end + 1] in '"\\' else text[end : end + 2])
                end += 2
                continue
            out.append(text[end])
            end += 1
        if end < len(text):
            return "".join(out), end + 1
        return None
    for pattern, make in (
        (_TAG_VALUE, lambda m: m.group()),
        (_LINK_VALUE, lambda m: make_link(m.group(2), bool(m.group(1)))),
        (_BOOL_VALUE, lambda m: m.group().lower() == "true"),
        (_NUMBER_VALUE, lambda m: float(m.group()) if "." in m.group() else int(m.group())),
        (re.compile(r"null"), lambda m: None),
    ):
        match = pattern.match(text, start)
        if match is not None:
            return make(match), match.end()
    return None


def inline_value(text: str, zone: tzinfo, make_link: Callable[[str, bool], Any]) -> Any:
    """The typed value of an inline field's raw text (`parseInlineValue`)."""
    text = text.strip()
    if not text:
        return None
    values: list[Any] = []
    position = 0
    while True:
        found = _atom(text, position, zone, make_link)
        if found is None:
            break
        values.append(found[0])
        position = found[1]
        comma = re.compile(r"\s*,\s*").match(text, position)
        if comma is None or _atom(text, comma.end(), zone, make_link) is None:
            break
        position = comma.end()
    if position != len(text) or not values:
        return text
    return values if len(values) > 1 else values[0]


def frontmatter_string(text: str, zone: tzinfo, make_link: Callable[[str, bool], Any]) -> Any:
    """A frontmatter string: a date, a duration or a link when it is exactly one, else text."""
    dated = parse_date_prefix(text, 0, zone)
    if dated is not None and dated[1] == len(text):
        return dated[0]
    duration = parse_duration_prefix(text, 0)
    if duration is not None and duration[1] == len(text):
        return duration[0]
    link = _LINK_VALUE.fullmatch(text)
    if link is not None:
        return make_link(link.group(2), bool(link.group(1)))
    return text
