"""Pages of the last output are taken over without hashing them while their stat (device,
inode, size, modification and change time) is the one recorded after the build that wrote
them; a file changed in place, even with its size and time put back, or a restored copy
(new inodes) is hashed, and a page that fails the hash is rendered again."""

import os
import shutil
import time
from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

from trellis.emit import output_files, site_update, writer
from trellis.pipeline import build

FILES = {
    "Home.md": published("Start: [[Alpha]] and [[Beta]].", **{"dg-home": "true"}),
    "Alpha.md": published("# Alpha\nAlpha links to [[Gamma]].", created="2024-01-02"),
    "Beta.md": published("Beta embeds ![[Alpha]]", created="2024-01-02"),
    "Gamma.md": published("Gamma stands alone. #tag", created="2024-01-02"),
    "Delta.md": published("Delta is unrelated.", created="2024-01-02"),
}


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output files read to hash them (absolute paths), whichever way:
    `hashes_to`, `read_checked` (through `CheckedPath`), `read_plain` (a rebuild in place)."""
    seen: list[str] = []
    real_hashes_to, real_checked = output_files.hashes_to, output_files.read_checked
    real_plain = output_files.read_plain

    def hashes_to(path: Path, base: Path, digest: str) -> bool:
        seen.append(path.absolute().as_posix())
        return real_hashes_to(path, base, digest)

    def read_checked(base: Path, path: Path) -> object:
        seen.append(path.absolute().as_posix())
        return real_checked(base, path)

    def read_plain(path: str) -> object:
        seen.append(path)
        return real_plain(path)

    monkeypatch.setattr(writer, "hashes_to", hashes_to)
    monkeypatch.setattr(output_files, "read_checked", read_checked)
    monkeypatch.setattr(site_update, "read_plain", read_plain)  # a rebuild updating in place
    return seen


def test_a_rebuild_in_place_hashes_no_file_it_takes_over(tmp_path: Path, hashed: list[str]):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site")
    (vault / "Delta.md").write_text(published("Delta changed.", created="2024-01-02"))
    result = build(vault, tmp_path / "site")
    assert result.pages_rendered == 1
    assert hashed == []
    build(vault, tmp_path / "clean", use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")


def test_a_restored_copy_is_hashed_and_still_taken_over(tmp_path: Path, hashed: list[str]):
    vault = write_vault(tmp_path / "first" / "vault", FILES)
    build(vault, tmp_path / "first" / "site")
    shutil.copytree(tmp_path / "first", tmp_path / "ci", copy_function=shutil.copyfile)
    ci = tmp_path / "ci"
    (ci / "vault" / "Delta.md").write_text(published("Delta changed.", created="2024-01-02"))
    result = build(ci / "vault", ci / "site")
    assert result.pages_rendered == 1
    assert f"{ci}/site/alpha/index.html" in hashed
    assert not [name for name in hashed if name.endswith("/delta/index.html")]


def test_a_page_changed_in_place_with_its_time_put_back_is_rendered_again(tmp_path: Path):
    vault = write_vault(tmp_path / "vault", FILES)
    site = tmp_path / "site"
    build(vault, site)
    page = site / "alpha" / "index.html"
    info = page.stat()
    time.sleep(0.05)  # past the file system's clock tick, as any later change is
    data = page.read_bytes()
    forged = data.replace(b"Alpha links to", b"Alpha LINKS to")
    assert forged != data and len(forged) == len(data)
    with page.open("r+b") as handle:  # in place: the same inode
        handle.write(forged)
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (page.stat().st_ino, page.stat().st_size, page.stat().st_mtime_ns) == (
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
    )
    (vault / "Delta.md").write_text(published("Delta changed.", created="2024-01-02"))
    result = build(vault, site)
    assert result.pages_rendered == 2  # Delta, and Alpha whose file failed the hash
    assert b"Alpha LINKS to" not in page.read_bytes()
    build(vault, tmp_path / "clean", use_cache=False)
    assert snapshot(site) == snapshot(tmp_path / "clean")
