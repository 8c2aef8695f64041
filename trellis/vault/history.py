"""Page dates from git: when a note was first and last committed.

A clone or checkout gives every file a new modification time, so a site dated by file times
changes every page on each CI run (and a build cache keyed on content misses). When the vault
lies in a git repository, a note without frontmatter dates takes its created date from its
first commit and its updated date from its last one, while its bytes are those committed;
a note edited since (or never committed) falls back to the file time, as before.

git is run as a read-only subprocess (no Python git library reads history this fast), with
the settings that could make it run other programs switched off: signature checks (a
repository's `gpg.program`), fsmonitor hooks and pagers. Its output is used for dates only:
paths of private notes that pass through here never reach a page.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_GIT_OPTIONS = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "core.pager=cat",
    "--no-pager",
    "--no-optional-locks",
)
_TIMEOUT = 120


@dataclass(frozen=True)
class NoteHistory:
    """A file's first and last commit times (POSIX seconds) and its blob at HEAD."""

    first: float
    last: float
    blob: str


def git_blob(data: bytes) -> str:
    """The id git gives a file of these bytes (so a clean file is told from an edited one)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_history(root: Path) -> dict[str, NoteHistory]:
    """Vault-relative `.md` path -> its history, for every note committed at HEAD; empty when
    the vault is in no git repository, git is missing or refuses (a repository owned by
    another user), or the history cannot be read."""
    git = shutil.which("git")
    if git is None:
        return {}
    top = _run(git, root, "rev-parse", "--show-toplevel")
    if top is None:
        return {}
    top_path = Path(os.fsdecode(top.rstrip(b"\n")))
    try:
        prefix = root.resolve().relative_to(top_path.resolve()).as_posix()
    except ValueError:
        return {}
    prefix = "" if prefix == "." else prefix + "/"
    blobs = _blobs_at_head(git, root, prefix)
    if not blobs:
        return {}
    log = _run(
        git,
        root,
        "log",
        "--no-show-signature",
        "--no-renames",
        "--format=%x1e%at",
        "--name-only",
        "-z",
        "--",
        ".",
    )
    if log is None:
        return {}
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for record in log.split(b"\x1e")[1:]:  # newest commit first
        stamp, _, names = record.partition(b"\0")
        try:
            when = float(stamp)
        except ValueError:
            continue
        for raw in names.split(b"\0"):
            name = _name(raw.strip(b"\n"))
            if not name.startswith(prefix) or name[len(prefix) :] not in blobs:
                continue
            rel = name[len(prefix) :]
            last.setdefault(rel, when)
            first[rel] = when
    return {
        rel: NoteHistory(first[rel], last[rel], blob) for rel, blob in blobs.items() if rel in first
    }


def head_commit(root: Path) -> str:
    """The commit checked out in the vault's repository ("" outside git): part of the
    "nothing changed" signature, since a new commit can move a note's dates."""
    git = shutil.which("git")
    head = _run(git, root, "rev-parse", "HEAD") if git else None
    return head.decode(errors="replace").strip() if head else ""


def _blobs_at_head(git: str, root: Path, prefix: str) -> dict[str, str]:
    listing = _run(git, root, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", prefix or ".")
    if listing is None:
        return {}
    blobs: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        fields = meta.split()
        name = _name(raw)
        is_note = name.lower().endswith(".md") and name.startswith(prefix)
        if len(fields) == 3 and fields[1] == b"blob" and is_note:
            blobs[name[len(prefix) :]] = fields[2].decode()
    return blobs


def _name(raw: bytes) -> str:
    """A path as the vault walk names it (NFC: a repository made on macOS may hold NFD)."""
    return unicodedata.normalize("NFC", raw.decode("utf-8", errors="replace"))


def _run(git: str, root: Path, *args: str) -> bytes | None:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "LC_ALL": "C",
    }
    try:
        done = subprocess.run(
            [git, *_GIT_OPTIONS, "-C", str(root), *args],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
