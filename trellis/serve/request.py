"""What a request asks for: its path as checked segments, its byte range, a file's type.

Kept apart from the server so the rules a hostile request meets are in one short place:
a path is decoded once; encoded slashes and backslashes, `..` segments, NUL bytes,
undecodable bytes and names longer than a file name can be are `BadPath` (400), a path
longer than a file path can be is `PathTooLong` (414). A `Range` is read without
converting numbers no file could reach (a 5,000-digit position is simply past the end).
"""

from __future__ import annotations

import mimetypes
import re
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

# Types the platform's mimetypes table may lack or get wrong; text types carry a charset.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
}
# Linux's NAME_MAX and PATH_MAX, in bytes: no file of the site has a longer name or path.
NAME_MAX_BYTES = 255
PATH_MAX_BYTES = 4096
_RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.ASCII)
# Byte positions with more digits than this lie beyond any file (10**18 bytes is an exabyte).
_MAX_DIGITS = 18


class BadPath(ValueError):
    """A request path no file of the site can have, or an attempt to leave the site folder."""

    status = HTTPStatus.BAD_REQUEST
    text = b"Bad request path.\n"


class PathTooLong(BadPath):
    """A request path longer than any file path can be."""

    status = HTTPStatus.REQUEST_URI_TOO_LONG
    text = b"Request path too long.\n"


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def request_parts(raw_path: str) -> list[str]:
    """The decoded, non-empty segments of a URL path; raises `BadPath` for escape attempts."""
    if "\\" in raw_path or re.search(r"%(2f|5c|00)", raw_path, re.IGNORECASE):
        raise BadPath(raw_path)
    try:
        decoded = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(raw_path) from None
    if len(decoded.encode("utf-8", "surrogatepass")) > PATH_MAX_BYTES:
        raise PathTooLong(raw_path)
    parts = [part for part in decoded.split("/") if part]
    if "\x00" in decoded or any(part in (".", "..") for part in parts):
        raise BadPath(raw_path)
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX_BYTES for part in parts):
        raise BadPath(raw_path)
    return parts


def _position(digits: str) -> int | None:
    """A byte position of a `Range`, or None when it is beyond any file (however many digits)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else None


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(first, last) byte of a single `Range`; None to send everything; False if unsatisfiable.

    Several ranges or a malformed header are answered with the whole file, as RFC 9110 allows.
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:
        suffix = _position(match[2])
        if suffix == 0 or size == 0:
            return False
        return (0 if suffix is None else max(0, size - suffix)), size - 1
    first = _position(match[1])
    last = _position(match[2]) if match[2] else None
    if match[2] and last is not None and (first is None or last < first):
        return None
    if first is None or first >= size:
        return False
    return first, size - 1 if last is None else min(last, size - 1)
