"""Property tests: random Obsidian Markdown and random small vaults through the real build.

Each example is written as a vault and built with `trellis.pipeline.build` (about 60 ms), so
the vault reader, the privacy boundary, every Markdown plugin, the sanitiser and the
templates are all on the path. Budgets are fixed so the module runs in well under a minute
on two cores; `HYPOTHESIS_PROFILE=trellis-thorough` runs ten times as many examples and
`trellis-ci` derandomises (same examples every run). Any profile registered elsewhere can
be named too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import write_vault
from hostile_vault import marker_hits, structure_problems, unsafe_html
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from trellis.diagnostics import Diagnostics
from trellis.pipeline import build
from trellis.vault.frontmatter import split_frontmatter
from trellis.vault.scan import decode_note

settings.register_profile(
    "trellis-thorough", max_examples=1000, deadline=None, print_blob=True, derandomize=False
)
settings.register_profile("trellis-ci", derandomize=True, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
    # A chosen profile decides about shrinking too.
    PHASES = tuple(settings.default.phases)
else:
    # A whole build per example makes shrinking slow (minutes for one failure): report the
    # failing example as found; `HYPOTHESIS_PROFILE=trellis-thorough` shrinks it.
    PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
# Hypothesis' own default is 100 examples; a profile with more scales every budget here.
_SCALE = settings.default.max_examples / 100


def budget(examples: int) -> int:
    return max(1, round(examples * _SCALE))


SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

# -- Obsidian Markdown, one fragment at a time --------------------------------------------------

TARGETS = ["Alpha", "alpha", "Beta", "Folder/Gamma", "Gamma", "Fuzz", "Secret", "Nowhere", ""]
FILES = ["pic.png", "doc.pdf", "song.mp3", "Folder/clip.mp4", "missing.png", "a b.png"]
SUBPATHS = ["", "#Heading", "#Sub Heading", "#Heading#Sub Heading", "#^block1", "#^nope", "#"]
ALIASES = ["", "|alias text", "|200", "|100x50", "\\|escaped alias", "|", "|[[x]]"]
HTML = [
    "<b>",
    "</b>",
    "<div>",
    "</div>",
    '<span class="x">',
    "</span>",
    "<details><summary>s</summary>",
    "</details>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!--",
    "-->",
    "<br>",
    "<a href='javascript:alert(1)'>",
    "</a>",
    "<svg onload=alert(1)>",
    "<style>p{}</style>",
    "<iframe src=javascript:alert(1)>",
    "<mark>",
    "<table><tr><td>",
    "</p>",
    "<p>",
    "<math><mi>x</mi></math>",
]
# Private-use characters marking where a list block starts and ends while a note is put together.
LIST_MARK, LIST_END = "\ue000", "\ue001"
SYMBOLS = ["\\|", "|", "\\", "`", "*", "_", "[", "]", "!", "#", "==", "$", "%%", "^", "~~", "::"]


def _text(allow_html: bool) -> st.SearchStrategy[str]:
    """Random Unicode (controls and CR included); without `<` when raw HTML is not wanted.

    NUL is left out: a short note full of NULs is rightly refused as binary (the hostile
    vault and `test_any_bytes_decode_or_are_refused_as_binary` cover NUL bytes).
    """
    excluded = ("\x00" if allow_html else "\x00<") + LIST_MARK + LIST_END
    return st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters=excluded),
        max_size=20,
    )


def _inline(allow_html: bool, note_embeds: bool = True) -> st.SearchStrategy[str]:
    text = _text(allow_html)
    target = st.one_of(st.sampled_from(TARGETS), text)
    wiki = st.builds(
        lambda bang, t, sub, alias: f"{bang}[[{t}{sub}{alias}]]",
        st.sampled_from(["", "!"] if note_embeds else [""]),
        st.one_of(target, st.sampled_from(FILES)),
        st.sampled_from(SUBPATHS),
        st.sampled_from(ALIASES),
    )
    media = st.builds(
        lambda f, sub: f"![[{f}{sub}]]", st.sampled_from(FILES), st.sampled_from(ALIASES)
    )
    markdown_link = st.builds(
        lambda label, t, sub: f"[{label}]({quote(t)}.md{quote(sub)})",
        text,
        st.sampled_from(TARGETS),
        st.sampled_from(SUBPATHS),
    )
    fixed = st.sampled_from(
        [
            "[x](https://example.org/a?b=c#d)",
            "<https://example.org>",
            "www.example.org",
            "[x](javascript:alert(1))",
            "![img](pic.png)",
            "![img](a%20b.png)",
            "#tag",
            "#nested/tag",
            "#🌱",
            "#123",
            "#tag-with_dash",
            "==mark==",
            "%%hidden%%",
            "**bold**",
            "*it*",
            "~~del~~",
            "`code`",
            "$x^2<y$",
            "$$a$$",
            "[^1]",
            "^[inline note]",
            " ^block1",
            "key:: value",
            "[key:: value]",
            "(key:: v)",
            "&amp;",
            "&#0;",
            "&nosuch;",
        ]
    )
    parts = [text, wiki, media, markdown_link, fixed, st.sampled_from(SYMBOLS)]
    if allow_html:
        parts.append(st.sampled_from(HTML))
    fragment = st.one_of(*parts)
    return st.lists(fragment, max_size=6).map(" ".join)


def _block(allow_html: bool) -> st.SearchStrategy[str]:
    inline = _inline(allow_html)
    text = _text(allow_html)
    callout = st.builds(
        lambda depth, kind, fold, title, body: "\n".join(
            [
                "> " * depth + f"[!{kind}]{fold} {title}",
                "> " * depth + body,
            ]
        ),
        st.integers(1, 4),
        st.sampled_from(["note", "tip", "warning", "quote", "custom-type", "NOTE", ""]),
        st.sampled_from(["", "+", "-"]),
        inline,
        inline,
    )
    # A whole tight list (note embeds inside list items have their own test below).
    list_item = st.builds(
        lambda indent, bullet, body: "  " * indent + bullet + body,
        st.integers(0, 3),
        st.sampled_from(["- ", "* ", "1. ", "- [ ] ", "- [x] ", "- [N] ", "+ "]),
        _inline(allow_html, note_embeds=False),
    )
    tight_list = st.lists(list_item, min_size=1, max_size=4).map(
        lambda items: LIST_MARK + "\n".join(items)
    )
    table = st.builds(
        lambda head, cells: (
            f"| {head} | b |\n| --- | :-: |\n" + "".join(f"| {c} | x \\| y |\n" for c in cells)
        ),
        inline,
        st.lists(inline, max_size=3),
    )
    fence = st.builds(
        lambda marker, lang, body, closed: f"{marker}{lang}\n{body}\n" + (marker if closed else ""),
        st.sampled_from(["```", "~~~", "````"]),
        st.sampled_from(["", "python", "mermaid", "math", "dataview", "no-such-lang", "js"]),
        text,
        st.booleans(),
    )
    blocks = [
        inline,
        st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), inline),
        tight_list,
        inline.map(lambda t: "> " + t),
        callout,
        table,
        fence,
        text.map(lambda t: f"$$\n{t}\n$$"),
        st.sampled_from(["---", "***", "", "    indented code", "[^1]: a footnote", "==="]),
        inline.map(lambda t: t + " ^block1"),
        inline.map(lambda t: t + "\n==="),
    ]
    if allow_html:
        blocks.append(
            st.builds(
                lambda tag, t: f"<{tag}>\n\n{t}\n\n</{tag}>",
                st.sampled_from(["div", "details", "section", "table", "span"]),
                inline,
            )
        )
    return st.one_of(*blocks)


@st.composite
def obsidian_markdown(draw: st.DrawFn, allow_html: bool) -> str:
    blocks = draw(st.lists(_block(allow_html), max_size=10))
    joiner = draw(st.sampled_from(["\n", "\n\n"]))
    text = ""
    for block in blocks:
        if text:
            # After a list, a blank line: a paragraph right below would continue its last item.
            text += "\n\n" if text.endswith(LIST_END) else joiner
        if block.startswith(LIST_MARK):
            block = block.removeprefix(LIST_MARK) + LIST_END
        text += block
    text = text.replace(LIST_END, "")
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return text.replace("\n", newline)


# -- The vault every Markdown example is built in -----------------------------------------------

PUBLISHED = "---\ndg-publish: true\n---\n"
SECRET = "HOSTILE-PRIVATE-1"
FIXED_NOTES: dict[str, str | bytes] = {
    "Alpha.md": PUBLISHED + "# Heading\n## Sub Heading\ntext ^block1\n",
    "Beta.md": PUBLISHED + "beta embeds the fuzz note:\n\n![[Fuzz]]\n\n> ![[Fuzz#Heading]]\n",
    "Folder/Gamma.md": PUBLISHED + "> [!note]- Folded\n> ![[Alpha#Heading]]\n",
    "Secret.md": f"---\ndg-publish: false\ntitle: Title {SECRET}\ntags: [{SECRET}]\n---\n"
    f"# Heading\n## Sub Heading\nsecret {SECRET} ^block1\n",
    "pic.png": b"PNG",
    "a b.png": b"PNG2",
    "doc.pdf": b"%PDF",
    "song.mp3": b"ID3",
    "Folder/clip.mp4": b"MP4",
    f"Secret {SECRET}.png": f"bytes {SECRET}".encode(),
}


@dataclass
class Built:
    out: Path
    pages: dict[str, str]


def crashes(diagnostics: Diagnostics) -> list[str]:
    """Warnings that say a note could not be parsed or rendered (a plugin raised)."""
    return [str(d) for d in diagnostics.items if d.message.startswith("could not")]


def build_with_note(body: str, trust_html: bool) -> Built:
    """Build the fixed notes plus `Fuzz.md` (published, with `body`) in a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        files = {**FIXED_NOTES, "Fuzz.md": PUBLISHED.encode() + body.encode("utf-8")}
        vault = write_vault(root / "vault", files)
        out = root / "out"
        result = build(vault, out, {"trust_html": trust_html})
        # Trellis catches a crashing plugin and warns instead: for these tests it is a failure.
        assert not crashes(result.diagnostics)
        pages = {
            p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in out.rglob("*.html")
        }
        assert "fuzz/index.html" in pages and "beta/index.html" in pages
        assert not marker_hits(out)
        return Built(out, pages)


def _page_problems(built: Built, check: Callable[[str], list[str]]) -> dict[str, list[str]]:
    return {name: found[:5] for name, page in built.pages.items() if (found := check(page))}


@settings(max_examples=budget(50), deadline=None, suppress_health_check=SLOW, phases=PHASES)
@given(obsidian_markdown(allow_html=False))
def test_our_own_markup_is_well_formed(body: str) -> None:
    """With raw HTML trusted (so not cleaned up by nh3) and none written, every page Trellis
    makes from Obsidian syntax alone must be balanced, with no block inside a `<p>`."""
    built = build_with_note(body, trust_html=True)
    assert not _page_problems(built, structure_problems)
    assert not _page_problems(built, unsafe_html)


@settings(max_examples=budget(50), deadline=None, suppress_health_check=SLOW, phases=PHASES)
@given(obsidian_markdown(allow_html=True))
def test_raw_html_is_cleaned_into_well_formed_safe_pages(body: str) -> None:
    built = build_with_note(body, trust_html=False)
    assert not _page_problems(built, structure_problems)
    assert not _page_problems(built, unsafe_html)


@pytest.mark.parametrize("trust_html", [True, False], ids=["trusted", "sanitised"])
def test_embed_in_a_list_item_keeps_the_list_well_formed(trust_html: bool) -> None:
    """Found by `test_our_own_markup_is_well_formed`; kept as a plain example."""
    built = build_with_note("- item ![[Alpha#Heading]] after\n- two\n", trust_html)
    assert not structure_problems(built.pages["fuzz/index.html"])
    assert "<p></p>" not in built.pages["fuzz/index.html"]


# -- Random small vaults: no private marker may reach the output --------------------------------


@dataclass(frozen=True)
class NoteSpec:
    private: bool
    how_private: str  # how a private note says so
    folder: str
    tags: tuple[str, ...]


PRIVATE_HEADS = {
    "false": "---\ndg-publish: false\n{meta}---\n",
    "none": "",
    "string": '---\ndg-publish: "true"\n{meta}---\n',
    "yes": "---\ndg-publish: yes\n{meta}---\n",
    "broken": "---\ndg-publish: true\n{meta}tags: [oops\n---\n",
    "unclosed": "---\ndg-publish: true\n{meta}",
    "other-flag": "---\npublish: true\n{meta}---\n",
}


@st.composite
def small_vault(draw: st.DrawFn) -> tuple[dict[str, bytes], set[str]]:
    """2-6 notes, some private (marker in title, path, body, tags), linking at random."""
    count = draw(st.integers(2, 6))
    specs = [
        NoteSpec(
            private=draw(st.booleans()),
            how_private=draw(st.sampled_from(sorted(PRIVATE_HEADS))),
            folder=draw(st.sampled_from(["", "Shared/", "Deep/Er/"])),
            tags=tuple(
                draw(st.lists(st.sampled_from(["shared", "garden/plants", "🌱"]), max_size=2))
            ),
        )
        for _ in range(count)
    ]
    names = [
        f"Note {i} HOSTILE-PRIVATE-{i}" if spec.private else f"Pub {i}"
        for i, spec in enumerate(specs)
    ]
    paths = [
        (f"Hidden HOSTILE-PRIVATE-{i}/" if spec.private and draw(st.booleans()) else spec.folder)
        + f"{name}.md"
        for i, (spec, name) in enumerate(zip(specs, names, strict=True))
    ]
    files: dict[str, bytes] = {}
    public: set[str] = set()
    for i, spec in enumerate(specs):
        lines = []
        for _ in range(draw(st.integers(0, 4))):
            j = draw(st.integers(0, count - 1))
            target = draw(st.sampled_from([names[j], paths[j][:-3], f"Alias {j}"]))
            form = draw(st.integers(0, 6))
            if specs[j].private or form >= 4:
                # Text of a link to a private note must be an alias: the target is the marker.
                lines.append(
                    [
                        f"![[{target}]]",
                        f"[[{target}|alias {j}]]",
                        f"[[{target}#Heading {j}|heading {j}]]",
                        f"[shown {j}]({quote(paths[j])})",
                        f"![[{target}#^b{j}]]",
                        f"![[{target}#Heading {j}]]",
                        f"![[att {j}.png]]" if not specs[j].private else f"![[{target}]]",
                    ][form]
                )
            else:
                lines.append(
                    [
                        f"[[{target}]]",
                        f"[[{target}#Heading {j}]]",
                        f"[[{target}#^b{j}]]",
                        f"![[{target}]]",
                    ][form]
                )
        marker = f"HOSTILE-PRIVATE-{i}"
        title = f"Title {marker}" if spec.private else f"Public title {i}"
        tags = [*spec.tags, marker] if spec.private else list(spec.tags)
        meta = f"title: {title}\naliases: [Alias {i}]\ntags: [{', '.join(tags)}]\n"
        if spec.private:
            meta += f"permalink: /pub-{(i + 1) % count}/\ndg-home: true\n"
            head = PRIVATE_HEADS[spec.how_private].format(meta=meta)
        else:
            head = f"---\ndg-publish: true\n{meta}---\n"
            public.add(paths[i])
        if spec.private:
            text = f"secret {marker} #{marker}-inline ![[att {marker}.png]]"
        else:
            text = f"public {i} #shared"
        body = f"# Heading {i}\n\n{text} ^b{i}\n\n" + "\n\n".join(lines) + "\n"
        files[paths[i]] = (head + body).encode()
        attachment = f"att {i}.png" if not spec.private else f"att {marker}.png"
        files[attachment] = f"attachment {marker if spec.private else i}".encode()
    return files, public


@settings(max_examples=budget(40), deadline=None, suppress_health_check=SLOW, phases=PHASES)
@given(small_vault())
def test_no_private_marker_reaches_the_output(vault: tuple[dict[str, bytes], set[str]]) -> None:
    files, public = vault
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        out = root / "out"
        result = build(write_vault(root / "vault", files), out)
        assert not crashes(result.diagnostics)
        assert result.site is not None
        assert {note.rel_path for note in result.site.notes} == public
        assert not marker_hits(out)


# -- The vault reader on arbitrary bytes ----------------------------------------------------------

YAML_LINES = [
    "dg-publish: true",
    "dg-publish: yes",
    "dg-publish: on",
    "dg-publish: 1",
    'dg-publish: "true"',
    "dg-publish: [true]",
    "dg-publish: &a true",
    "other: *a",
    "dg-publish:",
    "title: x",
    "tags: [a, b",
    "- item",
    "  nested: value",
    "\tkey: tab",
    "{dg-publish: true}",
    '{"dg-publish": false}',
    "? complex",
    ": value",
    "<<: {dg-publish: true}",
    "key: |",
    "  block text",
    "---",
    "...",
    "%YAML 1.1",
    "!!python/object:os.system x",
]


@settings(max_examples=budget(300), deadline=None)
@given(st.lists(st.sampled_from(YAML_LINES), max_size=8), st.booleans(), st.text(max_size=30))
def test_frontmatter_never_raises_and_only_true_publishes(
    lines: list[str], closed: bool, body: str
) -> None:
    block = "\n".join(lines)
    text = f"---\n{block}\n" + ("---\n" if closed else "") + body
    parsed = split_frontmatter(text)
    assert all(isinstance(key, str) for key in parsed.meta)
    if parsed.meta.get("dg-publish") is True:
        assert parsed.ok
        assert "true" in block.lower()
    if not parsed.ok:
        assert parsed.problems and parsed.meta == {}


@settings(max_examples=budget(300), deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_are_refused_as_binary(data: bytes) -> None:
    diagnostics = Diagnostics()
    text = decode_note(data, "x.md", diagnostics)
    if text is None:
        assert any("binary" in d.message for d in diagnostics.items)
        return
    assert "\r" not in text and "\x00" not in text
    split_frontmatter(text)
