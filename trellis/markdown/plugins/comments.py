"""Placeholder: the comments syntax is being written; the plugin does nothing yet."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt


def comments_plugin(md: MarkdownIt, **options: Any) -> None:
    return None
