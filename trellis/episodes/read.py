"""Read one episode note: its `Episode` model, and its tokens rewritten for the episode page.

Why rewrite tokens instead of laying the page out from the model alone: a real note holds
more than any template foresees (the owner's own notes between snips, extra fields, odd
variants), and all of it must still be shown, in order, with links resolving exactly as on
any other page. So the note's own tokens stay the page body; reading only adds to them:

- each snip (`### [27:34] Title` … up to the next snip, a `---` or a higher heading) is
  framed by a `<section class="snip">` with its time range, duration, a link to the snip's
  page and one clean `<audio>` whose `#t=` is in seconds; Snipd's play link and raw
  `<audio>`/`<source>` tags are taken out, the transcript callout is folded;
- what the page header shows (the `# Title`, the cover image, the `Episode metadata` fields)
  is taken out of the body, and so is the `---` after each snip;
- timestamps in the text become links that seek the episode's audio.

Nothing is changed in place: the tokens are copied first, so a note that trips this code
keeps its ordinary page. Problems (a time that cannot be read, a range that ends before it
starts, a snip without audio, a missing audio file) are warnings with file and line.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from trellis.diagnostics import Diagnostics
from trellis.episodes.fields import first_field, parse_date, read_fields, web_url
from trellis.episodes.model import Episode
from trellis.episodes.snips import SnipReading
from trellis.episodes.timelinks import link_timestamps
from trellis.episodes.tokens import (
    bare,
    block_end,
    heading_text,
    is_blank,
)
from trellis.markdown.plugins._tokens import note_line
from trellis.public.site import PublicSite, PublishedNote

DESCRIPTION_LENGTH = 200

_TITLE_KEYS = ("episode title", "title")
_SHOW_KEYS = ("show", "podcast", "show name")
_HOST_KEYS = ("owner / host", "host", "hosts", "owner", "author")
_LINK_KEYS = ("episode link", "episode url", "url", "link")
_DATE_KEYS = ("episode publish date", "publish date", "published", "date published")
# Fields the header shows, so their lines leave the `Episode metadata` list.
_HEADER_FIELDS = frozenset(
    {"episode title", "show", "owner / host", "host", "episode link", "episode publish date"}
)


@dataclass(frozen=True)
class ReadEpisode:
    episode: Episode
    tokens: list[Token]  # the note's tokens, rewritten for the episode page
    heading_ids: frozenset[str]  # ids of the headings still on the page
    description: str = ""  # for meta tags and previews: the show notes' start, or a summary


def clone_tokens(tokens: list[Token], metas: dict[int, dict] | None = None) -> list[Token]:
    """A copy of `tokens` that can be rewritten without touching the kept parse.

    Much faster than `copy.deepcopy` (which walked every token's every field): tokens,
    children, attrs and meta are copied; a meta dict shared by two tokens (a wikilink's open
    and close) stays shared in the copy.
    """
    metas = {} if metas is None else metas
    copies = []
    for token in tokens:
        clone = copy.copy(token)
        clone.attrs = dict(token.attrs)
        meta = metas.get(id(token.meta))
        if meta is None:
            meta = metas[id(token.meta)] = dict(token.meta)
        clone.meta = meta
        if token.children is not None:
            clone.children = clone_tokens(token.children, metas)
        copies.append(clone)
    return copies


def read_episode(site: PublicSite, note: PublishedNote, diagnostics: Diagnostics) -> ReadEpisode:
    """The episode in `note`; `note` itself is left untouched."""
    return _Reader(site, note, diagnostics).read()


class _Reader(SnipReading):
    def __init__(self, site: PublicSite, note: PublishedNote, diagnostics: Diagnostics) -> None:
        assert note.content is not None
        self.site = site
        self.note = note
        self.diagnostics = diagnostics
        self.env = note.content.env
        self.tokens: list[Token] = clone_tokens(note.content.tokens)
        self.fields = read_fields(self.tokens)
        self.show_notes_text = ""
        self.lookups: list[tuple[str, str]] = []
        self.heading_ids = {
            str(t.attrGet("id"))
            for t in self.tokens
            if t.type == "heading_open" and t.attrGet("id")
        }

    # -- small helpers ------------------------------------------------------------------

    def warn(self, message: str, line: int | None) -> None:
        self.diagnostics.warn(self.note.rel_path, message, line)

    def line_of(self, token: Token) -> int | None:
        return note_line(self.env, token.map[0]) if token.map else None

    def text(self, keys: tuple[str, ...], meta_keys: tuple[str, ...] = ()) -> str:
        found = first_field(self.fields, *keys)
        if found is not None and found.text:
            return found.text
        for key in meta_keys:
            value = self.note.meta.get(key)
            if (
                isinstance(value, str | int | float)
                and not isinstance(value, bool)
                and str(value).strip()
            ):
                return str(value).strip()
        return ""

    def media_url(self, src: str, line: int | None, what: str) -> str:
        """A public address for a media file the note names, or "" (with a warning)."""
        src = src.strip()
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            url = web_url(src)
            if not url:
                self.warn(f"{what} {src[:80]!r} is not an http(s) address; left out", line)
            return url
        path = unquote(parts.path)
        href = self.attachment_href(path) if path else ""
        if not href:
            self.warn(f"{what} {path!r} was not found in the vault", line)
        return href

    def attachment_href(self, path: str) -> str:
        """The href of the attachment `path` names from this note ("" none), recorded."""
        attachment = self.site.find_attachment(path, self.note)
        href = self.site.href(attachment.url) if attachment else ""
        self.lookups.append((path, href))
        return href

    # -- the whole note -----------------------------------------------------------------

    def read(self) -> ReadEpisode:
        tokens = self.tokens
        episode = Episode(title=self.text(_TITLE_KEYS, ("episode_title",)) or self.note.title)
        episode.lookups = self.lookups
        episode.show = self.text(_SHOW_KEYS, ("show", "podcast"))
        episode.host = self.text(_HOST_KEYS, ("host", "author"))
        link = first_field(self.fields, *_LINK_KEYS)
        episode.link = (link.urls[0] if link and link.urls else "") or self._meta_url("url")
        date_field = first_field(self.fields, *_DATE_KEYS)
        raw_date: Any = date_field.text if date_field else None
        for key in ("episode_publish_date", "publish_date", "published"):
            if not raw_date and self.note.meta.get(key):
                raw_date = self.note.meta.get(key)
        episode.published_on = parse_date(raw_date)
        episode.published = str(raw_date or "").strip()

        snips = self._find_snips()
        first_snip = snips[0][0] if snips else len(tokens)
        drop: dict[int, int] = {}  # start index -> end index of token runs to leave out
        self._drop_title(drop, episode, first_snip)
        episode.cover = self._take_cover(drop, first_snip)
        self._drop_header_fields(drop)
        episode.has_show_notes = self._mark_show_notes()

        rewritten: dict[int, tuple[int, list[Token]]] = {}
        for number, (start, end) in enumerate(snips, 1):
            snip = self._read_snip(number, start, end)
            episode.snips.append(snip)
            rewritten[start] = (end, self._rewrite_snip(snip, start, end))

        out: list[Token] = []
        index = 0
        while index < len(tokens):
            if index in rewritten:
                end, replacement = rewritten[index]
                out.extend(replacement)
                index = end
                if index < len(tokens) and tokens[index].type == "hr" and tokens[index].level == 0:
                    index += 1  # the `---` between snips: sections are framed already
                continue
            if index in drop:
                index = drop[index]
                continue
            out.append(tokens[index])
            index += 1

        embedded = self._embedded_audio(out)
        episode.audio = next((s.sources[0].url for s in episode.snips if s.sources), embedded)
        if episode.audio:
            link_timestamps(out, episode.audio)
        ids = frozenset(
            str(t.attrGet("id")) for t in out if t.type == "heading_open" and t.attrGet("id")
        )
        return ReadEpisode(episode, out, ids, self._description(episode))

    def _description(self, episode: Episode) -> str:
        """The show notes' first words, else one line saying what the episode is."""
        text = " ".join(self.show_notes_text.split())
        if not text:
            about = [f"An episode of {episode.show}" if episode.show else "A podcast episode"]
            if episode.host:
                about.append(f"with {episode.host}")
            count = episode.snip_count
            about.append(f"({count} snip{'' if count == 1 else 's'})")
            text = f"{episode.title}: {' '.join(about)}."
        if len(text) > DESCRIPTION_LENGTH:
            text = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"
        return text

    def _meta_url(self, *keys: str) -> str:
        for key in keys:
            value = self.note.meta.get(key)
            if isinstance(value, str) and web_url(value):
                return web_url(value)
        return ""

    def _top_headings(self) -> list[tuple[int, int, str]]:
        """(index, level, text) of every heading that is not inside a list, quote or callout."""
        return [
            (i, int(t.tag[1]), heading_text(self.tokens, i))
            for i, t in enumerate(self.tokens)
            if t.type == "heading_open" and t.level == 0
        ]

    def _drop_title(self, drop: dict[int, int], episode: Episode, before: int) -> None:
        """The `# Title` line: the header shows the title."""
        names = {bare(episode.title), bare(self.note.title)}
        for index, level, text in self._top_headings():
            if index >= before:
                return
            if level == 1 and bare(text) in names:
                drop[index] = index + 3
                return

    def _take_cover(self, drop: dict[int, int], before: int) -> str:
        """The first paragraph holding only an image, above the first section: the cover."""
        tokens = self.tokens
        before = min([before] + [i for i, level, _ in self._top_headings() if level > 1])
        for index in range(before):
            token = tokens[index]
            if token.type != "paragraph_open" or token.level != 0 or index in drop:
                continue
            children = tokens[index + 1].children or []
            images = [c for c in children if c.type == "image"]
            if len(images) != 1 or not is_blank([c for c in children if c.type != "image"]):
                continue
            src = str(images[0].attrGet("src") or "")
            url = self.media_url(src, self.line_of(token), "cover image") if src else ""
            if url:
                drop[index] = index + 3
                return url
            break
        for key in ("cover", "image", "banner"):
            value = self.note.meta.get(key)
            if isinstance(value, str) and value.strip():
                target = value.strip().strip("[]!").split("|")[0]
                return self.media_url(target, 1, f"frontmatter {key}")
        return ""

    def _drop_header_fields(self, drop: dict[int, int]) -> None:
        """`## Episode metadata` and its list: shown in the header, so left out of the body."""
        tokens = self.tokens
        for index, _, text in self._top_headings():
            if bare(text) != "episode metadata":
                continue
            list_start = index + 3
            if list_start >= len(tokens) or tokens[list_start].type not in (
                "bullet_list_open",
                "ordered_list_open",
            ):
                return
            list_end = block_end(tokens, list_start)
            items, kept = [], 0
            position = list_start + 1
            while position < list_end - 1:
                item_end = block_end(tokens, position)
                if self._is_header_field(position, item_end):
                    items.append((position, item_end))
                else:
                    kept += 1
                position = item_end
            if kept == 0:
                drop[index] = list_end
            else:
                for start, end in items:
                    drop[start] = end
            return

    def _is_header_field(self, start: int, end: int) -> bool:
        inline = [t for t in self.tokens[start:end] if t.type == "inline"]
        if len(inline) != 1 or not inline[0].children:
            return False
        children = inline[0].children
        return (
            children[0].type == "inline_field_open"
            and children[-1].type == "inline_field_close"
            and str(children[0].meta.get("key", "")).lower() in _HEADER_FIELDS
        )

    def _mark_show_notes(self) -> bool:
        """Give Snipd's `<details><summary>Show notes</summary>` a class to style it by."""
        found = False
        for token in self.tokens:
            if token.type != "html_block":
                continue
            match = re.match(
                r"\s*<details\b([^>]*)>\s*<summary\b[^>]*>\s*show notes", token.content, re.I
            )
            if match and not self.show_notes_text:
                inner = re.sub(
                    r"<summary\b.*?</summary>", " ", token.content, count=1, flags=re.I | re.S
                )
                self.show_notes_text = html.unescape(re.sub(r"<[^>]*>", " ", inner))
            if match and "class=" not in match.group(1):
                token.content = re.sub(
                    r"<details\b", '<details class="episode-show-notes"', token.content, count=1
                )
                found = True
            elif match:
                found = True
        return found
