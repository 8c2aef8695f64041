"""Race: a file swapped after it was checked is never copied. Attachments (and every other
file copied into the output) are read through one descriptor, opened without following a
symlink at any path component and checked to be a regular file; the copy must hash as the
checked file did. Each test swaps the file at the last moment before the copy, through the
real pipeline (only `emit_attachments` is wrapped, to make the swap happen there)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import published, write_vault

import trellis.build.emitters as emitters
from trellis.pipeline import build

OUTSIDE = "OUTSIDE-SECRET-5d1e"
SECRET = "PRIVATE-NOTE-c0ffee"


def swap_before_copy(monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]) -> None:
    """Run `swap` after the vault was read and the pages written, just before the copy."""
    real = emitters.emit_attachments  # what the attachments emitter calls

    def swapped(*args: object) -> int:
        swap()
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(emitters, "emit_attachments", swapped)


def leaked(out: Path, needle: str) -> list[str]:
    return [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and needle.encode() in p.read_bytes()
    ]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "photo.png").write_bytes(f"PNG {OUTSIDE}".encode())
    return write_vault(
        tmp_path / "vault",
        {
            "Public.md": published("![[photo.png]]"),
            "Media/photo.png": b"PNG-REAL",
            "Private/Diary.md": f"---\ndg-publish: false\n---\n{SECRET}\n",
        },
    )


def test_an_attachment_swapped_for_a_symlink_out_of_the_vault_is_not_copied(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = vault / "Media" / "photo.png"

    def swap() -> None:
        photo.unlink()
        os.symlink(tmp_path / "outside" / "photo.png", photo)

    swap_before_copy(monkeypatch, swap)
    result = build(vault, tmp_path / "out")
    assert leaked(tmp_path / "out", OUTSIDE) == []
    assert not list((tmp_path / "out").rglob("photo.png"))
    (warning,) = result.diagnostics.for_path("Media/photo.png")
    assert warning.message.startswith("not copied: ")


def test_an_attachment_swapped_for_a_symlink_to_a_private_note_is_not_copied(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = vault / "Media" / "photo.png"

    def swap() -> None:
        photo.unlink()
        os.symlink("../Private/Diary.md", photo)

    swap_before_copy(monkeypatch, swap)
    result = build(vault, tmp_path / "out")
    assert leaked(tmp_path / "out", SECRET) == []
    assert result.diagnostics.for_path("Media/photo.png")


def test_a_folder_swapped_for_a_symlink_out_of_the_vault_is_not_followed(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def swap() -> None:
        shutil.rmtree(vault / "Media")
        os.symlink(tmp_path / "outside", vault / "Media")

    swap_before_copy(monkeypatch, swap)
    result = build(vault, tmp_path / "out")
    assert leaked(tmp_path / "out", OUTSIDE) == []
    (warning,) = result.diagnostics.for_path("Media/photo.png")
    assert warning.message.startswith("not copied: ")


def test_an_attachment_whose_bytes_changed_after_the_check_is_not_copied(
    tmp_path: Path, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page names the id of the bytes that were checked: other bytes never go there."""
    photo = vault / "Media" / "photo.png"
    swap_before_copy(monkeypatch, lambda: photo.write_bytes(b"PNG-SWAPPED"))
    result = build(vault, tmp_path / "out")
    assert leaked(tmp_path / "out", "PNG-SWAPPED") == []
    (warning,) = result.diagnostics.for_path("Media/photo.png")
    assert "changed while the site was built" in warning.message


def test_a_note_swapped_for_a_symlink_after_the_walk_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes are read through the same checked descriptors as attachments. A cold build
    walks the vault once and reads each note once, in the scan (`trellis.signature`), after
    the walk: the swap comes between the two."""
    import trellis.signature as signature
    from trellis.vault.scan import SWAPPED_FOR_A_LINK

    outside = tmp_path / "outside.md"
    outside.write_text(f"---\ndg-publish: true\n---\n{OUTSIDE}\n")
    vault = write_vault(tmp_path / "vault", {"Note.md": published("mine")})
    real_read = signature._Reader.note

    def swapped(reader: object, name: str, file: object) -> str:
        if name == "Note.md":
            (vault / name).unlink()
            os.symlink(outside, vault / name)
        return real_read(reader, name, file)  # type: ignore[arg-type]

    monkeypatch.setattr(signature._Reader, "note", swapped)
    result = build(vault, tmp_path / "out")
    assert leaked(tmp_path / "out", OUTSIDE) == []
    (warning,) = result.diagnostics.for_path("Note.md")
    # The scan's checked open refused the link; reading the note refuses it again.
    assert warning.message == SWAPPED_FOR_A_LINK
    assert "Note.md" not in {note.rel_path for note in result.site.notes}
