"""Dataview's string functions: regular expressions, case, splitting, padding, display.

Dataview runs JavaScript regular expressions; the `regex` package (trellis.query.patterns,
with a time limit per match) reads the same patterns, named groups included; replacement
references (`$1`, `$&`, `$$`) are translated. A pattern it cannot compile is a query error.
"""

from __future__ import annotations

import re
from typing import Any

from trellis.query.durations import Duration
from trellis.query.evaluate import Context, QueryRuntimeError
from trellis.query.funcbase import Function, definer, no_impl
from trellis.query.patterns import AuthorPattern, PatternError
from trellis.query.text import to_string
from trellis.query.values import Link

TEXT_FUNCTIONS: dict[str, Function] = {}
define = definer(TEXT_FUNCTIONS)


def js_regex(pattern: str) -> AuthorPattern:
    try:
        return AuthorPattern(pattern)
    except PatternError as error:
        raise QueryRuntimeError(f"Invalid regexp '{pattern}': {error}") from error


def js_replacement(replacement: str) -> Any:
    def expand(match: Any) -> str:
        def one(ref: re.Match[str]) -> str:
            token = ref.group(1)
            if token == "$":
                return "$"
            if token == "&":
                return match.group()
            index = int(token)
            if index <= len(match.groups()):
                return match.group(index) or ""
            return ref.group()

        return re.sub(r"\$(\$|&|\d{1,2})", one, replacement)

    return expand


def _strings(name: str, args: tuple[Any, ...], count: int) -> bool:
    """True for a call to compute; None arguments give null; other types are errors."""
    if any(a is None for a in args[:count]):
        return False
    if not all(isinstance(a, str) for a in args[:count]):
        raise no_impl(name, args)
    return True


@define("regextest", {2: (0, 1)})
def _regextest(ctx: Context, pattern: Any, text: Any) -> Any:
    if pattern is None or text is None:
        return False
    _strings("regextest", (pattern, text), 2)
    return js_regex(pattern).search(text) is not None


@define("regexmatch", {2: (0, 1)})
def _regexmatch(ctx: Context, pattern: Any, text: Any) -> Any:
    if pattern is None or text is None:
        return False
    _strings("regexmatch", (pattern, text), 2)
    if not pattern.startswith("^") and not pattern.endswith("$"):
        pattern = f"^{pattern}$"
    return js_regex(pattern).search(text) is not None


@define("regexreplace", {3: (0, 1, 2)})
def _regexreplace(ctx: Context, text: Any, pattern: Any, replacement: Any) -> Any:
    if not _strings("regexreplace", (text, pattern, replacement), 3):
        return None
    return js_regex(pattern).sub(js_replacement(replacement), text)


@define("replace", {3: (0, 1, 2)})
def _replace(ctx: Context, text: Any, pattern: Any, replacement: Any) -> Any:
    if not _strings("replace", (text, pattern, replacement), 3):
        return None
    if pattern == "":
        return replacement + replacement.join(text) + replacement
    return text.replace(pattern, replacement)


@define("lower", {1: (0,)})
def _lower(ctx: Context, text: Any) -> Any:
    return text.lower() if _strings("lower", (text,), 1) else None


@define("upper", {1: (0,)})
def _upper(ctx: Context, text: Any) -> Any:
    return text.upper() if _strings("upper", (text,), 1) else None


@define("split")
def _split(ctx: Context, text: Any, delimiter: Any, limit: Any = None) -> Any:
    if text is None or delimiter is None:
        return None
    if not isinstance(text, str) or not isinstance(delimiter, str):
        raise no_impl("split", (text, delimiter, limit))
    parts = [p or "" for p in js_regex(delimiter).split(text)]
    return parts[: int(limit)] if isinstance(limit, int | float) else parts


@define("startswith", {2: (0, 1)})
def _startswith(ctx: Context, text: Any, prefix: Any) -> Any:
    return text.startswith(prefix) if _strings("startswith", (text, prefix), 2) else None


@define("endswith", {2: (0, 1)})
def _endswith(ctx: Context, text: Any, suffix: Any) -> Any:
    return text.endswith(suffix) if _strings("endswith", (text, suffix), 2) else None


def _pad(name: str, left: bool) -> None:
    @define(name, {2: (0, 1), 3: (0, 1, 2)})
    def pad(ctx: Context, text: Any, length: Any, padding: Any = " ") -> Any:
        if text is None or length is None or padding is None:
            return None
        if not isinstance(text, str) or not isinstance(length, int | float):
            raise no_impl(name, (text, length, padding))
        missing = min(int(length), 1_000_000) - len(text)
        if missing <= 0 or not padding:
            return text
        fill = (padding * (missing // len(padding) + 1))[:missing]
        return fill + text if left else text + fill


_pad("padleft", True)
_pad("padright", False)


@define("substring", {2: (0, 1), 3: (0, 1, 2)})
def _substring(ctx: Context, text: Any, start: Any, end: Any = None) -> Any:
    if text is None or start is None:
        return None
    if not isinstance(text, str) or not isinstance(start, int | float):
        raise no_impl("substring", (text, start, end))
    # JavaScript's substring clamps negatives to 0 and swaps reversed bounds.
    low = max(0, int(start))
    high = len(text) if end is None else max(0, int(end))
    low, high = min(low, high), max(low, high)
    return text[low:high]


@define("truncate", {2: (0, 1), 3: (0, 1, 2)})
def _truncate(ctx: Context, text: Any, length: Any, suffix: Any = "...") -> Any:
    if text is None or length is None or suffix is None:
        return None
    if not isinstance(text, str) or not isinstance(length, int | float):
        raise no_impl("truncate", (text, length, suffix))
    if len(text) > length - len(suffix):
        return text[: max(0, int(length) - len(suffix))] + suffix
    return text


_MARKUP = (
    (re.compile(r"\[\[([^\]|]*?)\]\]"), r"\1"),
    (re.compile(r"\[\[[^\]]*?\|([^\]]*?)\]\]"), r"\1"),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__|\*|_|~~|==|`)(.+?)\1"), r"\2"),
    (re.compile(r"^#+\s+", re.M), ""),
)


def plain_text(markdown: str) -> str:
    """Markdown without its markup (Dataview's `normalizeMarkdown`)."""
    for pattern, replacement in _MARKUP:
        markdown = pattern.sub(replacement, markdown)
    return markdown


def _display(ctx: Context, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_display(ctx, v) for v in value)
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, Link):
        return plain_text(value.display) if value.display else value.label()
    return to_string(value, ctx.settings)


TEXT_FUNCTIONS["display"] = _display


@define("durationformat", {2: (0,)})
def _durationformat(ctx: Context, value: Any, fmt: Any) -> Any:
    if value is None and isinstance(fmt, str):
        return None
    if not isinstance(value, Duration) or not isinstance(fmt, str):
        raise no_impl("durationformat", (value, fmt))
    return _format_duration(value, fmt)


def _format_duration(value: Duration, fmt: str) -> str:
    """Luxon `Duration.toFormat`: the duration shifted to the units the format names."""
    units = {"y": "years", "M": "months", "w": "weeks", "d": "days"}
    units |= {"h": "hours", "m": "minutes", "s": "seconds", "S": "milliseconds"}
    pieces = re.findall(r"'([^']*)'|(([yMwdhmsS])\3*)|(.)", fmt, re.S)
    wanted = tuple(dict.fromkeys(units[p[2]] for p in pieces if p[1]))
    amounts = value.shift_to(wanted)
    out = []
    for quoted, token, letter, other in pieces:
        if token:
            amount = amounts[units[letter]]
            out.append(f"{int(amount):0{len(token)}d}" if amount == int(amount) else str(amount))
        else:
            out.append(quoted or other)
    return "".join(out)


@define("currencyformat", {2: (0,)})
def _currencyformat(ctx: Context, value: Any, currency: Any = "USD") -> Any:
    if value is None:
        return None
    symbols = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
    code = str(currency)
    amount = f"{value:,.2f}" if code != "JPY" else f"{value:,.0f}"
    return f"{symbols.get(code, code + ' ')}{amount}"


def _cyrb53(text: str, seed: int = 0) -> int:
    h1, h2 = 0xDEADBEEF ^ seed, 0x41C6CE57 ^ seed
    for char in text:
        code = ord(char)
        h1 = ((h1 ^ code) * 2654435761) & 0xFFFFFFFF
        h2 = ((h2 ^ code) * 1597334677) & 0xFFFFFFFF
    h1 = ((h1 ^ (h1 >> 16)) * 2246822507) & 0xFFFFFFFF
    h1 ^= ((h2 ^ (h2 >> 13)) * 3266489909) & 0xFFFFFFFF
    h2 = ((h2 ^ (h2 >> 16)) * 2246822507) & 0xFFFFFFFF
    h2 ^= ((h1 ^ (h1 >> 13)) * 3266489909) & 0xFFFFFFFF
    return 4294967296 * (2097151 & h2) + (h1 & 0xFFFFFFFF)


@define("hash")
def _hash(ctx: Context, seed: Any, text: Any = "", variant: Any = 0) -> int:
    if isinstance(text, int | float) and not isinstance(text, bool):
        text, variant = "", text
    return _cyrb53(f"{seed}{text}", int(variant or 0))
