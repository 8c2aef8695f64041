"""Placeholder: the episodes index (`/episodes/`) is being written."""

from __future__ import annotations

from typing import Any


def emit_episodes(*args: Any, **kwargs: Any) -> int:
    return 0
