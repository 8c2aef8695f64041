"""The command line as a user meets it: run from inside a vault, help that shows every
default, the build cache where `--cache-dir` says, the sample's deliberate warnings."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import published, write_vault

from trellis.cli import _parser, _vault
from trellis.pipeline import build

ROOT = Path(__file__).resolve().parent.parent


def _trellis(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m trellis ARGS` in `cwd`, as a user types it."""
    env = {**os.environ, "PYTHONPATH": ""}
    return subprocess.run(
        [sys.executable, "-m", "trellis", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_build_from_inside_a_vault_folder_builds_that_folder(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "My Garden",
        {
            "Home.md": published("Start at [[Beds]].", dg_home="true"),
            "Beds.md": published("Raised beds."),
            "Private.md": "private words\n",
        },
    )
    run = _trellis("build", cwd=vault)
    assert run.returncode == 0, run.stderr
    assert "Published 2 notes" in run.stdout and "-> public" in run.stdout
    site = vault / "public"
    assert (site / "beds/index.html").is_file()
    assert "<title>" in (site / "index.html").read_text(encoding="utf-8")
    assert "My Garden" in (site / "index.html").read_text(encoding="utf-8")  # title: the folder
    assert not (site / "private").exists()
    # The site and its cache are inside the vault now; the next build must not read them.
    again = _trellis(cwd=vault)  # `build` is the default command
    assert again.returncode == 0, again.stderr
    assert "Published 2 notes" in again.stdout and "warning" not in again.stderr
    check = _trellis("check", cwd=vault)
    assert check.returncode == 0 and "2 notes would be published" in check.stdout


def test_a_folder_with_a_site_src_builds_the_sample(tmp_path: Path) -> None:
    write_vault(tmp_path / "site_src", {"Sample.md": published("The sample.")})
    run = _trellis("build", "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "public/sample/index.html").is_file()


@pytest.mark.parametrize("command", ["build", "serve", "check"])
def test_without_vault_each_command_takes_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _vault(_parser().parse_args([command])) == Path(".")
    (tmp_path / "site_src").mkdir()
    assert _vault(_parser().parse_args([command])) == Path("site_src")
    assert _vault(_parser().parse_args([command, "elsewhere"])) == Path("elsewhere")


def _options(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [
        (name, action)
        for name, sub in commands.choices.items()
        for action in sub._actions
        if not isinstance(action, argparse._HelpAction)
    ]


def test_every_argument_has_help_that_shows_its_default() -> None:
    options = _options(_parser())
    assert {name for name, _ in options} == {"build", "serve", "check", "init"}
    for name, action in options:
        assert action.help and "(default: " in action.help, (name, action.option_strings)
    serve_strict = next(a for n, a in options if n == "serve" and "--strict" in a.option_strings)
    assert "warning" in serve_strict.help and "keeps running" in serve_strict.help


def test_the_help_of_every_command_runs() -> None:
    for command in ("build", "serve", "check", "init"):
        run = _trellis(command, "--help", cwd=ROOT)
        assert run.returncode == 0 and "(default: " in run.stdout, run.stderr


def test_cache_dir_holds_the_build_cache(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Note.md": published("Text.")})
    run = _trellis("build", "vault", "-o", "site", "--cache-dir", ".cache", "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / ".cache/site.trellis-cache").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "site", "vault"]
    page = (tmp_path / "site/note/index.html").stat()
    run = _trellis("build", "vault", "-o", "site", "--cache-dir", ".cache", "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    # The cache was found there: nothing changed, so the last output was kept as it was.
    assert (tmp_path / "site/note/index.html").stat().st_ino == page.st_ino
    run = _trellis("build", "vault", "-o", "site", "-q", cwd=tmp_path)  # no cache beside it
    assert (tmp_path / "site/note/index.html").stat().st_ino != page.st_ino
    assert (tmp_path / ".site.trellis-cache").is_file()
    # Given through the API (as the CLI does), a relative folder is taken from the vault.
    build(vault, tmp_path / "site", {"cache_dir": "../cache-from-api"})
    assert (tmp_path / "cache-from-api/site.trellis-cache").is_file()


def test_a_cache_dir_inside_the_output_is_refused(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", {"Note.md": published("Text.")})
    run = _trellis("build", "vault", "-o", "site", "--cache-dir", "site/cache", cwd=tmp_path)
    assert run.returncode == 2
    assert "inside the output folder" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "site").exists()


def test_the_samples_warnings_say_they_are_links_to_a_private_note(tmp_path: Path) -> None:
    run = _trellis("build", str(ROOT / "site_src"), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    warnings = run.stderr.strip().splitlines()
    private = [w for w in warnings if "[[Diary]] links to a private note" in w]
    missing = [w for w in warnings if "'Moon Garden' is missing or not published" in w]
    assert len(private) == 3 and len(missing) == 1 and len(warnings) == 4, warnings
    assert "4 warnings" in run.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "4 warnings" in readme and "demonstration" in readme


def test_a_rare_warning_is_shown_among_thousands_of_one_kind(tmp_path: Path) -> None:
    """An exported garden links hundreds of unpublished notes; the one note whose frontmatter
    is broken must still be on screen, and the rest counted by kind."""
    links = " ".join(f"[[Missing {n}]]" for n in range(60))
    files = {f"N{n:02d}.md": published(links) for n in range(5)}
    files["Zz broken.md"] = "---\ndg-publish: true\ntags: [a\n---\nBody.\n"
    vault = write_vault(tmp_path / "v", files)
    run = _trellis("build", str(vault), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    shown = [line for line in lines if ": warning: " in line]
    assert len(shown) == 20
    assert any(line.startswith("Zz broken.md:") for line in shown), run.stderr
    summary = lines[-1]
    assert summary.startswith("... and 281 more (-v shows all): ")
    assert "281 × link target … is missing or not published" in summary
    verbose = _trellis("build", str(vault), "-o", str(tmp_path / "out"), "-v", cwd=tmp_path)
    assert len([line for line in verbose.stderr.splitlines() if ": warning: " in line]) == 301
