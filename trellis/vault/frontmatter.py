"""Split a note into frontmatter and body, tolerating everything real vaults contain.

python-frontmatter's YAML handler parses the block (JSON frontmatter, as the Digital Garden
plugin writes it, is valid YAML). The split is done here because we need what the library
does not give: the line where the body starts, the line of a YAML error, and a warning for
an unclosed fence instead of silently treating the block as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_HANDLER = YAMLHandler()


@dataclass
class Frontmatter:
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    ok: bool = True
    # (line, message) pairs, lines 1-based in the file.
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def split_frontmatter(text: str) -> Frontmatter:
    """Parse `text` (LF line endings, no BOM). A broken block yields `ok=False`."""
    opening = _FENCE.match(text)
    if not opening:
        return Frontmatter(body=text)
    closing = _FENCE.search(text, opening.end())
    if closing is None:
        return Frontmatter(
            body=text, ok=False, problems=[(1, "frontmatter fence '---' is never closed")]
        )
    block = text[opening.end() : closing.start()]
    body_start = (
        closing.end() + 1 if text[closing.end() : closing.end() + 1] == "\n" else closing.end()
    )
    body_line = text.count("\n", 0, body_start) + 1
    result = Frontmatter(body=text[body_start:], body_line=body_line)
    try:
        meta = _HANDLER.load(block) if block.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        result.ok = False
        result.problems.append((line, f"invalid frontmatter: {problem}"))
        return result
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        result.ok = False
        result.problems.append((2, f"invalid frontmatter: {error}"))
        return result
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        result.ok = False
        result.problems.append((2, "frontmatter is not a mapping of keys to values"))
        return result
    result.meta = {str(key): value for key, value in meta.items()}
    return result
