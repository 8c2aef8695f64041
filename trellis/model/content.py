"""What parsing a note's Markdown yields, besides its tokens: the data other pages need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar

_Record = TypeVar("_Record", bound=type)


def pickled_by_fields(cls: _Record) -> _Record:
    """Pickle a frozen, slotted dataclass as its constructor and field values.

    Python pickles such a class through `dataclasses`' `__getstate__`/`__setstate__`, which
    look up the fields again for every object; the build cache holds hundreds of thousands
    of these records, and that lookup was most of the time spent loading and saving it."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


class Heading(NamedTuple):
    """A heading of a note. A tuple: a 10,000-note cache holds ~55,000 of them, kept as plain
    tuples (`trellis.build.cache_checks`) and made headings again without a call each."""

    level: int
    text: str
    id: str
    line: int


class LinkRef(NamedTuple):
    """A link or embed as written in a note (`target` may carry `#Heading` or `#^block`).
    A tuple, as `Heading` is (~88,000 in a 10,000-note cache)."""

    target: str
    embed: bool
    line: int  # 1-based line in the note's file
    markdown: bool = False  # `[text](path.md)` rather than `[[...]]`
    context: str = ""  # the plain text of the paragraph or item around the link
    html: bool = False  # an `<a>` of the author's raw HTML (trellis.markdown.plugins.raw_html)


@dataclass(slots=True)
class NoteContent:
    """A parsed note: tokens to render later, and what it declares to the rest of the site.

    Everything but the tokens (and the markdown-it env that goes with them) is small and is
    kept between builds; tokens are made again from the note's text when they are needed
    (`loader`), so a build that renders only a few pages parses only a few notes.
    """

    headings: list[Heading] = field(default_factory=list)
    # `^id` as written -> the element id it got on the page.
    block_ids: dict[str, str] = field(default_factory=dict)
    links: list[LinkRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # Browser features the page needs ("math", "mermaid", ...): templates load their scripts.
    features: set[str] = field(default_factory=set)
    # The start of the first paragraph, as plain text (page descriptions, previews).
    description: str = ""
    # What queries read of this note and the queries it holds (`trellis.query.facts`),
    # worked out at parse time so a kept parse needs no tokens; None: not worked out.
    query_facts: Any = None
    queries: tuple[Any, ...] = ()
    _tokens: list[Any] | None = field(default=None, repr=False)
    # The markdown-it env of the parse (footnotes live there); rendering needs it back.
    _env: dict[str, Any] | None = field(default=None, repr=False)
    loader: Callable[[], tuple[list[Any], dict[str, Any]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def tokens(self) -> list[Any]:
        self._load()
        return self._tokens or []

    @tokens.setter
    def tokens(self, value: list[Any]) -> None:
        self._tokens = value

    @property
    def env(self) -> dict[str, Any]:
        self._load()
        if self._env is None:
            self._env = {}
        return self._env

    @env.setter
    def env(self, value: dict[str, Any]) -> None:
        self._env = value

    @property
    def has_tokens(self) -> bool:
        return self._tokens is not None

    def _load(self) -> None:
        if self._tokens is None and self.loader is not None:
            self._tokens, self._env = self.loader()

    def forget_tokens(self, loader: Callable[[], tuple[list[Any], dict[str, Any]]] | None) -> None:
        """Let go of the tokens and env, here (whoever holds this content sees them gone);
        `loader` makes them again. The env names the content that parsed it (this one, or
        the parse an episode page was read from): without that cycle they are freed at once,
        rather than by the cycle collector, which seldom looks at old objects."""
        if self._env is not None:
            self._env.pop("content", None)
        self._tokens = self._env = None
        self.loader = loader

    def without_tokens(self) -> NoteContent:
        """A copy holding only what is kept between builds."""
        return NoteContent(
            headings=self.headings,
            block_ids=self.block_ids,
            links=self.links,
            tags=self.tags,
            features=self.features,
            description=self.description,
            query_facts=self.query_facts,
            queries=self.queries,
        )

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
