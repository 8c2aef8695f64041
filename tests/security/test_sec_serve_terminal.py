"""Terminal escape injection: file names and link targets holding control bytes.

A vault (a shared or downloaded one) can name a file `\\x1b]0;title\\x07.md`, or hold
`[[\\x1b[2J]]`: printed raw into a warning, it retitles or clears the terminal, a newline
forges a warning line, a bidi override reverses what follows. Every line `build`, `check`
and `serve` print must show such characters escaped (`\\x1b`), and ordinary letters, emoji
included, as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import published, write_vault
from security.sec_serve_cli import ServeProcess, cli

from trellis.serve.builder import IncrementalRebuilder

# Each name holds one attack; every note links to a missing page so a warning names it.
NAMES = {
    "Clear \x1b[2J\x1b[H screen.md": "Clear \\x1b[2J\\x1b[H screen.md",
    "Title \x1b]0;pwned\x07 set.md": "Title \\x1b]0;pwned\\x07 set.md",
    "Csi \x9b31m eight-bit.md": "Csi \\x9b31m eight-bit.md",
    "Bidi \u202egnp.exe.md": "Bidi \\u202egnp.exe.md",
    "Isolate \u2067x\u2069.md": "Isolate \\u2067x\\u2069.md",
    "Forged\nwarning: all good.md": "Forged\\x0awarning: all good.md",
    "Delete \x7f and \x08 back.md": "Delete \\x7f and \\x08 back.md",
}
LINK_TARGET = ("Missing \x1b[31mred", "Missing \\x1b[31mred")
PLAIN = "জীবন 🎙 note.md"  # printable: shown as it is
# What must never reach the terminal raw: C0 controls but newline, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _vault(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        name: published("Links to [[Nowhere at all]].") for name in [*NAMES, PLAIN]
    }
    files["Target.md"] = published(f"Links to [[{LINK_TARGET[0]}]].")
    return write_vault(root / "vault", files)


def _assert_escaped(text: str) -> None:
    assert not RAW.search(text), f"a raw control character reached the terminal: {text!r}"
    lines = [line.strip() for line in text.splitlines()]  # serve indents its warnings
    for shown in NAMES.values():
        assert any(line.startswith(f"{shown}:") for line in lines), (shown, text)
    assert any(line.startswith(f"{PLAIN}:") for line in lines), text
    assert any(LINK_TARGET[1] in line for line in lines), text
    # The newline in a name did not start a line of its own.
    assert not any(line.startswith("warning: all good") for line in lines)


def test_build_prints_every_name_escaped(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    run = cli("build", str(vault), "-o", str(tmp_path / "out"), "-v")
    assert run.returncode == 0, run.stderr
    _assert_escaped(run.stderr.decode("utf-8"))
    assert not RAW.search(run.stdout.decode("utf-8"))


def test_check_prints_every_name_escaped(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    run = cli("check", str(vault), "-v")
    assert run.returncode == 0, run.stderr
    assert not RAW.search(run.stderr.decode("utf-8"))
    out = run.stdout.decode("utf-8")
    assert not RAW.search(out), out
    for shown in NAMES.values():
        assert f"<-  {shown}" in out


def test_a_fatal_error_prints_the_path_escaped(tmp_path: Path) -> None:
    run = cli("build", str(tmp_path / "no \x1b]0;pwned\x07 vault"), "-o", str(tmp_path / "out"))
    assert run.returncode == 2
    err = run.stderr.decode("utf-8")
    assert not RAW.search(err), err
    assert "no such vault folder" in err
    assert "no \\x1b]0;pwned\\x07 vault" in err


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(_vault(tmp_path), tmp_path / "tmp", "-v")
    yield process
    assert process.stop() == 0, process.errors


def test_serve_prints_warnings_and_changed_names_escaped(serve: ServeProcess) -> None:
    serve.wait_build(1)
    _assert_escaped(serve.quiet_stderr_since(0).decode("utf-8"))

    mark = len(serve.out)
    evil = next(name for name in NAMES if "]0;" in name)
    vault = serve.proc.args[4]  # type: ignore[index]
    line = serve.save(Path(vault) / evil, published("Now links to [[Still nowhere]].")).decode()
    assert f"after changes to {NAMES[evil]}" in line
    out = serve.out[mark:].decode("utf-8")
    assert not RAW.search(out), out
    err = serve.quiet_stderr_since(0).decode("utf-8")
    assert not RAW.search(err), err
    assert f"{NAMES[evil]}:4: warning: link target 'Still nowhere'" in err


def test_a_failing_quick_rebuild_is_told_escaped_and_the_full_build_takes_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the preview's fast path (simulated: its text carries a vault file name with
    an escape byte) is printed escaped, and the full rebuild still shows the save."""
    vault = write_vault(tmp_path / "vault", {"Home.md": published("first", **{"dg-home": "true"})})
    workdir = tmp_path / "preview"
    workdir.mkdir()
    rebuilder = IncrementalRebuilder(vault, {}, workdir)
    assert rebuilder.rebuild(frozenset()).root is not None

    def broken(changed: object) -> None:
        raise ValueError("bad name \x1b]0;owned\x07.md")

    monkeypatch.setattr(rebuilder._site, "apply_edits", broken)
    (vault / "Home.md").write_text(published("second", **{"dg-home": "true"}))
    outcome = rebuilder.rebuild(frozenset({(vault / "Home.md").resolve()}))
    assert outcome.error is None and outcome.root is not None
    assert "second" in (outcome.root / "index.html").read_text()
    err = capsys.readouterr().err
    assert "quick rebuild failed" in err and "\\x1b]0;owned\\x07" in err
    assert "\x1b" not in err and "\x07" not in err
