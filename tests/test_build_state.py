"""`BuildState`: warnings kept per stage and per note; dropping a note's warnings of a stage
and adding new ones gives the report one list filled from start to end would hold."""

from __future__ import annotations

from trellis.build.state import BuildState, Stage
from trellis.diagnostics import Diagnostic, Diagnostics


def warning(path: str, message: str, line: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, message)


def test_the_report_is_stage_by_stage_each_warning_once() -> None:
    state = BuildState()
    state.add(Stage.LINK, [warning("a.md", "broken link"), warning("b.md", "broken link")])
    state.add(Stage.READ, [warning("a.md", "odd frontmatter"), warning("b.md", "broken link")])
    state.add(Stage.LINK, [warning("a.md", "broken link")])  # the same again: kept once
    expected = [
        warning("a.md", "odd frontmatter"),
        warning("b.md", "broken link"),  # in READ first: not again under LINK
        warning("a.md", "broken link"),
    ]
    assert state.items() == expected
    report = state.diagnostics()
    assert report.items == expected
    report.warn("b.md", "broken link")  # the report's own set knows what it holds
    assert report.items == expected
    assert report.items == Diagnostics.of([d for s in Stage for d in state.of_stage(s)]).items


def test_dropping_a_notes_warnings_keeps_the_others_in_order() -> None:
    state = BuildState()
    state.add(
        Stage.PARSE,
        [warning("a.md", "one", 1), warning("b.md", "two"), warning("a.md", "three", 3)],
    )
    state.add(Stage.LINK, [warning("a.md", "link")])
    state.drop(Stage.PARSE, {"a.md", "never-warned.md"})
    assert state.of_stage(Stage.PARSE) == [warning("b.md", "two")]
    assert state.for_note("a.md") == [warning("a.md", "link")]
    assert state.for_note("a.md", Stage.PARSE) == []
    # The same warning can come back after its note's were dropped.
    state.add(Stage.PARSE, [warning("a.md", "one", 1)])
    assert state.of_stage(Stage.PARSE) == [warning("b.md", "two"), warning("a.md", "one", 1)]
    assert state.for_note("a.md", Stage.PARSE) == [warning("a.md", "one", 1)]
    state.drop(Stage.PARSE, {"a.md"})
    state.drop(Stage.PARSE, {"a.md"})  # nothing left of it: nothing happens
    assert state.items() == [warning("b.md", "two"), warning("a.md", "link")]


def test_a_warning_dropped_from_an_earlier_stage_shows_under_the_later_one() -> None:
    state = BuildState()
    state.add(Stage.PARSE, [warning("a.md", "same")])
    state.add(Stage.WRITE, [warning("a.md", "same"), warning("c.md", "page")])
    assert state.items() == [warning("a.md", "same"), warning("c.md", "page")]
    state.drop(Stage.PARSE, {"a.md"})
    assert state.items() == [warning("a.md", "same"), warning("c.md", "page")]
    state.drop(Stage.WRITE, {"a.md"})
    assert state.items() == [warning("c.md", "page")]


def test_warnings_given_through_the_report_go_to_the_running_stage() -> None:
    state = BuildState()
    with state.redo(Stage.LINK, ["a.md"]), state.capture() as found:
        state.report.warn("a.md", "late")
    assert state.of_stage(Stage.LINK) == [warning("a.md", "late")]
    assert found == [warning("a.md", "late")]
    assert state.stage == Stage.READ
