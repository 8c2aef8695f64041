"""The dependency record: what an evaluation read, and when a change can alter its result.

The property test is the promise the build's planner relies on: for a random vault of
published notes, a random query and a random edit (a field, a tag, a link, a task, a note
published, unpublished, added or removed), whenever `Dependencies.affected` says the edit
cannot change the result, evaluating again on the edited vault gives the same HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from query_fixtures import PageHooks

from trellis.query import diff_views, run_block, run_inline
from trellis.query.view import ItemFacts, NoteRecord, PageFacts, PublishedView

NOW = datetime(2024, 3, 1, tzinfo=UTC)
NAMES = ["A", "B", "C", "D", "E", "F"]
FOLDERS = ["", "X/", "X/Y/"]
QUERIES = [
    "LIST",
    "LIST FROM #t1",
    'LIST FROM "X"',
    "LIST FROM [[A]]",
    "LIST FROM outgoing([[B]])",
    "LIST FROM #t1 and -#t2",
    "TABLE rating WHERE rating > 2 SORT rating DESC",
    "TABLE kind, length(rows) GROUP BY kind",
    "LIST WHERE kind = this.kind",
    "TABLE file.inlinks, file.outlinks",
    "TABLE [[C]].rating, [[Z]].rating",
    "LIST rows.file.name GROUP BY rating",
    "TASK WHERE !completed",
    "TABLE length(file.tasks) AS n WHERE n",
    "TABLE T.text FLATTEN file.tasks AS T WHERE T.completed",
    'LIST WHERE contains(file.tags, "#t2") LIMIT 2',
    "TABLE max(rows.rating) GROUP BY file.folder",
    "LIST WHERE file.mtime > date(2024-01-01)",
]

note_strategy = st.fixed_dictionaries(
    {
        "folder": st.sampled_from(FOLDERS),
        "rating": st.one_of(st.none(), st.integers(0, 5)),
        "kind": st.one_of(st.none(), st.sampled_from(["book", "film"])),
        "tags": st.lists(st.sampled_from(["t1", "t2", "t1/sub"]), max_size=2, unique=True),
        "links": st.lists(st.sampled_from([*NAMES, "Z"]), max_size=3, unique=True),
        "tasks": st.lists(st.booleans(), max_size=2),
        "mtime": st.sampled_from(
            [datetime(2023, 6, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)]
        ),
        "published": st.booleans(),
    }
)


def record(name: str, spec: dict) -> NoteRecord:
    meta = {k: spec[k] for k in ("rating", "kind") if spec[k] is not None}
    items = tuple(
        ItemFacts(line=i, text=f"task {i} of {name}", status="x" if done else " ")
        for i, done in enumerate(spec["tasks"])
    )
    return NoteRecord(
        path=f"{spec['folder']}{name}.md",
        frontmatter=meta,
        tags=tuple(spec["tags"]),
        links=tuple(spec["links"]),
        facts=PageFacts(items=items),
        mtime=spec["mtime"],
    )


def view(specs: dict[str, dict]) -> PublishedView:
    return PublishedView([record(n, s) for n, s in specs.items() if s["published"]], now=NOW)


EDITABLE = ["rating", "kind", "tags", "links", "tasks", "mtime", "published", "folder"]


@st.composite
def vault_and_edit(draw: st.DrawFn) -> tuple[dict, dict, str]:
    specs = {name: draw(note_strategy) for name in NAMES}
    edited = dict(specs)
    name = draw(st.sampled_from(NAMES))
    change = dict(specs[name])
    key = draw(st.sampled_from(EDITABLE))
    change[key] = draw(note_strategy)[key]
    edited[name] = change
    return specs, edited, name


@settings(max_examples=300, deadline=None)
@given(data=vault_and_edit(), query=st.sampled_from(QUERIES), this=st.sampled_from(NAMES))
def test_unaffected_results_do_not_change(
    data: tuple[dict, dict, str], query: str, this: str
) -> None:
    before_specs, after_specs, name = data
    # The page holding the query is published on both sides (it is being rendered).
    before_specs[this] = {**before_specs[this], "published": True}
    after_specs[this] = {**after_specs[this], "published": True}
    before, after = view(before_specs), view(after_specs)
    this_path = f"{before_specs[this]['folder']}{this}.md"
    if this_path != f"{after_specs[this]['folder']}{this}.md":
        return  # the page itself moved: it is a new page
    old = run_block(query, before, this_path, PageHooks())
    touched = {
        f"{before_specs[name]['folder']}{name}.md",
        f"{after_specs[name]['folder']}{name}.md",
    }
    change = diff_views(before, after, touched)
    if not old.deps.affected(change):
        new = run_block(query, after, this_path, PageHooks())
        assert new.html == old.html


def test_reads_are_recorded_per_note_and_key() -> None:
    v = view(
        {
            "A": {
                "folder": "",
                "rating": 3,
                "kind": "book",
                "tags": ["t1"],
                "links": ["B"],
                "tasks": [],
                "mtime": NOW,
                "published": True,
            },
            "B": {
                "folder": "X/",
                "rating": None,
                "kind": None,
                "tags": [],
                "links": [],
                "tasks": [False],
                "mtime": NOW,
                "published": True,
            },
        }
    )
    deps = run_block("TABLE kind FROM #t1 WHERE rating > 1", v, "A.md", PageHooks()).deps
    assert deps.matched == {"A.md"}
    assert deps.fields == {("A.md", "rating"), ("A.md", "kind")}
    assert not deps.clock and deps.this == "A.md"
    deps = run_block("LIST WHERE rating > 1", v, "A.md", PageHooks()).deps
    # B was rejected on `rating` alone: only that key of B matters.
    assert ("X/B.md", "rating") in deps.fields and ("X/B.md", "kind") not in deps.fields
    deps = run_inline("[[B]].file.tasks", v, "A.md", PageHooks()).deps
    assert deps.fields == {("X/B.md", "file.tasks")}
    assert deps.lookups == {("B", "A.md", "X/B.md")}
    assert run_inline("date(today)", v, "A.md", PageHooks()).deps.clock


def test_an_edit_to_an_unread_key_affects_nothing() -> None:
    base = {
        "folder": "",
        "rating": 3,
        "kind": "book",
        "tags": ["t1"],
        "links": [],
        "tasks": [],
        "mtime": NOW,
        "published": True,
    }
    before = view({"A": base, "B": dict(base)})
    after = view({"A": base, "B": {**base, "kind": "film"}})
    deps = run_block("TABLE rating FROM #t1", before, "A.md", PageHooks()).deps
    change = diff_views(before, after, {"B.md"})
    assert change.fields == {"B.md": frozenset({"kind", "file.frontmatter"})}
    assert not deps.affected(change)
    assert run_block("TABLE kind FROM #t1", before, "A.md", PageHooks()).deps.affected(change)


def test_publishing_a_note_affects_queries_that_would_select_it() -> None:
    base = {
        "folder": "",
        "rating": 3,
        "kind": "book",
        "tags": ["t1"],
        "links": [],
        "tasks": [],
        "mtime": NOW,
        "published": True,
    }
    before = view({"A": base, "B": {**base, "published": False}})
    after = view({"A": base, "B": base})
    change = diff_views(before, after, {"B.md"})
    assert run_block("LIST FROM #t1", before, "A.md", PageHooks()).deps.affected(change)
    assert not run_block("LIST FROM #t2", before, "A.md", PageHooks()).deps.affected(change)
    # A query that named B before it was published looked it up: now it resolves.
    assert run_inline("[[B]].rating", before, "A.md", PageHooks()).deps.affected(change)
