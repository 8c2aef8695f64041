"""A note's dates: frontmatter (`created`, `updated`, `date`, ...), else git, else file time.

YAML gives `date`/`datetime` objects, JSON frontmatter gives ISO strings; both are read.
Dates without a zone are taken as UTC so feeds and sitemaps can compare them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

CREATED_KEYS = ("created", "date", "dg-created", "created_at", "creation date")
UPDATED_KEYS = ("updated", "modified", "dg-updated", "updated_at", "last modified", "lastmod")


def parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        for candidate in (text, text.replace(" ", "T", 1)):
            try:
                parsed = datetime.fromisoformat(candidate)
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def first_date(meta: dict[str, Any], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        value = meta.get(key)
        if value is not None and (found := parse_date(value)) is not None:
            return found
    return None


def note_dates(
    meta: dict[str, Any],
    mtime: float,
    committed: tuple[float, float | None] | None = None,
) -> tuple[datetime, datetime]:
    """(created, updated): frontmatter first; then `committed`, the (first, last) commit
    times from git (last None when the file was edited since); then the file's time."""
    file_time = _stamp(mtime) if mtime else datetime(1970, 1, 1, tzinfo=UTC)
    created = first_date(meta, CREATED_KEYS)
    updated = first_date(meta, UPDATED_KEYS)
    if committed is not None:
        first, last = committed
        if created is None:
            created = _stamp(first)
        if updated is None:
            updated = _stamp(last) if last is not None else file_time
    return created or updated or file_time, updated or created or file_time


def _stamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
