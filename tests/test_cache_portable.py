"""The build cache is portable: vault, output and cache copied to a new folder with new file
times (a CI job restoring them) re-render only the pages that read what was edited."""

import os
import shutil
from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

from trellis.diagnostics import Diagnostics
from trellis.pipeline import build
from trellis.vault.scan import read_vault


def dated(body: str) -> str:
    return published(body, created="2024-01-02", updated="2024-03-04")


FILES = {
    "Home.md": published("Start: [[Alpha]] and [[Beta|b]].", **{"dg-home": "true"}),
    "Alpha.md": dated("# Alpha\nAlpha links to [[Gamma]].\n\n## Part\nalpha part"),
    "Beta.md": dated("Beta embeds ![[Alpha#Part]]"),
    "Gamma.md": dated("Gamma stands alone. #tag"),
    "Delta.md": dated("Delta is unrelated."),
    "Epsilon.md": dated("Epsilon is unrelated too."),
    "Private.md": "---\ndg-publish: false\n---\nprivate [[Alpha]]\n",
    "pic.png": b"PNG",
}

ALPHA_EDITED = dated("# Alpha\nAlpha now [[Gamma|links]].\n\n## Part\nnew part")


def copy_with_new_times(source: Path, target: Path) -> None:
    """Copy as a CI job restores a checkout and a cache: same bytes, every file time new."""
    shutil.copytree(source, target, copy_function=shutil.copyfile, symlinks=True)
    later = 2_000_000_000 * 10**9  # 2033: later than any time the first build saw
    for path in target.rglob("*"):
        os.utime(path, ns=(later, later), follow_symlinks=False)


@pytest.mark.parametrize("cache_dir", [None, "../cache"])
def test_a_copied_folder_rerenders_only_what_reads_the_edited_note(tmp_path, cache_dir):
    overrides = {"cache_dir": cache_dir} if cache_dir else {}
    first = tmp_path / "first"
    vault = write_vault(first / "vault", FILES)
    build(vault, first / "site", overrides)
    copy_with_new_times(first, tmp_path / "ci")
    ci = tmp_path / "ci"
    (ci / "vault" / "Alpha.md").write_text(ALPHA_EDITED)
    result = build(ci / "vault", ci / "site", overrides)
    # Alpha itself, Beta (embeds Alpha#Part) and Gamma (shows Alpha's link as a backlink).
    assert result.pages_rendered == 3
    clean = build(ci / "vault", tmp_path / "clean", use_cache=False)
    assert clean.pages_rendered == clean.notes_published
    assert snapshot(ci / "site") == snapshot(tmp_path / "clean")


def test_a_copied_folder_with_nothing_edited_renders_no_page(tmp_path):
    vault = write_vault(tmp_path / "first" / "vault", FILES)
    build(vault, tmp_path / "first" / "site")
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    result = build(tmp_path / "ci" / "vault", tmp_path / "ci" / "site")
    assert result.pages_rendered == 0
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "first" / "site")


def test_a_page_changed_in_the_output_is_rendered_again(tmp_path):
    """Pages are taken over from the output folder only when their bytes are the ones the
    cache recorded: an output restored from another build is not trusted blindly."""
    vault = write_vault(tmp_path / "first" / "vault", FILES)
    build(vault, tmp_path / "first" / "site")
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    ci = tmp_path / "ci"
    (ci / "site" / "delta" / "index.html").write_text("<p>from another build</p>")
    (ci / "vault" / "Epsilon.md").write_text(dated("Epsilon edited."))
    result = build(ci / "vault", ci / "site")
    assert result.pages_rendered == 2  # Epsilon, edited; Delta, whose file was not the cached one
    build(ci / "vault", tmp_path / "clean", use_cache=False)
    assert snapshot(ci / "site") == snapshot(tmp_path / "clean")


UNDATED = {
    "Home.md": published("Start: [[Alpha]].", **{"dg-home": "true"}),
    "Alpha.md": published("Alpha has no date in its frontmatter."),
    "Beta.md": published("Beta neither."),
}


def test_file_time_dates_are_those_of_the_build_that_first_saw_the_bytes(tmp_path):
    """A note dated by its file time keeps the date the last build gave it while its bytes
    are unchanged: a checkout or a restored copy (new file times) changes no page. A note
    whose bytes changed takes its file's time, as a build without the cache does."""
    first = tmp_path / "first"
    vault = write_vault(first / "vault", UNDATED)
    build(vault, first / "site", {"git_dates": False})
    copy_with_new_times(first, tmp_path / "ci")
    ci = tmp_path / "ci"
    (ci / "vault" / "Beta.md").write_text(published("Beta edited."))
    result = build(ci / "vault", ci / "site", {"git_dates": False})
    assert result.pages_rendered == 1  # Beta: no page lists notes by date here
    assert (ci / "site" / "alpha" / "index.html").read_bytes() == (
        first / "site" / "alpha" / "index.html"
    ).read_bytes()
    beta = read_vault(ci / "vault", Diagnostics(), git_dates=False)
    (edited,) = [n for n in beta.notes if n.rel_path == "Beta.md"]
    assert edited.dates[1].isoformat() in (ci / "site" / "beta" / "index.html").read_text()
