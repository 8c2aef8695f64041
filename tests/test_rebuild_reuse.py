"""A rebuild with the cache takes over what did not change (graph files, episode reads)
and still writes exactly what a clean build writes."""

import shutil
from pathlib import Path

from helpers import published, snapshot, write_vault

from trellis.pipeline import build
from trellis.public.urls import local_graph_file


def dated(body: str) -> str:
    return published(body, created="2024-01-02", updated="2024-03-04")


FILES = {
    "Home.md": published("Start: [[Alpha]] and [[Beta|b]].", **{"dg-home": "true"}),
    "Alpha.md": dated("# Alpha\nAlpha links to [[Gamma]].\n\n## Part\nalpha part"),
    "Beta.md": dated("Beta embeds ![[Alpha#Part]]"),
    "Gamma.md": dated("Gamma stands alone. #tag"),
    "Delta.md": dated("Delta is unrelated."),
}


def graph_files(site: Path) -> dict[str, int]:
    """Neighbourhood file -> inode number."""
    return {
        p.relative_to(site).as_posix(): p.stat().st_ino
        for p in (site / "_trellis" / "graph").glob("*.json")
    }


def moved_copy(source: Path, target: Path) -> None:
    """Vault, output and cache copied to a new folder, every file time new (a CI job)."""
    shutil.copytree(source, target, copy_function=shutil.copyfile, symlinks=True)


def test_a_body_edit_takes_the_graph_files_over_from_the_last_output(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site")
    before = graph_files(tmp_path / "site")
    assert len(before) == 5
    (vault / "Delta.md").write_text(dated("Delta is still unrelated, with more words."))
    build(vault, tmp_path / "site")
    assert graph_files(tmp_path / "site") == before  # the same files: hard links
    build(vault, tmp_path / "clean", use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")


def test_a_link_edit_writes_the_graph_files_again(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site")
    (vault / "Delta.md").write_text(dated("Delta now links to [[Gamma]]."))
    build(vault, tmp_path / "site")
    build(vault, tmp_path / "clean", use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")


def test_a_graph_file_changed_in_the_output_is_made_again(tmp_path):
    """Graph files are taken over only when their bytes hash as the cache recorded."""
    first = tmp_path / "first"
    vault = write_vault(first / "vault", FILES)
    build(vault, first / "site")
    moved_copy(first, tmp_path / "ci")
    ci = tmp_path / "ci"
    forged = ci / "site" / local_graph_file("/delta/")
    assert forged.is_file()
    forged.write_text('{"version":1,"nodes":[{"id":"/private/"}]}')
    (ci / "vault" / "Gamma.md").write_text(dated("Gamma stands alone, edited. #tag"))
    build(ci / "vault", ci / "site")
    build(ci / "vault", tmp_path / "clean", use_cache=False)
    assert snapshot(ci / "site") == snapshot(tmp_path / "clean")
