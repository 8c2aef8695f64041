"""Date formatting with Luxon's tokens (Dataview) and Moment's tokens (Bases), in English.

Hand-written: `strftime` has neither token language (and depends on the C locale), and no
small, well-kept Python library implements Luxon's or Moment's format strings. Only the
tokens that make sense for a static page are supported: unknown letters are copied as
written, as both libraries do for characters they do not know.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Luxon's macro tokens (en-US).
_LUXON_MACROS = {
    "D": "M/d/yyyy",
    "DD": "MMM d, yyyy",
    "DDD": "MMMM d, yyyy",
    "DDDD": "EEEE, MMMM d, yyyy",
    "t": "h:mm a",
    "tt": "h:mm:ss a",
    "T": "HH:mm",
    "TT": "HH:mm:ss",
    "f": "M/d/yyyy, h:mm a",
    "ff": "MMM d, yyyy, h:mm a",
    "F": "M/d/yyyy, h:mm:ss a",
    "FF": "MMM d, yyyy, h:mm:ss a",
}


def _offset(moment: datetime, colon: bool) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}" if colon else f"{sign}{hours:02d}{rest:02d}"


def _hour12(moment: datetime) -> int:
    return moment.hour % 12 or 12


def _luxon_token(token: str, m: datetime) -> str | None:
    letter, size = token[0], len(token)
    if token in _LUXON_MACROS:
        return format_luxon(m, _LUXON_MACROS[token])
    table = {
        "y": lambda: str(m.year) if size != 2 else f"{m.year % 100:02d}",
        "M": lambda: _month(m.month, size),
        "L": lambda: _month(m.month, size),
        "d": lambda: f"{m.day:0{size}d}" if size <= 2 else None,
        "E": lambda: _weekday(m, size),
        "c": lambda: _weekday(m, size),
        "H": lambda: f"{m.hour:0{size}d}",
        "h": lambda: f"{_hour12(m):0{size}d}",
        "m": lambda: f"{m.minute:0{size}d}",
        "s": lambda: f"{m.second:0{size}d}",
        "S": lambda: f"{m.microsecond // 1000:0{size}d}",
        "a": lambda: "AM" if m.hour < 12 else "PM",
        "Z": lambda: _offset(m, size != 2) if size <= 2 else (m.tzname() or "UTC"),
        "o": lambda: f"{m.timetuple().tm_yday:0{size}d}",
        "q": lambda: str((m.month - 1) // 3 + 1),
        "W": lambda: f"{m.isocalendar().week:0{size}d}",
        "k": lambda: str(m.isocalendar().year),
        "x": lambda: str(int(m.timestamp() * 1000)),
        "X": lambda: str(int(m.timestamp())),
    }
    make = table.get(letter)
    return make() if make else None


def _month(month: int, size: int) -> str:
    if size <= 2:
        return f"{month:0{size}d}"
    name = MONTHS[month - 1]
    return name[:3] if size == 3 else name[0] if size == 5 else name


def _weekday(m: datetime, size: int) -> str:
    if size <= 2:
        return str(m.isoweekday())
    name = WEEKDAYS[m.weekday()]
    return name[:3] if size == 3 else name[0] if size == 5 else name


_LUXON = re.compile(r"'([^']*)'|(([A-Za-z])\3*)|(.)", re.S)


def format_luxon(moment: datetime, pattern: str) -> str:
    """`dateformat(date, "yyyy-MM-dd")`: Luxon's `toFormat`."""
    out = []
    for match in _LUXON.finditer(pattern):
        quoted, token, _, other = match.groups()
        if quoted is not None:
            out.append(quoted if quoted else "'")
        elif token is not None:
            made = _luxon_token(token, moment)
            out.append(token if made is None else made)
        else:
            out.append(other)
    return "".join(out)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_MOMENT_TOKENS = {
    "YYYY": lambda m: f"{m.year:04d}",
    "YY": lambda m: f"{m.year % 100:02d}",
    "Q": lambda m: str((m.month - 1) // 3 + 1),
    "MMMM": lambda m: MONTHS[m.month - 1],
    "MMM": lambda m: MONTHS[m.month - 1][:3],
    "MM": lambda m: f"{m.month:02d}",
    "M": lambda m: str(m.month),
    "Do": lambda m: _ordinal(m.day),
    "DDDD": lambda m: f"{m.timetuple().tm_yday:03d}",
    "DD": lambda m: f"{m.day:02d}",
    "D": lambda m: str(m.day),
    "dddd": lambda m: WEEKDAYS[m.weekday()],
    "ddd": lambda m: WEEKDAYS[m.weekday()][:3],
    "dd": lambda m: WEEKDAYS[m.weekday()][:2],
    "d": lambda m: str(m.isoweekday() % 7),
    "WW": lambda m: f"{m.isocalendar().week:02d}",
    "W": lambda m: str(m.isocalendar().week),
    "HH": lambda m: f"{m.hour:02d}",
    "H": lambda m: str(m.hour),
    "hh": lambda m: f"{_hour12(m):02d}",
    "h": lambda m: str(_hour12(m)),
    "mm": lambda m: f"{m.minute:02d}",
    "m": lambda m: str(m.minute),
    "ss": lambda m: f"{m.second:02d}",
    "s": lambda m: str(m.second),
    "SSS": lambda m: f"{m.microsecond // 1000:03d}",
    "A": lambda m: "AM" if m.hour < 12 else "PM",
    "a": lambda m: "am" if m.hour < 12 else "pm",
    "ZZ": lambda m: _offset(m, False),
    "Z": lambda m: _offset(m, True),
    "X": lambda m: str(int(m.timestamp())),
    "x": lambda m: str(int(m.timestamp() * 1000)),
}
_MOMENT = re.compile(
    r"\[([^\]]*)\]|(" + "|".join(sorted(_MOMENT_TOKENS, key=len, reverse=True)) + r")|(.)", re.S
)


def format_moment(moment: datetime, pattern: str) -> str:
    """Bases' `date.format("YYYY-MM-DD")`: Moment's `format`."""
    out = []
    for match in _MOMENT.finditer(pattern):
        literal, token, other = match.groups()
        if literal is not None:
            out.append(literal)
        elif token is not None:
            out.append(_MOMENT_TOKENS[token](moment))
        else:
            out.append(other)
    return "".join(out)
