"""Placeholder: the inline_fields syntax is being written; the plugin does nothing yet."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt


def inline_fields_plugin(md: MarkdownIt, **options: Any) -> None:
    return None
