"""Attachment ids come from the file's bytes, never from its path: `attachments/<id>/<name>`
confirms no folder name, however many likely names a visitor tries."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers import build_vault, published

PICTURE = b"\x89PNG\r\n\x1a\nsome picture"


def only_attachment(out: Path) -> Path:
    (path,) = (out / "attachments").rglob("*.png")
    return path


def test_the_id_is_a_hash_of_the_bytes_not_of_the_path(tmp_path: Path) -> None:
    folder = "Therapy Notes 2024"
    site = build_vault(
        tmp_path, {f"{folder}/pic.png": PICTURE, "Public.md": published("![[pic.png]]")}
    )
    path = only_attachment(site.out)
    content_id = hashlib.blake2b(PICTURE, digest_size=8).hexdigest()
    assert path.relative_to(site.out).as_posix() == f"attachments/{content_id}/pic.png"
    # No hash of the folder or vault path, of any usual size, is the id.
    for name in (folder, f"{folder}/pic.png", f"{folder}/", "pic.png"):
        for size in (4, 8, 16):
            assert hashlib.blake2b(name.encode(), digest_size=size).hexdigest() != content_id
    assert folder.encode() not in b"".join(p.read_bytes() for p in site.out.rglob("*.html"))


def test_the_same_bytes_in_another_folder_get_the_same_url(tmp_path: Path) -> None:
    first = build_vault(
        tmp_path / "a", {"Private A/pic.png": PICTURE, "Public.md": published("![[pic.png]]")}
    )
    second = build_vault(
        tmp_path / "b", {"Work B/pic.png": PICTURE, "Public.md": published("![[pic.png]]")}
    )
    a, b = only_attachment(first.out), only_attachment(second.out)
    assert a.relative_to(first.out) == b.relative_to(second.out)
    sources = [site.body("/public/").css_first("img").attributes["src"] for site in (first, second)]
    assert sources[0] == sources[1] == "/" + a.relative_to(first.out).as_posix()


def test_equal_files_of_one_name_are_written_once(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {
            "A/pic.png": PICTURE,
            "B/pic.png": PICTURE,
            "Public.md": published("![[A/pic.png]] ![[B/pic.png]]"),
        },
    )
    assert only_attachment(site.out).read_bytes() == PICTURE
    assert site.warnings == []
    assert site.result.attachments_copied == 1
