"""Incremental builds stay right when queries read other notes (issue 19): after any edit to
a note's fields, tags, links, tasks or publish flag, the command line's cached build and the
preview's builder write exactly what a clean build of the edited vault writes."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from helpers import write_vault
from hypothesis import event, given, settings
from hypothesis import strategies as st

from trellis.build.options import BuildOptions
from trellis.emit.search import BUNDLE_DIR
from trellis.pipeline import SiteBuilder, build

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_properties import PHASES, SLOW, budget

NAMES = ["Notes/A", "Notes/B", "Notes/C", "Other/D", "Other/E"]
GENRES = ["scifi", "poetry", "essay"]
TAGS = ["book", "idea", "book/old"]

QUERIES = """---
dg-publish: true
---
```dataview
TABLE rating, genre FROM "Notes" SORT rating DESC, file.name
```

```dataview
TABLE WITHOUT ID key, length(rows) AS n GROUP BY genre
```

```dataview
LIST FROM #book WHERE rating > 2
```

```dataview
TASK WHERE !completed
```

```dataview
LIST FROM [[A]]
```

```dataview
LIST FROM outgoing([[B]])
```

A's rating: `= [[A]].rating`; mood: `= [[C]].mood`

```base
filters: 'rating >= 3'
views:
  - type: table
    order: [file.name, rating, file.backlinks]
```
"""

FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "publish": st.booleans(),
    "rating": st.integers(min_value=0, max_value=5),
    "genre": st.sampled_from(GENRES),
    "tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    "links": st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), max_size=2, unique=True),
    "mood": st.sampled_from(["", "calm", "bright"]),
    "task": st.sampled_from(["", "- [ ] todo", "- [x] done"]),
}
note_state = st.fixed_dictionaries(FIELDS)
# A published canvas showing A (so a save to A is for the full build) and linking to B.
BOARD = (
    '{"metadata": {"frontmatter": {"dg-publish": true}}, "nodes": ['
    '{"id": "a", "type": "file", "file": "Notes/A.md", "x": 0, "y": 0, "width": 99, "height": 99},'
    '{"id": "t", "type": "text", "text": "[[B]]", "x": 200, "y": 0, "width": 99, "height": 99}]}'
)
edit = st.tuples(st.sampled_from(NAMES), st.sampled_from(list(FIELDS)), st.data())


def note_text(state: dict[str, Any]) -> str:
    front = [
        "---",
        f"dg-publish: {'true' if state['publish'] else 'false'}",
        f"rating: {state['rating']}",
        f"genre: {state['genre']}",
        f"tags: [{', '.join(state['tags'])}]",
        "created: 2024-01-01",
        "updated: 2024-02-01",
        "---",
    ]
    body = [" ".join(f"[[{target}]]" for target in state["links"]) or "No links."]
    if state["mood"]:
        body.append(f"mood:: {state['mood']}")
    if state["task"]:
        body.append("")
        body.append(state["task"])
    return "\n".join(front + body) + "\n"


def vault_files(states: dict[str, dict[str, Any]]) -> dict[str, str]:
    files = {f"{name}.md": note_text(state) for name, state in states.items()}
    files["Queries.md"] = QUERIES + "\n![[Board.canvas]] and [[Board.canvas|the board]]\n"
    files["Board.canvas"] = BOARD
    return files


def site_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith(BUNDLE_DIR)
    }


def assert_same(mine: Path, clean: Path) -> None:
    ours, theirs = site_files(mine), site_files(clean)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in theirs if ours[name] != theirs[name]] == []


def rewrite(vault: Path, states: dict[str, dict[str, Any]]) -> None:
    for rel, text in vault_files(states).items():
        path = vault / rel
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


@settings(max_examples=budget(10), deadline=None, phases=PHASES, suppress_health_check=SLOW)
@given(st.lists(note_state, min_size=len(NAMES), max_size=len(NAMES)), st.lists(edit, max_size=3))
def test_cached_and_preview_builds_equal_a_clean_build(
    initial: list[dict[str, Any]], edits: list[tuple[str, str, st.DataObject]]
) -> None:
    states = dict(zip(NAMES, initial, strict=True))
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        vault = write_vault(root / "vault", vault_files(states))
        cli_out = root / "cli"
        build(vault, cli_out, {"jobs": 1})
        preview = SiteBuilder(
            vault, root / "preview", options=BuildOptions(keep_cache=False, keep_live=True)
        )
        preview.build()
        preview_out = root / "preview"
        for number, (name, key, data) in enumerate(edits):
            states[name] = {**states[name], key: data.draw(FIELDS[key])}
            rewrite(vault, states)
            build(vault, cli_out, {"jobs": 1})
            if preview.apply_edits([vault / f"{name}.md"]) is None:
                event("preview: full build")
                preview_out = root / f"preview-{number}"
                preview.build(out=preview_out)
            else:
                event("preview: fast path")
            clean = root / f"clean-{number}"
            SiteBuilder(vault, clean).build()
            assert_same(cli_out, clean)
            assert_same(preview_out, clean)
