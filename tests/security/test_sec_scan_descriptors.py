"""Race: notes are opened from their folder's descriptor, kept open while the scan reads
that folder (`trellis.vault.files.FolderDescriptors`), never through a symlink.

A folder swapped for a symlink before its descriptor is opened is not followed; one swapped
after is still the folder the walk listed, so nothing the link leads to is read. Each test
swaps through the real pipeline at the moment named: after the walk, before a rebuild with
one note edited reads the others (`read_vault` opens them: their stats were recorded), or
before the scan of a copied vault reads them (`trellis.signature` opens them).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import published, write_vault
from hypothesis import given, settings
from hypothesis import strategies as st

import trellis.pipeline as pipeline
import trellis.signature as signature
import trellis.vault.scan as scan
from trellis.vault.files import CheckedPath, FolderDescriptors, open_checked, read_to_end
from trellis.vault.scan import SWAPPED_FOR_A_LINK

OUTSIDE = "OUTSIDE-SECRET-9b3a"


def leaked(out: Path) -> list[str]:
    return [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and OUTSIDE.encode() in p.read_bytes()
    ]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("A.md", "B.md"):
        (outside / name).write_text(published(f"{OUTSIDE} {name}"), encoding="utf-8")
    return write_vault(
        tmp_path / "vault",
        {
            "Edited.md": published("edited"),
            "Notes/A.md": published("mine A"),
            "Notes/B.md": published("mine B"),
        },
    )


def swap_notes_folder(vault: Path) -> None:
    """`Notes/` moved out of the vault, a symlink to a folder of the same names put there."""
    os.rename(vault / "Notes", vault.parent / "moved")
    os.symlink(vault.parent / "outside", vault / "Notes")


def edited_rebuild(tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Build once with every stat recorded, edit `Edited.md`: the next build's scan reads
    only it, and `read_vault` opens the other notes."""
    monkeypatch.setattr(signature, "RACY_NS", 0)  # record stats of files just written
    first = pipeline.build(vault, tmp_path / "out")
    assert {n.rel_path for n in first.site.notes} >= {"Notes/A.md", "Notes/B.md"}
    (vault / "Edited.md").write_text(published("edited again"), encoding="utf-8")
    return tmp_path / "out"


def assert_refused(result: Any, *names: str) -> None:
    """Each note named was not read: the open of its folder (`O_DIRECTORY`, `O_NOFOLLOW`)
    met the link, and a warning says so."""
    for name in names:
        (warning,) = result.diagnostics.for_path(name)
        assert warning.message in (SWAPPED_FOR_A_LINK, "cannot read note: Not a directory")


def before_read_vault(monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]) -> None:
    real = pipeline.read_vault

    def swapped(*args: Any, **kwargs: Any) -> Any:
        assert not {"Notes/A.md", "Notes/B.md"} & set(kwargs["already_read"])  # opened here
        swap()
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_vault", swapped)


def test_a_folder_swapped_before_its_notes_are_opened_is_not_followed(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = edited_rebuild(tmp_path, vault, monkeypatch)
    before_read_vault(monkeypatch, lambda: swap_notes_folder(vault))
    result = pipeline.build(vault, out)
    assert leaked(out) == []
    assert_refused(result, "Notes/A.md", "Notes/B.md")
    assert {n.rel_path for n in result.site.notes} == {"Edited.md"}


def test_a_folder_swapped_after_its_descriptor_was_opened_gives_the_folder_walked(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rest of the folder's notes are read from the folder the walk listed (moved out
    of the vault by now), never from where the link leads."""
    out = edited_rebuild(tmp_path, vault, monkeypatch)
    real = scan.read_note

    def swap_after_first(root: Path, rel_path: str, *args: Any) -> Any:
        note = real(root, rel_path, *args)
        if rel_path == "Notes/A.md":
            assert args[-2] is None, "the note was opened here, not by the scan"
            swap_notes_folder(vault)
        return note

    monkeypatch.setattr(scan, "read_note", swap_after_first)
    result = pipeline.build(vault, out)
    assert leaked(out) == []
    bodies = {n.rel_path: n.source.body for n in result.site.notes}
    assert "mine B" in bodies["Notes/B.md"]


def test_a_folder_swapped_before_a_copied_vaults_scan_is_not_followed(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build (as a copied vault's): the scan reads every note itself."""
    real = signature._Reader.note

    def swapped(reader: Any, name: str, file: Any) -> str:
        if name == "Notes/A.md" and not (vault / "Notes").is_symlink():
            swap_notes_folder(vault)
        return real(reader, name, file)

    monkeypatch.setattr(signature._Reader, "note", swapped)
    result = pipeline.build(vault, tmp_path / "out")
    assert leaked(tmp_path / "out") == []
    assert_refused(result, "Notes/A.md", "Notes/B.md")
    assert {n.rel_path for n in result.site.notes} == {"Edited.md"}


def test_a_note_swapped_for_a_pipe_before_it_is_opened_is_skipped(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened without waiting for a writer, then refused by its `fstat`."""
    out = edited_rebuild(tmp_path, vault, monkeypatch)

    def swap() -> None:
        (vault / "Notes" / "A.md").unlink()
        os.mkfifo(vault / "Notes" / "A.md")

    before_read_vault(monkeypatch, swap)
    result = pipeline.build(vault, out)
    (warning,) = result.diagnostics.for_path("Notes/A.md")
    assert "not a regular file (a named pipe)" in warning.message
    assert {n.rel_path for n in result.site.notes} == {"Edited.md", "Notes/B.md"}


def test_a_path_climbing_out_of_its_folder_is_not_opened(tmp_path: Path) -> None:
    base = write_vault(tmp_path / "vault", {"Note.md": "mine"})
    (tmp_path / "secret.md").write_text(OUTSIDE, encoding="utf-8")
    climbing = CheckedPath(base, base / ".." / "secret.md")
    with pytest.raises(OSError):
        os.close(open_checked(climbing.base, climbing.path))
    with FolderDescriptors(base) as folders, pytest.raises(OSError):
        os.close(folders.open(climbing)[0])
    with FolderDescriptors(base) as folders, pytest.raises(OSError):
        folders.open(CheckedPath(base, base / "Sub" / ".." / ".." / "secret.md"))


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# A tree of files: each a path of one to four folder names, read in any order.
NAMES = st.sampled_from(["a", "b", "c", "é", "d e"])
TREES = st.lists(st.lists(NAMES, min_size=0, max_size=3), min_size=1, max_size=12)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
@settings(max_examples=40, deadline=None)
@given(folders=TREES, order=st.randoms(use_true_random=False))
def test_descriptors_read_each_file_and_keep_only_the_chain_open(
    folders: list[list[str]], order: Any
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp).resolve()
        files = {}
        for number, names in enumerate(folders):
            path = base.joinpath(*names, f"f{number}.md")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"file {number}".encode() * (number + 1))
            files[path] = path.read_bytes()
        paths = list(files)
        order.shuffle(paths)
        before = open_fds()
        with FolderDescriptors(base) as descriptors:
            for path in paths:
                fd, info = descriptors.open(CheckedPath(base, path))
                try:
                    assert read_to_end(fd, info.st_size) == files[path]
                finally:
                    os.close(fd)
                depth = len(path.relative_to(base).parts) - 1
                assert open_fds() - before == depth + 1  # the base and the folders above
                assert descriptors.lstat(CheckedPath(base, path)).st_ino == info.st_ino
        assert open_fds() == before


def test_reading_to_the_end_takes_what_a_file_grew_by(tmp_path: Path) -> None:
    path = tmp_path / "grown.md"
    path.write_bytes(b"x" * 10)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_to_end(fd, 4) == b"x" * 10  # its size when `fstat` was called
        os.lseek(fd, 0, os.SEEK_SET)
        assert read_to_end(fd, 10, limit=6) == b"x" * 7  # more than the limit: limit + 1
        os.lseek(fd, 0, os.SEEK_SET)
        assert read_to_end(fd, 0, limit=100_000) == b"x" * 10
    finally:
        os.close(fd)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    fd = os.open(empty, os.O_RDONLY)
    try:
        assert read_to_end(fd, 0) == b""
    finally:
        os.close(fd)
