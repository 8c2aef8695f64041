"""The benchmark tools themselves: the vault generator is deterministic and writes what it
claims, its vaults build with Trellis, and the runner reports every figure it promises.

Speed is never asserted here (it is measured by benchmarks/run.py); these stay small and fast.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from trellis.pipeline import build
from trellis.vault.frontmatter import split_frontmatter

ROOT = Path(__file__).resolve().parent.parent
HAS_HUGO = shutil.which("hugo") is not None


def _import(name: str) -> ModuleType:
    """Import `benchmarks.<name>` whichever folder pytest was started from."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"benchmarks.{name}")


gen = _import("generate_vault")
runner = _import("run")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _notes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in root.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("bench") / "vault"
    return root, gen.generate_vault(root, 200, seed=7)


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        gen.generate_vault(tmp_path / name, 40, seed=seed)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _notes(tmp_path / "a") != _notes(tmp_path / "c")


def test_counts_sizes_and_folders(vault: tuple[Path, object]) -> None:
    root, manifest = vault
    notes = _notes(root)
    assert len(notes) == manifest.notes == 200
    assert manifest.private == 20 and manifest.public == 180
    assert manifest.episodes == 6
    sizes = [len(text.encode("utf-8")) for text in notes.values()]
    assert min(sizes) >= gen.MIN_BYTES and max(sizes) <= gen.MAX_BYTES
    folders = {path.rsplit("/", 1)[0] for path in notes if "/" in path}
    assert {len(folder.split("/")) for folder in folders} <= {1, 2, 3, 4}
    assert any(" " in folder for folder in folders)
    assert any(ord(char) > 0x2000 for folder in folders for char in folder)  # emoji
    assert any("\u0980" <= char <= "\u09ff" for folder in folders for char in folder)  # Bengali
    json_notes = [text for text in notes.values() if text.startswith('---\n{"')]
    assert len(json_notes) == manifest.json_frontmatter > 20
    assert all('"permalink":"/' in text for text in json_notes)


def test_private_notes_carry_their_marker_and_are_not_published(
    vault: tuple[Path, object],
) -> None:
    root, manifest = vault
    notes = _notes(root)
    private = set(manifest.private_paths)
    for path, text in notes.items():
        front = split_frontmatter(text)
        assert front.ok, path
        if path in private:
            marker = re.search(r"PRIVATE-MARKER-\d+", path)
            assert marker and marker.group() in front.body, path
            assert front.meta.get("dg-publish") is not True, path
        else:
            assert front.meta.get("dg-publish") is True, path
            # A public note names a private one only as a link or embed target.
            outside_links = re.sub(r"\[\[[^\]]*\]\]", "", text)
            assert "PRIVATE-MARKER" not in outside_links, path
    public_text = "".join(text for path, text in notes.items() if path not in private)
    for attachment in manifest.private_only_attachments:
        assert (root / attachment).read_bytes().startswith(b"\x89PNG")
        assert attachment.rsplit("/", 1)[-1] not in public_text


SYNTAX = {
    "wikilink with alias": r"\[\[[^\]|#]+\|[^\]]+\]\]",
    "heading link": r"\[\[[^\]^#]+#[^\]^]+\]\]",
    "block link": r"\[\[[^\]#]+#\^[0-9a-f]{6}",
    "escaped pipe in a table": r"^\| \[\[[^\]]+\\\|[^\]]+\]\] \|",
    "note embed": r"!\[\[[^\]#.]+\]\]",
    "heading embed": r"!\[\[[^\]#.]+#[^\]]+\]\]",
    "image embed with width": r"!\[\[img-\d+\.png\|\d+\]\]",
    "folded callout": r"^> \[!\w+\]- ",
    "nested callout": r"^> > \[!\w+\]",
    "nested tag": r" #[a-z]+/[a-z]+",
    "emoji tag": r" #🌱",
    "inline field": r"^(- )?[a-z]+:: \S",
    "python fence": r"^```python$",
    "js fence": r"^```js$",
    "inline math": r" \$[^$\n]+\$",
    "block math": r"^\$\$\n",
    "custom task status": r"^- \[>\] ",
    "footnote": r"^\[\^\d\]: ",
    "comment": r"%%[^%]+%%",
    "snips section": r"^## Snips$",
    "snip heading": r"^### \[\d+:\d\d(:\d\d)?\] \S",
    "snip play link": r"^\[🎧 Play snip - \d+min\ufe0f \(\d+:\d\d(:\d\d)? - [\d:]+\)\]"
    r"\(https://share\.snipd\.com/snip/",
    "audio": r'^<audio controls> <source src="https://example\.org/[^"#]+\.mp3#t=[\d:]+,[\d:]+">'
    r" </audio>$",
    "key takeaways": r"^### ✨ Key takeaways\n\n1\. ",
    "transcript": r"^#### 📚 Transcript\n\n> \[!quote\]- Transcript\n> \*\*Speaker 1\*\*: ",
    "rule between snips": r"\n---\n\n### \[",
}


@pytest.mark.parametrize("name", sorted(SYNTAX))
def test_syntax_is_present(vault: tuple[Path, object], name: str) -> None:
    root, _ = vault
    text = "\n".join(_notes(root).values())
    assert re.search(SYNTAX[name], text, re.MULTILINE), name


def test_block_links_point_at_existing_block_ids(vault: tuple[Path, object]) -> None:
    root, _ = vault
    notes = _notes(root)
    by_title = {path.rsplit("/", 1)[-1][:-3]: text for path, text in notes.items()}
    links = [
        (title, block)
        for text in notes.values()
        for title, block in re.findall(r"\[\[([^\]#]+)#\^([0-9a-f]{6})", text)
    ]
    assert links
    for title, block in links:
        assert f" ^{block}" in by_title[title], (title, block)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    root = tmp_path_factory.mktemp("built")
    manifest = gen.generate_vault(root / "vault", 60, seed=1)
    return root, manifest, build(root / "vault", root / "site")


def test_a_small_vault_builds_and_every_link_resolves(built: tuple[Path, object, object]) -> None:
    _, manifest, result = built
    assert result.notes_published == manifest.public
    assert result.pages_written >= manifest.public
    for warning in map(str, result.diagnostics.items):
        # Every heading, block, alias and attachment the generator links to exists, no name
        # is ambiguous; only links to private notes are reported (and name them).
        assert "links to a private note" in warning and "PRIVATE-MARKER" in warning, warning


def _private_bytes(root: Path, manifest: object, dot_files: bool) -> list[str]:
    private_images = [
        (root / "vault" / name).read_bytes() for name in manifest.private_only_attachments
    ]
    found = []
    for path, data in _files(root / "site").items():
        if any(part.startswith(".") for part in path.split("/")) != dot_files:
            continue
        if b"PRIVATE-MARKER" in data or "PRIVATE-MARKER" in path or data in private_images:
            found.append(path)
    return found


def test_no_private_note_or_image_in_the_published_files(
    built: tuple[Path, object, object],
) -> None:
    root, manifest, _ = built
    assert _private_bytes(root, manifest, dot_files=False) == []


def test_no_private_marker_in_the_files_beside_the_pages(
    built: tuple[Path, object, object],
) -> None:
    root, manifest, _ = built
    assert _private_bytes(root, manifest, dot_files=True) == []


def test_hugo_copy_marks_private_notes_as_drafts(tmp_path: Path) -> None:
    assert runner._mark_draft('---\n{"a":1}\n---\nx') == '---\n{"draft":true,"a":1}\n---\nx'
    assert runner._mark_draft("---\na: 1\n---\nx") == "---\ndraft: true\na: 1\n---\nx"
    if not HAS_HUGO:
        pytest.skip("hugo is not installed")
    vault, manifest, _ = runner.cached_vault(tmp_path, 30, 0)
    result = runner.hugo_run(runner.hugo_site(tmp_path, vault, manifest), tmp_path / "hugo")
    assert result["output_files"] > manifest.public
    # Hugo keeps wikilinks as text, so markers of link targets show; no private page may.
    assert not [path for path in _files(tmp_path / "hugo") if "private-marker" in path.lower()]


def test_runner_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    assert runner.main(["--notes", "12", "--cache", str(tmp_path), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert {"cpu", "cores", "ram_gib", "python", "hugo", "trellis_commit"} <= set(report["machine"])
    assert report["date"] and report["command"].startswith("python benchmarks/run.py")
    (row,) = report["runs"]
    assert row["notes"] == 12 and row["vault"]["markdown_mb"] > 0
    trellis = row["trellis"]
    for key in ("wall_s", "cpu_s", "peak_mib", "notes_per_s", "build_s", "output_mb"):
        assert trellis[key] > 0, key
    assert trellis["output_files"] > 0 and trellis["notes_published"] == row["vault"]["public"]
    assert {"scan", "parse"} <= set(trellis["phases"])
    assert row["trellis_rebuild"]["wall_s"] > 0 and row["trellis_rebuild"]["phases"]
    if HAS_HUGO:
        assert row["hugo"]["wall_s"] > 0 and row["hugo"]["peak_mib"] > 0
        assert row["trellis_over_hugo"] > 0
    # Issue 17's builds: one note edited (in place, and in a fresh copy as on CI), the floor.
    for key in ("one_note_edited", "ci_one_note_edited"):
        assert row[key]["wall_s"] > 0 and row[key]["pages_rendered"] >= 1, key
        if HAS_HUGO:
            assert row[key]["over_hugo"] > 0
    assert row["floor"]["cpu_s"] > 0 and row["floor"]["notes"] == row["vault"]["public"]
    assert row["cpu_over_floor"] > 0
    assert any("peak memory" in goal["goal"] for goal in report["goals"])
    text = capsys.readouterr().out
    for words in ("Machine:", "notes/s", "peak MiB", "rebuild", "Hugo s", "Goals", "1 edit s"):
        assert words in text, words


def test_profile_summary_ranks_self_and_total_time() -> None:
    def frame(function: str, path: str, time: float, *children: object) -> SimpleNamespace:
        return SimpleNamespace(
            function=function,
            file_path=path,
            file_path_short=path,
            line_no=1,
            time=time,
            is_synthetic=False,
            children=list(children),
        )

    parse = frame("parse", "/x/trellis/markdown/parser.py", 3.0, frame("search", "<built-in>", 2.0))
    root = frame("build", "/x/trellis/pipeline.py", 4.0, parse)
    summary = runner.summarise_profile(root, 4.0)
    assert summary["functions_self"][0]["name"].startswith("search")
    assert summary["modules_self"][0]["name"] == "trellis/markdown/parser.py"
    assert [row["name"].split()[0] for row in summary["trellis_total"]] == ["build", "parse"]


def test_memory_sums_leave_out_a_child_sharing_the_build_s_memory() -> None:
    """A child started with `vfork` is the build's own memory until it execs (its RSS and
    PSS read the build's): left out of the sums (`memory_phases.py`'s and `run.py`'s peak);
    a forked child (a worker) is counted."""
    import os
    import threading

    root = os.getpid()
    ready, done = threading.Event(), threading.Event()
    tids: list[int] = []

    def task() -> None:  # a thread: another task on the same memory, as a vfork child is
        tids.append(threading.get_native_id())
        ready.set()
        done.wait()

    thread = threading.Thread(target=task)
    thread.start()
    ready.wait()
    pid = os.fork()
    if pid == 0:
        done.wait(5)
        os._exit(0)
    try:
        tree = {root: (100, "python"), tids[0]: (100, "python"), pid: (100, "python")}
        assert runner.same_space(root, tids[0]) and not runner.same_space(root, pid)
        assert set(runner.own_spaces(root, tree)) == {root, pid}
        own = runner.own_spaces(root, runner.process_tree(root))  # (what `run.py` sums)
        assert root in own and pid in own
    finally:
        done.set()
        thread.join()
        os.kill(pid, 9)
        os.waitpid(pid, 0)
