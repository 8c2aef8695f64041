"""What the build's parse yields for queries (`trellis.query.facts`), read off the tokens of
Trellis' own Markdown pipeline: inline fields where Dataview finds them (not in code), list
items and tasks with parents, sections, block ids, tags and links, and the query blocks."""

from __future__ import annotations

from helpers import NullHooks

from trellis.markdown.parser import create_markdown, parse_note
from trellis.query.facts import page_facts, query_blocks

NOTE = """\
Intro line.
rating:: 9
A sentence with [mood:: fine] and (hidden:: yes).

```python
code:: not a field
```

> [!note] A callout
> quoted:: inside

## Tasks

- [ ] first [due:: 2024-01-02] #work [[Other Note]] ^task-one
    - [x] child done
    - plain child with [where:: home]
1. numbered item
- [>] forwarded

`= this.rating`

```dataview
LIST FROM #work
```

```dataviewjs
dv.list([])
```

```base
views: []
```
"""


def facts_of(text: str, line_offset: int = 3):
    md = create_markdown(NullHooks())  # type: ignore[arg-type]
    content = parse_note(md, text, line_offset)
    return page_facts(content.tokens, content.env), query_blocks(content.tokens, content.env)


def test_page_fields_skip_code_and_list_items() -> None:
    facts, _ = facts_of(NOTE)
    assert facts.fields == (
        ("rating", "9"),
        ("mood", "fine"),
        ("hidden", "yes"),
        ("quoted", "inside"),
    )


def test_list_items_and_tasks() -> None:
    facts, _ = facts_of(NOTE)
    items = {item.text.split(" [")[0].split(" ^")[0]: item for item in facts.items}
    first = items["first"]
    # Line 13 of the body (0-based), plus the 3 lines of frontmatter before it.
    assert (first.line, first.status, first.parent, first.section) == (16, " ", None, "Tasks")
    assert first.block_id == "task-one"
    assert first.tags == ("work",) and first.links == ("Other Note",)
    assert first.fields == (("due", "2024-01-02"),)
    child = items["child done"]
    assert (child.status, child.parent) == ("x", 16)
    plain = items["plain child with"]
    assert plain.status is None and plain.fields == (("where", "home"),)
    assert items["numbered item"].symbol == "1."
    assert items["forwarded"].status == ">"


def test_query_blocks_are_found_with_their_lines() -> None:
    _, blocks = facts_of(NOTE, 0)
    assert [(b.language, b.source.strip(), b.line) for b in blocks] == [
        ("inline", "this.rating", 20),
        ("dataview", "LIST FROM #work", 23),
        ("dataviewjs", "dv.list([])", 27),
        ("base", "views: []", 31),
    ]
