"""`%%comments%%`: a privacy feature. Comment text must reach no byte of the built site.

Every case builds a real vault and reads back every file the build wrote (the whole output
and anything beside it), not just the note's body. The secret words (`zebra…`) appear only
inside comments; the visible words must stay.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import PUBLISHED, BuiltSite, build_vault, published

from trellis.public.site import PublishedNote

SECRET = b"zebra"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _build(tmp_path: Path, body: str, others: dict[str, str | bytes] | None = None) -> BuiltSite:
    files: dict[str, str | bytes] = {"Test.md": PUBLISHED + textwrap.dedent(body)}
    files.update(others or {})
    return build_vault(tmp_path, files)


def _note(site: BuiltSite, name: str = "Test.md") -> PublishedNote:
    assert site.result.site is not None
    return next(n for n in site.result.site.notes if n.rel_path == name)


def _leaks(site: BuiltSite, secret: bytes = SECRET) -> list[str]:
    """Files the build wrote (the site and anything beside it, such as caches) that hold
    `secret` anywhere in their bytes. Only the vault itself may hold it."""
    root = site.out.parent
    vault = root / "vault"
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and vault not in path.parents and secret in path.read_bytes().lower()
    )


def _body_text(site: BuiltSite) -> str:
    return site.body(_note(site).url).text(deep=True)


@pytest.mark.parametrize(
    ("body", "visible"),
    [
        pytest.param("Before %%zebra one%% after.", ["Before", "after."], id="inline"),
        pytest.param("a %%zebra%% b %%zebra two%% c", ["a", "b", "c"], id="two-inline"),
        pytest.param("Start %%zebra\nstill zebra%% end", ["Start", "end"], id="inline-two-lines"),
        pytest.param("%%\nzebra line\n\nzebra paragraph\n%%\nVisible", ["Visible"], id="block"),
        pytest.param(
            "%%\n# zebra heading\n- zebra item\n> zebra quote\n\n| zebra | x |\n|---|---|\n%%\nEnd",
            ["End"],
            id="block-holding-markdown",
        ),
        pytest.param(
            "%%\n```python\nzebra = 1\n```\n%%\nAfter the fence",
            ["After the fence"],
            id="block-holding-fence",
        ),
        pytest.param(
            "Keep %%zebra\n\n- zebra item\n\n# zebra heading\n\nzebra%% tail",
            ["Keep", "tail"],
            id="mid-line-across-blocks",
        ),
        pytest.param("%%\nzebra\n%% Tail text", ["Tail text"], id="closes-mid-line"),
        pytest.param("%%zebra%% lead on", ["lead on"], id="line-starts-with-comment"),
        pytest.param("p1\n%%\nzebra\n%%\np2", ["p1", "p2"], id="block-inside-paragraph"),
        pytest.param("Shown\n\n%%\nzebra\n\n## zebra heading", ["Shown"], id="unclosed-block"),
        pytest.param("Shown %%zebra\n\nzebra everywhere after", ["Shown"], id="unclosed-inline"),
        pytest.param("- one %%zebra%%\n- two", ["one", "two"], id="list-item"),
        pytest.param(
            "- one %%zebra\n- zebra two\n- zebra%% three", ["one", "three"], id="across-items"
        ),
        pytest.param("## Title %%zebra%%\n\ntext", ["Title", "text"], id="heading"),
        pytest.param(
            "| a | b %%zebra%% |\n|---|---|\n| %%zebra%% c | d |",
            ["a", "b", "c", "d"],
            id="table-cells",
        ),
        pytest.param(
            "> %%\n> zebra in quote\n\nzebra%% Out of it", ["Out of it"], id="out-of-a-quote"
        ),
        pytest.param(
            "> [!note] Title %%zebra%%\n> Body %%zebra%% text",
            ["Title", "Body", "text"],
            id="callout",
        ),
        pytest.param("<div>\n%%zebra%% shown\n</div>", ["shown"], id="html-block"),
        pytest.param("Text^[note %%zebra%% end]", ["Text"], id="inline-footnote"),
        pytest.param(
            "Inside %% `zebra %% outside", ["Inside", "outside"], id="backtick-inside-comment"
        ),
        pytest.param("Link [[Other|a %%zebra]] b%% c", ["Link", "c"], id="cuts-a-wikilink"),
        pytest.param("%%%zebra%%%\nnext", ["next"], id="extra-percent"),
        pytest.param("%% one %%\n%% two %%\nzz", ["zz"], id="comment-lines-only"),
    ],
)
def test_comment_text_is_in_no_output_file(tmp_path: Path, body: str, visible: list[str]) -> None:
    site = _build(tmp_path, body, {"Other.md": published("Other note")})
    text = _body_text(site)
    for word in visible:
        assert word in text, (word, text)
    assert "zebra" not in text.lower()
    assert "%%" not in text
    assert _leaks(site) == []


def test_leak_check_can_fail(tmp_path: Path) -> None:
    """The checks above would see a secret that reached the output."""
    site = _build(tmp_path, "A zebra outside any comment")
    assert "zebra" in _body_text(site)
    assert _leaks(site)


@pytest.mark.parametrize(
    ("body", "selector", "expected"),
    [
        pytest.param("`%%not hidden%%`", "code", "%%not hidden%%", id="code-span"),
        pytest.param("```\n%%\nkept\n%%\n```", "pre", "%%\nkept\n%%", id="fence"),
        pytest.param("para\n\n    %% kept %%", "pre", "%% kept %%", id="indented-code"),
        pytest.param(
            "```mermaid\n%%{init: {'theme': 'dark'}}%%\ngraph TD\n```",
            "pre",
            "%%{init: {'theme': 'dark'}}%%",
            id="mermaid-init",
        ),
        pytest.param("`%%` then %%zebra%% end", "code", "%%", id="code-then-comment"),
        pytest.param("``a ` %%b`` end", "code", "a ` %%b", id="double-backtick-span"),
    ],
)
def test_percent_signs_in_code_are_text(
    tmp_path: Path, body: str, selector: str, expected: str
) -> None:
    site = _build(tmp_path, body)
    node = site.body(_note(site).url).css_first(selector)
    assert node is not None
    assert expected in node.text(deep=True)
    assert "zebra" not in _body_text(site)


def test_code_after_a_comment_is_still_code(tmp_path: Path) -> None:
    site = _build(tmp_path, "%%\nzebra\n%%\n```\n%% literal\n```\nafter")
    body = site.body(_note(site).url)
    assert body.css_first("pre").text(deep=True) == "%% literal\n"
    assert "after" in body.text(deep=True)
    assert _leaks(site) == []


def test_links_tags_and_fields_in_comments_are_not_recorded(tmp_path: Path) -> None:
    body = """\
        Visible [[Other]] #shown
        %%[[Hidden note]] #zebratag [zebrafield:: x]%%
        %%
        [[Another hidden]] ![[Other]]
        zebrakey:: value
        %%
        """
    site = _build(tmp_path, body, {"Other.md": published("Other note")})
    note = _note(site)
    assert [link.target for link in note.content.links] == ["Other"]
    assert note.content.tags == ["shown"]
    assert note.content.env["inline_fields"] == []
    # A missing target inside a comment is not even reported.
    assert not site.warned("Hidden")
    assert not site.warned("Another hidden")
    assert _leaks(site) == []


def test_image_only_referenced_in_a_comment_is_not_copied(tmp_path: Path) -> None:
    site = _build(
        tmp_path,
        "Text %%![[zebra.png]]%%\n\n%%\n![x](shy.png)\n%%\n",
        {"zebra.png": PNG, "shy.png": PNG, "Other.md": published("![[used.png]]"), "used.png": PNG},
    )
    copied = {Path(name).name for name in site.files()}
    assert "used.png" in copied  # the same setup does copy what a published note shows
    assert "zebra.png" not in copied
    assert "shy.png" not in copied
    assert _leaks(site) == []


def test_emptied_containers_are_removed(tmp_path: Path) -> None:
    site = _build(tmp_path, "# %%zebra%%\n\n- a\n- %%zebra%%\n- b\n\n> %%zebra%%\n\nend")
    body = site.body(_note(site).url)
    assert body.css("h1") == []
    assert [li.text(deep=True) for li in body.css("li")] == ["a", "b"]
    assert body.css("blockquote") == []
    assert body.css_first("p").text(deep=True) == "end"


def test_line_numbers_after_a_comment_stay_right(tmp_path: Path) -> None:
    site = _build(tmp_path, "Line one %%zebra\nzebra%% [[Missing]]\n")
    (warning,) = [d for d in site.result.diagnostics.items if "Missing" in d.message]
    # Three frontmatter lines, then the body: `[[Missing]]` is on the body's second line.
    assert warning.line == 5
