"""`python -m trellis serve` as a user runs it: the URL on the terminal, Ctrl-C stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from helpers import published, write_vault

ROOT = Path(__file__).resolve().parents[2]


def start_serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str, Path]:
    vault = write_vault(tmp_path / "vault", {"Alpha.md": published("Alpha from the CLI.")})
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trellis", "serve", str(vault), "--port", "0", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    if not match:
        proc.kill()
        pytest.fail(f"no URL in {line!r}: {proc.communicate()}")
    return proc, match[1], temp


def wait_for_line(proc: subprocess.Popen[str], pattern: str, lines: list[str]) -> None:
    """Read stdout until a line matches `pattern` (with a timeout on the whole wait)."""
    assert proc.stdout is not None
    found = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if re.search(pattern, line):
                found.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert found.wait(60), f"no line matching {pattern!r} in {lines}"


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly(tmp_path, stop_signal):
    proc, url, temp = start_serve(tmp_path)
    lines: list[str] = []
    try:
        wait_for_line(proc, r"build #1: ", lines)
        with urllib.request.urlopen(url + "alpha/", timeout=30) as reply:
            assert "Alpha from the CLI" in reply.read().decode()
        assert any(temp.iterdir()), "the preview builds into TMPDIR"
        proc.send_signal(stop_signal)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert out.strip().splitlines()[-1] == "Stopped the preview and removed its temporary files."
    assert list(temp.iterdir()) == []


def test_a_missing_vault_is_an_error(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "trellis", "serve", str(tmp_path / "none"), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "no such vault folder" in run.stderr
    assert "Traceback" not in run.stderr
