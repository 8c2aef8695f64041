"""One build at a time into an output folder (`trellis.emit.build_lock`): a second build
while one runs says so and waits, then builds; nothing is left beside the output."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

from trellis.diagnostics import FatalError
from trellis.emit.build_lock import build_lock
from trellis.pipeline import build

ROOT = Path(__file__).resolve().parents[1]


def test_a_second_build_waits_for_the_first_then_builds(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"A.md": published("Hello")})
    out = tmp_path / "out"
    build(vault, out)
    write_vault(vault, {"A.md": published("Hello again")})
    release = threading.Event()
    told: list[str] = []
    with build_lock(out):  # what a running build holds
        # Another process, through the command line: it says it waits, and waits.
        second = subprocess.Popen(
            [sys.executable, "-m", "trellis", "build", str(vault), "-o", str(out)],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert second.stderr is not None
        line = second.stderr.readline()  # blocks until it has met the lock
        assert "another Trellis build is writing into" in line and "waiting" in line
        assert second.poll() is None
        assert b"Hello again" not in b"".join(snapshot(out).values())
        # And one in this process (a thread) is told too.
        same = threading.Thread(
            target=lambda: (told.append("started"), build(vault, out, waiting=told.append))
        )
        same.start()
        while len(told) < 2 and same.is_alive():
            release.wait(0.01)
        assert same.is_alive() and "waiting" in told[-1]
    second.communicate(timeout=300)
    same.join(timeout=300)
    assert second.returncode == 0 and not same.is_alive()
    assert b"Hello again" in b"".join(snapshot(out).values())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.trellis-cache", "out", "vault"]


def test_the_lock_is_released_when_a_build_fails(tmp_path: Path) -> None:
    with pytest.raises(FatalError):
        build(tmp_path / "no-such-vault", tmp_path / "out")
    told: list[str] = []
    with build_lock(tmp_path / "out", told.append):
        pass
    assert told == []  # nothing held it
