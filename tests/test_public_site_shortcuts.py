"""The shortcuts building the public site (and reporting it) takes give what the long ways
give: `slugify` of ASCII text by a table, one shared `NoteDisplay` for notes that set no
display key, `clean_permalink` skipping the filter of control characters for printable
text, a note's folder without a path object, a warning's kind without trying a vault path
where there is none."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.config import Settings
from trellis.public.display import _DISPLAY_KEYS, note_display
from trellis.public.urls import clean_permalink
from trellis.slug import slugify


def slugify_by_characters(text: str) -> str:
    """`slugify` as written before the ASCII table, character by character."""
    text = unicodedata.normalize("NFC", text).lower()
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in ("L", "M", "N"):
            if category[0] == "M" and (not out or out[-1] == "-"):
                continue
            out.append(char)
        elif char in "-_" or category[0] == "Z" or char.isspace() or category[0] == "P":
            out.append("-")
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-")


@settings(max_examples=500, derandomize=True)
@given(st.one_of(st.text(st.characters(max_codepoint=127)), st.text()))
def test_slugify_gives_what_it_gave_character_by_character(text: str):
    assert slugify(text) == slugify_by_characters(text)


def test_every_ascii_character_slugs_as_before():
    for code in range(128):
        text = f"a{chr(code)}B{chr(code)}"
        assert slugify(text) == slugify_by_characters(text)


@settings(max_examples=300, derandomize=True)
@given(
    st.dictionaries(
        st.sampled_from(sorted(_DISPLAY_KEYS | {"title", "tags"})),
        st.one_of(st.booleans(), st.sampled_from(["true", "False", "x", "🌱"]), st.integers()),
    ),
    st.booleans(),
)
def test_the_shared_display_is_the_one_worked_out(meta: dict, backlinks: bool):
    site = Settings(show_backlinks=backlinks)
    defaults = note_display({}, site)
    assert note_display(meta, site, defaults) == note_display(meta, site)


@settings(max_examples=500, derandomize=True)
@given(st.text(st.characters(codec="utf-8")))
def test_printable_text_holds_no_character_the_permalink_filter_drops(text: str):
    """`clean_permalink` filters only text that is not printable: printable text has no
    character of the category C (control, format, surrogate, private use, unassigned)."""
    if text.isprintable():
        assert all(unicodedata.category(c)[0] != "C" for c in text)


def test_a_permalink_with_control_characters_is_still_cleaned():
    assert clean_permalink("/a\u200bb/c\x07d/") == ("/ab/cd/", True)
    assert clean_permalink("/plain/path/") == ("/plain/path/", False)


@settings(max_examples=500, derandomize=True)
@given(
    st.lists(
        st.sampled_from(["'a b'", '"c"', "Folder/N.md", "x.md;", "12", "3.5", " ", "md", ".", "'"])
        | st.text(max_size=4),
        max_size=8,
    ).map("".join)
)
def test_a_warning_kind_is_what_the_one_pattern_gives(message: str):
    from trellis.diagnostics import _QUOTED, warning_kind

    assert warning_kind(message) == _QUOTED.sub("…", message)


@settings(max_examples=300, derandomize=True)
@given(st.lists(st.text(st.characters(exclude_characters="/\x00"), min_size=1), min_size=1))
def test_a_note_folder_is_its_path_parent(segments: list[str]):
    from pathlib import Path, PurePosixPath

    from trellis.vault.records import SourceNote

    rel_path = "/".join(segments)
    parent = str(PurePosixPath(rel_path).parent)
    if "." in segments[:-1] or rel_path.startswith("./"):
        return  # (the walk never names a file so)
    note = SourceNote(rel_path=rel_path, abs_path=Path("/"), meta={}, body="", body_line=1)
    assert note.folder == ("" if parent == "." else parent)
