"""Obsidian callouts, checked on notes built through the real pipeline.

Expected behaviour comes from Obsidian's help vault (Callouts.md: types, aliases, default
titles, folding, nesting), the DOM Obsidian writes (mdformat-obsidian's render fixtures) and
CommonMark's blockquote rules (lazy lines, nesting), which Obsidian follows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import PUBLISHED, build_vault, published, render_note
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborNode

from trellis.markdown.parser import create_markdown, parse_note
from trellis.markdown.plugins.callouts import callouts_plugin, parse_header

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "callouts.css").read_text(encoding="utf-8")
ICONS = ROOT / "static" / "icons"

# Obsidian's types and aliases -> (Lucide icon, colour variable, light rgb, dark rgb).
BLUE = ("8, 109, 221", "2, 122, 255")
CYAN = ("0, 191, 188", "83, 223, 221")
GREEN = ("8, 185, 78", "68, 207, 110")
ORANGE = ("236, 117, 0", "233, 151, 63")
RED = ("233, 49, 71", "251, 70, 76")
PURPLE = ("120, 82, 238", "168, 130, 255")
GRAY = ("158, 158, 158", "158, 158, 158")
TYPES: dict[str, tuple[str, tuple[str, str]]] = {
    "note": ("pencil", BLUE),
    "abstract": ("clipboard-list", CYAN),
    "summary": ("clipboard-list", CYAN),
    "tldr": ("clipboard-list", CYAN),
    "info": ("info", BLUE),
    "todo": ("circle-check", BLUE),
    "tip": ("flame", CYAN),
    "hint": ("flame", CYAN),
    "important": ("flame", CYAN),
    "success": ("check", GREEN),
    "check": ("check", GREEN),
    "done": ("check", GREEN),
    "question": ("circle-question-mark", ORANGE),
    "help": ("circle-question-mark", ORANGE),
    "faq": ("circle-question-mark", ORANGE),
    "warning": ("triangle-alert", ORANGE),
    "caution": ("triangle-alert", ORANGE),
    "attention": ("triangle-alert", ORANGE),
    "failure": ("x", RED),
    "fail": ("x", RED),
    "missing": ("x", RED),
    "danger": ("zap", RED),
    "error": ("zap", RED),
    "bug": ("bug", RED),
    "example": ("list", PURPLE),
    "quote": ("quote", GRAY),
    "cite": ("quote", GRAY),
}


# --- helpers ---------------------------------------------------------------------------------


def children(node: LexborNode) -> list[LexborNode]:
    return list(node.iter())


def child(node: LexborNode, css_class: str) -> LexborNode | None:
    """The direct child of `node` with `css_class` (selectolax has no `:scope >`)."""
    for element in node.iter():
        if css_class in (element.attributes.get("class") or "").split():
            return element
    return None


def title_of(callout: LexborNode) -> str:
    title = child(callout, "callout-title")
    assert title is not None
    inner = child(title, "callout-title-inner")
    assert inner is not None
    return inner.text()


def content_of(callout: LexborNode) -> LexborNode:
    content = child(callout, "callout-content")
    assert content is not None, callout.html
    return content


def only_callout(body: LexborNode) -> LexborNode:
    found = body.css(".callout")
    assert len(found) == 1, body.html
    return found[0]


def depth(node: LexborNode) -> int:
    """How many callouts enclose `node`, itself included."""
    count = 0
    current: LexborNode | None = node
    while current is not None:
        if "callout" in (current.attributes.get("class") or "").split():
            count += 1
        current = current.parent
    return count


def css_declarations(selector: str, css: str = CSS) -> dict[str, str]:
    """Declarations of the top-level rules whose selector list names `selector` exactly."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        if selector not in [s.strip() for s in selectors.split(",")]:
            continue
        for declaration in body.split(";"):
            name, colon, value = declaration.partition(":")
            if colon:
                found[name.strip()] = value.strip()
    return found


def resolve(value: str, scope: dict[str, str]) -> str:
    """Follow `var(--x)` through `scope` to a literal value."""
    while (match := re.fullmatch(r"var\((--[\w-]+)\)", value)) is not None:
        value = scope[match.group(1)]
    return value


# --- types, aliases, icons and colours -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_type_and_alias_renders_with_its_type_and_default_title(tmp_path, name):
    callout = only_callout(render_note(tmp_path, f"> [!{name}]\n> Lorem ipsum\n"))
    assert callout.attributes["data-callout"] == name
    assert title_of(callout) == name.capitalize()
    assert content_of(callout).text().strip() == "Lorem ipsum"


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_type_and_alias_gets_obsidians_icon_and_colours(name):
    icon, (light, dark) = TYPES[name]
    rule = css_declarations(f'.callout[data-callout="{name}"]')
    if name == "note":  # note is Obsidian's default look: no rule of its own
        assert rule == {}
        rule = css_declarations(".callout")
    assert rule["--callout-icon-image"] == f'url("icons/{icon}.svg")'
    assert (ICONS / f"{icon}.svg").read_text(encoding="utf-8").lstrip().startswith("<!--")
    root = css_declarations(":root")
    assert resolve(rule["--callout-color"], root) == light
    for dark_selector in (':root[data-theme="dark"]', ':root:not([data-theme="light"])'):
        dark_scope = {**root, **css_declarations(dark_selector)}
        assert resolve(rule["--callout-color"], dark_scope) == dark


@pytest.mark.parametrize(
    "name", ["metadata", "multi-column", "ava", "quote-with-source", "oppgave"]
)
def test_unknown_types_keep_their_name_and_the_default_look(tmp_path, name):
    callout = only_callout(render_note(tmp_path, f"> [!{name}]\n> text\n"))
    assert callout.attributes["data-callout"] == name
    assert title_of(callout) == name.capitalize()  # "Multi-column", as Obsidian shows it
    assert css_declarations(f'.callout[data-callout="{name}"]') == {}
    assert css_declarations(".callout")["--callout-icon-image"] == 'url("icons/pencil.svg")'


def test_icons_ship_with_lucides_licence():
    licence = (ICONS / "LICENSE").read_text(encoding="utf-8")
    assert "ISC License" in licence and "Lucide" in licence
    used = set(re.findall(r'url\("icons/([\w-]+\.svg)"\)', CSS))
    assert len(used) == 14  # 13 callout icons and the fold chevron
    assert all((ICONS / name).is_file() for name in used)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [("[!WARNING]", "warning"), ("[!Tip]", "tip"), ("[!nOtE]", "note"), ("[!FAQ]-", "faq")],
)
def test_types_are_case_insensitive(tmp_path, marker, expected):
    callout = only_callout(render_note(tmp_path, f"> {marker}\n> body\n"))
    assert callout.attributes["data-callout"] == expected
    assert title_of(callout) == expected.capitalize()


# --- the DOM ---------------------------------------------------------------------------------


def test_plain_callout_html_is_obsidians_dom():
    """Obsidian's help example; DOM as in mdformat-obsidian's render fixture, plus the icon."""
    md = MarkdownIt("commonmark").use(callouts_plugin)
    html = md.render("> [!tip] Callouts can have custom titles\n> Like this one.\n")
    assert html == (
        '<div class="callout" data-callout="tip">\n'
        '<div class="callout-title"><span class="callout-icon" aria-hidden="true"></span>'
        '<span class="callout-title-inner">Callouts can have custom titles</span></div>\n'
        '<div class="callout-content">\n<p>Like this one.</p>\n</div>\n</div>\n'
    )


def test_folded_callout_html_is_a_closed_details():
    md = MarkdownIt("commonmark").use(callouts_plugin)
    html = md.render("> [!faq]- Are callouts foldable?\n> Yes!\n")
    assert html == (
        '<details class="callout is-collapsible is-collapsed" data-callout="faq"'
        ' data-callout-fold="-">\n'
        '<summary class="callout-title"><span class="callout-icon" aria-hidden="true"></span>'
        '<span class="callout-title-inner">Are callouts foldable?</span>'
        '<span class="callout-fold" aria-hidden="true"></span></summary>\n'
        '<div class="callout-content">\n<p>Yes!</p>\n</div>\n</details>\n'
    )


def test_callout_in_a_tight_list_starts_its_own_line_like_a_blockquote():
    md = MarkdownIt("commonmark").use(callouts_plugin)
    html = md.render("- a\n  > [!tip] T\n- b\n")
    assert html.startswith('<ul>\n<li>a\n<div class="callout" data-callout="tip">\n')


@pytest.mark.parametrize(
    "source",
    [
        "> [!note] T\n> text\n> > [!tip]- U\n> > - x\n> > > [!bug]\n\nafter",
        "- > [!note]\n  > 2. two\n  >     code\n  > > quote",
    ],
)
def test_token_levels_and_maps_stay_consistent(source):
    """Other rules rely on `level` matching the nesting and on `map` giving source lines."""
    md = MarkdownIt("commonmark").use(callouts_plugin)
    level = 0
    lines = source.split("\n")
    for token in md.parse(source):
        if token.nesting == -1:
            level -= 1
        assert token.level == level, token
        if token.nesting == 1:
            level += 1
        if token.type == "inline" and token.content:
            assert token.map is not None
            first = token.content.split("\n")[0].strip()
            assert first in lines[token.map[0]], (token.content, token.map)
    assert level == 0


@pytest.mark.parametrize(
    ("sign", "tag", "classes", "is_open"),
    [
        ("-", "details", "callout is-collapsible is-collapsed", False),
        ("+", "details", "callout is-collapsible", True),
        ("", "div", "callout", False),
    ],
)
def test_fold_sign_chooses_details_or_div(tmp_path, sign, tag, classes, is_open):
    callout = only_callout(render_note(tmp_path, f"> [!faq]{sign} Foldable?\n> Yes.\n"))
    assert callout.tag == tag
    assert callout.attributes["class"] == classes
    assert ("open" in callout.attributes) is is_open
    assert callout.attributes.get("data-callout-fold") == (sign or None)
    title = child(callout, "callout-title")
    assert title is not None and title.tag == ("summary" if sign else "div")
    assert children(callout)[0] is not None and children(callout)[0].tag == title.tag
    assert (child(title, "callout-fold") is not None) is bool(sign)
    assert title_of(callout) == "Foldable?"
    assert content_of(callout).text().strip() == "Yes."


def test_title_holds_icon_then_text(tmp_path):
    callout = only_callout(render_note(tmp_path, "> [!info] Here\n> body\n"))
    title = child(callout, "callout-title")
    assert title is not None
    parts = [(c.tag, c.attributes.get("class")) for c in children(title)]
    assert parts == [("span", "callout-icon"), ("span", "callout-title-inner")]
    assert children(title)[0].attributes.get("aria-hidden") == "true"
    assert children(title)[0].text() == ""


@pytest.mark.parametrize(
    ("first_line", "kind", "metadata", "fold", "title"),
    [
        ("[!info|left] Left aligned", "info", "left", None, "Left aligned"),
        ("[!INFO | inline end] Spaced", "info", "inline end", None, "Spaced"),
        ("[!note|wide|dark]- Two", "note", "wide|dark", "-", "Two"),
        ("[!multi-column|2]+", "multi-column", "2", "+", "Multi-column"),
        ("[!|noicon]", "", "noicon", None, ""),
        ("[!tip|]", "tip", None, None, "Tip"),
    ],
)
def test_metadata_after_a_bar(tmp_path, first_line, kind, metadata, fold, title):
    callout = only_callout(render_note(tmp_path, f"> {first_line}\n> body\n"))
    assert callout.attributes["data-callout"] == kind
    assert callout.attributes.get("data-callout-metadata") == metadata
    assert callout.attributes.get("data-callout-fold") == fold
    assert title_of(callout) == title


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[!note]", ("note", "", None, "")),
        ("[!note]- Title  ", ("note", "-", None, "Title")),
        ("[!note]No whitespace", ("note", "", None, "No whitespace")),
        ("[!note] - not a fold", ("note", "", None, "- not a fold")),
        ("[! Note |x]+\tT", ("note", "+", "x", "T")),
        ("[!]", None),
        ("[! ]", None),
        ("text [!note]", None),
        ("\\[!note]", None),
        ("[note]", None),
    ],
)
def test_parse_header(line, expected):
    header = parse_header(line)
    if expected is None:
        assert header is None
    else:
        assert header is not None
        assert (header.type, header.fold, header.metadata, header.title) == expected


def test_attribute_values_are_escaped(tmp_path):
    body = render_note(tmp_path, '> [!x" onclick="alert(1)] T\n> body\n')
    callout = only_callout(body)
    assert callout.attributes["data-callout"] == 'x" onclick="alert(1)'
    assert "onclick" not in callout.attributes


# --- titles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "selector", "text"),
    [
        ("With **bold** text", "strong", "bold"),
        ("With *emphasis*", "em", "emphasis"),
        ("With `code` span", "code", "code"),
        ("See [[Other]]", "a.internal-link", "Other"),
        ("See [[Other|the other one]]", "a.internal-link", "the other one"),
        ("See [site](https://example.com)", "a[href='https://example.com']", "site"),
        ("~~gone~~", "s", "gone"),
    ],
)
def test_titles_hold_inline_markdown(tmp_path, title, selector, text):
    body = render_note(tmp_path, f"> [!note] {title}\n> body\n", {"Other.md": published("x")})
    callout = only_callout(body)
    title_node = child(callout, "callout-title")
    assert title_node is not None
    found = title_node.css_first(selector)
    assert found is not None, title_node.html
    assert found.text() == text
    assert content_of(callout).css_first(selector) is None


def test_wikilink_in_title_points_at_the_note(tmp_path):
    body = render_note(tmp_path, "> [!tip]- Read [[Other]]\n> x\n", {"Other.md": published("x")})
    link = body.css_first("summary.callout-title a.internal-link")
    assert link is not None and link.attributes["href"] == "/other/"


@pytest.mark.parametrize(
    ("source", "title"),
    [
        ("> [!INFO] > in title", "> in title"),
        ("> [!NOTE] > [!WARNING]", "> [!WARNING]"),
        (">[!NOTE]No whitespace", "No whitespace"),
        ("  >    [!NOTE] Excess whitespace", "Excess whitespace"),
        (
            "> [!example]  You can even use multiple layers of nesting.",
            "You can even use multiple layers of nesting.",
        ),
        ("> [!_for_blockid] &nbsp;", "\xa0"),
        ("> [!tip] 5 < 6 & 7 > 2", "5 < 6 & 7 > 2"),
    ],
)
def test_title_edge_cases(tmp_path, source, title):
    callout = only_callout(render_note(tmp_path, source + "\n> body\n"))
    assert title_of(callout) == title
    assert content_of(callout).text().strip() == "body"


def test_default_title_is_text_not_markdown(tmp_path):
    callout = only_callout(render_note(tmp_path, "> [!*x*]\n"))
    assert title_of(callout) == "*x*"
    assert callout.css_first("em") is None


# --- not callouts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "> A quote.\n> Two lines.",
        "> Text before [!note] the marker",
        "> \\[!note] escaped",
        "> `[!note]` in code",
        ">\n> [!note] after an empty first line",
        "> [[Other]] in a block\n> [Link](https://example.com)",
        "> # [!note] a heading",
        "> [!] empty type",
    ],
)
def test_blockquotes_that_are_not_callouts_stay_blockquotes(tmp_path, source):
    body = render_note(tmp_path, source + "\n", {"Other.md": published("x")})
    assert body.css(".callout") == []
    assert body.css_first("blockquote") is not None


def test_marker_outside_a_blockquote_is_text(tmp_path):
    body = render_note(tmp_path, "[!note] Not a callout\n")
    assert body.css(".callout") == []
    assert body.css_first("p").text() == "[!note] Not a callout"


# --- empty and title-only --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "title"),
    [
        ("> [!tip] Title-only callout", "Title-only callout"),
        ("> [!info]", "Info"),
        ("> [!faq]-", "Faq"),
        ("> [!info]\n>", "Info"),
    ],
)
def test_callouts_without_a_body_have_no_content_element(tmp_path, source, title):
    callout = only_callout(render_note(tmp_path, source + "\n"))
    assert title_of(callout) == title
    assert child(callout, "callout-content") is None
    assert len(children(callout)) == 1


# --- nesting ---------------------------------------------------------------------------------


def test_three_levels_as_in_obsidians_help(tmp_path):
    body = render_note(
        tmp_path,
        """\
        > [!question] Can callouts be nested?
        > > [!todo] Yes!, they can.
        > > > [!example]  You can even use multiple layers of nesting.
        """,
    )
    question, todo, example = body.css(".callout")
    assert [c.attributes["data-callout"] for c in (question, todo, example)] == [
        "question",
        "todo",
        "example",
    ]
    assert todo.parent is not None and todo.parent.attributes["class"] == "callout-content"
    outer = todo.parent.parent
    assert outer is not None and outer.attributes["data-callout"] == "question"
    assert depth(example) == 3
    assert title_of(example) == "You can even use multiple layers of nesting."
    assert child(example, "callout-content") is None


def test_five_levels_each_with_text_and_folds(tmp_path):
    lines = []
    for level in range(1, 6):
        prefix = "> " * level
        fold = "-" if level % 2 else "+"
        lines += [f"{prefix}[!note]{fold} Level {level}", f"{prefix}Text {level}"]
    body = render_note(tmp_path, "\n".join(lines) + "\n")
    found = body.css(".callout")
    assert len(found) == 5
    for level, callout in enumerate(found, start=1):
        assert depth(callout) == level
        assert title_of(callout) == f"Level {level}"
        assert callout.tag == "details"
        assert ("open" in callout.attributes) is (level % 2 == 0)
        first = children(content_of(callout))[0]
        assert first.tag == "p" and first.text() == f"Text {level}"


def test_text_after_a_nested_callout_returns_to_the_outer_one(tmp_path):
    body = render_note(
        tmp_path,
        """\
        > [!note] Outer
        > > [!warning] Inner
        > > inner text
        >
        > outer text
        """,
    )
    outer, inner = body.css(".callout")
    assert [c.tag for c in children(content_of(outer))] == ["div", "p"]
    assert children(content_of(outer))[1].text() == "outer text"
    assert content_of(inner).text().strip() == "inner text"


def test_quote_inside_a_callout_and_callout_inside_a_quote(tmp_path):
    body = render_note(
        tmp_path,
        """\
        > [!note] Has a quote
        > > just quoted

        > > [!tip] Quoted callout
        > > tip text
        """,
    )
    note, tip = body.css(".callout")
    quote = content_of(note).css_first("blockquote")
    assert quote is not None and quote.text().strip() == "just quoted"
    assert tip.parent is not None and tip.parent.tag == "blockquote"
    assert depth(tip) == 1


def test_lazy_line_belongs_to_the_innermost_open_paragraph(tmp_path):
    """CommonMark laziness: `> Text in 1st` continues the third level's paragraph."""
    body = render_note(
        tmp_path,
        """\
        > [!TIP]
        > > [!WARNING]
        > > > [!TIP]
        > > > Text in 3rd
        > Text in 1st
        """,
    )
    third = body.css(".callout")[2]
    assert content_of(third).text().split() == ["Text", "in", "3rd", "Text", "in", "1st"]


# --- first line and lazy continuation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "title", "content_text"),
    [
        ("> [!note] Title\nlazy line", "Title", "lazy line"),
        ("> [!note]\nlazy line", "Note", "lazy line"),
        ("> [!note] Title\n> first\nlazy second", "Title", "first\nlazy second"),
        ("> [!|noicon]  \nAmit ír:", "", "Amit ír:"),
        (
            ">[!oppgave]\n>a) Lag to passende grafiske framstillinger",
            "Oppgave",
            "a) Lag to passende grafiske framstillinger",
        ),
    ],
)
def test_first_line_is_the_title_and_lazy_lines_are_content(tmp_path, source, title, content_text):
    callout = only_callout(render_note(tmp_path, source + "\n"))
    assert title_of(callout) == title
    paragraph = content_of(callout).css_first("p")
    assert paragraph is not None and paragraph.text() == content_text


@pytest.mark.parametrize(
    ("source", "selector", "text"),
    [
        ("> [!note]\n> 2. second\n> 3. third", "ol[start='2'] > li", "second"),
        ("> [!note]\n>     indented code", "pre > code", "indented code\n"),
        ("> [!note] Breakless\n> - one\n> - two", "ul > li", "one"),
        ("> [!note]\n> ## Heading in a callout", "h2", "Heading in a callout"),
        ("> [!note] T\n> text\n> ***\n> more", "hr", ""),
    ],
)
def test_lines_after_the_title_are_blocks_of_their_own(tmp_path, source, selector, text):
    """Obsidian renders the callout's body as Markdown without the first line."""
    callout = only_callout(render_note(tmp_path, source + "\n"))
    found = content_of(callout).css_first(selector)
    assert found is not None, callout.html
    assert found.text() == text


# --- content ---------------------------------------------------------------------------------


def test_code_block_and_table_in_a_callout(tmp_path):
    body = render_note(
        tmp_path,
        """\
        > [!tip] Code and a table
        > You can include code:
        >
        > ```python
        > def hello():
        >     print("world")
        > ```
        > | a | b |
        > |---|---|
        > | 1 | 2 |
        """,
    )
    content = content_of(only_callout(body))
    assert [c.tag for c in children(content)] == ["p", "pre", "table"]
    code = content.css_first("pre > code")
    assert code is not None and code.text() == 'def hello():\n    print("world")\n'
    assert [td.text() for td in content.css("td")] == ["1", "2"]


def test_table_right_after_the_title_line(tmp_path):
    body = render_note(tmp_path, "> [!info] T\n> | x | y |\n> | - | - |\n> | 1 | 2 |\n")
    content = content_of(only_callout(body))
    assert [c.tag for c in children(content)] == ["table"]


def test_lists_inside_callouts(tmp_path):
    body = render_note(
        tmp_path,
        """\
        > [!note] Lists work too
        > - Item 1
        > - Item 2
        >   - Nested item
        > - Item 3
        """,
    )
    content = content_of(only_callout(body))
    items = content.css("ul > li")
    assert [i.text().split("\n")[0] for i in items] == ["Item 1", "Item 2", "Nested item", "Item 3"]


@pytest.mark.parametrize(
    "source",
    [
        "- item\n  > [!tip] In a list\n  > tip body\n- next",
        "- > [!tip] In a list\n  > tip body\n- next",
        "1. item\n\n   > [!tip]- In a list\n   > tip body\n2. next",
    ],
)
def test_callouts_inside_list_items(tmp_path, source):
    body = render_note(tmp_path, source + "\n")
    callout = only_callout(body)
    assert callout.parent is not None and callout.parent.tag == "li"
    assert title_of(callout) == "In a list"
    assert content_of(callout).text().strip() == "tip body"
    assert [li.text().strip() for li in body.css("li")][-1] == "next"


def test_block_id_after_a_callout_names_the_callout(tmp_path):
    body = render_note(tmp_path, "> [!note] T\n> body\n\n^my-callout\n\n[[#^my-callout]]\n")
    callout = only_callout(body)
    assert callout.attributes["id"] == "^my-callout"
    assert "callout" in callout.attributes["class"].split()
    link = body.css_first("a.internal-link")
    assert link is not None and link.attributes["href"].endswith("#^my-callout")


# --- embeds and links inside callouts --------------------------------------------------------


def test_embed_inside_a_folded_callout_stays_inside(tmp_path):
    body = render_note(
        tmp_path,
        "> [!note]- Folded\n> See [[Other]].\n> ![[Other]]\n\nAfter the callout.\n",
        {"Other.md": published("Embedded words.")},
    )
    callout = only_callout(body)
    embed = content_of(callout).css_first(".markdown-embed")
    assert embed is not None and "Embedded words." in embed.text()
    link = content_of(callout).css_first("a.internal-link")
    assert link is not None and link.attributes["href"] == "/other/"
    assert len(body.css(".markdown-embed")) == 1
    last = children(body)[-1]
    assert last.tag == "p" and last.text() == "After the callout."


def test_embed_alone_in_a_callout_replaces_the_paragraph(tmp_path):
    body = render_note(tmp_path, "> [!quote]-\n> ![[Other]]\n", {"Other.md": published("Words.")})
    content = content_of(only_callout(body))
    assert [c.attributes.get("class") for c in children(content)] == [
        "internal-embed markdown-embed"
    ]


def test_embed_of_an_unpublished_note_in_a_callout_reveals_nothing(tmp_path):
    body = render_note(
        tmp_path, "> [!info]+ Private\n> ![[Secret]]\n", {"Secret.md": "Secret words.\n"}
    )
    callout = only_callout(body)
    assert "Secret words" not in callout.html
    assert content_of(callout).css_first(".markdown-embed.is-unresolved") is not None


def test_link_lines_inside_callouts_are_the_file_lines():
    class Hooks:
        def resolve_link(self, target, env):
            return None

        def resolve_file(self, path, env, embed):
            return None

        def embed_note(self, target, env):
            return ""

        def tag_href(self, tag):
            return "/tags/"

    md = create_markdown(Hooks())
    body = "Intro\n\n> [!note] Title [[A]]\n> text [[B]]\n> > [!tip]- [[C]]\n> > ![[D]]\n"
    content = parse_note(md, body, line_offset=3)
    assert [(link.target, link.line) for link in content.links] == [
        ("A", 6),
        ("B", 7),
        ("C", 8),
        ("D", 9),
    ]


# --- line endings ----------------------------------------------------------------------------


def test_crlf_note_still_makes_callouts(tmp_path):
    text = PUBLISHED + "> [!warning]- Careful\n> Body line\n> > [!tip] Inner\n> > inner\n"
    site = build_vault(tmp_path, {"Test.md": text.replace("\n", "\r\n").encode("utf-8")})
    note = next(n for n in site.result.site.notes if n.rel_path == "Test.md")
    body = site.body(note.url)
    warning, tip = body.css(".callout")
    assert warning.attributes["data-callout"] == "warning" and warning.tag == "details"
    assert title_of(warning) == "Careful"
    assert title_of(tip) == "Inner"
    assert "\r" not in body.html
