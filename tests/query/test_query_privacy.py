"""Queries that reach for private notes in every way we could think of: no trace.

The docs vault holds two private notes (`Secret Plans`: `dg-publish: false`, tagged, rated,
with a task and links to published notes; `Private/Diary`) and a note without frontmatter,
plus published notes that link to the private one, name it in fields and frontmatter, and
link to it with an alias. Every query below must render without a private marker, and a
query naming the private note must give exactly what the same query naming a note that
does not exist gives: neither its content nor its existence shows.
"""

from __future__ import annotations

import pytest
from query_fixtures import DOCS_VAULT, PRIVATE_MARKERS, PageHooks, note, view_of

from trellis.query import run_block, run_inline
from trellis.query.view import PublishedView

VAULT = {
    **DOCS_VAULT,
    "Leaky.md": note(
        {
            "parent": '"[[Secret Plans|the plan]]"',
            "related": '"see [[Secret Plans|this one]] and [text](Secret%20Plans.md)"',
            "friends": '["[[Secret Plans|a friend]]", "[[Git Basics]]"]',
        },
        "see:: [[Secret Plans|a note I keep]]\n\n"
        "- [ ] call about [[Secret Plans|the plan]] [due:: 2022-12-01]\n",
    ),
}

QUERIES = [
    "LIST",
    "TABLE file.name, file.path, file.folder, file.tags",
    "LIST rows.file.link GROUP BY type",
    "TABLE length(rows) AS n GROUP BY type",
    'LIST WITHOUT ID key + ": " + length(rows) GROUP BY file.folder',
    'LIST FROM "Private"',
    'LIST FROM "Private/Diary"',
    'LIST FROM "Secret Plans"',
    "LIST FROM #secretmarker",
    "LIST FROM #games/secret",
    "LIST FROM -#games",
    "LIST FROM [[Secret Plans]]",
    "LIST FROM outgoing([[Secret Plans]])",
    "LIST FROM [[Secret Plans]] OR #games",
    "TABLE file.inlinks, file.outlinks",
    "TABLE map(file.outlinks, (l) => meta(l).path) AS paths",
    "TABLE [[Secret Plans]].rating, [[Secret Plans]].file.name, [[Secret Plans]].file.path",
    'TABLE link("Secret Plans").rating, link("Private/Diary").type',
    "TABLE date([[Secret Plans]]), string([[Secret Plans]]), display([[Secret Plans]])",
    "TABLE parent, related, friends, see, file.frontmatter",
    "TABLE meta(parent).path, meta(parent).display, string(parent), display(related)",
    'TABLE regexreplace(related, "\\[", "<"), split(related, " "), string(file.frontmatter)',
    'TABLE regexreplace(string(see), "[|]", "/"), meta(see).path',
    "TABLE file.outlinks, contains(file.outlinks, [[Secret Plans]]) AS linked",
    "LIST WHERE contains(file.outlinks, [[Secret Plans]])",
    "LIST WHERE [[Secret Plans]] = file.link",
    "TABLE sum(rows.rating) AS total, max(rows.rating) AS best GROUP BY type",
    "TASK",
    'TASK WHERE contains(text, "take over")',
    "TABLE length(file.tasks), file.tasks.text, file.lists.outlinks",
    'TABLE T.text, T.outlinks FROM "Leaky" FLATTEN file.tasks AS T',
    "TABLE length(filter(file.inlinks, (l) => true)) AS inbound",
    'LIST WHERE icontains(string(file.frontmatter), "secret")',
    'LIST WHERE regextest("(?i)secret", string(row))',
]


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> PublishedView:
    return view_of(tmp_path_factory.mktemp("privacy") / "vault", VAULT)


def leaks(html: str, query: str = "") -> list[str]:
    """Private markers in `html`, except words the query itself wrote (a column named
    `[[Secret Plans]].rating` is the author's text, not something read from the note)."""
    lowered = html.lower()
    return [m for m in PRIVATE_MARKERS if m.lower() in lowered and m.lower() not in query.lower()]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("this", ["Dashboard.md", "Leaky.md"])
def test_no_private_trace(view: PublishedView, query: str, this: str) -> None:
    rendered = run_block(query, view, this, PageHooks())
    assert rendered.error is None, rendered.error
    assert leaks(rendered.html, query) == []


@pytest.mark.parametrize("query", [q for q in QUERIES if "Secret Plans" in q or "Private" in q])
def test_a_private_note_is_a_missing_note(view: PublishedView, query: str) -> None:
    missing = query.replace("Secret Plans", "Nowhere Note").replace("Private", "Nowhere")
    private = run_block(query, view, "Dashboard.md", PageHooks())
    absent = run_block(missing, view, "Dashboard.md", PageHooks())
    # Whatever the query wrote itself may show (headers, link text); nothing else differs.
    assert private.html == absent.html.replace("Nowhere Note", "Secret Plans").replace(
        "Nowhere", "Private"
    )


@pytest.mark.parametrize(
    "expression",
    [
        "[[Secret Plans]].rating",
        "[[Secret Plans]].file",
        "[[Private/Diary]].file.name",
        "this.parent",
        "meta(this.parent)",
        "this.related",
        "this.file.frontmatter",
        "this.file.outlinks",
        "length([[League of Legends]].file.inlinks)",
    ],
)
def test_inline_queries_leave_no_trace(view: PublishedView, expression: str) -> None:
    rendered = run_inline(expression, view, "Leaky.md", PageHooks())
    assert rendered.error is None
    assert leaks(rendered.html, expression) == []


def test_counts_do_not_include_private_notes(view: PublishedView) -> None:
    from query_fixtures import cell_text

    from trellis.query import evaluate_query
    from trellis.query.text import DEFAULT_SETTINGS

    result = evaluate_query("TABLE length(rows) AS n GROUP BY type", view, None, DEFAULT_SETTINGS)
    counts = {cell_text(key): n for key, n in result.rows}
    # The private Diary is a moc and Secret Plans a game: neither is counted.
    assert counts == {"-": 3, "game": 3, "knowledge": 1, "moc": 1, "recipe": 1, "summary": 1}


def test_inlinks_ignore_private_notes(view: PublishedView) -> None:
    rendered = run_inline(
        "length([[League of Legends]].file.inlinks)", view, "Dashboard.md", PageHooks()
    )
    assert (
        rendered.html == '<span class="dataview dataview-inline-query">2</span>'
    )  # Dashboard and Stardew Valley, not Secret Plans


def test_the_view_holds_only_published_notes(view: PublishedView) -> None:
    assert not leaks(" ".join(view.paths))
