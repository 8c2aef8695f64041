"""A search shard of the last output is taken over only when it is what the cache says.

When every file of a shard is the very file the build that recorded it left (its stat),
the shard is taken over without reading anything of it: a one-note rebuild in place reads
no fragment of the shards it keeps. A file that is not as recorded (a restored copy, a
file rewritten) makes the shard's fragments be read: they must name exactly the shard's
pages now. So an output restored from a build when a note was published, beside a cache
whose record for that shard was forged to carry the current key, has the shard indexed
again, and nothing of the note now private is in the output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import published, unpacked, write_vault
from test_cache_content_keys import copy_with_new_times

import trellis.emit.search as search
import trellis.emit.search_shards as search_shards
from trellis.build.cache import read_cache
from trellis.build.cache_dump import cache_file_bytes
from trellis.emit.search_shards import ShardRecord, plan_shards, shard_folder
from trellis.emit.writer import cache_path
from trellis.pipeline import build

SECRET = "Shed/Secret.md"
SETTINGS = {"git_dates": False}


def vault_files(secret_published: bool) -> dict[str, str | bytes]:
    """Eight searchable notes (seven without the secret one): three shards of three either
    way, so the secret note's shard keeps its number when it leaves."""
    files: dict[str, str | bytes] = {
        f"Note {n}.md": published(f"Note {n} talks about topic{n}.") for n in range(7)
    }
    files[SECRET] = (
        published("The heronsecret word is here.")
        if secret_published
        else "---\ndg-publish: false\n---\nThe heronsecret word is here.\n"
    )
    return files


@pytest.fixture(autouse=True)
def shards_of_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)


def counted_fragment_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shard folders whose fragments a build reads (`fragment_urls`)."""
    folders: list[str] = []
    real = search_shards.fragment_urls

    def counting(last: object, folder: str, files: object, unverified: object) -> object:
        folders.append(folder)
        return real(last, folder, files, unverified)  # type: ignore[arg-type]

    monkeypatch.setattr(search_shards, "fragment_urls", counting)
    return folders


def test_a_rebuild_in_place_reads_no_fragment_of_the_shards_it_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = write_vault(tmp_path / "vault", vault_files(secret_published=True))
    out = tmp_path / "out"
    first = build(vault, out, SETTINGS)
    assert first.search_shards_indexed == 3
    reads = counted_fragment_reads(monkeypatch)
    (vault / "Note 1.md").write_text(published("Note 1 talks about something else now."))
    again = build(vault, out, SETTINGS)
    assert again.search_shards_indexed == 1 and again.search_shards_reused == 2
    assert reads == [] and not again.cache_problem

    # A kept shard's file rewritten with the same bytes (a new inode): its fragments are
    # read, they name its pages, and it is taken over.
    assert first.site is not None
    shards = plan_shards(sorted(note.output_path for note in first.site.notes), 3)
    edited = 1 + next(i for i, shard in enumerate(shards) if "note-1/index.html" in shard)
    other = shard_folder(2 if edited == 1 else 1)  # a shard the next edit does not touch
    entry = out / search.BUNDLE_DIR / other / "pagefind-entry.json"
    data = entry.read_bytes()
    entry.unlink()
    entry.write_bytes(data)
    (vault / "Note 1.md").write_text(published("Note 1 talks about a third thing."))
    third = build(vault, out, SETTINGS)
    assert reads == [other] and third.search_shards_reused == 2 and not third.cache_problem


def test_a_stale_shard_under_a_forged_key_in_a_restored_output_is_indexed_again(
    tmp_path: Path,
) -> None:
    # Build 1: the secret note is published; its output is kept aside (stale).
    root = tmp_path / "first"
    vault = write_vault(root / "vault", vault_files(secret_published=True))
    first = build(vault, root / "site", SETTINGS)
    assert first.site is not None
    shutil.copytree(root / "site", tmp_path / "stale-site", symlinks=True)
    before = read_cache(cache_path(root / "site"))
    # Build 2: the note is made private; its shard is indexed again without it.
    write_vault(vault, {SECRET: vault_files(secret_published=False)[SECRET]})
    second = build(vault, root / "site", SETTINGS)
    assert second.site is not None
    after = read_cache(cache_path(root / "site"))
    assert before is not None and after is not None

    pages = sorted(note.output_path for note in first.site.notes)
    shards = plan_shards(pages, 3)
    assert len(shards) == len(plan_shards([p for p in pages if "secret" not in p], 3)) == 3
    number = next(i for i, shard in enumerate(shards) if any("secret" in p for p in shard))
    # The forgery: build 2's key for that shard over build 1's files (which hash as recorded
    # in the stale output), and the stats of those files.
    forged = after["search_shards"][number]
    after["search_shards"][number] = ShardRecord(forged.key, before["search_shards"][number].files)
    after["file_stats"].update(before["file_stats"])

    # A CI job restores the vault as it is now, the stale output and the forged cache.
    copy_with_new_times(root, tmp_path / "ci")
    shutil.rmtree(tmp_path / "ci" / "site")
    copy_with_new_times(tmp_path / "stale-site", tmp_path / "ci" / "site")
    cache_path(tmp_path / "ci" / "site").write_bytes(cache_file_bytes(after))
    again = build(tmp_path / "ci" / "vault", tmp_path / "ci" / "site", SETTINGS)
    assert f"search shard {number + 1} in the last output is not the one" in again.cache_problem
    assert again.search_shards_indexed >= 1
    output = unpacked(tmp_path / "ci" / "site")
    assert not [name for name, data in output.items() if b"heronsecret" in data]
    assert not [name for name, data in output.items() if b"/shed/secret/" in data]
    # What was checked: the stale output had the note in its shard.
    stale = unpacked(tmp_path / "stale-site")
    assert [name for name, data in stale.items() if b"heronsecret" in data and "fragment" in name]
