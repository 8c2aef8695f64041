"""Queries, bases and canvases wired into real builds (issue 19, phase 2): rendered in note
pages, errors as notices plus warnings naming file and line, canvases as pages and embeds."""

from __future__ import annotations

from pathlib import Path

from helpers import PUBLISHED, build_vault, published

from trellis.build.options import BuildOptions
from trellis.pipeline import SiteBuilder

BOOKS = {
    "Books/Dune.md": published("- [ ] reread [[Emma]]\n", rating=5, genre="scifi"),
    "Books/Emma.md": published("Emma.\n", rating=4, genre="classic"),
}


def test_a_dataview_table_lists_published_notes_with_trellis_links(tmp_path: Path) -> None:
    files = {
        "Home.md": PUBLISHED
        + '```dataview\nTABLE rating AS "Rating" FROM "Books" SORT rating DESC\n```\n',
        **BOOKS,
    }
    site = build_vault(tmp_path, files)
    body = site.body("/home/")
    table = body.css_first("table.table-view-table")
    assert table is not None
    links = [(a.text(), a.attributes["href"]) for a in table.css("a.internal-link")]
    assert links == [("Dune", "/books/dune/"), ("Emma", "/books/emma/")]
    assert [td.text() for td in table.css("td")][1::2] == ["5", "4"]
    assert site.warnings == []


def test_list_task_inline_and_base_block(tmp_path: Path) -> None:
    body_text = (
        '```dataview\nLIST FROM "Books"\n```\n\n'
        '```dataview\nTASK FROM "Books"\n```\n\n'
        "Rating: `= [[Dune]].rating`\n\n"
        "```base\nfilters: 'file.inFolder(\"Books\")'\nviews:\n  - type: table\n"
        "    order: [file.name, rating]\n```\n"
    )
    site = build_vault(tmp_path, {"Home.md": PUBLISHED + body_text, **BOOKS})
    body = site.body("/home/")
    assert body.css_first("ul.list-view-ul") is not None
    assert body.css_first("li.task-list-item") is not None
    assert body.css_first("span.dataview-inline-query").text() == "5"
    assert len(body.css("table.bases-table tbody tr")) == 2


def test_an_error_is_a_notice_and_a_warning_with_file_and_line(tmp_path: Path) -> None:
    text = PUBLISHED + "Intro\n\n```dataview\nLIST WHERE (\n```\n\n```dataviewjs\ndv.x()\n```\n"
    site = build_vault(tmp_path, {"Home.md": text, **BOOKS})
    body = site.body("/home/")
    notices = body.css(".trellis-query-notice")
    assert len(notices) == 2
    assert "LIST WHERE (" in body.css_first("code.language-dataview").text()
    # The file's line of the error: the query starts on line 7, its line 2 is the end.
    assert site.warned("Home.md:8", "Dataview", "line 2")
    assert site.warned("Home.md:11", "dataviewjs")
    assert site.result.pages_written > 0


def test_highlight_syntax_in_code_is_not_an_inline_query(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"Home.md": PUBLISHED + "Write `==marked==` for marks.\n"})
    assert site.body("/home/").css_first("code").text() == "==marked=="
    assert site.warnings == []


def test_a_base_file_embed_renders_its_view(tmp_path: Path) -> None:
    base = "filters: 'file.inFolder(\"Books\")'\nviews:\n  - type: cards\n    name: Shelf\n"
    files = {"Home.md": PUBLISHED + "![[Books.base#Shelf]]\n", "Books.base": base, **BOOKS}
    site = build_vault(tmp_path, files)
    body = site.body("/home/")
    assert body.css_first(".bases-embed") is not None
    assert "Dune" in body.text() and "Emma" in body.text()
    assert not site.exists("/books.base")
    assert site.warnings == []


CANVAS = (
    '{"metadata": {"frontmatter": {"dg-publish": true}}, "nodes": ['
    '{"id":"t","type":"text","text":"**Plan** [[Dune]]","x":0,"y":0,"width":200,"height":80},'
    '{"id":"f","type":"file","file":"Books/Dune.md","x":300,"y":0,"width":200,"height":200}],'
    '"edges": [{"id":"e","fromNode":"t","toNode":"f","label":"reads","color":"3"}]}'
)


def test_a_published_canvas_is_a_page_and_an_embed(tmp_path: Path) -> None:
    files = {"Home.md": PUBLISHED + "![[Plan.canvas]]\n", "Boards/Plan.canvas": CANVAS, **BOOKS}
    site = build_vault(tmp_path, files)
    page = site.page("/boards/plan/")
    assert page.css_first(".canvas-wrapper .canvas-node-group, .canvas-node") is not None
    assert page.css_first('a.internal-link[href="/books/dune/"]') is not None
    assert page.css_first(".canvas-path-label").text() == "reads"
    assert "canvas.js" in site.html("/boards/plan/")
    body = site.body("/home/")
    assert body.css_first(".canvas-embed .canvas-wrapper") is not None
    assert body.css_first('.canvas-embed a.markdown-embed-link[href="/boards/plan/"]')
    assert body.css_first(".canvas-controls button") is not None  # kept through cleaning
    assert "canvas.js" in site.html("/home/")
    assert site.warnings == []


def test_the_setting_publishes_a_canvas_without_metadata(tmp_path: Path) -> None:
    plain = CANVAS.replace('"metadata": {"frontmatter": {"dg-publish": true}}, ', "")
    files = {"Boards/Plan.canvas": plain, "Other.canvas": plain, **BOOKS}
    site = build_vault(tmp_path, files, publish_canvases=["Boards/*.canvas"])
    assert site.exists("/boards/plan/")
    assert not site.exists("/other/")
    unset = build_vault(tmp_path / "again", files)
    assert not unset.exists("/boards/plan/")


def test_an_unpublished_canvas_embed_is_a_placeholder_with_a_warning(tmp_path: Path) -> None:
    plain = CANVAS.replace('"metadata": {"frontmatter": {"dg-publish": true}}, ', "")
    files = {"Home.md": PUBLISHED + "![[Plan.canvas]]\n", "Plan.canvas": plain, **BOOKS}
    site = build_vault(tmp_path, files)
    body = site.body("/home/")
    assert body.css_first(".embed-placeholder") is not None
    assert "Dune" not in body.text()
    assert site.warned("Home.md", "Plan.canvas", "not published")


def test_a_first_query_saved_in_the_preview_is_run(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    build_vault(tmp_path, {"Home.md": PUBLISHED + "Nothing yet.\n", **BOOKS})
    preview = BuildOptions(keep_cache=False, keep_live=True)
    builder = SiteBuilder(vault, tmp_path / "served", options=preview)
    builder.build()
    (vault / "Home.md").write_text(PUBLISHED + '```dataview\nLIST FROM "Books"\n```\n')
    out = tmp_path / "served"
    if builder.apply_edits([vault / "Home.md"]) is None:
        out = tmp_path / "again"
        builder.build(out=out)
    assert "list-view-ul" in (out / "home" / "index.html").read_text()
