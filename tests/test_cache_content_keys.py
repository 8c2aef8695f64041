"""The build cache is keyed by content and settings only, and a cache that is not what the
last build wrote is rejected, said, and followed by a clean build.

A CI job restores the vault, the output and the cache into a new folder where every file
time is new (`copy_with_new_times`): nothing is rendered or indexed again and the output is
byte-identical. A garbled, poisoned or edited cache, and a search shard changed in
the restored output, are each reported in `BuildResult.cache_problem` (the command line
prints it); the build then writes what a clean build writes, and nothing outside the output
folder and the cache file changes.
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import published, snapshot, write_vault

import trellis.emit.search as search
from trellis.build.cache import read_cache
from trellis.emit.search import BUNDLE_DIR
from trellis.emit.writer import cache_path
from trellis.pipeline import BuildResult, build

LATER = 2_000_000_000 * 10**9  # 2033: later than any time a first build saw


def copy_with_new_times(source: Path, target: Path) -> None:
    """Copy as a CI job restores a checkout and a cache: same bytes, every file time new."""
    shutil.copytree(source, target, copy_function=shutil.copyfile, symlinks=True)
    for path in [target, *target.rglob("*")]:
        os.utime(path, ns=(LATER, LATER), follow_symlinks=False)


# Undated notes (their dates come from the file, or git), folders, tags, an embed, an
# attachment, a private note: what a page can read.
FILES: dict[str, str | bytes] = {
    "Home.md": published("Start: [[Alpha]], [[Notes/Beta|b]]. ![[pic.png]]", dg_home="true"),
    "Alpha.md": published("# Alpha\nAlpha links [[Gamma]]. #plants\n\n## Part\nalpha part"),
    "Notes/Beta.md": published("Beta embeds ![[Alpha#Part]] #plants/trees"),
    "Notes/Gamma.md": published("Gamma, dated.", created="2024-01-02", updated="2024-03-04"),
    "Notes/Delta.md": published("Delta is unrelated. [[Private]]"),
    "Epsilon.md": published("Epsilon stands alone.", tags="[solo]"),
    "Private.md": "---\ndg-publish: false\n---\nsecretheron [[Alpha]]\n",
    "pic.png": b"\x89PNG\r\n\x1a\n-not-really",
}
SETTINGS = {"git_dates": False}


def first_build(root: Path, **overrides: Any) -> BuildResult:
    vault = write_vault(root / "vault", FILES)
    result = build(vault, root / "site", {**SETTINGS, **overrides})
    assert result.pages_rendered == result.notes_published and not result.cache_problem
    return result


def test_a_copy_with_new_times_reuses_every_page_and_shard(tmp_path: Path) -> None:
    first_build(tmp_path / "first", cache_dir="../cache")
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    again = build(
        tmp_path / "ci" / "vault", tmp_path / "ci" / "site", {**SETTINGS, "cache_dir": "../cache"}
    )
    assert not again.unchanged  # the pipeline ran (the shortcut compares absolute paths)
    assert again.pages_rendered == 0
    assert again.search_shards_indexed == 0 and again.search_shards_reused >= 1
    assert again.cache_problem == ""
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "first" / "site")


def test_a_cache_folder_named_by_absolute_path_is_the_same_setting(tmp_path: Path) -> None:
    """The command line makes `--cache-dir` absolute: another folder is not other settings
    (what every page reads, `PageKeys.layout`, compares settings; no worker is started for
    pages that will not be rendered)."""
    first_build(tmp_path / "first", cache_dir=str(tmp_path / "first" / "cache"))
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    ci_cache = tmp_path / "ci" / "cache"
    again = build(
        tmp_path / "ci" / "vault",
        tmp_path / "ci" / "site",
        {**SETTINGS, "cache_dir": str(ci_cache)},
    )
    assert again.pages_rendered == 0 and again.search_shards_indexed == 0
    first = read_cache(cache_path(tmp_path / "first" / "site", tmp_path / "first" / "cache"))
    second = read_cache(cache_path(tmp_path / "ci" / "site", ci_cache))
    assert first is not None and second is not None
    assert first["layout"] == second["layout"]
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "first" / "site")


def git(folder: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2023-05-06T07:08:09Z",
        "GIT_COMMITTER_DATE": "2023-05-06T07:08:09Z",
    }
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        check=True,
        env=env,
        capture_output=True,
    )


def test_a_git_checkout_with_the_cache_restored_changes_no_page(tmp_path: Path) -> None:
    """Undated notes of a vault in git are dated by their commits: a fresh clone (every
    file new) with the output and cache restored renders nothing and writes the same bytes."""
    repo = write_vault(tmp_path / "repo", FILES)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "vault")
    build(repo, tmp_path / "site", {"cache_dir": "../cache"})
    ci = tmp_path / "ci"
    ci.mkdir()
    subprocess.run(["git", "clone", "-q", str(repo), str(ci / "repo")], check=True)
    for kept in ("site", "cache"):
        copy_with_new_times(tmp_path / kept, ci / kept)
    again = build(ci / "repo", ci / "site", {"cache_dir": "../cache"})
    assert again.pages_rendered == 0 and again.search_shards_indexed == 0
    assert snapshot(ci / "site") == snapshot(tmp_path / "site")
    assert "2023-05-06" in (ci / "site" / "alpha" / "index.html").read_text(encoding="utf-8")


# -- caches that are not what the last build wrote ---------------------------------------


def outside(root: Path, site: Path, cache: Path) -> dict[str, bytes]:
    """Every file under `root` but the output folder and the cache file (and its temp)."""
    return {
        name: data
        for name, data in snapshot(root).items()
        if not (root / name).is_relative_to(site) and not (root / name).name.startswith(cache.name)
    }


def rebuilt_clean(root: Path, problem: str) -> BuildResult:
    """Build `root`'s vault again over its output and cache (the cache was tampered with):
    the build says `problem`, renders every page, writes what a clean build writes, and
    touches nothing outside its output folder and its cache file."""
    site, cache = root / "site", cache_path(root / "site")
    before = outside(root, site, cache)
    result = build(root / "vault", site, SETTINGS)
    assert problem in result.cache_problem
    assert "it was not used: every page is built again" in result.cache_problem
    assert result.pages_rendered == result.notes_published
    assert outside(root, site, cache) == before
    build(root / "vault", root.parent / f"{root.name}-clean", SETTINGS, use_cache=False)
    assert snapshot(site) == snapshot(root.parent / f"{root.name}-clean")
    assert read_cache(cache) is not None  # the clean build wrote a good cache back
    return result


def test_a_garbled_cache_is_rejected_and_a_clean_build_follows(tmp_path: Path) -> None:
    first_build(tmp_path / "ci")
    cache = cache_path(tmp_path / "ci" / "site")
    data = bytearray(cache.read_bytes())
    stream = io.BytesIO(data)
    pickle.load(stream)  # the head: what every build reads (the body waits for work to do)
    middle = stream.tell() // 2
    data[middle : middle + 64] = b"\xff" * 64
    cache.write_bytes(bytes(data))
    rebuilt_clean(tmp_path / "ci", f"{cache} is not a build cache Trellis can read")


def test_a_truncated_cache_is_rejected(tmp_path: Path) -> None:
    first_build(tmp_path / "ci")
    cache = cache_path(tmp_path / "ci" / "site")
    cache.write_bytes(cache.read_bytes()[:100])
    rebuilt_clean(tmp_path / "ci", "is not a build cache Trellis can read")


class Payload:
    """What an attacker's cache would hold: unpickling it makes a folder (runs code)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.folder),))


def test_a_poisoned_cache_runs_nothing(tmp_path: Path) -> None:
    """A cache is restored from places a pull request can write to (a CI cache): loading
    one must never call what it names (plain `pickle.load` would)."""
    first_build(tmp_path / "ci")
    cache = cache_path(tmp_path / "ci" / "site")
    data = read_cache(cache)
    assert data is not None
    proof = tmp_path / "ci" / "code-ran"
    data["summary"] = Payload(proof)
    cache.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    pickle.loads(cache.read_bytes())
    assert proof.is_dir()  # plain pickle runs it
    proof.rmdir()
    rebuilt_clean(tmp_path / "ci", f"names {os.mkdir.__module__}.mkdir, which no build cache holds")
    assert not proof.exists()


def test_a_cache_with_records_of_the_wrong_type_is_rejected(tmp_path: Path) -> None:
    first_build(tmp_path / "ci")
    cache = cache_path(tmp_path / "ci" / "site")
    data = read_cache(cache)
    assert data is not None
    data["page_keys"] = sorted(data["page_keys"])  # a list where a mapping belongs
    cache.write_bytes(pickle.dumps(data))
    rebuilt_clean(tmp_path / "ci", "is damaged (its records are not of the expected types)")


def test_a_cache_from_another_vault_changes_no_page(tmp_path: Path) -> None:
    """Two vaults sharing one cache folder and output name (`public`): the second finds the
    first's cache. Its entries are keyed by content, so it is used as it is (not rejected: a
    vault whose every note moved, a renamed top folder, also names none of the cached notes
    and needs the cache for its redirects) and the output is a clean build's."""
    other = write_vault(tmp_path / "other", {"Lone.md": published("Another vault's note.")})
    build(other, tmp_path / "ci" / "site", SETTINGS)  # writes tmp_path/ci/.site.trellis-cache
    shutil.rmtree(tmp_path / "ci" / "site")
    write_vault(tmp_path / "ci" / "vault", FILES)
    result = build(tmp_path / "ci" / "vault", tmp_path / "ci" / "site", SETTINGS)
    assert result.cache_problem == ""
    assert result.pages_rendered == result.notes_published
    build(tmp_path / "ci" / "vault", tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "clean")


def test_a_cache_from_another_version_is_said_and_not_used(tmp_path: Path) -> None:
    first_build(tmp_path / "ci")
    cache = cache_path(tmp_path / "ci" / "site")
    data = read_cache(cache)
    assert data is not None
    data["version"] = (0, data["version"][1])
    cache.write_bytes(pickle.dumps(data))
    rebuilt_clean(tmp_path / "ci", "was written by another version of Trellis")


def test_a_search_shard_changed_in_the_restored_output_is_indexed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output restored beside the cache has one shard's file changed: that shard is
    indexed again (said), the others are kept, and the bundle is the first build's."""
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    first = first_build(tmp_path / "first")
    assert first.search_shards_indexed >= 2
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    bundle = tmp_path / "ci" / "site" / BUNDLE_DIR
    entry = bundle / "shard-2" / "pagefind-entry.json"
    entry.write_bytes(entry.read_bytes().replace(b'"version"', b'"versi0n"', 1))
    before = outside(
        tmp_path / "ci", tmp_path / "ci" / "site", cache_path(tmp_path / "ci" / "site")
    )
    again = build(tmp_path / "ci" / "vault", tmp_path / "ci" / "site", SETTINGS)
    assert again.cache_problem == (
        "search shard 2 in the last output is not the one the build cache recorded "
        "(changed or replaced); it was indexed again"
    )
    assert again.search_shards_indexed == 1
    assert again.search_shards_reused == first.search_shards_indexed - 1
    assert again.pages_rendered == 0
    assert (
        outside(tmp_path / "ci", tmp_path / "ci" / "site", cache_path(tmp_path / "ci" / "site"))
        == before
    )
    # The first build's bytes (a clean build of the copy would date its undated notes 2033).
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "first" / "site")


def test_the_command_line_says_why_the_cache_was_not_used(tmp_path: Path) -> None:
    first_build(tmp_path / "ci")
    cache = cache_path(tmp_path / "ci" / "site")
    cache.write_bytes(b"not a pickle")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "trellis",
            "build",
            str(tmp_path / "ci" / "vault"),
            "-o",
            str(tmp_path / "ci" / "site"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"trellis: {cache} is not a build cache Trellis can read" in done.stderr
    assert "it was not used: every page is built again" in done.stderr
