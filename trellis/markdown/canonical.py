"""HTML written the way nh3 writes it, so a body Trellis wrote alone needs no cleaning.

Why: cleaning every rendered note with nh3 was about 11% of a cold build's CPU, and nh3
only re-parses and re-writes what our renderer made from escaped text. Each function here
gives nh3's form of one piece (html5ever's serialiser: `"` is left as it is in text, `<`
and `>` are escaped in attributes too, a no-break space is `&nbsp;`, a carriage return is
a line feed, `<br>` has no slash, a boolean attribute is `x=""`), so the renderer's output
is already what cleaning would return and `NoteRenderer` skips it when no HTML of the
author's is in the page.

A URL (`href`, `src`) that nh3 might drop or that is not plainly safe (a scheme other than
http/https/mailto/tel, a host nh3's URL parser may refuse, a control character or space)
is written as it is and marks the page `unsure` (`CanonicalRenderer.unsure`): such a page
is cleaned by nh3 as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it.common.utils import MD_TRIM_RE, mdTrim, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


def escape_text(text: str) -> str:
    """`text` as nh3 writes it between tags."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\xa0" in text:
        text = text.replace("\xa0", "&nbsp;")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "")
    return text


def escape_attr(value: str) -> str:
    """`value` as nh3 writes it inside a double-quoted attribute."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\xa0" in value:
        value = value.replace("\xa0", "&nbsp;")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in value:
        value = value.replace("\0", "\ufffd")
    return value


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# An http(s) URL whose host nh3's parser keeps: ASCII letters, digits and inner hyphens
# in dot-separated labels, the last one starting with a letter (never an IPv4 address
# or punycode), an optional port, then anything without spaces.
_WEB_URL = re.compile(
    r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*"
    r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?(?::[0-9]{1,4})?(?:[/?#][^\s]*)?",
    re.IGNORECASE,
)
_PUNYCODE = re.compile(r"(?:^|[/.])xn--", re.IGNORECASE)


def plain_url(url: str) -> bool:
    """Whether nh3 keeps `url` in an `href` or `src` as it is, and a browser reads it as
    the same harmless address: a relative one, or http(s), mailto or tel."""
    if not url.isprintable() or " " in url:
        return False  # browsers drop tabs and line breaks: `java\\nscript:` is a script
    scheme = _SCHEME.match(url)
    if scheme is None:
        return True  # relative: no scheme at all
    name = scheme.group().lower()
    if name in ("mailto:", "tel:"):
        return True
    if name in ("http:", "https:"):
        return _WEB_URL.fullmatch(url) is not None and _PUNYCODE.search(url) is None
    return False


class CanonicalRenderer(RendererHTML):
    """markdown-it's HTML renderer writing nh3's form of text and attributes.

    `unsure` is set when something was written that nh3 might change (a URL `plain_url`
    refuses); the page's owner resets it before rendering a page and reads it after.
    """

    def __init__(self, parser: Any = None) -> None:
        super().__init__(parser)
        self.unsure = False

    def renderAttrs(self, token: Token) -> str:
        result = ""
        for key, value in token.attrItems():
            text = str(value)
            if key in ("href", "src"):
                result += f' {key}="{url_attr(self, text)}"'
            else:
                result += f' {escape_attr(key)}="{escape_attr(text)}"'
        return result

    def text(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return escape_text(tokens[idx].content)

    def code_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        return f"<code{self.renderAttrs(token)}>{escape_text(token.content)}</code>"

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        return f"<pre{self.renderAttrs(token)}><code>{escape_text(token.content)}</code></pre>\n"

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """markdown-it's fence without a highlighter (Trellis highlights in its own rule)."""
        token = tokens[idx]
        info = mdTrim(unescapeAll(token.info)) if token.info else ""
        code = escape_text(token.content)
        if not info:
            return f"<pre><code{self.renderAttrs(token)}>{code}</code></pre>\n"
        language = MD_TRIM_RE.split(info, maxsplit=1)[0]
        attrs = Token("", "", 0, attrs=token.attrs.copy())
        attrs.attrJoin("class", options.langPrefix + language)
        return f"<pre><code{self.renderAttrs(attrs)}>{code}</code></pre>\n"


def url_attr(renderer: Any, url: str) -> str:
    """`url` for an `href` or `src` written by a plugin's own rule (see `CanonicalRenderer.url`)."""
    if not plain_url(url) and isinstance(renderer, CanonicalRenderer):
        renderer.unsure = True
    return escape_attr(url)
