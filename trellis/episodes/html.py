"""The few HTML pieces an episode note gets inside its body: snip frames, players, time links.

They go into the note's token stream as `html_block`/`html_inline` tokens, so they are
rendered in place, in document order, and pass through the same sanitiser as the rest of
the note when it is cleaned. Every value is escaped here, as nh3 writes it
(`trellis.markdown.canonical`); URLs come from the episode model (public hrefs or
http/https only). Buttons are added by `static/episode.js`, so without JavaScript the page
holds nothing that does not work: the `<audio>` element plays from the snip's start.
"""

from __future__ import annotations

from trellis.episodes.model import Snip
from trellis.markdown.canonical import escape_attr, escape_text
from trellis.markdown.plugins.timestamps import clock_text, iso_duration, seconds_text


def _attr(name: str, value: str) -> str:
    return f' {name}="{escape_attr(value)}"' if value else ""


def _time(seconds: float) -> str:
    return f'<time datetime="{iso_duration(seconds)}">{clock_text(seconds)}</time>'


def snip_open(snip: Snip) -> str:
    """The `<section>` that frames one snip; `data-start`/`data-end` drive the play button."""
    start = seconds_text(snip.start) if snip.start is not None else ""
    end = seconds_text(snip.end) if snip.end is not None else ""
    return (
        f'<section class="snip" id="{escape_attr(snip.element_id)}"'
        f' data-snip="{snip.number}"{_attr("data-start", start)}{_attr("data-end", end)}>\n'
    )


def snip_close() -> str:
    return "</section>\n"


def snip_player(snip: Snip) -> str:
    """Time range, duration, link to the snip's page, then the real `<audio>` element."""
    parts = []
    if snip.start is not None:
        span = _time(snip.start)
        span = f"{span} – {_time(snip.end)}" if snip.end is not None else f"from {span}"
        parts.append(f'<span class="snip-range">{span}</span>')
    if snip.duration_text:
        parts.append(f'<span class="snip-duration">{escape_text(snip.duration_text)}</span>')
    if snip.snip_url:
        parts.append(
            f'<a class="snip-link external-link" href="{escape_attr(snip.snip_url)}"'
            ' target="_blank" rel="noopener">Open snip</a>'
        )
    html = f'<div class="snip-bar">{"".join(parts)}</div>\n' if parts else ""
    if snip.sources:
        sources = "".join(
            f'<source src="{escape_attr(source.url + snip.fragment)}"{_attr("type", source.type)}>'
            for source in snip.sources
        )
        html += f'<audio class="snip-audio" controls="" preload="none">{sources}</audio>\n'
    return html


def timestamp_link(audio: str, seconds: float, text: str) -> str:
    """A time in the text that seeks the episode's audio (and opens the file without JS)."""
    value = seconds_text(seconds)
    return (
        f'<a class="timestamp" href="{escape_attr(audio)}#t={value}" data-t="{value}">'
        f"{escape_text(text)}</a>"
    )
