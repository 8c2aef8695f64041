"""`PublishedView.replaced` (the preview's fast path) equals a view made from scratch."""

from __future__ import annotations

from trellis.query.view import NoteRecord, PublishedView

RECORDS = [
    NoteRecord("A.md", {"x": 1}, ("t/a",), ("B", "C#Head", "Nowhere")),
    NoteRecord("B.md", {"x": 2}, ("t",), ("A",), aliases=("Bee",)),
    NoteRecord("F/C.md", {}, (), ("Bee", "A")),
]


def _shape(view: PublishedView) -> tuple[object, ...]:
    return (
        view.paths,
        view.outlinks,
        dict(view.inlinks),
        dict(view.tags),
        {path: record for path, record in view.records.items()},
    )


def test_replacing_a_record_gives_what_a_fresh_view_gives() -> None:
    old = PublishedView(RECORDS)
    edited = NoteRecord("A.md", {"x": 5}, ("u",), ("F/C", "Bee"))
    fresh = PublishedView([edited, *RECORDS[1:]])
    assert _shape(old.replaced([edited])) == _shape(fresh)
    assert _shape(old) == _shape(PublishedView(RECORDS))  # the old view is left as it was


def test_new_aliases_or_notes_make_a_whole_view() -> None:
    old = PublishedView(RECORDS)
    renamed = NoteRecord("B.md", {}, (), (), aliases=("Other",))
    added = NoteRecord("D.md", {}, (), ("Other",))
    fresh = PublishedView([RECORDS[0], renamed, RECORDS[2], added])
    assert _shape(old.replaced([renamed, added])) == _shape(fresh)
