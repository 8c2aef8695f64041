"""Task lists as Obsidian renders them: any single status character, marker hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import published, render_note
from selectolax.lexbor import LexborNode


def _items(body: LexborNode) -> list[LexborNode]:
    return body.css("li.task-list-item")


def _checkbox(item: LexborNode) -> LexborNode:
    box = item.css_first("input.task-list-item-checkbox")
    assert box is not None, item.html
    return box


@pytest.mark.parametrize(
    ("status", "data_task", "checked"),
    [
        (" ", "", False),
        ("x", "x", True),
        ("X", "X", True),
        (">", ">", True),
        ("<", "<", True),
        ("N", "N", True),
        ("-", "-", True),
        ("?", "?", True),
        ("/", "/", True),
        ("!", "!", True),
        ("*", "*", True),
        ("I", "I", True),
        ("é", "é", True),
    ],
)
def test_status_character(tmp_path: Path, status: str, data_task: str, checked: bool) -> None:
    body = render_note(tmp_path, f"- [{status}] Buy milk\n")
    (item,) = _items(body)
    assert item.attributes["data-task"] == data_task
    assert ("is-checked" in item.attributes["class"].split()) is checked
    box = _checkbox(item)
    assert box.attributes["type"] == "checkbox"
    assert "disabled" in box.attributes
    assert ("checked" in box.attributes) is checked
    # The `[x]` marker is not shown; only the text after it is.
    assert item.text(deep=True).strip() == "Buy milk"


@pytest.mark.parametrize(
    "source",
    [
        "- [x]Buy milk",  # no space after the marker
        "- \\[x\\] Buy milk",  # escaped brackets
        "- [xx] Buy milk",  # two characters
        "- [] Buy milk",  # none
        "- Buy [x] milk",  # marker not first
        "[x] Buy milk",  # not in a list
        "- `[x]` Buy milk",  # in code
    ],
)
def test_not_a_task(tmp_path: Path, source: str) -> None:
    body = render_note(tmp_path, source + "\n")
    assert _items(body) == []
    assert body.css("input") == []
    assert "Buy" in body.text()
    assert "contains-task-list" not in (body.html or "")


def test_escaped_marker_keeps_its_text(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- \\[-\\] Bread\n")
    assert body.css_first("li").text().strip() == "[-] Bread"


def test_ordered_list_tasks(tmp_path: Path) -> None:
    body = render_note(tmp_path, "1. [ ] first\n2. [x] second\n")
    ordered = body.css_first("ol")
    assert ordered is not None
    assert "contains-task-list" in ordered.attributes["class"].split()
    items = _items(body)
    assert [i.attributes["data-task"] for i in items] == ["", "x"]
    assert [i.text().strip() for i in items] == ["first", "second"]


def test_nested_tasks(tmp_path: Path) -> None:
    body = render_note(
        tmp_path,
        """\
        - [x] Milk
          - [?] Eggs
            - [-] Bread
        - [ ] Butter
        """,
    )
    outer = body.css_first("ul")
    top = [li for li in outer.iter() if li.tag == "li"]
    assert [li.attributes["data-task"] for li in top] == ["x", ""]
    eggs = top[0].css_first("ul").css_first("li")
    assert eggs.attributes["data-task"] == "?"
    bread = eggs.css_first("ul").css_first("li")
    assert bread.attributes["data-task"] == "-"
    assert bread.text().strip() == "Bread"
    # Each nested list is a task list too.
    assert len(body.css("ul.contains-task-list")) == 3


def test_task_with_link_tag_and_formatting(tmp_path: Path) -> None:
    body = render_note(
        tmp_path,
        "- [>] Call about [[Other|the plan]] **now** #work\n",
        {"Other.md": published("Hi")},
    )
    (item,) = _items(body)
    assert item.attributes["data-task"] == ">"
    link = item.css_first("a.internal-link")
    assert link is not None and link.attributes["href"] == "/other/"
    assert item.css_first("strong").text() == "now"
    assert "#work" in item.text() or item.css_first("a.tag") is not None
    assert item.text().startswith("Call about")


def test_task_with_footnote_and_markdown_link(tmp_path: Path) -> None:
    body = render_note(
        tmp_path,
        "- [ ] With footnotes[^note] and [links](https://example.com)\n\n[^note]: Named\n",
    )
    (item,) = _items(body)
    assert item.css_first("sup.footnote-ref") is not None
    assert item.css_first('a[href="https://example.com"]').text() == "links"


def test_only_task_items_get_the_class(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- [ ] a task\n- a plain item\n")
    items = body.css("li")
    assert "task-list-item" in items[0].attributes["class"]
    assert "class" not in items[1].attributes
    assert "data-task" not in items[1].attributes
    assert items[1].css("input") == []


def test_plain_list_has_no_task_class(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- one\n- two\n")
    assert "class" not in body.css_first("ul").attributes


def test_empty_task(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- [ ]\n- [x]\n")
    items = _items(body)
    assert len(items) == 2
    assert [i.text().strip() for i in items] == ["", ""]


def test_loose_list_puts_checkbox_in_paragraph(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- [x] one\n\n- [ ] two\n")
    items = _items(body)
    assert len(items) == 2
    assert items[0].css_first("p > input.task-list-item-checkbox") is not None
    assert items[0].css_first("p").text().strip() == "one"


def test_task_continuation_line(tmp_path: Path) -> None:
    body = render_note(tmp_path, "- [N] first line\n  second line\n")
    (item,) = _items(body)
    assert item.attributes["data-task"] == "N"
    assert item.text().split() == ["first", "line", "second", "line"]


def test_task_in_blockquote(tmp_path: Path) -> None:
    body = render_note(tmp_path, "> - [/] halfway\n")
    item = body.css_first("blockquote li.task-list-item")
    assert item is not None and item.attributes["data-task"] == "/"


def test_marker_text_is_html_escaped(tmp_path: Path) -> None:
    body = render_note(tmp_path, '- ["] quoted\n- [&] amp\n')
    assert [i.attributes["data-task"] for i in _items(body)] == ['"', "&"]


def test_many_custom_status_lines(tmp_path: Path) -> None:
    """A Snipd-style note: hundreds of `- [N]` lines, every one a task."""
    lines = "".join(f"- [N] highlight {n}\n" for n in range(300))
    body = render_note(tmp_path, lines)
    items = _items(body)
    assert len(items) == 300
    assert all(i.attributes["data-task"] == "N" for i in items)
    assert items[-1].text().strip() == "highlight 299"
