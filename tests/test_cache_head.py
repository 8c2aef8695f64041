"""The cache file's head is all an unchanged build reads, and the stats it keeps decide only
while they prove a file is the one read before.

A build records, for each file it read, the stat it had with the digest of its bytes; the
next build takes the digest of a file whose stat is the same instead of reading it
(`trellis.signature`). Files changed within `RACY_NS` of a scan are not recorded, so these
tests let the vault settle first (`settle`) where they need recorded stats.
"""

from __future__ import annotations

import io
import os
import pickle
import time
from pathlib import Path

import pytest
from helpers import snapshot, write_vault
from test_cache_content_keys import FILES, SETTINGS, Payload, copy_with_new_times

import trellis.build.cache_load as cache_load
import trellis.signature as signature
from trellis.build.cache import read_cache
from trellis.build.cache_dump import cache_file_bytes
from trellis.emit.writer import cache_path
from trellis.pipeline import build


def settle() -> None:
    """Wait until every file written so far is older than a scan trusts (`RACY_NS`)."""
    time.sleep(signature.RACY_NS / 1e9 + 0.2)


def settled_build(root: Path) -> None:
    vault = write_vault(root / "vault", FILES)
    settle()
    first = build(vault, root / "site", SETTINGS)
    assert first.pages_rendered == first.notes_published and not first.cache_problem


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files the input signature reads from now on (a list of one count)."""
    reads = [0]
    original = signature._content_digest

    def counted(handle: io.BufferedReader) -> str:
        reads[0] += 1
        return original(handle)

    monkeypatch.setattr(signature, "_content_digest", counted)
    return reads


def test_an_unchanged_build_reads_no_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settled_build(tmp_path)
    seen = read_cache(cache_path(tmp_path / "site"))["seen"]  # type: ignore[index]
    assert {"Alpha.md", "Notes/Beta.md", "Private.md"} <= set(seen)
    reads = count_reads(monkeypatch)
    again = build(tmp_path / "vault", tmp_path / "site", SETTINGS)
    assert again.unchanged and reads == [0]


def test_an_unchanged_build_records_files_it_read_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Every note touched (same bytes, new times, as a checkout leaves them): the build
    after reads and hashes each, finds nothing changed, and writes the head again with
    their new stats, the body as it was; the build after that reads none. (From more files
    than `REWRITE_AFTER`: a few are read again, not the whole file written.)"""
    settled_build(tmp_path)
    monkeypatch.setattr(cache_load, "REWRITE_AFTER", 2)
    cache = cache_path(tmp_path / "site")
    _, body_before = split_cache(cache)
    notes = sorted((tmp_path / "vault").rglob("*.md"))
    later = time.time_ns() - 3_600_000_000_000  # (an hour ago: any time but the old one)
    for note in notes:
        os.utime(note, ns=(later, later))
    settle()  # (the change times are new)
    reads = count_reads(monkeypatch)
    touched = build(tmp_path / "vault", tmp_path / "site", SETTINGS)
    assert touched.unchanged and reads[0] >= len(notes)
    head, body = split_cache(cache)
    assert body == body_before
    for note in notes:
        name = note.relative_to(tmp_path / "vault").as_posix()
        assert head["seen"][name][0][3] == os.stat(note).st_mtime_ns == later, name
    reads[0] = 0
    assert build(tmp_path / "vault", tmp_path / "site", SETTINGS).unchanged and reads == [0]
    write_vault(tmp_path / "vault", {"Epsilon.md": FILES["Epsilon.md"] + "\nMore.\n"})
    edited = build(tmp_path / "vault", tmp_path / "site", SETTINGS)  # (the body read)
    assert not edited.cache_problem and edited.pages_rendered < edited.notes_published
    assert "More." in (tmp_path / "site" / "epsilon" / "index.html").read_text()


def test_an_unchanged_build_reading_a_few_files_anew_writes_nothing(tmp_path: Path):
    settled_build(tmp_path)
    cache = cache_path(tmp_path / "site")
    before = cache.read_bytes()
    note = tmp_path / "vault" / "Alpha.md"
    os.utime(note, ns=(time.time_ns() - 3_600_000_000_000,) * 2)
    settle()
    assert build(tmp_path / "vault", tmp_path / "site", SETTINGS).unchanged
    assert cache.read_bytes() == before


def test_a_note_changed_just_before_a_build_is_not_recorded(tmp_path: Path):
    """Its stat may not show a second write within the same clock tick: read it next time."""
    settled_build(tmp_path)
    (tmp_path / "vault" / "Alpha.md").write_text("---\ndg-publish: true\n---\nNew.\n")
    build(tmp_path / "vault", tmp_path / "site", SETTINGS)
    seen = read_cache(cache_path(tmp_path / "site"))["seen"]  # type: ignore[index]
    assert "Alpha.md" not in seen and "Notes/Beta.md" in seen


def test_a_rewrite_with_the_old_size_and_times_put_back_is_read(tmp_path: Path):
    """The change time moves with every write and no program can set it back."""
    settled_build(tmp_path)
    note = tmp_path / "vault" / "Epsilon.md"
    before = os.stat(note)
    text = note.read_text(encoding="utf-8").replace("stands alone", "STANDS ALONE")
    note.write_text(text, encoding="utf-8")
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(note)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again = build(tmp_path / "vault", tmp_path / "site", SETTINGS)
    assert not again.unchanged and again.pages_rendered >= 1
    page = tmp_path / "site" / "epsilon" / "index.html"
    assert "STANDS ALONE" in page.read_text(encoding="utf-8")


def test_a_copy_with_recorded_stats_is_read_and_reuses_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The CI case: new inodes and times, so every stat differs and contents decide."""
    settled_build(tmp_path / "first")
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    reads = count_reads(monkeypatch)
    again = build(tmp_path / "ci" / "vault", tmp_path / "ci" / "site", SETTINGS)
    assert reads[0] >= len([name for name in FILES if name.endswith(".md")])
    assert again.pages_rendered == 0 and not again.cache_problem
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "first" / "site")


def split_cache(cache: Path) -> tuple[dict, dict]:
    """The head and the body of a cache file, as plain pickle reads them."""
    stream = io.BytesIO(cache.read_bytes())
    return pickle.load(stream), pickle.load(stream)


def test_an_unchanged_build_never_reads_the_body(tmp_path: Path):
    """A damaged body is found, said and dropped by the first build with work to do."""
    settled_build(tmp_path)
    cache = cache_path(tmp_path / "site")
    head, body = split_cache(cache)
    body["page_keys"] = sorted(body["page_keys"])  # a list where a mapping belongs
    cache.write_bytes(cache_file_bytes({**head, **body}))
    assert build(tmp_path / "vault", tmp_path / "site", SETTINGS).unchanged
    write_vault(tmp_path / "vault", {"Epsilon.md": FILES["Epsilon.md"] + "\nMore.\n"})
    again = build(tmp_path / "vault", tmp_path / "site", SETTINGS)
    assert "is damaged (its records are not of the expected types)" in again.cache_problem
    assert again.pages_rendered == again.notes_published
    build(tmp_path / "vault", tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")


def test_a_poisoned_body_runs_nothing(tmp_path: Path):
    settled_build(tmp_path)
    cache = cache_path(tmp_path / "site")
    head, body = split_cache(cache)
    proof = tmp_path / "code-ran"
    body["graph"] = Payload(proof)
    cache.write_bytes(cache_file_bytes({**head, **body}))
    assert build(tmp_path / "vault", tmp_path / "site", SETTINGS).unchanged
    write_vault(tmp_path / "vault", {"Epsilon.md": FILES["Epsilon.md"] + "\nMore.\n"})
    again = build(tmp_path / "vault", tmp_path / "site", SETTINGS)
    assert f"names {os.mkdir.__module__}.mkdir, which no build cache holds" in again.cache_problem
    assert again.pages_rendered == again.notes_published
    assert not proof.exists()
