"""Stale state: the build cache decides nothing from size and time alone. A note flipped to
`dg-publish: false` with its size and times put back (`os.utime`, or two saves within one
tick of the file system's clock) leaves the site, its feeds and its search index, in the
command line's incremental build and in the preview's kept-alive builder; so does a
published picture's old content when it is replaced in the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import write_vault

from trellis.serve.builder import IncrementalRebuilder

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Confession 4e2b"
PUBLIC = f"---\ndg-publish: true\ntitle: {TITLE}\n---\nI broke the vase. ![[pic.png]]\n"
PRIVATE = PUBLIC.replace("true", "fals")  # same size: `fals` is not `true`, so private
assert len(PRIVATE) == len(PUBLIC)
OLD_PICTURE, NEW_PICTURE = b"PNG-UNREDACTED-FACE", b"PNG-REDACTED-BLURRY"
assert len(OLD_PICTURE) == len(NEW_PICTURE)


def rewrite_keeping_stat(path: Path, data: bytes) -> None:
    """Write `data` (same size) and put back the file's access and modification times."""
    before = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def files_holding(out: Path, needle: bytes) -> list[str]:
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and needle in p.read_bytes()
    )


def vault_files() -> dict[str, str | bytes]:
    return {
        "Confession.md": PUBLIC,
        "pic.png": OLD_PICTURE,
        "Other.md": "---\ndg-publish: true\n---\nAnother public note.\n",
    }


def cli_build(vault: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", str(vault), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def test_unpublishing_without_changing_size_or_time_is_seen_by_the_cli(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", vault_files())
    out = tmp_path / "out"
    assert cli_build(vault, out).returncode == 0
    assert (out / "confession" / "index.html").is_file()
    assert files_holding(out, TITLE.encode())  # pages, feeds, search index
    rewrite_keeping_stat(vault / "Confession.md", PRIVATE.encode())
    second = cli_build(vault, out)
    assert second.returncode == 0, second.stderr
    assert files_holding(out, TITLE.encode()) == []
    assert files_holding(out, b"broke the vase") == []
    assert not (out / "confession").exists()
    assert files_holding(out, OLD_PICTURE) == []  # used by the unpublished note only


def test_a_replaced_picture_of_the_same_size_and_time_is_replaced(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", vault_files())
    out = tmp_path / "out"
    assert cli_build(vault, out).returncode == 0
    assert files_holding(out, OLD_PICTURE)
    rewrite_keeping_stat(vault / "pic.png", NEW_PICTURE)
    assert cli_build(vault, out).returncode == 0
    assert files_holding(out, OLD_PICTURE) == []
    (picture,) = files_holding(out, NEW_PICTURE)
    assert picture in (out / "confession" / "index.html").read_text()


def test_the_preview_sees_changes_that_keep_size_and_time(
    tmp_path: Path,
) -> None:
    vault = write_vault(tmp_path / "vault", vault_files())
    workdir = tmp_path / "preview"
    workdir.mkdir()
    rebuilder = IncrementalRebuilder(vault, {}, workdir)
    first = rebuilder.rebuild(frozenset())
    assert first.root is not None and (first.root / "confession" / "index.html").is_file()
    picture, note = vault / "pic.png", vault / "Confession.md"
    # The served site's files are linked into the next build only when their bytes match.
    rewrite_keeping_stat(picture, NEW_PICTURE)
    second = rebuilder.rebuild(frozenset({picture.resolve()}))
    assert second.error is None and second.root is not None
    assert files_holding(second.root, OLD_PICTURE) == []
    (served,) = files_holding(second.root, NEW_PICTURE)
    assert served in (second.root / "confession" / "index.html").read_text()
    rewrite_keeping_stat(note, PRIVATE.encode())
    third = rebuilder.rebuild(frozenset({note.resolve()}))
    assert third.error is None and third.root is not None
    assert files_holding(third.root, TITLE.encode()) == []
    assert not (third.root / "confession").exists()
    assert files_holding(third.root, NEW_PICTURE) == []
