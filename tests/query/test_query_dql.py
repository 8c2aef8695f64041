"""Whole ```dataview queries against what Dataview's documentation shows them yielding.

The cases live in `dql_cases.yaml` (each names the page of the docs it comes from); the
vault is the docs' example vault (`query_fixtures.DOCS_VAULT`), read through the real
pipeline, with "today" fixed at 2022-11-07.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from query_fixtures import DOCS_VAULT, cell_text, view_of

from trellis.query import evaluate_query
from trellis.query.render import _nest
from trellis.query.text import DEFAULT_SETTINGS
from trellis.query.view import PublishedView

CASES = yaml.safe_load((Path(__file__).parent / "dql_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docs_view(tmp_path_factory: pytest.TempPathFactory) -> PublishedView:
    return view_of(tmp_path_factory.mktemp("dql") / "vault", DOCS_VAULT)


def task_texts(items: list[Any]) -> list[Any]:
    """Tasks as shown: each item's text, then its children's as a nested list."""
    out: list[Any] = []
    for item in _nest(items):
        out.append(item["text"])
        if item["children"]:
            out.append(task_texts(item["children"]))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_query_matches_the_documentation(docs_view: PublishedView, case: dict) -> None:
    result = evaluate_query(
        case["query"], docs_view, case.get("this", "Dashboard.md"), DEFAULT_SETTINGS
    )
    if "list" in case:
        assert [cell_text(item) for item in result.items] == [str(x) for x in case["list"]]
    if "headers" in case:
        assert result.headers == case["headers"]
        assert [[cell_text(c) for c in row] for row in result.rows] == [
            [str(c) for c in row] for row in case["rows"]
        ]
    if "tasks" in case:
        assert not result.grouped
        assert task_texts(result.tasks) == case["tasks"]
    if "groups" in case:
        assert result.grouped
        assert {cell_text(key): task_texts(rows) for key, rows in result.tasks} == case["groups"]
