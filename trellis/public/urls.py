"""Publication status and URLs of notes, as the Digital Garden plugin defines them.

A note's site path (always `/.../` with a trailing slash, before the base path is added) is
`dg-permalink`, else `permalink`, else `dg-path` slugified, else its vault path slugified
(`Sources/🎙 Podcasts/Foo Bar.md` -> `/sources/podcasts/foo-bar/`). `dg-home` makes it `/`.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from typing import Any
from urllib.parse import quote, unquote

from trellis.config import Settings
from trellis.slug import slugify

# Top-level site paths that Trellis writes itself; a note may not take them.
RESERVED_ROOTS = frozenset(
    {
        "static",
        "tags",
        "episodes",
        "graph",
        "search",
        "pagefind",
        "_trellis",
        "attachments",
        "feed.xml",
        "rss.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "index.html",
        "_redirects",
        ".nojekyll",
    }
)


# Names Trellis gives its own files inside the output (the site marker, files being replaced
# in place, staging and old folders): a URL segment may not take them, at any depth.
INTERNAL_NAMES = frozenset({".trellis-site"})
INTERNAL_SUFFIXES = (".trellis-tmp", ".trellis-new", ".trellis-old", ".trellis-cache")


def _reserved(segment: str, first: bool) -> bool:
    name = segment.lower()
    return (
        (first and name in RESERVED_ROOTS)
        or name in INTERNAL_NAMES
        or name.endswith(INTERNAL_SUFFIXES)
    )


def unreserved(site_path: str) -> str:
    """`site_path` with `-note` added to each segment that is a name Trellis uses itself
    (`/static/x/` -> `/static-note/x/`, `/.trellis-site/` -> `/.trellis-site-note/`).

    Most paths are told apart by two tests of the whole: a reserved first segment, and no
    `.trellis` anywhere (each internal name and suffix holds it)."""
    inner = site_path.strip("/")
    first = inner.partition("/")[0].lower()
    if inner and ".trellis" not in inner.lower() and first not in RESERVED_ROOTS:
        return "/" + inner + "/"
    segments = inner.split("/")
    moved = [s + "-note" if _reserved(s, i == 0) else s for i, s in enumerate(segments)]
    return "/" + "/".join(moved) + "/" if site_path.strip("/") else site_path


def publication_problem(meta: dict[str, Any], settings: Settings) -> tuple[bool, str | None]:
    """(published?, warning): only the boolean `true` of the publish flag publishes.

    Quartz's `draft: true` keeps a note private whatever else it says, `publish_all` too.
    """
    if meta.get("draft") is True or str(meta.get("draft")).strip().lower() == "true":
        return False, None
    if settings.publish_all:
        return True, None
    flag = settings.publish_flag
    if flag not in meta:
        return False, None
    value = meta[flag]
    if value is True:
        return True, None
    if value is False or value is None:
        return False, None
    return False, (
        f"{flag} is {type(value).__name__} {value!r}, not the boolean true: note kept private"
    )


# File systems allow 255 bytes a name; longer URL segments are cut and given a hash.
MAX_SEGMENT_BYTES = 150


def cap_segment(segment: str) -> str:
    """`segment` if short enough, else its start plus a hash of the whole (still unique)."""
    data = segment.encode("utf-8")
    if len(data) <= MAX_SEGMENT_BYTES:
        return segment
    digest = hashlib.blake2b(data, digest_size=4).hexdigest()
    start = data[: MAX_SEGMENT_BYTES - 9].decode("utf-8", errors="ignore").rstrip("-")
    return f"{start}-{digest}"


@functools.lru_cache(maxsize=65536)  # folder names recur in every note's path
def slug_segment(segment: str) -> str:
    """The slug of one path segment; an all-emoji name is spelled out instead of vanishing.

    Variation selectors (`🗺` and `🗺️`, one emoji shown two ways) are not part of it."""
    segment = segment.replace("\ufe0f", "").replace("\ufe0e", "")
    slug = slugify(segment)
    if not slug and segment.strip():
        slug = slugify(" ".join(unicodedata.name(c, "") for c in segment))
    return cap_segment(slug)


def path_slug(path: str) -> str:
    """`Folder/Sub Folder/Note.md` -> `/folder/sub-folder/note/` (empty segments dropped).
    (Slugged and filtered by C-level maps: every note's URL is made so on every build.)"""
    if path[-3:].lower() == ".md":
        path = path[:-3]
    segments = list(filter(None, map(slug_segment, path.replace("\\", "/").split("/"))))
    return "/" + "/".join(segments) + "/" if segments else "/"


def clean_permalink(permalink: str) -> tuple[str, bool]:
    """A permalink made safe to write under the output folder: (`/a/b/`, was it changed?).

    Segments are kept as written (gardens use non-slugified permalinks), but `.`, `..`,
    empty segments, backslashes, control characters and any scheme or host are dropped.
    """
    raw = unquote(permalink.strip())
    text = raw.replace("\\", "/")
    if "://" in text:
        text = text.split("://", 1)[1].partition("/")[2]
    text = text.split("?", 1)[0].split("#", 1)[0]
    segments = []
    for part in text.split("/"):
        if not part.isprintable():  # (printable: no character of the category C)
            part = "".join(c for c in part if unicodedata.category(c)[0] != "C")
        part = part.strip()
        if part in ("", ".", "..") or ":" in part:
            continue
        segments.append(cap_segment(part))
    cleaned = "/" + "/".join(segments) + "/" if segments else "/"
    expected = "/" + raw.strip("/") + "/" if raw.strip("/") else "/"
    return cleaned, cleaned != expected


def output_file(site_path: str) -> str:
    """The file (relative to the output folder) that serves `site_path`."""
    inner = site_path.strip("/")  # (a join by hand: `posixpath.join` costs 15 times more)
    return f"{inner}/index.html" if inner else "index.html"


@functools.lru_cache(maxsize=65536)
def href(base_path: str, site_path: str, fragment: str = "") -> str:
    """A link to `site_path` under the base path, percent-encoded, with an optional fragment."""
    url = quote(base_path + site_path.lstrip("/"), safe="/:@!$&'()*+,;=-._~")
    if fragment:
        url += "#" + quote(fragment, safe="/:@!$&'()*+,;=-._~^?")
    return url


def local_graph_file(site_path: str) -> str:
    """The file holding the graph neighbourhood of the note at `site_path` (output-relative).

    Named by a hash of the site path: flat, ASCII, and no note URL can collide with another's
    (a path-shaped name could: `/a/` and `/a/local.json/`).
    """
    digest = hashlib.sha256(site_path.encode("utf-8")).hexdigest()[:16]
    return f"_trellis/graph/{digest}.json"


def tag_key(tag: str) -> str:
    """`Nested/Tag` -> `nested/tag`: tags with one key share one page (its `tag_path`)."""
    return tag_path(tag)[len("/tags/") : -1]


@functools.lru_cache(maxsize=65536)
def tag_path(tag: str) -> str:
    """`#Nested/Tag` -> `/tags/nested/tag/`: one slugged segment per level, emoji spelled out.

    Kept per tag: every list card slugs its note's tags, and a tag page lists many notes."""
    segments = [slug_segment(part) for part in tag.lstrip("#").split("/") if part.strip()]
    return "/tags/" + "/".join(s for s in segments if s) + "/"
