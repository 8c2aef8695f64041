"""The files of a search shard indexed again that the last output already holds stay there.

A one-note edit re-indexes the note's shard, and most files Pagefind makes for it (one
fragment per page) are byte for byte those of the last build: the last build's record of
that shard (path -> hash) says which, and such a file is kept as a taken-over page is (its
recorded stat, else its hash), not read and compared. The bundle is still a clean build's,
byte for byte. The record comes from the cache and may be forged: it only ever keeps a file
at a path the new run made, one Pagefind names by its bytes' hash (a fragment, an index
chunk), and only the last build's file there (by its stat) or one that hashes as the new
one does; so a forged record keeps nothing of a note made private, and files of a fixed
name (the entry file) are always compared.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import published, snapshot, unpacked, write_vault
from test_search_shard_checks import SECRET, SETTINGS, vault_files

import trellis.emit.search as search
from trellis.build.cache import read_cache
from trellis.build.cache_dump import cache_file_bytes
from trellis.emit.output_files import bytes_digest
from trellis.emit.search import BUNDLE_DIR
from trellis.emit.search_shards import ShardRecord, names_inside
from trellis.emit.site_update import SiteUpdate
from trellis.emit.writer import cache_path
from trellis.pipeline import build


@pytest.fixture(autouse=True)
def shards_of_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)


def bundle(out: Path) -> dict[str, bytes]:
    """The search bundle's files by path inside it."""
    return snapshot(out / BUNDLE_DIR)


def copied_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The output paths an update in place copies a file to (`SiteUpdate.copy_file`: it
    reads the file there and the new one, and compares)."""
    paths: list[str] = []
    real = SiteUpdate.copy_file

    def counting(self: SiteUpdate, rel_path: str, *args: object, **kwargs: object) -> bool:
        paths.append(rel_path)
        return real(self, rel_path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SiteUpdate, "copy_file", counting)
    return paths


def test_a_rebuilt_shard_copies_only_its_new_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = write_vault(tmp_path / "vault", vault_files(secret_published=True))
    out = tmp_path / "out"
    build(vault, out, SETTINGS)
    before = bundle(out)
    inodes = {name: (out / BUNDLE_DIR / name).stat().st_ino for name in before}
    copied = copied_paths(monkeypatch)
    (vault / "Note 1.md").write_text(published("Note 1 talks about something else now."))
    again = build(vault, out, SETTINGS)
    assert again.search_shards_indexed == 1 and not again.cache_problem
    after = bundle(out)
    clean = build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert clean.search_shards_indexed == 3
    assert after == bundle(tmp_path / "clean")

    # Copied: the shard list and the files whose bytes are new; the fragments of the
    # shard's other pages are the last build's files, kept where they were.
    new = {name for name, data in after.items() if before.get(name) != data}
    prefix = f"{BUNDLE_DIR}/"
    in_bundle = {path.removeprefix(prefix) for path in copied if path.startswith(prefix)}
    assert in_bundle == new | {"trellis-shards.json"}
    kept = set(after) - new
    assert any("fragment/" in name for name in kept)
    assert all((out / BUNDLE_DIR / name).stat().st_ino == inodes[name] for name in kept)


def test_a_forged_record_of_a_rebuilt_shard_keeps_nothing_of_a_private_note(
    tmp_path: Path,
) -> None:
    # The secret note is published, then made private: its shard is indexed again.
    vault = write_vault(tmp_path / "vault", vault_files(secret_published=True))
    out = tmp_path / "site"
    first = build(vault, out, SETTINGS)
    assert first.site is not None
    stale = unpacked(out / BUNDLE_DIR)
    assert [name for name, data in stale.items() if b"heronsecret" in data]
    write_vault(vault, {SECRET: vault_files(secret_published=False)[SECRET]})
    clean_out = tmp_path / "clean"
    build(vault, clean_out, SETTINGS, use_cache=False)
    clean = bundle(clean_out)

    # The forgery: the record of every shard lists every path of the bundle a clean build
    # makes, with the hashes of the new files, and paths outside the bundle and the output.
    cache = read_cache(cache_path(out))
    assert cache is not None
    made = {name: bytes_digest(data) for name, data in clean.items()}
    outside = {"../../escaped.html": "0" * 16, "shard-2/../../../escaped.html": "0" * 16}
    cache["search_shards"] = [
        ShardRecord(record.key, {**record.files, **made, **outside})
        for record in cache["search_shards"]
    ]
    cache_path(out).write_bytes(cache_file_bytes(cache))
    again = build(vault, out, SETTINGS)
    assert again.search_shards_indexed >= 1

    output = unpacked(out)
    assert not [name for name, data in output.items() if b"heronsecret" in data]
    assert not [name for name, data in output.items() if b"/shed/secret/" in data]
    assert not list(tmp_path.rglob("escaped.html"))
    beside = [name for name in os.listdir(tmp_path) if not name.endswith(".trellis-cache")]
    assert sorted(beside) == ["clean", "site", "vault"]
    # The records claimed the new bytes for paths the last output holds with other bytes
    # (the shard's entry file, as recorded after the last build): compared, not kept.
    assert bundle(out) == clean


@pytest.mark.parametrize(
    ("folder", "names", "inside"),
    [
        ("shard-2/", ["shard-2/pagefind-entry.json", "shard-2/fragment/en_1.pf_fragment"], True),
        ("shard-2/", ["shard-2/pagefind-entry.json", "shard-2/a..b/c"], True),
        ("shard-2/", ["shard-2/pagefind-entry.json", "shard-2/../../escaped.html"], False),
        ("shard-2/", ["shard-2/pagefind-entry.json", "shard-3/pagefind-entry.json"], False),
        ("shard-2/", ["shard-2/x", "pagefind.js"], False),
        ("", ["pagefind-entry.json", "pagefind.js", "fragment/en_1.pf_fragment"], True),
        ("", ["pagefind-entry.json", "shard-3/fragment/en_1.pf_fragment"], False),
        ("", ["pagefind-entry.json", "../escaped.html"], False),
        ("", ["pagefind-entry.json", "fragment/.."], False),
    ],
)
def test_a_record_naming_a_file_outside_its_shard_is_refused(
    folder: str, names: list[str], inside: bool
) -> None:
    """What a shard's record may name (`restorable` takes no shard over otherwise)."""
    assert names_inside(dict.fromkeys(names, "0" * 16), folder) is inside
