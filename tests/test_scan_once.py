"""The scan walks the vault once and hands what it found to `read_vault`; what it builds
(notes, tags, paths) equals what the slower ways built; and the collector state it sets for
the build is put back when the build ends.

Why: a second walk, path objects made per note and tags parsed again on every call were
a fifth of a one-note rebuild's scan at 10,000 notes (benchmarks/RESULTS.md, session 10).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path, PurePosixPath
from typing import Any

from helpers import published, write_vault
from hypothesis import given
from hypothesis import strategies as st

import trellis.vault.files as files
import trellis.vault.scan as scan
from trellis.diagnostics import Diagnostics
from trellis.model.content import NoteContent
from trellis.model.tags import frontmatter_tags, note_tags
from trellis.pipeline import build
from trellis.public.site import PublishedNote
from trellis.vault.files import _parts_below
from trellis.vault.records import SourceNote
from trellis.vault.scan import read_vault, walk_files


def odd_vault(root: Path) -> Path:
    """Notes in folders, an attachment, a refused link, a pipe, a dot folder."""
    vault = write_vault(
        root / "vault",
        {
            "Alpha.md": published("Links to [[Beta]]. #inline", tags="[one, Two]"),
            "Sub/Beta.md": published("Beta text."),
            "Sub/Deeper/Gamma.md": "---\ndg-publish: false\n---\nPrivate words.\n",
            "Sub/pic.png": b"PNG",
            ".obsidian/app.json": "{}",
        },
    )
    (root / "outside.md").write_text(published("outside"), encoding="utf-8")
    os.symlink(root / "outside.md", vault / "Out.md")
    os.mkfifo(vault / "Pipe.md")
    return vault


def shape(vault: Any) -> tuple[Any, ...]:
    notes = [(n.rel_path, n.meta, n.body, n.body_line, n.content_hash) for n in vault.notes]
    return notes, [a.rel_path for a in vault.attachments], vault.skipped


def test_read_vault_takes_the_scans_walk_and_says_the_same(tmp_path: Path) -> None:
    vault = odd_vault(tmp_path)
    walked_said, alone_said = Diagnostics(), Diagnostics()
    walked = read_vault(vault, walked_said, walked=walk_files(vault, []))
    alone = read_vault(vault, alone_said)
    assert shape(walked) == shape(alone)
    assert walked_said.items == alone_said.items
    assert {d.path for d in alone_said.items} >= {"Out.md", "Pipe.md"}


def test_a_walk_of_another_folder_is_not_taken(tmp_path: Path) -> None:
    vault = odd_vault(tmp_path)
    other = write_vault(tmp_path / "other", {"Stray.md": published("stray")})
    read = read_vault(vault, Diagnostics(), walked=walk_files(other, []))
    assert "Stray.md" not in {note.rel_path for note in read.notes}
    assert "Alpha.md" in {note.rel_path for note in read.notes}


def test_a_build_walks_the_vault_once(tmp_path: Path, monkeypatch: Any) -> None:
    vault = odd_vault(tmp_path)
    walked: list[Path] = []
    real = files.walk

    def counted(tree: files.FileTree, *args: Any) -> list[files.Found]:
        walked.append(tree.root)
        return real(tree, *args)

    monkeypatch.setattr(scan, "walk", counted)
    result = build(vault, tmp_path / "out")
    assert walked.count(vault.resolve()) == 1
    assert {note.rel_path for note in result.site.notes} == {"Alpha.md", "Sub/Beta.md"}
    out = result.diagnostics.for_path("Out.md")
    assert [d.message for d in out] == ["symlink pointing outside the vault not followed"]


def test_note_tags_are_worked_out_again_when_the_note_changes(tmp_path: Path) -> None:
    source = SourceNote("A.md", tmp_path / "A.md", {"tags": "x, #Y"}, "", 1)
    note = PublishedNote(source, "/a/", "A")
    assert note.tags == ["x", "Y"]
    note.tags.append("changed by a caller")  # a copy: what the note keeps is untouched
    assert note.tags == ["x", "Y"]
    note.content = NoteContent(tags=["y", "z"])
    assert note.tags == ["x", "Y", "z"]
    note.content.tags.append("w")  # a parse that adds tags in place
    assert note.tags == ["x", "Y", "z", "w"]
    note.source = SourceNote("A.md", tmp_path / "A.md", {"tag": ["gardenEntry", 3, "q"]}, "", 1)
    assert note.tags == ["q", "y", "z", "w"]


def tags_as_before(meta: dict[str, Any], inline: list[str]) -> list[str]:
    """`PublishedNote.tags` as it was written before it was kept (the reference)."""
    seen: dict[str, str] = {}
    for tag in [*frontmatter_tags(meta), *inline]:
        if tag.lower() != "gardenentry":
            seen.setdefault(tag.lower(), tag)
    return list(seen.values())


TAG = st.sampled_from(["a", "A", "b/c", "B/C", "gardenEntry", "#d", " e ", "12", "x y"])


@given(
    value=st.one_of(
        st.lists(st.one_of(TAG, st.integers(-3, 30), st.booleans(), st.none())),
        st.lists(TAG).map(", ".join),
        st.none(),
    ),
    key=st.sampled_from(["tags", "tag"]),
    inline=st.lists(TAG),
)
def test_kept_tags_equal_the_tags_worked_out_on_each_call(
    value: Any, key: str, inline: list[str]
) -> None:
    meta = {key: value}
    assert list(note_tags(frontmatter_tags(meta), inline)) == tags_as_before(meta, inline)


# A vault path as the walk makes them: names joined by `/`, none empty, `.` or `..`.
SEGMENT = st.text(alphabet="ab.é -", min_size=1, max_size=6).filter(lambda s: s not in (".", ".."))
NAME = st.lists(SEGMENT, min_size=1, max_size=3).map("/".join)


@given(NAME)
def test_a_notes_stem_is_its_paths_stem(rel_path: str) -> None:
    source = SourceNote(rel_path, Path("/v") / rel_path, {}, "", 1)
    assert source.stem == PurePosixPath(rel_path).stem


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "é", "a b"]), max_size=4))
def test_paths_below_a_folder_split_as_pathlib_does(parts: list[str]) -> None:
    base = Path("/vault/base")
    path = Path(base, *parts)
    assert tuple(_parts_below(base, path)) == path.relative_to(base).parts


def test_a_build_leaves_nothing_frozen_and_keeps_a_callers_freeze(tmp_path: Path) -> None:
    """The scan's objects are frozen for the build (`uncollected`), unfrozen at its end;
    a caller that froze its own objects first (`serve` does) keeps them frozen."""
    vault = odd_vault(tmp_path)
    gc.unfreeze()  # an in-process `serve` in an earlier test froze its model
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    build(vault, tmp_path / "out")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    holder = [[1], [2]]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        build(vault, tmp_path / "again")
        assert gc.get_freeze_count() >= frozen and gc.isenabled()
        assert holder  # still referenced: frozen with the caller's objects
    finally:
        gc.unfreeze()
