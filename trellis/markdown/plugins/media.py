"""Images, audio, video and PDF: `![[file|200]]` embeds and Markdown images with a size.

Obsidian decides the element by the file extension; `|200` sets the width, `|200x100` both
sides, `#page=3` / `#height=400` shape a PDF viewer, `#t=30` starts audio or video there.
Markdown images take the size from the alt text (`![Cover|200](url)`, `![250](url)`), and
local ones are looked up in the vault like any attachment.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from trellis.markdown.canonical import escape_attr, escape_text, url_attr
from trellis.markdown.plugins.timestamps import normalise_fragment

IMAGE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "ico", "tif", "tiff"}
)
AUDIO_EXTENSIONS = frozenset({"mp3", "wav", "m4a", "ogg", "oga", "opus", "3gp", "flac", "aac"})
VIDEO_EXTENSIONS = frozenset({"mp4", "webm", "ogv", "mov", "mkv", "m4v"})
PDF_EXTENSIONS = frozenset({"pdf"})

_SIZE = re.compile(r"^\s*(\d+)\s*(?:[xX]\s*(\d+))?\s*$")

ResolveFile = Callable[[str, dict[str, Any], bool], Any]


def media_kind(path: str) -> str | None:
    """ "image", "audio", "video", "pdf" or None, from the extension alone."""
    ext = posixpath.splitext(path.split("#", 1)[0].split("?", 1)[0])[1].lower().lstrip(".")
    for kind, extensions in (
        ("image", IMAGE_EXTENSIONS),
        ("audio", AUDIO_EXTENSIONS),
        ("video", VIDEO_EXTENSIONS),
        ("pdf", PDF_EXTENSIONS),
    ):
        if ext in extensions:
            return kind
    return None


def parse_size(text: str | None) -> tuple[str | None, str | None]:
    """`200` -> ("200", None); `200x100` -> ("200", "100"); anything else -> (None, None)."""
    match = _SIZE.match(text or "")
    return (match.group(1), match.group(2)) if match else (None, None)


def split_alt_size(alt: str) -> tuple[str, str | None, str | None]:
    """A Markdown image's alt text `Cover|200x100` -> ("Cover", "200", "100").

    The Digital Garden export writes `name|fix_dark fix_light|840` (name, classes, width):
    the alt is the name alone."""
    text, bar, size = alt.rpartition("|")
    if bar:
        width, height = parse_size(size)
        if width:
            return text.split("|", 1)[0].strip(), width, height
        return alt, None, None
    width, height = parse_size(alt)
    if width:
        return "", width, height
    return alt, None, None


def _attr(name: str, value: str | None) -> str:
    return f' {name}="{escape_attr(value)}"' if value else ""


def media_html(kind: str, src: str, alt: str, fragment: str, options: str | None) -> str:
    """The element for one embedded media file whose public URL is `src`."""
    width, height = parse_size(options)
    label = options if options and not width else alt
    if kind == "image":
        return (
            f'<img src="{escape_attr(src)}" alt="{escape_attr(label)}"'
            f'{_attr("width", width)}{_attr("height", height)} loading="lazy">'
        )
    if kind == "audio":
        source = src + normalise_fragment(fragment)
        return f'<audio controls="" preload="metadata" src="{escape_attr(source)}"></audio>'
    if kind == "video":
        source = src + normalise_fragment(fragment)
        return (
            f'<video controls="" preload="metadata" src="{escape_attr(source)}"'
            f"{_attr('width', width)}{_attr('height', height)}></video>"
        )
    params = dict(part.partition("=")[::2] for part in fragment.split("&") if "=" in part)
    page = params.get("page", "")
    pdf_height = params.get("height") if (params.get("height") or "").isdigit() else None
    viewer = src + (f"#page={page}" if page.isdigit() else "")
    return (
        f'<iframe class="pdf-embed" src="{escape_attr(viewer)}" title="{escape_attr(alt)}"'
        f'{_attr("height", pdf_height or height)}{_attr("width", width)} loading="lazy"></iframe>'
    )


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("#")


def media_plugin(md: MarkdownIt, resolve_file: ResolveFile) -> None:
    """Sized Markdown images, and local image paths resolved to their public copies.

    `resolve_file(path, env, embed)` returns an object with `href`, or None when the file is
    missing or not public (the image is then shown as its alt text).
    """

    def render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
        token = tokens[idx]
        alt_source = self.renderInlineAsText(token.children or [], options, env)
        alt, width, height = split_alt_size(alt_source)
        src = str(token.attrGet("src") or "")
        if is_local(src):
            resolved = resolve_file(unquote(src.split("#", 1)[0]), env, True)
            if resolved is None:
                shown = escape_text(alt or src)
                return f'<span class="internal-embed is-unresolved">{shown}</span>'
            src = resolved.href
        title = _attr("title", str(token.attrGet("title") or ""))
        return (
            f'<img src="{url_attr(self, src)}" alt="{escape_attr(alt)}"{title}'
            f'{_attr("width", width)}{_attr("height", height)} loading="lazy">'
        )

    md.add_render_rule("image", render_image)
