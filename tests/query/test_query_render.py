"""The HTML of query results: Dataview's DOM classes, escaping, links, errors as notices.

Expected markup follows Dataview's views (src/ui/views/table-view.tsx, list-view.tsx,
task-view.tsx, ui/markdown.tsx) and what Digital Garden gardens carry from them
(`<table class="dataview table-view-table">`, `<span class="dataview small-text">2</span>`,
`<ul class="dataview dataview-ul dataview-result-list-ul">`).
"""

from __future__ import annotations

import pytest
from query_fixtures import DOCS_VAULT, PageHooks, block_html, inline_html, view_of
from selectolax.lexbor import LexborHTMLParser

from trellis.query import run_block, run_inline
from trellis.query.view import NoteRecord, PublishedView


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> PublishedView:
    return view_of(tmp_path_factory.mktemp("render") / "vault", DOCS_VAULT)


def dom(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def test_table_has_dataviews_classes_and_result_count(view: PublishedView) -> None:
    page = dom(block_html(view, "TABLE started, file.etags AS Tags FROM #games"))
    table = page.css_first("div.block-language-dataview > table.dataview.table-view-table")
    assert table is not None
    heads = table.css("thead.table-view-thead > tr.table-view-tr-header > th.table-view-th")
    assert [h.text() for h in heads] == ["File3", "started", "Tags"]
    assert heads[0].css_first("span.dataview.small-text").text() == "3"
    rows = table.css("tbody.table-view-tbody > tr")
    assert len(rows) == 3
    first = rows[0].css("td")
    link = first[0].css_first("a.internal-link")
    assert (
        link.attributes["href"] == "/games/league-of-legends/"
        and link.text() == "League of Legends"
    )
    assert first[1].text() == "May 16, 2021"
    assert first[2].css_first(
        "ul.dataview.dataview-ul.dataview-result-list-ul > li.dataview-result-list-li"
    )


def test_list_has_dataviews_classes(view: PublishedView) -> None:
    page = dom(block_html(view, "LIST file.folder FROM #games"))
    items = page.css("ul.dataview.list-view-ul > li")
    assert [li.text() for li in items] == [
        "League of Legends: Games",
        "Pillars of Eternity 2: Games",
        "Stardew Valley: Games/finished",
    ]


def test_task_list_has_checkboxes_and_statuses(view: PublishedView) -> None:
    page = dom(block_html(view, 'TASK FROM "Tasks/Chores" WHERE !parent'))
    container = page.css_first("div.dataview.dataview-container > ul.contains-task-list")
    items = container.css("li.dataview.task-list-item")
    done = [li for li in items if "is-checked" in li.attributes["class"]]
    assert {li.attributes["data-task"] for li in done} == {"x", "-"}
    boxes = container.css("input.dataview.task-list-item-checkbox[type=checkbox][disabled]")
    assert len(boxes) == len(items) == 9  # 6 top-level tasks and the 3 children of one
    nested = container.css_first("li.task-list-item > ul.contains-task-list")
    assert [li.text() for li in nested.css("li")] == [
        "kitchen",
        "living room",
        "Bedroom [urgent:: true]",
    ]
    assert container.css_first("li.dataview.task-list-basic-item") is None


def test_grouped_tasks_have_headings_with_counts(view: PublishedView) -> None:
    page = dom(block_html(view, "TASK WHERE !checked AND !parent GROUP BY file.link"))
    heads = page.css("div.dataview-container > h4")
    assert [h.css_first("a").text() for h in heads] == ["Chores", "School"]
    # Dataview counts the tasks that matched; children shown under them are not counted.
    assert [h.css_first("span.small-text").text() for h in heads] == ["3", "1"]
    assert len(page.css("div.dataview.result-group")) == 2


def test_empty_results_show_dataviews_notice(view: PublishedView) -> None:
    for query, kind in (
        ("LIST FROM #nothing", "list"),
        ("TABLE x FROM #nothing", "table"),
        ("TASK FROM #nothing", "task"),
    ):
        box = dom(block_html(view, query)).css_first(
            "div.dataview.dataview-error-box p.dataview-error-message"
        )
        assert box.text() == f"Dataview: No results to show for {kind} query."


def test_syntax_error_is_a_notice_with_the_query_as_code(view: PublishedView) -> None:
    source = "TABLE rating\nFROM #games\nWHERE rating > > 3\nSORT rating"
    rendered = run_block(source, view, "Dashboard.md", PageHooks())
    assert rendered.error is not None and rendered.error.line == 3
    page = dom(rendered.html)
    assert (
        page.css_first(".trellis-query-error p.trellis-query-notice").text().startswith("Dataview:")
    )
    assert page.css_first("pre > code.language-dataview").text() == source


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("LIST\nWHERE contains(", 2, "expected"),
        ("TABLE a b", 1, "expected"),
        ("LIST FROM #x\nFROM #y", 2, "expected"),
        ("GRID", 1, "TABLE, LIST or TASK"),
        ('LIST\nWHERE "unclosed', 2, "closing"),
        ("CALENDAR file.ctime", 1, "CALENDAR"),
        ("LIST\nWHERE nosuchfunction(1)", 2, "Unrecognized function name 'nosuchfunction'"),
        ('LIST\n\nLIMIT "ten"', 3, "not a number"),
        ("LIST WHERE lower(5)", 1, "No implementation of 'lower'"),
    ],
)
def test_unevaluable_queries_name_their_line(
    view: PublishedView, source: str, line: int, fragment: str
) -> None:
    rendered = run_block(source, view, "Dashboard.md", PageHooks())
    assert rendered.error is not None
    assert fragment in rendered.error.message
    assert rendered.error.line == line


def test_dataviewjs_is_never_run(view: PublishedView) -> None:
    rendered = run_block("dv.list(dv.pages())", view, "Dashboard.md", PageHooks(), "dataviewjs")
    assert rendered.error is not None and "dataviewjs" in rendered.error.message
    assert dom(rendered.html).css_first("code.language-dataviewjs").text() == "dv.list(dv.pages())"


def test_values_are_escaped(tmp_path) -> None:
    view = PublishedView(
        [NoteRecord("N.md", {"x": "<script>alert(1)</script>", "u": "javascript:alert(1)"})]
    )
    html = block_html(view, 'TABLE x, elink(u, "click") AS e', "N.md")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in dom(html).css_first("td:nth-child(3)").html


def test_inline_queries(view: PublishedView) -> None:
    assert (
        dom(inline_html(view, "this.file.name"))
        .css_first("span.dataview.dataview-inline-query")
        .text()
        == "Dashboard"
    )
    assert dom(inline_html(view, "[[League of Legends]].rating")).text() == "7"
    html = inline_html(view, "[[League of Legends]].file.link")
    assert dom(html).css_first("a.internal-link").attributes["href"] == "/games/league-of-legends/"
    assert dom(inline_html(view, "[1, 2]")).text() == "1, 2"
    rendered = run_inline("lower(", view, "Dashboard.md", PageHooks())
    assert rendered.error is not None
    assert dom(rendered.html).css_first("code.trellis-query-error").text() == "= lower("


def test_null_shows_as_a_dash(view: PublishedView) -> None:
    page = dom(block_html(view, 'TABLE WITHOUT ID steamid FROM "Games" SORT file.name'))
    assert [td.text() for td in page.css("td")] == ["-", "560130", "413150"]


@pytest.mark.parametrize(
    "source",
    [
        "LIST WHERE " + "(" * 5000 + "1" + ")" * 5000,
        'LIST "ab" * 1000000000',
        'LIST padleft("a", 100000000000)',
        'LIST WHERE round(1, "x") OR substring("abc", 1, "q")',
        "TABLE " + ", ".join(f"f{i}" for i in range(500)),
        "LIST flat([[[[[[1]]]]]], 1000000)",
    ],
)
def test_hostile_queries_fail_alone(view: PublishedView, source: str) -> None:
    rendered = run_block(source, view, "Dashboard.md", PageHooks())
    assert rendered.html  # a notice or a result, never an exception
