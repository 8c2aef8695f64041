"""A note's body is kept as UTF-8 when that is smaller (`CompactText`): read back the same."""

from __future__ import annotations

import dataclasses
import pickle
import sys
from pathlib import Path

import pytest

from trellis.vault.records import SourceNote


def note(body: str) -> SourceNote:
    return SourceNote(rel_path="a.md", abs_path=Path("a.md"), meta={}, body=body, body_line=1)


@pytest.mark.parametrize(
    "body",
    ["", "plain " * 50, "Ünïcödé " * 50, "日本語 " * 50, "a 🌱 note " * 50, "\ud800 lone"],
)
def test_a_body_reads_back_as_it_was_given(body):
    kept = note(body)
    assert kept.body == body
    assert pickle.loads(pickle.dumps(kept)).body == body
    assert dataclasses.replace(kept, body_line=3).body == body
    kept.body = body + "!"
    assert kept.body == body + "!"


def test_a_body_with_an_emoji_takes_its_utf8_size():
    body = "A note about seeds 🌱, mostly plain text. " * 100
    stored = note(body).__dict__["_body_stored"]
    assert isinstance(stored, bytes) and len(stored) < sys.getsizeof(body) / 3
    cjk = "日本語のノート" * 100  # two bytes a character as a str, three as UTF-8
    assert isinstance(note(cjk).__dict__["_body_stored"], str)
