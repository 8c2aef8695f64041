"""The shortcuts building the public site (and reporting it) takes give what the long ways
give: `slugify` by a table (ASCII, then any character, marks found again in the result),
one shared `NoteDisplay` for notes that set no display key, `clean_permalink` skipping the
filter of control characters for printable text, a note's folder without a path object, a
warning's kind without trying a vault path where there is none, `unreserved` telling most
paths apart by two tests, the home page's `gardenEntry` tag looked for in the joined text
before a note's tags are worked out."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.config import Settings
from trellis.public.display import _DISPLAY_KEYS, note_display
from trellis.public.site import _claims_home, claims_home
from trellis.public.urls import RESERVED_ROOTS, _reserved, clean_permalink, unreserved
from trellis.slug import slugify
from trellis.vault.records import SourceNote


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


# Text where marks meet what slugs drop or join: emoji, dashes, spaces, symbols, letters.
MARKED = st.lists(
    st.sampled_from(
        ["\u0301", "\u0308", "\u09c0", "\u05b7", "🌱", "-", " ", "_", "+", "a", "É", "জ"]
    )
    | st.characters(),
    max_size=12,
).map("".join)


@settings(max_examples=1000, derandomize=True)
@given(MARKED)
def test_slugify_keeps_and_drops_marks_as_character_by_character(text: str):
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


def unreserved_by_segments(site_path: str) -> str:
    """`unreserved` as written before its two tests of the whole path."""
    segments = site_path.strip("/").split("/")
    moved = [s + "-note" if _reserved(s, i == 0) else s for i, s in enumerate(segments)]
    return "/" + "/".join(moved) + "/" if site_path.strip("/") else site_path


SEGMENTS = st.sampled_from(
    [*RESERVED_ROOTS, ".trellis-site", "a.trellis-tmp", "x.TRELLIS-OLD", "Static", "a", "Σ", ""]
) | st.text(max_size=6)


@settings(max_examples=1000, derandomize=True)
@given(st.lists(SEGMENTS, max_size=5).map("/".join), st.booleans(), st.booleans())
def test_unreserved_gives_what_it_gave_segment_by_segment(path: str, lead: bool, end: bool):
    site_path = ("/" if lead else "") + path + ("/" if end else "")
    assert unreserved(site_path) == unreserved_by_segments(site_path)


TAG_ITEMS = st.sampled_from(
    ["gardenEntry", "#GardenEntry", " gardenentry ", "garden", "entry", "x,gardenEntry", "ǅ"]
) | st.text(max_size=6)
TAG_VALUES = st.one_of(
    st.none(),
    TAG_ITEMS,
    st.lists(st.one_of(TAG_ITEMS, st.integers(), st.booleans(), st.none()), max_size=4),
    st.integers(),
)


@settings(max_examples=1000, derandomize=True)
@given(TAG_VALUES, st.sampled_from(["tags", "tag"]), st.sampled_from([None, True, "true", "no"]))
def test_the_home_claim_is_the_one_the_tags_give(value: object, key: str, home: object):
    meta = {key: value, **({} if home is None else {"dg-home": home})}
    note = SourceNote(rel_path="n.md", abs_path=Path("/"), meta=meta, body="", body_line=1)
    assert _claims_home(note) == claims_home(meta)
