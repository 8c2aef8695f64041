"""The output folder and the command line: atomic swaps, stale pages, exit codes, --strict."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import build_vault, published, snapshot, write_vault

from trellis.diagnostics import FatalError
from trellis.pipeline import build

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_pages_of_deleted_notes_vanish(tmp_path):
    site = build_vault(tmp_path, {"A.md": published("a"), "B.md": published("b")})
    assert site.exists("/b/")
    (tmp_path / "vault" / "B.md").unlink()
    build(tmp_path / "vault", site.out)
    assert site.exists("/a/") and not site.exists("/b/")


def test_failed_build_leaves_previous_site_in_place(tmp_path):
    site = build_vault(tmp_path, {"A.md": published("first version")})
    before = snapshot(site.out)
    vault = tmp_path / "vault"
    (vault / "A.md").write_text(published("second version"))
    write_vault(vault, {".trellis/templates/note.html": "{% block content %}{{ broken"})
    with pytest.raises(FatalError, match=r"note\.html:1: template error"):
        build(vault, site.out)
    assert snapshot(site.out) == before
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == [".out.trellis-cache", "out", "vault"]


def test_nothing_outside_the_output_folder_is_touched(tmp_path):
    write_vault(tmp_path / "vault", {"A.md": published("a ![[p.png]]"), "p.png": b"P"})
    (tmp_path / "neighbour.txt").write_text("keep me")
    vault_before = snapshot(tmp_path / "vault")
    build(tmp_path / "vault", tmp_path / "out")
    build(tmp_path / "vault", tmp_path / "out")
    # The output folder, and beside it only its build cache (never deployed).
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".out.trellis-cache", "neighbour.txt", "out", "vault"]
    assert (tmp_path / "neighbour.txt").read_text() == "keep me"
    assert snapshot(tmp_path / "vault") == vault_before


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    write_vault(tmp_path / "vault", {"A.md": published("a")})
    precious = write_vault(tmp_path / "precious", {"thesis.txt": "years of work"})
    with pytest.raises(FatalError, match="not written by Trellis"):
        build(tmp_path / "vault", precious)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_refuses_output_that_contains_the_vault(tmp_path):
    write_vault(tmp_path / "vault", {"A.md": published("a")})
    with pytest.raises(FatalError, match="contain the vault"):
        build(tmp_path / "vault", tmp_path)
    with pytest.raises(FatalError, match="contain the vault"):
        build(tmp_path / "vault", tmp_path / "vault")


def test_empty_existing_output_folder_is_fine(tmp_path):
    (tmp_path / "out").mkdir()
    site = build_vault(tmp_path, {"A.md": published("a")})
    assert site.exists("/a/")


def test_cli_builds_and_summarises(tmp_path):
    write_vault(tmp_path / "v", {"A.md": published("[[Missing]]"), "B.md": published("b")})
    run = run_cli("build.py", "build", str(tmp_path / "v"), "-o", str(tmp_path / "o"))
    assert run.returncode == 0, run.stderr
    assert "A.md:4: warning: link target 'Missing'" in run.stderr
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.startswith("Published 2 notes: ")
    assert "1 warning in" in summary
    assert "Traceback" not in run.stderr
    assert (tmp_path / "o" / "a" / "index.html").is_file()


def test_cli_strict_fails_on_warnings_but_writes_the_site(tmp_path):
    write_vault(tmp_path / "v", {"A.md": published("[[Missing]]")})
    run = run_cli("build.py", str(tmp_path / "v"), "-o", str(tmp_path / "o"), "--strict")
    assert run.returncode == 1
    assert "Missing" in run.stderr
    assert (tmp_path / "o" / "a" / "index.html").is_file()
    clean = write_vault(tmp_path / "clean", {"A.md": published("fine")})
    run = run_cli("build.py", str(clean), "-o", str(tmp_path / "o2"), "--strict")
    assert run.returncode == 0, run.stderr


def test_cli_fatal_errors_are_one_line(tmp_path):
    run = run_cli("build.py", "build", str(tmp_path / "nope"), "-o", str(tmp_path / "o"))
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "no such vault" in run.stderr and "Traceback" not in run.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    write_vault(tmp_path / "v", {"A.md": published("a")})
    run = run_cli("build.py", str(tmp_path / "v"), "-o", str(blocker / "out"))
    assert run.returncode == 2
    assert run.stderr.startswith("trellis: error: ") and "Traceback" not in run.stderr


def test_cli_quiet_prints_nothing(tmp_path):
    write_vault(tmp_path / "v", {"A.md": published("[[Missing]]")})
    run = run_cli("-m", "trellis", str(tmp_path / "v"), "-o", str(tmp_path / "o"), "-q")
    assert run.returncode == 0
    assert run.stdout == "" and run.stderr == ""


def test_cli_verbose_prints_every_warning(tmp_path):
    body = "\n\n".join(f"[[Missing {i}]]" for i in range(30))
    write_vault(tmp_path / "v", {"A.md": published(body)})
    run = run_cli("build.py", str(tmp_path / "v"), "-o", str(tmp_path / "o"))
    assert run.stderr.count("warning:") == 20 and "10 more" in run.stderr
    run = run_cli("build.py", str(tmp_path / "v"), "-o", str(tmp_path / "o"), "-v")
    assert run.stderr.count("warning:") == 30


def test_default_command_builds_the_sample_vault(tmp_path):
    """`python build.py` with no arguments: site_src/ into public/ (run in a copy of the repo)."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "site_src", copy / "site_src")
    shutil.copy(ROOT / "build.py", copy / "build.py")
    run = run_cli(str(copy / "build.py"), cwd=copy)
    assert run.returncode == 0, run.stderr
    assert (copy / "public" / "index.html").is_file()
    assert (copy / "public" / "static" / "trellis.css").is_file()


def test_console_script_and_module_agree(tmp_path):
    write_vault(tmp_path / "v", {"A.md": published("a")})
    script = Path(sys.executable).parent / "trellis"
    assert script.is_file(), "the package is not installed: pip install -e ."
    env = {**os.environ}
    run = subprocess.run(
        [str(script), "build", str(tmp_path / "v"), "-o", str(tmp_path / "o1")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    run2 = run_cli("-m", "trellis", "build", str(tmp_path / "v"), "-o", str(tmp_path / "o2"))
    assert run2.returncode == 0, run2.stderr
    assert snapshot(tmp_path / "o1") == snapshot(tmp_path / "o2")
