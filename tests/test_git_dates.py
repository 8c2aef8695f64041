"""Page dates from git: a note without frontmatter dates is dated by its first and last
commits, so a fresh clone (every file time new) builds the same bytes; an edit not yet
committed is dated by the file; a hostile repository's settings run nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

from trellis.pipeline import build

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")  # Debian CI has it
SITE = {"base_url": "https://example.org/"}  # the sitemap needs an origin
FIRST, SECOND = "2021-03-04T05:06:07+00:00", "2023-08-09T10:11:12+00:00"


def git(repo: Path, *args: str, when: str = FIRST) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo.parent),
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def lastmods(out: Path) -> dict[str, str]:
    sitemap = (out / "sitemap.xml").read_text()
    import re

    return dict(re.findall(r"<loc>[^<]*?/([^/<]*)/?</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose vault is its `content/` folder (the Quartz layout)."""
    root = tmp_path / "repo"
    write_vault(
        root / "content",
        {
            "Home.md": published("Home [[Later]] [[Dated]]", **{"dg-home": "true"}),
            "Later.md": published("first text"),
            "Dated.md": published("dated by hand", updated="2019-01-02"),
        },
    )
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    (root / "content" / "Later.md").write_text(published("second text"))
    git(root, "commit", "-qam", "second", when=SECOND)
    return root


def test_notes_are_dated_by_their_commits_and_a_clone_builds_the_same_bytes(
    repo: Path, tmp_path: Path
) -> None:
    build(repo / "content", tmp_path / "out", SITE)
    dates = lastmods(tmp_path / "out")
    assert dates["later"].startswith("2023-08-09"), dates
    assert dates["dated"].startswith("2019-01-02"), dates  # frontmatter wins over git
    feed = (tmp_path / "out" / "feed.xml").read_text()
    assert "2021-03-04" in feed  # Later's created date: its first commit

    time.sleep(0.01)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    build(clone / "content", tmp_path / "out2", SITE)
    assert snapshot(tmp_path / "out2") == snapshot(tmp_path / "out")


def test_an_edit_not_committed_is_dated_by_the_file(repo: Path, tmp_path: Path) -> None:
    note = repo / "content" / "Later.md"
    note.write_text(published("edited, not committed"))
    stamp = time.mktime((2025, 5, 6, 12, 0, 0, 0, 0, 0))
    os.utime(note, (stamp, stamp))
    build(repo / "content", tmp_path / "out", SITE)
    assert lastmods(tmp_path / "out")["later"].startswith("2025-05-06")
    assert "2021-03-04" in (tmp_path / "out" / "feed.xml").read_text()  # created: first commit


def test_git_dates_can_be_turned_off(repo: Path, tmp_path: Path) -> None:
    (repo / "content" / "trellis.toml").write_text("git_dates = false\n")
    build(repo / "content", tmp_path / "out", SITE)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert lastmods(tmp_path / "out")["later"].startswith(today)


def test_a_hostile_repository_configuration_runs_nothing(repo: Path, tmp_path: Path) -> None:
    """A vault handed over with its `.git/` could name programs for git to run: signature
    checks, fsmonitor, a pager. Reading dates runs none of them."""
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    script.chmod(0o755)
    with (repo / ".git" / "config").open("a") as config:
        config.write(
            f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {script}\n"
            f"[core]\n\tfsmonitor = {script}\n\tpager = {script}\n"
        )
    git(repo, "commit", "-q", "--allow-empty", "-m", "third", when=SECOND)
    _add_signed_looking_commit(repo)  # `git log` would hand its signature to gpg.program
    marker.unlink(missing_ok=True)  # git commit itself ran the fsmonitor
    build(repo / "content", tmp_path / "out", SITE)
    assert not marker.exists()
    assert lastmods(tmp_path / "out")["later"].startswith("2023-08-09")


def _add_signed_looking_commit(repo: Path) -> None:
    def out(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    tree, parent = out("rev-parse", "HEAD^{tree}"), out("rev-parse", "HEAD")
    body = (
        f"tree {tree}\nparent {parent}\nauthor a <a@b> 1692000000 +0000\n"
        "committer a <a@b> 1692000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n"
        " iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    commit = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-w", "-t", "commit", "--stdin"],
        input=body,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    out("update-ref", "HEAD", commit)
