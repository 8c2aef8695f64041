"""A rebuild with the cache updates the last output in place (`trellis.emit.site_update`):
the same files as a clean build, byte for byte, no stale file left; files that stay are not
touched; an interrupted update is followed by a whole build; symlinks planted in the output
are removed, never followed. `atomic_output = true` keeps the staging folder and its swap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import interrupt_when, published, slow_template, write_vault

import trellis.pipeline
from trellis.build.cache import load_cache_file
from trellis.emit.output_files import file_stat
from trellis.emit.writer import MARKER, SITE_MARK, cache_path, site_finished
from trellis.pipeline import SiteBuilder, build
from trellis.render.templates import THEME_TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"git_dates": False}

FILES: dict[str, str | bytes] = {
    "Home.md": published("Start: [[Alpha]], [[Beta]], [[Gamma]].", **{"dg-home": "true"}),
    "Alpha.md": published("Alpha shows ![[pic.png]] and links [[Gamma]].", tags="[plants]"),
    "Notes/Beta.md": published("Beta embeds ![[Alpha]]. #trees", created="2024-01-02"),
    "Notes/Gamma.md": published("Gamma stands alone. #moss", created="2024-01-03"),
    "Notes/Deep/Delta.md": published("Delta is unrelated.", created="2024-01-04"),
    "Secret.md": "---\ndg-publish: false\n---\nsecretword [[Alpha]]\n",
    "pic.png": b"\x89PNG\r\n\x1a\nfirst",
}


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder`, unfollowed: a file's bytes, None for a folder (a symlink
    would fail the comparison: its value names it)."""
    found: dict[str, bytes | None] = {}
    for parent, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(parent) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = f"symlink to {os.readlink(path)}".encode()
            elif path.is_dir():
                found[rel] = None
            else:
                found[rel] = path.read_bytes()
    return found


def clean_tree(vault: Path, root: Path) -> dict[str, bytes | None]:
    out = root / "clean"
    build(vault, out, SETTINGS, use_cache=False)
    return tree(out)


def delete_note(vault: Path) -> None:
    (vault / "Notes" / "Gamma.md").unlink()


def make_private(vault: Path) -> None:
    note = vault / "Alpha.md"
    note.write_text(note.read_text().replace("dg-publish: true", "dg-publish: false"))


def remove_attachment(vault: Path) -> None:
    (vault / "pic.png").unlink()


def remove_tag(vault: Path) -> None:
    (vault / "Notes" / "Gamma.md").write_text(
        published("Gamma stands alone.", created="2024-01-03")
    )


def change_template(vault: Path) -> None:
    theme = (THEME_TEMPLATES / "note.html").read_text(encoding="utf-8")
    write_vault(vault, {".trellis/templates/note.html": theme + "<!-- changed -->\n"})


def edit_body(vault: Path) -> None:
    (vault / "Notes" / "Deep" / "Delta.md").write_text(
        published("Delta is unrelated, and longer now.", created="2024-01-04")
    )


EDITS = [delete_note, make_private, remove_attachment, remove_tag, change_template, edit_body]


@pytest.mark.parametrize("atomic", [False, True], ids=["in-place", "atomic"])
@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_a_rebuild_writes_what_a_clean_build_writes(tmp_path: Path, edit, atomic: bool):
    vault = write_vault(tmp_path / "vault", FILES)
    out = tmp_path / "out"
    settings = {**SETTINGS, "atomic_output": atomic}
    build(vault, out, settings)
    folder = out.stat().st_ino
    (out / "mine.txt").write_text("a file the user put there")  # the folder is Trellis's
    (out / "notes" / "extra").mkdir()
    edit(vault)
    result = build(vault, out, settings)
    assert not result.cache_problem
    assert tree(out) == clean_tree(vault, tmp_path)
    assert (out.stat().st_ino == folder) is not atomic  # updated in place, or swapped in
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".out.trellis-cache",
        "clean",
        "out",
        "vault",
    ]
    if edit is make_private:
        assert not any(
            b"secretword" in data or b"Alpha shows" in data for data in tree(out).values() if data
        )


def test_files_that_stay_are_not_touched(tmp_path: Path):
    """Pages, graph files and attachments that did not change keep their inode and their
    change time (no link made or removed), the edited page is a new file, and the stats
    the cache records are those of the files as they are after the build."""
    vault = write_vault(tmp_path / "vault", FILES)
    out = tmp_path / "out"
    first = build(vault, out, SETTINGS)
    assert first.site is not None
    before = {rel: file_stat(out / rel) for rel in tree(out) if (out / rel).is_file()}
    edit_body(vault)
    result = build(vault, out, SETTINGS)
    assert result.pages_rendered == 1
    after = {rel: file_stat(out / rel) for rel in tree(out) if (out / rel).is_file()}
    pages = {note.output_path for note in first.site.notes}
    edited = "notes/deep/delta/index.html"
    kept = {rel for rel in pages if rel != edited}
    kept |= {rel for rel in before if rel.startswith("_trellis/graph/") or rel.endswith(".png")}
    assert len(kept) > 8 and all(rel in after for rel in kept)
    for rel in kept:  # (device, inode, size, modification time, change time)
        was, now = before[rel], after[rel]
        assert was is not None and now is not None
        # A page of a shard Pagefind indexed again was linked for it a moment: its change
        # time moved; nothing else did.
        assert (was[:4] if rel in pages else was) == (now[:4] if rel in pages else now), rel
    assert before[edited] is not None and after[edited] is not None
    assert before[edited][1] != after[edited][1]
    read = load_cache_file(cache_path(out)).with_body()
    assert read.data is not None
    stats = read.data["file_stats"]
    assert len(stats) > len(kept)
    assert {rel: file_stat(out / rel) for rel in stats} == stats


def test_symlinks_planted_in_the_output_are_never_followed(tmp_path: Path):
    """A symlink in the output, to a folder or a file outside, is removed itself: nothing is
    written or removed where it leads, and the site is the clean build's."""
    vault = write_vault(tmp_path / "vault", FILES)
    out = tmp_path / "out"
    build(vault, out, SETTINGS)
    outside = write_vault(
        tmp_path / "outside",
        {"gamma/index.html": "precious", "keep.txt": "precious", "deep/delta/index.html": "x"},
    )
    bashrc = tmp_path / "bashrc"
    bashrc.write_text("precious rc")
    before = tree(outside)
    gamma_page = out / "notes" / "gamma" / "index.html"
    gamma_page.unlink()
    gamma_page.symlink_to(bashrc)  # a page that stays, now a link to a file outside
    delta = out / "notes" / "deep"
    for entry in sorted(delta.rglob("*"), reverse=True):
        entry.rmdir() if entry.is_dir() else entry.unlink()
    delta.rmdir()
    delta.symlink_to(outside)  # a folder whose page is rewritten, now a link outside
    (out / "_trellis" / "graph").rename(tmp_path / "graph-moved")
    (out / "_trellis" / "graph").symlink_to(outside, target_is_directory=True)
    (out / "stray").symlink_to(outside)  # no output of the build
    (out / "stray-file").symlink_to(bashrc)
    edit_body(vault)
    build(vault, out, SETTINGS)
    assert tree(outside) == before
    assert bashrc.read_text() == "precious rc"
    assert tree(out) == clean_tree(vault, tmp_path)


def fail_after_writing(*args, **kwargs):
    raise RuntimeError("interrupted while indexing")


def test_a_failed_update_is_marked_and_followed_by_a_whole_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    vault = write_vault(tmp_path / "vault", FILES)
    out = tmp_path / "out"
    builder = SiteBuilder(vault, out, SETTINGS)
    builder.build()
    make_private(vault)
    remove_attachment(vault)
    monkeypatch.setattr(trellis.pipeline, "start_index", fail_after_writing)
    with pytest.raises(RuntimeError):
        builder.build()
    monkeypatch.undo()
    assert not site_finished(out)  # pages were rewritten: the site says it is incomplete
    assert (out / MARKER).read_text() != SITE_MARK
    # The same builder (kept alive) and a new one (from the cache file) both build it whole.
    again = builder.build()
    assert again.site is not None and again.pages_rendered == len(again.site.notes)
    assert tree(out) == clean_tree(vault, tmp_path)
    edit_body(vault)
    monkeypatch.setattr(trellis.pipeline, "start_index", fail_after_writing)
    with pytest.raises(RuntimeError):
        build(vault, out, SETTINGS)
    monkeypatch.undo()
    folder = out.stat().st_ino
    result = build(vault, out, SETTINGS)
    assert result.site is not None and result.pages_rendered == len(result.site.notes)
    assert out.stat().st_ino != folder  # staged and swapped in: nothing of it was trusted
    assert tree(out) == clean_tree(vault, tmp_path)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_an_interrupted_update_is_followed_by_a_whole_build(tmp_path: Path, sig: signal.Signals):
    """A command-line build stopped while it rewrites pages in place (a template spins on
    the last one) leaves the site marked incomplete and says so; the next build trusts
    nothing of it and makes it whole in a new folder."""
    notes = {f"Note {i:03}.md": published(f"first {i}") for i in range(40)}
    vault = write_vault(tmp_path / "vault", {**FILES, **notes, "zz Slow.md": published("slow")})
    out = tmp_path / "out"
    build(vault, out, SETTINGS)
    write_vault(vault, {name: published("second") for name in notes})
    write_vault(vault, {".trellis/templates/note.html": slow_template()})
    make_private(vault)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "trellis", "build", str(vault), "-o", str(out), "-q"]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    written = out / "note-039" / "index.html"
    stderr = interrupt_when(
        process,
        lambda: b"second" in written.read_bytes(),  # rewritten in place, by rename
        sig,
        "the build never rewrote the page",
    )
    assert not site_finished(out) and b"updating" in (out / MARKER).read_bytes()
    assert (out / "alpha" / "index.html").exists()  # the private note's page: not swept yet
    if sig == signal.SIGINT:
        assert process.returncode == 130
        assert f"{out} is incomplete (marked so); the next build makes it whole" in stderr
        assert "Traceback" not in stderr
    (vault / ".trellis" / "templates" / "note.html").unlink()
    folder = out.stat().st_ino
    result = build(vault, out, SETTINGS)
    assert result.site is not None and result.pages_rendered == len(result.site.notes)
    assert out.stat().st_ino != folder  # staged and swapped in
    assert tree(out) == clean_tree(vault, tmp_path)
    assert not (out / "alpha").exists()


def test_a_failure_before_any_change_leaves_the_site_finished(tmp_path: Path):
    vault = write_vault(tmp_path / "vault", FILES)
    out = tmp_path / "out"
    build(vault, out, SETTINGS)
    before = tree(out)
    edit_body(vault)
    write_vault(vault, {".trellis/templates/note.html": "{% block content %}{{ broken"})
    with pytest.raises(Exception, match="template error"):
        build(vault, out, SETTINGS)
    assert tree(out) == before and site_finished(out)


def test_pages_rendered_by_worker_processes_are_kept_in_the_update(tmp_path: Path):
    """Worker processes write their pages into the folder being updated; the sweep knows
    them (and the pages they kept) from what they report."""
    files = dict(FILES)
    for number in range(12):
        files[f"Many/Note {number}.md"] = published(f"Note {number} links [[Alpha]].")
    vault = write_vault(tmp_path / "vault", files)
    out = tmp_path / "out"
    settings = {**SETTINGS, "jobs": 3, "workers_from": 1}
    build(vault, out, settings)
    folder = out.stat().st_ino
    change_template(vault)
    make_private(vault)
    result = build(vault, out, settings)
    assert result.worker_processes == 3 and out.stat().st_ino == folder
    assert tree(out) == clean_tree(vault, tmp_path)
    edit_body(vault)
    build(vault, out, settings)
    assert tree(out) == clean_tree(vault, tmp_path / "again")


def test_the_command_line_updates_in_place_with_a_relative_output_folder(tmp_path: Path):
    """`trellis build vault -o out` as users type it: the last output, recorded as `out`, is
    the folder being written (`/abs/out`), so the rebuild updates it in place."""
    write_vault(tmp_path / "vault", FILES)

    def cli_build() -> None:
        subprocess.run(
            [sys.executable, "-m", "trellis", "build", "vault", "-o", "out", "-q"],
            cwd=tmp_path,
            check=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            timeout=300,
        )

    cli_build()
    folder = (tmp_path / "out").stat().st_ino
    edit_body(tmp_path / "vault")
    cli_build()
    assert (tmp_path / "out").stat().st_ino == folder  # updated in place, not swapped
    assert tree(tmp_path / "out") == clean_tree(tmp_path / "vault", tmp_path)
