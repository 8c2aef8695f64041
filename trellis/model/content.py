"""What parsing a note's Markdown yields, besides its tokens: the data other pages need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    id: str
    line: int


@dataclass(frozen=True)
class LinkRef:
    """A link or embed as written in a note (`target` may carry `#Heading` or `#^block`)."""

    target: str
    embed: bool
    line: int  # 1-based line in the note's file
    markdown: bool = False  # `[text](path.md)` rather than `[[...]]`
    context: str = ""  # the plain text of the paragraph or item around the link


@dataclass
class NoteContent:
    """A parsed note: tokens to render later, and what it declares to the rest of the site."""

    tokens: list[Any] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    # `^id` as written -> the element id it got on the page.
    block_ids: dict[str, str] = field(default_factory=dict)
    links: list[LinkRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Browser features the page needs ("math", "mermaid", ...): templates load their scripts.
    features: set[str] = field(default_factory=set)
    # The markdown-it env of the parse (footnotes live there); rendering needs it back.
    env: dict[str, Any] = field(default_factory=dict, repr=False)

    def heading_id(self, path: list[str]) -> str | None:
        """The id of the heading reached by `#H1#H2...` (each later one below the former)."""
        wanted = [part.strip().lower() for part in path if part.strip()]
        if not wanted:
            return None
        position = 0
        found: Heading | None = None
        for part in wanted:
            for index in range(position, len(self.headings)):
                heading = self.headings[index]
                if _same_heading(heading, part):
                    found, position = heading, index + 1
                    break
            else:
                return None
        return found.id if found else None


def _same_heading(heading: Heading, wanted: str) -> bool:
    from trellis.slug import slugify

    text = heading.text.strip().lower()
    return text == wanted or heading.id == wanted or slugify(text) == slugify(wanted)
