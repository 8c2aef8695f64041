"""Inline `style` attributes of raw HTML, filtered declaration by declaration.

Why not nh3's own `filter_style_properties`: its CSS reader cuts a value at the first `)`
that closes a nested function, so `grid-template-columns: repeat(auto-fit, minmax(180px,
1fr))` is written as `repeat(auto-fit, minmax(` and the layout falls apart (a real garden's
cards fell to one column). Here a value is read whole, parentheses and quotes balanced, and
kept only when its property is on the list and it holds nothing that loads or runs
anything (`url(`, `expression(`, `image-set(`, escapes, comments, `@`, `<`, `>`).
Properties that move content out of its place or hide it (`position`, `z-index`,
`transform`, `opacity`, `visibility`, `content`) are not on the list.
"""

from __future__ import annotations

import re

ALLOWED_PROPERTIES = frozenset(
    {
        "color",
        "background-color",
        "background",
        "text-align",
        "font-weight",
        "font-style",
        "font-size",
        "font-variant",
        "text-decoration",
        "text-transform",
        "letter-spacing",
        "line-height",
        "white-space",
        "vertical-align",
        "width",
        "height",
        "min-width",
        "min-height",
        "max-width",
        "max-height",
        "display",
        "float",
        "clear",
        "margin",
        "margin-top",
        "margin-right",
        "margin-bottom",
        "margin-left",
        "padding",
        "padding-top",
        "padding-right",
        "padding-bottom",
        "padding-left",
        "border",
        "border-top",
        "border-right",
        "border-bottom",
        "border-left",
        "border-color",
        "border-style",
        "border-width",
        "border-radius",
        "border-collapse",
        "gap",
        "row-gap",
        "column-gap",
        "grid-template-columns",
        "grid-template-rows",
        "grid-column",
        "grid-row",
        "grid-auto-flow",
        "flex",
        "flex-direction",
        "flex-wrap",
        "flex-grow",
        "flex-shrink",
        "flex-basis",
        "justify-content",
        "align-items",
        "align-self",
        "align-content",
        "columns",
        "column-count",
        "column-width",
        "list-style-type",
        "text-indent",
        "aspect-ratio",
        "object-fit",
    }
)
_FORBIDDEN = re.compile(r"url\s*\(|expression\s*\(|image-set\s*\(|image\s*\(|[\\<>@]|/\*")


def _declarations(style: str) -> list[str]:
    """`style` split at the `;` that are outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(style):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ";" and depth == 0:
            parts.append(style[start:index])
            start = index + 1
    parts.append(style[start:])
    return parts


def _balanced(value: str) -> bool:
    depth = 0
    for char in value:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0 and value.count('"') % 2 == 0 and value.count("'") % 2 == 0


def clean_style(style: str) -> str | None:
    """The allowed declarations of `style` (`prop:value;...`), or None when none is left."""
    kept = []
    for declaration in _declarations(style):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), " ".join(value.split())
        if (
            colon
            and value
            and name in ALLOWED_PROPERTIES
            and _balanced(value)
            and not _FORBIDDEN.search(value.lower())
        ):
            kept.append(f"{name}:{value}")
    return ";".join(kept) or None


def filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """nh3's `attribute_filter`: `style` through `clean_style`, every other value as it is."""
    return clean_style(value) if attribute == "style" else value
