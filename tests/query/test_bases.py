"""Obsidian Bases: formulas and functions case by case, views (table, cards, list), filters,
sorting, grouping, limits, summaries, display names, errors, and privacy.

Cases come from Obsidian's help in `../shared/corpora/obsidian-help/Bases/` (its examples are
quoted in `bases_cases.yaml`); the vault is read through the real pipeline.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from query_fixtures import PageHooks, note, view_of
from selectolax.lexbor import LexborHTMLParser

from trellis.bases import run_base
from trellis.bases.evaluate import FileRef, Row
from trellis.bases.expr import parse_formula
from trellis.bases.methods import call
from trellis.bases.spec import parse_base
from trellis.query.dates import parse_date
from trellis.query.rows import Reads
from trellis.query.values import Link, compare
from trellis.query.view import PublishedView

CASES = yaml.safe_load((Path(__file__).parent / "bases_cases.yaml").read_text(encoding="utf-8"))

VAULT = {
    "Home.md": note({}, "Start.\n"),
    "Books/Dune.md": note(
        {
            "tags": "[book, scifi/classic]",
            "price": "15",
            "age": "10",
            "status": "reading",
            "author": '"[[Frank Herbert]]"',
            "cover": '"[[dune.jpg]]"',
            "rating": "5",
        },
        "Needs the [[Textbook]]. #classic\n",
    ),
    "Books/Emma.md": note(
        {
            "tags": "[book]",
            "price": "8",
            "age": "4",
            "status": "done",
            "rating": "4",
            "cover": '"#336699"',
        },
        "Emma.\n",
    ),
    "Books/Old/Ulysses.md": note(
        {"tags": "[book]", "price": "30", "age": "100", "status": "unread", "rating": "3"},
        "Links [[Dune]].\n",
    ),
    "Required Reading/Textbook.md": note({"kind": "course", "tags": "[book]", "price": "99"}, ""),
    "Authors/Frank Herbert.md": note({"born": "1920"}, ""),
    "Private/Secret Book.md": note(
        {"tags": "[book, secretmarker]", "price": "1000", "status": "SECRETSTATUS"},
        "Links [[Dune]]. SECRETBODY\n",
        publish=False,
    ),
}
MARKERS = ("Secret", "SECRETSTATUS", "SECRETBODY", "secretmarker", "1000")


class Hooks(PageHooks):
    def file_url(self, target: str) -> str | None:
        return f"/attachments/x/{target}" if target.endswith(".jpg") else None


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> PublishedView:
    return view_of(tmp_path_factory.mktemp("bases") / "vault", VAULT)


def evaluate(view: PublishedView, formula: str, path: str = "Books/Dune.md") -> Any:
    formulas = {"ppu": parse_formula("(price / age).toFixed(2)")}
    return Row(view, path, "Home.md", formulas, Reads(), call).evaluate(parse_formula(formula))


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=[c["formula"] for c in CASES])
def test_formula_matches_the_help(view: PublishedView, case: dict) -> None:
    value = evaluate(view, case["formula"], case.get("row", "Books/Dune.md"))
    expected = case["value"]
    if isinstance(value, datetime):
        expected = parse_date(str(expected).replace(" ", "T"), view.zone)
        assert compare(value, expected) == 0, (value, expected)
    else:
        assert _normal(value) == expected


def page(view: PublishedView, base: str, view_name: str | None = None) -> LexborHTMLParser:
    rendered = run_base(base, view, "Home.md", Hooks(), view_name)
    assert rendered.error is None, rendered.error
    return LexborHTMLParser(rendered.html)


SYNTAX_EXAMPLE = """\
filters:
  or:
    - file.hasTag("tag")
    - and:
        - file.hasTag("book")
        - file.hasLink("Textbook")
    - not:
        - file.hasTag("book")
        - file.inFolder("Required Reading")
formulas:
  formatted_price: 'if(price, price.toFixed(2) + " dollars")'
  ppu: "(price / age).toFixed(2)"
properties:
  status:
    displayName: Status
  formula.formatted_price:
    displayName: "Price"
  file.ext:
    displayName: Extension
views:
  - type: table
    name: "My table"
    limit: 10
    filters:
      and:
        - 'status != "done"'
        - or:
            - "formula.ppu > 5"
            - "price > 2.1"
    order:
      - file.name
      - file.ext
      - note.age
      - formula.ppu
      - formula.formatted_price
      - status
"""


def test_the_syntax_pages_example(view: PublishedView) -> None:
    table = page(view, SYNTAX_EXAMPLE).css_first(
        ".bases-view[data-view-type=table] table.bases-table"
    )
    heads = [th.text() for th in table.css("thead.bases-thead th.bases-table-header")]
    assert heads == ["file.name", "Extension", "age", "ppu", "Price", "Status"]
    rows = [[td.text() for td in tr.css("td.bases-td")] for tr in table.css("tbody tr.bases-tr")]
    # Only Dune: it has the tag and links to Textbook (the `not` group excludes the others:
    # Home and Frank Herbert have no book tag; Ulysses is a book outside Required Reading).
    assert rows == [["Dune.md", "md", "10", "1.50", "15.00 dollars", "reading"]]


def test_filters_sort_limit_and_columns(view: PublishedView) -> None:
    base = """\
filters:
  and:
    - file.hasTag("book")
    - 'file.inFolder("Books")'
views:
  - type: table
    name: By price
    order: [file.basename, price, rating]
    sort:
      - property: price
        direction: DESC
    limit: 2
"""
    rows = page(view, base).css("tbody tr")
    assert [[td.text() for td in tr.css("td")] for tr in rows] == [
        ["Ulysses", "30", "3"],
        ["Dune", "15", "5"],
    ]
    link = rows[1].css_first("td a.internal-link")
    assert link is None  # file.basename is text; file.name too
    base2 = base.replace("file.basename", "formula.l").replace(
        "filters:", 'formulas:\n  l: "file.asLink()"\nfilters:'
    )
    first = page(view, base2).css_first("tbody tr td a.internal-link")
    assert first.attributes["href"] == "/books/old/ulysses/"


def test_group_by_with_summaries(view: PublishedView) -> None:
    base = """\
filters: 'file.hasTag("book") && file.inFolder("Books")'
summaries:
  double: 'values.reduce(acc + value, 0) * 2'
views:
  - type: table
    order: [file.basename, price]
    groupBy:
      property: status
      direction: DESC
    summaries:
      price: Sum
"""
    html = page(view, base)
    assert [h.text() for h in html.css(".bases-group-heading")] == ["unread1", "reading1", "done1"]
    sums = [td.text() for td in html.css("tfoot .bases-table-summary td[data-property=price]")]
    assert sums == ["30", "15", "8"]
    custom = page(view, base.replace("price: Sum", "price: double"))
    assert [td.text() for td in custom.css("tfoot td[data-property=price]")] == ["60", "30", "16"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Average", "17.666"),
        ("Min", "8"),
        ("Max", "30"),
        ("Range", "22"),
        ("Median", "15"),
        ("Empty", "0"),
        ("Filled", "3"),
        ("Unique", "3"),
    ],
)
def test_builtin_summaries(view: PublishedView, name: str, expected: str) -> None:
    base = f"""\
filters: 'file.inFolder("Books")'
views:
  - type: table
    order: [price]
    summaries:
      price: {name}
"""
    cell = page(view, base).css_first("tfoot td[data-property=price]").text()
    assert cell[: len(expected)] == expected


def test_cards_view(view: PublishedView) -> None:
    base = """\
filters: 'file.inFolder("Books")'
views:
  - type: cards
    name: Shelf
    image: note.cover
    imageFit: contain
    imageAspectRatio: 1.5
    cardSize: 240
    order: [file.basename, status, author]
"""
    html = page(view, base, "Shelf")
    container = html.css_first(".bases-cards-container")
    assert "--bases-cards-width:240px" in container.attributes["style"]
    cards = container.css(".bases-cards-item")
    assert [
        c.css_first(".bases-cards-property.mod-title .bases-cards-line").text() for c in cards
    ] == ["Dune", "Emma", "Ulysses"]
    dune = cards[0]
    assert (
        dune.css_first(".bases-cards-cover.mod-contain img").attributes["src"]
        == "/attachments/x/dune.jpg"
    )
    assert (
        "background-color:#336699" in cards[1].css_first(".bases-cards-cover").attributes["style"]
    )
    labels = [p.text() for p in dune.css(".bases-cards-label")]
    assert labels == ["status", "author"]
    author = dune.css_first("[data-property=author] a.internal-link")
    assert (
        author.text() == "Frank Herbert" and author.attributes["href"] == "/authors/frank-herbert/"
    )


def test_the_first_view_is_shown_unless_one_is_named(view: PublishedView) -> None:
    base = (
        "views:\n  - type: list\n    name: A\n    order: [file.basename]\n"
        "  - type: table\n    name: B\n"
    )
    assert page(view, base).css_first(".bases-view").attributes["data-view-name"] == "A"
    assert page(view, base, "B").css_first(".bases-view").attributes["data-view-type"] == "table"
    rendered = run_base(base, view, "Home.md", Hooks(), "Nope")
    assert rendered.error is not None and "no view named" in rendered.error.message


@pytest.mark.parametrize(
    ("base", "fragment", "line"),
    [
        ("views: [", "not valid YAML", 1),
        ("- a\n- b\n", "not a mapping", 1),
        ("views:\n  - type: map\n", "map views", 1),
    ],
)
def test_bases_that_cannot_be_shown_give_a_notice(
    view: PublishedView, base: str, fragment: str, line: int
) -> None:
    rendered = run_base(base, view, "Home.md", Hooks())
    assert rendered.error is not None and fragment in rendered.error.message
    assert rendered.error.line == line
    notice = LexborHTMLParser(rendered.html)
    assert notice.css_first("p.trellis-query-notice") is not None
    assert notice.css_first("code.language-base").text() == base
    hidden = run_base(base, view, "Home.md", Hooks(), show_source=False)
    assert "code" not in hidden.html


def test_bad_formulas_are_reported_and_the_rest_shows(view: PublishedView) -> None:
    base = """\
formulas:
  broken: "price +* 2"
  loop: "formula.loop + 1"
views:
  - type: table
    order: [file.basename, formula.loop]
"""
    rendered = run_base(base, view, "Home.md", Hooks())
    assert rendered.error is not None
    assert "broken" in rendered.error.message and "refers to itself" in rendered.error.message
    assert LexborHTMLParser(rendered.html).css_first("table.bases-table") is not None


def test_random_is_refused(view: PublishedView) -> None:
    with pytest.raises(Exception, match="random"):
        evaluate(view, "random()")


@pytest.mark.parametrize(
    "base",
    [
        "views:\n  - type: table\n    order: [file.name, status, price, file.tags]\n",
        "filters: 'file.hasTag(\"secretmarker\")'\n",
        "filters: 'file.inFolder(\"Private\")'\n",
        "filters: 'price > 500'\n",
        "views:\n  - type: table\n    order: [file.name, file.backlinks]\n",
        "formulas:\n  s: 'link(\"Secret Book\").asFile().properties'\n"
        "views:\n  - type: table\n    order: [formula.s]\n",
        "formulas:\n  s: 'file(\"Private/Secret Book\")'\n"
        "views:\n  - type: table\n    order: [formula.s]\n",
        "views:\n  - type: table\n    order: [status]\n    groupBy: {property: status}\n"
        "    summaries: {status: Unique}\n",
    ],
)
def test_bases_show_nothing_of_private_notes(view: PublishedView, base: str) -> None:
    rendered = run_base(base, view, "Home.md", Hooks())
    html = rendered.html.replace('"Secret Book"', "").replace("Private/Secret Book", "")
    assert not [m for m in MARKERS if m.lower() in html.lower()]
    assert not [
        m for m in MARKERS if rendered.error and m.lower() in rendered.error.message.lower()
    ]


def test_backlinks_count_published_notes_only(view: PublishedView) -> None:
    # Ulysses and the private Secret Book both link to Dune.
    assert evaluate(view, "file.backlinks") == [FileRef("Books/Old/Ulysses.md")]


def test_a_base_records_what_it_read(view: PublishedView) -> None:
    base = "filters: 'file.hasTag(\"book\")'\nviews:\n  - type: table\n    order: [price]\n"
    deps = run_base(base, view, "Home.md", Hooks()).deps
    assert ("Books/Dune.md", "file.tags") in deps.fields
    assert ("Books/Dune.md", "price") in deps.fields
    assert ("Home.md", "price") not in deps.fields  # Home failed the filter: price unread
    assert not deps.clock


def test_links_in_properties_are_links(view: PublishedView) -> None:
    assert isinstance(evaluate(view, "author"), Link)
    assert parse_base("views: []").views[0].type == "table"


@pytest.mark.parametrize(
    "formula",
    [
        '"ab".repeat(1000000000)',
        "(" * 3000 + "1" + ")" * 3000,
        'price.toFixed("x")',
        '"a".slice("x", [])',
        "file.hasTag([])",
        "[1, 2].join(3).split(/(/)",
        'date("x").format("YYYY")',
    ],
)
def test_hostile_formulas_fail_alone(view: PublishedView, formula: str) -> None:
    base = (
        f"formulas:\n  f: '{formula}'\nviews:\n  - type: table\n    order: [file.name, formula.f]\n"
    )
    rendered = run_base(base, view, "Home.md", Hooks())
    assert LexborHTMLParser(rendered.html).css_first(".block-language-base") is not None
