"""The sample vault is written as Obsidian users write: one paragraph per line.

Obsidian shows every single newline as a line break (Trellis does too, `breaks=True`), so a
hard-wrapped paragraph reads ragged, each line ending in a `<br>`. CommonMark calls such a
newline a soft break: none may join two lines of prose in a published sample note. Lines
that stand alone by design (a callout's title, `key:: value` fields as Dataview and Snipd
write them, raw HTML, comments) are left alone: see `_structured`.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import frontmatter
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

SAMPLE = Path(__file__).resolve().parent.parent / "site_src"
NOTES = sorted(SAMPLE.rglob("*.md"))


def _published(path: Path) -> bool:
    value = frontmatter.loads(path.read_text(encoding="utf-8")).metadata.get("dg-publish")
    return value is True or value == "true"


def _structured(line: str) -> bool:
    """A line that stands on its own line by design, not wrapped prose: a callout title,
    a `key:: value` field, raw HTML, a `%% comment %%`, a `{ #id}` attribute line, or a
    bold label such as a transcript's `**Speaker 1**`."""
    line = line.strip()
    return (
        line.startswith(("[!", "<", "{", "%%")) or line.endswith((">", "%%", "**")) or "::" in line
    )


def soft_breaks(text: str) -> list[str]:
    """The lines of `text`'s Markdown that end in a soft break between two lines of prose."""
    parser = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)
    found = []
    for token in parser.parse(text):
        if token.type != "inline" or "\n" not in token.content:
            continue
        lines = token.content.split("\n")
        for before, after in pairwise(lines):
            if not (_structured(before) or _structured(after)):
                found.append(before.strip())
    return found


def test_detects_a_hard_wrap():
    assert soft_breaks("A paragraph that goes\non here.\n") == ["A paragraph that goes"]
    assert soft_breaks("> [!tip] Title\n> One line of prose.\n") == []
    assert soft_breaks("> [!tip] Title\n> wrapped\n> prose\n") == ["wrapped"]
    assert soft_breaks("Status:: growing\nA line after a field.\n") == []
    assert soft_breaks("$$\nA = \\pi r^2\n$$\n") == []
    assert soft_breaks("- an item\n  wrapped\n") == ["an item"]
    assert soft_breaks("```\ncode\nlines\n```\n") == []


def test_the_sample_has_published_notes():
    assert sum(map(_published, NOTES)) >= 15


@pytest.mark.parametrize(
    "path", [p for p in NOTES if _published(p)], ids=lambda p: str(p.relative_to(SAMPLE))
)
def test_published_sample_notes_are_not_hard_wrapped(path: Path):
    body = frontmatter.loads(path.read_text(encoding="utf-8")).content
    wrapped = soft_breaks(body)
    assert not wrapped, f"{path.name}: hard-wrapped lines (join each paragraph into one): {wrapped}"
