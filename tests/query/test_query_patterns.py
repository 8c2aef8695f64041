"""Author-written regular expressions run with a time limit: a pattern that backtracks
without end (`(a|aa)+$` on `aaaa…b`) becomes an error notice on its note, quickly, instead of
stalling the build; ordinary patterns, named groups and replacements still work."""

from __future__ import annotations

import time

import pytest
from query_fixtures import PageHooks, block_html, inline_html, note, view_of

from trellis.bases import run_base
from trellis.query import run_block
from trellis.query.patterns import PATTERN_SECONDS
from trellis.query.view import PublishedView

RUNAWAY = "(a|aa)+$"
VAULT = {
    "Dashboard.md": note({}, "Start.\n"),
    **{f"Long {n}.md": note({"word": "a" * 40 + "b"}, "x\n") for n in range(20)},
    "Plain.md": note({"word": "release-2024-06"}, "x\n"),
}


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> PublishedView:
    return view_of(tmp_path_factory.mktemp("patterns") / "vault", VAULT)


def test_a_runaway_dql_pattern_is_an_error_not_a_stall(view: PublishedView) -> None:
    started = time.perf_counter()
    query = f'LIST WHERE regexmatch("{RUNAWAY}", word)'
    rendered = run_block(query, view, "Dashboard.md", PageHooks())
    elapsed = time.perf_counter() - started
    assert rendered.error is not None and "ran longer than" in rendered.error.message
    assert RUNAWAY in rendered.error.message
    # The whole query stops at the first slow value: 20 such rows do not cost 20 limits.
    assert elapsed < 4 * PATTERN_SECONDS + 1, elapsed


def test_a_runaway_inline_pattern_is_an_inline_error(view: PublishedView) -> None:
    html = inline_html(view, f'regexreplace("{"a" * 40}b", "{RUNAWAY}", "x")')
    assert "trellis-query-error" in html and "ran longer than" in html


def test_a_runaway_base_pattern_is_a_notice(view: PublishedView) -> None:
    base = f"filters: '/{RUNAWAY}/.matches(word)'\nviews:\n  - type: table\n"
    rendered = run_base(base, view, "Dashboard.md", PageHooks())
    assert rendered.error is not None and "ran longer than" in rendered.error.message


def test_ordinary_patterns_still_work(view: PublishedView) -> None:
    html = block_html(
        view,
        'TABLE regexreplace(word, "(?<y>\\\\d{4})-(\\\\d{2})", "$2/$1") AS d '
        'WHERE regexmatch("release-.*", word)',
    )
    assert "06/2024" in html and "Plain" in html and "Long" not in html
