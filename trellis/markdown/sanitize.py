"""Raw HTML in notes is cleaned with nh3 after rendering.

The allow-list is what Obsidian notes legitimately hold (details, audio/video with sources,
marks, divs and spans with classes, tables, iframes of video players, inline SVG) plus the
DOM that our own plugins write. Scripts, event handlers, `javascript:` URLs and styles that
could hide content never pass. The owner may switch this off with `trust_html = true`.
"""

from __future__ import annotations

from typing import Any

import nh3

from trellis.markdown.styles import filter_attribute

_TAGS = set(nh3.ALLOWED_TAGS) | {
    "audio",
    "video",
    "source",
    "track",
    "iframe",
    "input",
    "label",
    "section",
    "main",
    "picture",
    "svg",
    "path",
    "g",
    "circle",
    "rect",
    "line",
    "polyline",
    "polygon",
    "ellipse",
    "text",
    "tspan",
    "defs",
    "use",
    "title",
    "desc",
    "symbol",
    "math",
    "annotation",
    "semantics",
    "mrow",
    "mi",
    "mo",
    "mn",
    "msup",
    "msub",
    "mfrac",
    "msqrt",
    "mtext",
}
_GENERIC = {
    "class",
    "id",
    "title",
    "lang",
    "dir",
    "role",
    "aria-label",
    "aria-hidden",
    "aria-expanded",
    "tabindex",
    "width",
    "height",
    "open",
    "style",
}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GENERIC,
    "a": {"href", "target", "rel", "data-href", "hreflang"},
    "img": {"src", "alt", "loading", "srcset", "sizes"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "video": {"src", "controls", "preload", "loop", "muted", "poster", "playsinline"},
    "source": {"src", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "iframe": {"src", "allow", "allowfullscreen", "frameborder", "loading", "referrerpolicy"},
    "input": {"type", "checked", "disabled"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "svg": {
        "viewbox",
        "viewBox",
        "xmlns",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "preserveaspectratio",
    },
    "path": {"d", "fill", "stroke", "stroke-width", "transform"},
    "g": {"fill", "stroke", "transform"},
    "circle": {"cx", "cy", "r", "fill", "stroke"},
    "rect": {"x", "y", "rx", "ry", "fill", "stroke"},
    "line": {"x1", "y1", "x2", "y2", "stroke"},
    "polyline": {"points", "fill", "stroke"},
    "polygon": {"points", "fill", "stroke"},
    "ellipse": {"cx", "cy", "rx", "ry", "fill", "stroke"},
    "text": {"x", "y", "fill", "font-size", "text-anchor"},
    "math": {"display", "xmlns"},
    "annotation": {"encoding"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# What `nh3.Cleaner` (or `nh3.clean`) is given.
OPTIONS: dict[str, Any] = {
    "tags": _TAGS,
    "attributes": _ATTRIBUTES,
    "generic_attribute_prefixes": {"data-"},
    "url_schemes": _URL_SCHEMES,
    "link_rel": None,
    "strip_comments": True,
    # Styles are filtered by our own reader (trellis.markdown.styles): nh3's cuts nested CSS
    # functions short.
    "attribute_filter": filter_attribute,
}
# One cleaner for the whole process: `nh3.clean` builds ammonia's settings (every set above)
# again on each call, a fixed cost per note (70% of cleaning the sample garden's short notes).
# A `Cleaner` builds them once and cleans to the same output. `clean` only reads it, so
# threads may share it; it cannot be pickled, so each process makes its own on import.
_CLEANER = nh3.Cleaner(**OPTIONS)


def sanitize_html(html: str) -> str:
    """`html` with everything that could run script or leave the page removed."""
    return _CLEANER.clean(html)
