"""Dates and durations with the arithmetic Dataview gets from Luxon.

Hand-written (no library): Dataview's semantics are Luxon's, and neither the standard
library nor python-dateutil (only a transitive dependency here) has Luxon's duration model:
a duration keeps its units (`1 month` stays a month, it is not 30 days), `shiftToAll()` +
`normalize()` roll overflow up with the "casual" conversion table (a month is 30 days, a year
365, a month 4 weeks), a date minus a date is a calendar difference, and a duration is
ordered by its length in milliseconds under that same table.

Dates are aware `datetime`s; a date read without a zone is in the view's zone (UTC unless
the build says otherwise), like Trellis' own dates.
"""

from __future__ import annotations

import calendar
import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds")
MILLIS = {
    "years": 365 * 86_400_000,
    "months": 30 * 86_400_000,
    "weeks": 7 * 86_400_000,
    "days": 86_400_000,
    "hours": 3_600_000,
    "minutes": 60_000,
    "seconds": 1000,
    "milliseconds": 1,
}
# How many of the next smaller unit make one of this unit (Luxon's casual matrix, adjacent).
_NEXT = {
    "years": 12,
    "months": 4,
    "weeks": 7,
    "days": 24,
    "hours": 60,
    "minutes": 60,
    "seconds": 1000,
}

# Unit names Dataview accepts in `dur(...)` and in field values.
UNIT_NAMES = {
    **dict.fromkeys(("year", "years", "yr", "yrs"), "years"),
    **dict.fromkeys(("month", "months", "mo", "mos"), "months"),
    **dict.fromkeys(("week", "weeks", "wk", "wks", "w"), "weeks"),
    **dict.fromkeys(("day", "days", "d"), "days"),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), "hours"),
    **dict.fromkeys(("minute", "minutes", "min", "mins", "m"), "minutes"),
    **dict.fromkeys(("second", "seconds", "sec", "secs", "s"), "seconds"),
}


@dataclass(frozen=True)
class Duration:
    """A span of time that keeps its units, like a Luxon Duration."""

    years: float = 0
    months: float = 0
    weeks: float = 0
    days: float = 0
    hours: float = 0
    minutes: float = 0
    seconds: float = 0
    milliseconds: float = 0

    def values(self) -> dict[str, float]:
        return {unit: getattr(self, unit) for unit in UNITS}

    def millis(self) -> float:
        return sum(getattr(self, unit) * MILLIS[unit] for unit in UNITS)

    def map(self, fn) -> Duration:  # type: ignore[no-untyped-def]
        return Duration(**{unit: fn(value) for unit, value in self.values().items()})

    def plus(self, other: Duration, sign: int = 1) -> Duration:
        mine, theirs = self.values(), other.values()
        return Duration(**{unit: mine[unit] + sign * theirs[unit] for unit in UNITS})

    def normalize(self) -> Duration:
        """Luxon's `shiftToAll().normalize()`: fractions down, overflow up."""
        vals = self.values()
        # Fractions of a unit move into the next smaller one.
        for big, small in itertools.pairwise(UNITS):
            fraction = vals[big] - math.trunc(vals[big])
            if fraction:
                vals[big] -= fraction
                vals[small] += fraction * _NEXT[big]
        factor = -1 if sum(v * MILLIS[u] for u, v in vals.items()) < 0 else 1
        for big, small in reversed(list(itertools.pairwise(UNITS))):
            roll = math.floor(vals[small] * factor / _NEXT[big])
            vals[big] += roll * factor
            vals[small] -= roll * _NEXT[big] * factor
        return Duration(**{unit: _tidy(value) for unit, value in vals.items()})

    def human(self) -> str:
        """`1 year, 6 months, 1 week`: Dataview's minimal rendering (zero units left out)."""
        parts = []
        for unit, value in self.normalize().values().items():
            if value:
                name = unit[:-1] if abs(value) == 1 else unit
                parts.append(f"{format_grouped(value)} {name}")
        return ", ".join(parts)

    def shifted_to(self, unit: str) -> float:
        """The whole duration in one unit (Luxon `shiftTo(unit)[unit]`)."""
        return self.shift_to((unit,))[unit]

    def shift_to(self, units: tuple[str, ...]) -> dict[str, float]:
        """Luxon's `shiftTo(...units)`: larger units flow down into the next wanted one."""
        wanted = [u for u in UNITS if u in units]
        if not wanted:
            return {}
        built: dict[str, float] = {}
        carried: dict[str, float] = {}
        for unit in UNITS:
            value = getattr(self, unit)
            if unit in wanted:
                own = value + sum(amount * factor(src, unit) for src, amount in carried.items())
                carried.clear()
                whole = math.trunc(own)
                built[unit] = whole
                if own != whole:
                    carried[unit] = own - whole
            elif value:
                carried[unit] = value
        last = wanted[-1]
        for src, amount in carried.items():
            built[last] += amount if src == last else amount / factor(last, src)
        # Then Luxon's normalizeValues over the wanted units: overflow rolls up.
        sign = -1 if sum(v * MILLIS[u] for u, v in built.items()) < 0 else 1
        for big, small in reversed(list(itertools.pairwise(wanted))):
            roll = math.floor(built[small] * sign / factor(big, small))
            built[big] += roll * sign
            built[small] -= roll * factor(big, small) * sign
        return {unit: _tidy(value) for unit, value in built.items()}


# Luxon's casual matrix is not quite MILLIS ratios: a year is 12 months and 52 weeks, a
# month is 4 weeks.
_FACTORS = {("years", "months"): 12, ("years", "weeks"): 52, ("months", "weeks"): 4}


def factor(big: str, small: str) -> float:
    """How many `small` units make one `big` unit (Luxon's casual conversion matrix)."""
    return _FACTORS.get((big, small), MILLIS[big] / MILLIS[small])


def _tidy(value: float) -> float:
    rounded = round(value, 9)
    return int(rounded) if float(rounded).is_integer() else rounded


def format_grouped(value: float) -> str:
    """A number as Intl.NumberFormat('en') shows it: grouped thousands, up to 3 decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def as_zone(moment: datetime, zone: tzinfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, the day clamped to the month's length (Jan 31 + 1 month = Feb 28)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def add_duration(moment: datetime, span: Duration, sign: int = 1) -> datetime:
    """A date moved by a duration: calendar units first, then exact time (Luxon's `plus`)."""
    months = sign * (span.years * 12 + span.months)
    whole = math.trunc(months)
    result = add_months(moment, whole)
    exact = (months - whole) * 30 * 86_400_000 + sign * (
        span.weeks * MILLIS["weeks"]
        + span.days * MILLIS["days"]
        + span.hours * MILLIS["hours"]
        + span.minutes * MILLIS["minutes"]
        + span.seconds * 1000
        + span.milliseconds
    )
    # Days move by calendar days in the local zone, which for fixed zones is exact time.
    return result + timedelta(milliseconds=exact)


def date_difference(later: datetime, earlier: datetime) -> Duration:
    """`later - earlier` in calendar years, months, days and time (Luxon `diff`)."""
    sign = 1
    if later < earlier:
        later, earlier, sign = earlier, later, -1
    later = later.astimezone(earlier.tzinfo) if earlier.tzinfo else later
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if add_months(earlier, months) > later:
        months -= 1
    anchor = add_months(earlier, months)
    rest = later - anchor
    millis = rest.days * 86_400_000 + rest.seconds * 1000 + rest.microseconds // 1000
    days, millis = divmod(millis, 86_400_000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    seconds, millis = divmod(millis, 1000)
    years, months = divmod(months, 12)
    span = Duration(
        years=years,
        months=months,
        days=days,
        hours=hours,
        minutes=minutes,
        seconds=seconds,
        milliseconds=millis,
    )
    return (span if sign > 0 else span.map(lambda v: -v)).normalize()


def start_of(moment: datetime, unit: str) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":  # ISO weeks start on Monday, as Luxon's do
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def end_of(moment: datetime, unit: str) -> datetime:
    if unit == "week":
        start = start_of(moment, "week") + timedelta(days=7)
    elif unit == "month":
        start = add_months(start_of(moment, "month"), 1)
    else:
        start = start_of(moment, "year").replace(year=moment.year + 1)
    return start - timedelta(milliseconds=1)


def epoch_millis(moment: datetime) -> float:
    return (as_zone(moment, UTC) - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1)
