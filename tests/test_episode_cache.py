"""An episode note's reading is kept with its parse (`trellis.episodes.kept`): a rebuild
with the cache reads no unchanged episode again, and still writes what a clean build
writes, also when an attachment the reading named changed or the episode page itself must
be rendered again (its tokens made again from the note)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import PUBLISHED, published, snapshot, write_vault
from test_episodes import COMPOST, SNIPD

import trellis.episodes
from trellis.episodes import kept
from trellis.episodes import read as episode_read
from trellis.pipeline import build

LOCAL = PUBLISHED.replace("---\n", "---\ntype: podcast\n", 1) + (
    "# Local show\n\n## Snips\n### [0:05] Local\n"
    '<audio controls><source src="../audio/ep%20one.wav#t=0:02,0:05"></audio>\n\n'
    "See [[Compost]].\n"
)
FILES: dict[str, str | bytes] = {
    "Ep.md": SNIPD,
    "Compost.md": COMPOST,
    "Notes/Local.md": LOCAL,
    "audio/ep one.wav": b"RIFF0000WAVE",
    "Other.md": published("Other links to [[Ep]].\n"),
}


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes whose episode was read (vault paths), in order: when first attached, or
    when a kept one's page is rendered (its tokens made again)."""
    seen: list[str] = []
    real = episode_read.read_episode

    def counting(site, note, diagnostics):  # type: ignore[no-untyped-def]
        seen.append(note.rel_path)
        return real(site, note, diagnostics)

    for module in (trellis.episodes, kept):
        monkeypatch.setattr(module, "read_episode", counting)
    return seen


def rebuilt_like_clean(vault: Path, site: Path, clean: Path, moved: tuple[str, ...] = ()) -> None:
    """`site` is what a clean build writes, but for the redirects of the `moved` pages that
    a build with the cache keeps working."""
    build(vault, clean, {"git_dates": False}, use_cache=False)
    built = snapshot(site)
    for page in [*moved, "_redirects"] if moved else []:
        assert b"/humus/" in built.pop(page)
    assert built == snapshot(clean)


def test_an_unrelated_edit_reads_no_episode_again(tmp_path, readings):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", {"git_dates": False})
    assert sorted(readings) == ["Ep.md", "Notes/Local.md"]
    readings.clear()
    (vault / "Other.md").write_text(FILES["Other.md"] + "\nA new paragraph.\n")
    result = build(vault, tmp_path / "site", {"git_dates": False})
    assert readings == [] and result.pages_rendered == 1
    rebuilt_like_clean(vault, tmp_path / "site", tmp_path / "clean")


def test_a_restored_copy_reads_no_episode_again(tmp_path, readings):
    vault = write_vault(tmp_path / "first" / "vault", FILES)
    build(vault, tmp_path / "first" / "site", {"git_dates": False})
    shutil.copytree(tmp_path / "first", tmp_path / "ci", copy_function=shutil.copyfile)
    readings.clear()
    ci = tmp_path / "ci"
    (ci / "vault" / "Other.md").write_text(FILES["Other.md"] + "\nA new paragraph.\n")
    result = build(ci / "vault", ci / "site", {"git_dates": False})
    assert readings == [] and result.pages_rendered == 1
    # Undated notes keep the first build's file times: a clean build of the copy differs.
    for page in ("ep/index.html", "notes/local/index.html", "episodes/index.html"):
        assert (ci / "site" / page).read_bytes() == (tmp_path / "first/site" / page).read_bytes()


def test_an_attachment_the_episode_names_changed_reads_it_again(tmp_path, readings):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", {"git_dates": False})
    readings.clear()
    (vault / "audio" / "ep one.wav").write_bytes(b"RIFF1111WAVE")  # a new href (its hash)
    build(vault, tmp_path / "site", {"git_dates": False})
    assert readings == ["Notes/Local.md"]
    rebuilt_like_clean(vault, tmp_path / "site", tmp_path / "clean")


def test_an_attachment_gone_reads_it_again_and_warns(tmp_path, readings):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", {"git_dates": False})
    (vault / "audio" / "ep one.wav").unlink()
    readings.clear()
    result = build(vault, tmp_path / "site", {"git_dates": False})
    assert readings == ["Notes/Local.md"]
    assert any("was not found" in str(item) for item in result.diagnostics.items)
    rebuilt_like_clean(vault, tmp_path / "site", tmp_path / "clean")


def test_a_kept_episode_page_is_rendered_again_when_what_it_links_changes(tmp_path, readings):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", {"git_dates": False})
    readings.clear()
    (vault / "Compost.md").write_text(published("Compost is slow.\n", dg_permalink="humus"))
    result = build(vault, tmp_path / "site", {"git_dates": False})
    assert result.pages_rendered >= 3  # Compost, and both episodes that link to it
    assert sorted(readings) == ["Ep.md", "Notes/Local.md"]  # their pages' tokens
    assert 'href="/humus/"' in (tmp_path / "site" / "notes" / "local" / "index.html").read_text()
    rebuilt_like_clean(vault, tmp_path / "site", tmp_path / "clean", ("compost/index.html",))
