"""Dataview inline fields: full-line `key:: value`, `[key:: value]` and `(key:: value)`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import PUBLISHED, build_vault, inner_html, published, render_note
from selectolax.lexbor import LexborNode

OTHERS = {"Index.md": published("Index"), "Other.md": published("Other")}


def _fields(body: LexborNode) -> list[tuple[str, str]]:
    """(data-key, value text) of each field, in order."""
    found = []
    for field in body.css(".inline-field"):
        value = field.css_first(".inline-field-value")
        assert value is not None, field.html
        found.append((field.attributes["data-key"] or "", value.text(deep=True)))
    return found


def test_full_line_field_markup(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Reviewed Date:: 2024-01-02")
    assert inner_html(body.css_first("p")) == (
        '<span class="inline-field" data-key="Reviewed Date">'
        '<span class="inline-field-key">Reviewed Date: </span>'
        '<span class="inline-field-value">2024-01-02</span></span>'
    )


def test_bracketed_field_markup_mid_sentence(tmp_path: Path) -> None:
    body = render_note(tmp_path, "I rate it [rating:: 9/10] overall.")
    assert inner_html(body.css_first("p")) == (
        'I rate it <span class="inline-field" data-key="rating">'
        '<span class="inline-field-key">rating: </span>'
        '<span class="inline-field-value">9/10</span></span> overall.'
    )


@pytest.mark.parametrize(
    ("source", "text"),
    [
        pytest.param("year:: seedling", "year: seedling", id="full-line"),
        pytest.param("Planted [year:: 2024] here.", "Planted year: 2024 here.", id="bracketed"),
        pytest.param("**Status**:: *growing* well", "Status: growing well", id="formatted"),
        pytest.param("Seen (where:: Berlin).", "Seen Berlin.", id="hidden-key"),
    ],
)
def test_key_and_value_are_separate_words_of_the_text(
    tmp_path: Path, source: str, text: str
) -> None:
    """Search, feeds and copy-paste read the HTML's text, not the CSS: `yearseedling` would
    be one word there. The `: ` is real text (the key's pill looks as it did)."""
    body = render_note(tmp_path, source)
    assert body.css_first("p").text(deep=True) == text


def test_parenthesised_field_shows_only_its_value(tmp_path: Path) -> None:
    body = render_note(tmp_path, "Recorded (where:: Berlin) last year.")
    field = body.css_first(".inline-field")
    assert field.attributes["class"] == "inline-field inline-field-hidden-key"
    assert field.attributes["data-key"] == "where"
    assert field.css(".inline-field-key") == []
    assert body.css_first("p").text(deep=True) == "Recorded Berlin last year."


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        pytest.param("**type**:: #📥/🎙", [("type", "#📥/🎙")], id="bold-key-tag-value"),
        pytest.param("__Author__:: Jane", [("Author", "Jane")], id="underscore-bold-key"),
        pytest.param("*Show*:: The Show", [("Show", "The Show")], id="italic-key"),
        pytest.param("- Episode title:: Foo", [("Episode title", "Foo")], id="list-item"),
        pytest.param(
            "- Show:: The Show\n- Host:: Ann\n  - Guest:: Bob",
            [("Show", "The Show"), ("Host", "Ann"), ("Guest", "Bob")],
            id="nested-list",
        ),
        pytest.param(
            "Reviewed Date:: 2024-01-02\n**up**:: [[Index]]\n**tags**:: #a, #b",
            [("Reviewed Date", "2024-01-02"), ("up", "Index"), ("tags", "#a, #b")],
            id="lines-of-one-paragraph",
        ),
        pytest.param("📅 Date:: today", [("📅 Date", "today")], id="emoji-key"),
        pytest.param("Empty::", [("Empty", "")], id="empty-value"),
        pytest.param("Time:: 10:30", [("Time", "10:30")], id="colon-in-value"),
        pytest.param("key:: sub:: x", [("key", "sub:: x")], id="separator-in-value"),
        pytest.param("> Quote key:: v", [("Quote key", "v")], id="in-a-quote"),
        pytest.param("## Status:: done", [("Status", "done")], id="in-a-heading"),
        pytest.param(
            "A [k1:: one] and [k2:: two] and (k3:: three)",
            [("k1", "one"), ("k2", "two"), ("k3", "three")],
            id="several-in-a-line",
        ),
        pytest.param("[up:: [[Index]]]", [("up", "Index")], id="nested-brackets"),
        pytest.param(r"[k:: a \] b]", [("k", "a ] b")], id="escaped-bracket"),
        pytest.param("Note:: see [a:: b]", [("a", "b")], id="bracketed-wins-over-full-line"),
        pytest.param(
            "- [ ] Call [due:: 2024-05-01]", [("due", "2024-05-01")], id="field-in-a-task"
        ),
        pytest.param("[**bold key**:: v]", [("bold key", "v")], id="bracketed-bold-key"),
    ],
)
def test_fields(tmp_path: Path, source: str, fields: list[tuple[str, str]]) -> None:
    assert _fields(render_note(tmp_path, source, OTHERS)) == fields


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("`key:: value`", id="code-span"),
        pytest.param("`[a:: b]` and `(c:: d)`", id="bracketed-in-code"),
        pytest.param("```\nkey:: value\n```", id="fenced-code"),
        pytest.param("Use std::vector here", id="no-space-after-separator"),
        pytest.param("See https://x.org/a::b", id="url"),
        pytest.param("text `a`:: b", id="key-with-code"),
        pytest.param("a.b:: c", id="punctuation-in-key"),
        pytest.param(":: nothing", id="no-key"),
        pytest.param("::: {.grid cols=2}", id="fenced-div-marker"),
        pytest.param("[a]:: b", id="brackets-in-key"),
        pytest.param("[k:: unclosed", id="unclosed-bracket"),
        pytest.param("[k::\nv]", id="bracket-across-lines"),
        pytest.param("- [ ] Task:: not a field", id="task-line"),
        pytest.param("%%hidden:: x%%", id="in-a-comment"),
    ],
)
def test_not_fields(tmp_path: Path, source: str) -> None:
    body = render_note(tmp_path, source)
    assert body.css(".inline-field") == []


@pytest.mark.parametrize(
    ("source", "selector"),
    [
        ("**up**:: [[Index]]", '.inline-field-value a.internal-link[href="/index/"]'),
        ("[source:: [site](https://x.org)]", '.inline-field-value a[href="https://x.org"]'),
        ("(link:: https://x.org)", '.inline-field-value a[href="https://x.org"]'),
        ("**tags**:: #a, #b/c", '.inline-field-value a.tag[data-tag="b/c"]'),
        ("[mood:: *calm* ==very==]", ".inline-field-value em + mark"),
        ("Code:: `x = 1`", ".inline-field-value code"),
        ("Cover:: ![cover](https://x.org/a.png)", ".inline-field-value img"),
    ],
)
def test_values_are_markdown(tmp_path: Path, source: str, selector: str) -> None:
    body = render_note(tmp_path, source, OTHERS)
    assert body.css_first(selector) is not None, inner_html(body)


def test_text_after_a_field_stays_outside_it(tmp_path: Path) -> None:
    body = render_note(tmp_path, "(k:: v) then *emphasis* [[Other]]", OTHERS)
    field = body.css_first(".inline-field")
    assert field.text(deep=True) == "v"
    assert body.css_first("p > em").text() == "emphasis"
    assert body.css_first("p > a.internal-link") is not None


def test_fields_links_and_tags_are_recorded(tmp_path: Path) -> None:
    body = """\
        **up**:: [[Index]]
        **tags**:: #podcast, #📥/🎙
        - Episode title:: The *first* one
        Text [rating:: 5] and (hidden:: x).
        `[code:: no]`
        """
    site = build_vault(tmp_path, {"Test.md": PUBLISHED + textwrap.dedent(body), **OTHERS})
    assert site.result.site is not None
    note = next(n for n in site.result.site.notes if n.rel_path == "Test.md")
    assert note.content.env["inline_fields"] == [
        ("up", "[[Index]]"),
        ("tags", "#podcast, #📥/🎙"),
        ("Episode title", "The *first* one"),
        ("rating", "5"),
        ("hidden", "x"),
    ]
    assert note.content.env["inline_fields"][0].key == "up"
    assert [link.target for link in note.content.links] == ["Index"]
    assert note.content.tags == ["podcast", "📥/🎙"]
