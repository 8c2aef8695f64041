"""Dataview expressions and functions, case by case against Dataview's documentation.

Each case of `expr_cases.yaml` is an expression evaluated in the docs vault (this note:
Dashboard, today: 2022-11-07) and the value the documentation gives for it, written as
another expression (compared with Dataview's own equality) or as the text Dataview shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from query_fixtures import DOCS_VAULT, view_of

from trellis.query.dql import parse_expression
from trellis.query.evaluate import Context
from trellis.query.functions import FUNCTIONS
from trellis.query.text import to_string
from trellis.query.values import compare
from trellis.query.view import PublishedView

CASES = yaml.safe_load((Path(__file__).parent / "expr_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docs_view(tmp_path_factory: pytest.TempPathFactory) -> PublishedView:
    return view_of(tmp_path_factory.mktemp("docs") / "vault", DOCS_VAULT)


def evaluate(view: PublishedView, text: str) -> object:
    ctx = Context(view, "Dashboard.md", FUNCTIONS)
    return ctx.evaluate(parse_expression(text, view.zone), ctx.globals["this"])


@pytest.mark.parametrize("case", CASES, ids=[c["expr"] for c in CASES])
def test_expression_matches_the_documentation(docs_view: PublishedView, case: dict) -> None:
    value = evaluate(docs_view, case["expr"])
    if "equals" in case:
        expected = evaluate(docs_view, case["equals"])
        assert compare(value, expected) == 0, f"{value!r} != {expected!r}"
    else:
        assert to_string(value) == case["text"]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 150
