"""The code stays ruff clean (lint and format), as the project promises."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_lint_is_clean():
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "trellis",
            "tests",
            "benchmarks",
            "build.py",
            "setup.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format_is_clean():
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "trellis",
            "tests",
            "benchmarks",
            "build.py",
            "setup.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
