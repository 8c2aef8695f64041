"""Reading the snips of an episode note: where each starts and ends, its time range, audio,
takeaways and transcript, and the tokens that frame it as a `<section class="snip">`.

Split from `trellis.episodes.read` (whose `_Reader` inherits these methods) to keep each
module readable; the methods use the reader's copied tokens and its warning helpers.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it.token import Token

from trellis.episodes import html as pieces
from trellis.episodes.detect import SNIPD_SNIP
from trellis.episodes.fields import web_url
from trellis.episodes.model import AudioSource, Snip
from trellis.episodes.rawhtml import audio_sources, has_audio, strip_audio
from trellis.episodes.tokens import (
    MARKER,
    bare,
    block_end,
    clean_inline,
    heading_text,
    html_block,
    play_link,
    strip_marker,
)
from trellis.markdown.plugins._tokens import note_line, plain_text
from trellis.markdown.plugins.media import media_kind
from trellis.markdown.plugins.timestamps import (
    TimeRange,
    parse_clock,
    parse_fragment,
    parse_range,
)
from trellis.public.site import PublicSite, PublishedNote

# Headings inside a snip that never start one.
_SUBHEADING = re.compile(r"takeaway|transcript|summary|\bnotes?\b|highlight|quote", re.I)
_LINK_RANGE = re.compile(r"\(\s*([^()–—-]*?)\s*[-–—]\s*([^()–—-]*?)\s*\)")


class SnipReading:
    """The snip half of an episode reader (see `trellis.episodes.read._Reader`)."""

    site: PublicSite
    note: PublishedNote
    env: dict[str, Any]
    tokens: list[Token]

    def warn(self, message: str, line: int | None) -> None:
        raise NotImplementedError

    def line_of(self, token: Token) -> int | None:
        raise NotImplementedError

    def media_url(self, src: str, line: int | None, what: str) -> str:
        raise NotImplementedError

    def attachment_href(self, path: str) -> str:
        raise NotImplementedError

    def _find_snips(self) -> list[tuple[int, int]]:
        """(start, end) token ranges of the snips, in order."""
        tokens = self.tokens
        headings = self._top_headings()
        region = (0, 0, 0)  # (start, end, level of the `Snips` heading)
        for position, (index, level, text) in enumerate(headings):
            if bare(text) == "snips":
                end = next((i for i, lv, _ in headings[position + 1 :] if lv <= level), len(tokens))
                region = (index, end, level)
                break
        heads = [
            (index, level)
            for index, level, text in headings
            if self._is_snip_head(index, level, text, region, headings)
        ]
        snips = []
        for position, (index, level) in enumerate(heads):
            end = heads[position + 1][0] if position + 1 < len(heads) else len(tokens)
            if region[0] < index < region[1]:
                end = min(end, region[1])
            for later, later_level, _ in headings:
                if index < later < end and later_level < level:
                    end = later
                    break
            for position_hr in range(index + 3, end):
                if tokens[position_hr].type == "hr" and tokens[position_hr].level == 0:
                    end = position_hr
                    break
            snips.append((index, end))
        return snips

    def _is_snip_head(
        self,
        index: int,
        level: int,
        text: str,
        region: tuple[int, int, int],
        headings: list[tuple[int, int, str]],
    ) -> bool:
        if MARKER.match(text):
            return True
        start, end, region_level = region
        if not (start < index < end) or level != region_level + 1 or _SUBHEADING.search(text):
            return False
        own_end = next(
            (i for i, lv, _ in headings if i > index and lv <= level), min(end, len(self.tokens))
        )
        return any(self._holds_player(token) for token in self.tokens[index + 3 : own_end])

    def _holds_player(self, token: Token) -> bool:
        if token.type == "html_block":
            return has_audio(token.content)
        for child in token.children or []:
            if child.type == "html_inline" and has_audio(child.content):
                return True
            if child.type == "link_open" and SNIPD_SNIP.match(str(child.attrGet("href") or "")):
                return True
        return False

    def _snip_element_id(self, number: int) -> str:
        element_id = f"snip-{number}"
        return element_id if element_id not in self.heading_ids else f"episode-snip-{number}"

    def _read_snip(self, number: int, start: int, end: int) -> Snip:
        tokens = self.tokens
        heading = tokens[start]
        line = self.line_of(heading)
        text = heading_text(tokens, start)
        marker = None
        match = MARKER.match(text)
        if match:
            marker = parse_clock(match.group(1))
            if marker is None:
                self.warn(f"cannot read the time [{match.group(1).strip()}] of this snip", line)
            text = text[match.end() :].strip()
        snip = Snip(
            number=number,
            title=text or f"Snip {number}",
            line=line,
            element_id=self._snip_element_id(number),
            heading_id=str(heading.attrGet("id") or ""),
            marker=marker,
        )
        label = f"snip {snip.title!r}"

        link_range = TimeRange()
        for token in tokens[start + 3 : end]:
            play = play_link(token)
            if play is not None:
                href, link_text, _, _ = play
                snip.snip_url = web_url(href)
                found = _LINK_RANGE.search(link_text)
                if found:
                    link_range = parse_range(found.group(1), found.group(2))
                    if link_range.problem:
                        self.warn(f"{label}: {link_range.problem}", self.line_of(token))
                break

        audio_range: TimeRange | None = None
        for raw, raw_line in self._raw_html(start, end):
            for source in audio_sources(raw):
                source_line = raw_line + source.line if raw_line is not None else None
                url_text, _, fragment = source.src.partition("#")
                url = self.media_url(url_text, source_line, f"{label}: audio")
                time_range, _ = parse_fragment(fragment)
                if time_range is not None and time_range.problem:
                    self.warn(f"{label}: {time_range.problem} in {source.src!r}", source_line)
                if audio_range is None and time_range is not None:
                    audio_range = time_range
                elif (
                    time_range is not None
                    and audio_range is not None
                    and (time_range.start, time_range.end) != (audio_range.start, audio_range.end)
                ):
                    self.warn(
                        f"{label}: its sources disagree on the time; using the first", source_line
                    )
                if url:
                    snip.sources.append(AudioSource(url, source.type))

        chosen = audio_range if audio_range and audio_range.start is not None else link_range
        snip.start = chosen.start
        snip.end = chosen.end
        if snip.start is not None and snip.end is None:
            other = link_range if chosen is not link_range else audio_range
            if other is not None and other.end is not None and other.end > snip.start:
                snip.end = other.end
        if not snip.sources:
            self.warn(f"{label} has no audio; shown without a player", line)
        elif snip.start is None:
            self.warn(f"{label} has no readable time range; its player plays the whole file", line)

        snip.takeaways = self._takeaways(start, end)
        snip.has_transcript = any(self._is_transcript(i) for i in range(start, end))
        return snip

    def _raw_html(self, start: int, end: int) -> list[tuple[str, int | None]]:
        """Every piece of raw HTML of a snip, with its line."""
        pieces_found: list[tuple[str, int | None]] = []
        for token in self.tokens[start:end]:
            if token.type == "html_block":
                pieces_found.append((token.content, self.line_of(token)))
            elif token.type == "inline" and token.children:
                line = token.map[0] if token.map else 0
                for child in token.children:
                    if child.type in ("softbreak", "hardbreak"):
                        line += 1
                    elif child.type == "html_inline":
                        pieces_found.append((child.content, note_line(self.env, line)))
        return pieces_found

    def _takeaways(self, start: int, end: int) -> list[str]:
        """The items of the list after a `Key takeaways` heading."""
        tokens = self.tokens
        for index in range(start + 3, end):
            token = tokens[index]
            if (
                token.type != "heading_open"
                or "takeaway" not in heading_text(tokens, index).lower()
            ):
                continue
            for position in range(index + 3, end):
                kind = tokens[position].type
                if kind == "heading_open":
                    return []
                if kind in ("ordered_list_open", "bullet_list_open"):
                    list_end = block_end(tokens, position)
                    level = tokens[position].level + 1
                    items = []
                    for item in range(position, list_end):
                        if tokens[item].type == "list_item_open" and tokens[item].level == level:
                            inline = next(
                                (t for t in tokens[item:list_end] if t.type == "inline"), None
                            )
                            items.append(
                                " ".join(plain_text(inline.children).split()) if inline else ""
                            )
                    return items
        return []

    def _is_transcript(self, index: int) -> bool:
        token = self.tokens[index]
        if token.type != "callout_open":
            return False
        kind = str(token.meta.get("type", ""))
        title = self.tokens[index + 2] if index + 2 < len(self.tokens) else None
        title_text = (
            plain_text(title.children) if title is not None and title.type == "inline" else ""
        )
        return kind == "transcript" or "transcript" in title_text.lower()

    def _fold(self, index: int) -> None:
        """Fold a transcript callout written open (`[!quote]`); `+` (open on purpose) stays."""
        token = self.tokens[index]
        meta = token.meta
        if meta.get("fold"):
            return
        meta["fold"] = "-"
        meta["title_tag"] = "summary"
        token.tag = "details"
        token.attrSet("class", f"{token.attrGet('class') or 'callout'} is-collapsible is-collapsed")
        token.attrSet("data-callout-fold", "-")
        for other in self.tokens[index + 1 : block_end(self.tokens, index)]:
            if other.meta is meta:
                if other.type in ("callout_title_open", "callout_title_close"):
                    other.tag = "summary"
                elif other.type == "callout_close":
                    other.tag = "details"

    def _rewrite_snip(self, snip: Snip, start: int, end: int) -> list[Token]:
        tokens = self.tokens
        heading_open, inline, heading_close = tokens[start : start + 3]
        classes = str(heading_open.attrGet("class") or "")
        heading_open.attrSet("class", f"{classes} snip-title".strip())
        strip_marker(inline)
        out = [html_block(pieces.snip_open(snip)), heading_open, inline, heading_close]
        out.append(html_block(pieces.snip_player(snip)))
        for index in range(start + 3, end):
            if self._is_transcript(index):
                self._fold(index)
        index = start + 3
        play_link_left = True  # only the first play link is Snipd's; later ones are notes
        while index < end:
            token = tokens[index]
            if token.type == "html_block" and has_audio(token.content):
                token.content = strip_audio(token.content)
                if not token.content.strip():
                    index += 1
                    continue
            if token.type == "paragraph_open" and tokens[index + 1].type == "inline":
                inline = tokens[index + 1]
                had_play_link = play_link_left and play_link(inline) is not None
                play_link_left = play_link_left and not had_play_link
                if clean_inline(inline, had_play_link) and index + 2 < end:
                    index += 3  # nothing left but the play link and the player: gone
                    continue
            out.append(token)
            index += 1
        out.append(html_block(pieces.snip_close()))
        return out

    def _embedded_audio(self, tokens: list[Token]) -> str:
        """The first audio file embedded with `![[…]]`; its `#t=` is written in seconds."""
        audio = ""
        for token in tokens:
            for child in token.children or []:
                if child.type != "wikiembed" or media_kind(child.meta.get("target", "")) != "audio":
                    continue
                path, _, fragment = str(child.meta["target"]).partition("#")
                time_range, others = parse_fragment(fragment)
                if time_range is not None:
                    if time_range.problem:
                        self.warn(
                            f"audio {path.strip()!r}: {time_range.problem}", self.line_of(token)
                        )
                    parts = [time_range.fragment] if time_range.fragment else []
                    parts += others
                    child.meta["target"] = path + ("#" + "&".join(parts) if parts else "")
                if not audio:
                    audio = self.attachment_href(path.strip())
        return audio
