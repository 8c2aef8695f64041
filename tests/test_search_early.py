"""The edited notes' search shards walked by Pagefind's service before the pages are written.

`trellis.emit.search_early`: a one-note rebuild in place starts a Pagefind service on the
edited note's shard before the notes are parsed and finishes it once the pages are written.
Checked on real builds (150 generated notes, shards of 50 pages: three) against a clean
build of the same vault, every file byte for byte: the walk starts before any note page is
written and the command line never runs for that shard; a word added is found and a word
taken out is gone; a shard that gains a page (not there to walk), a service that fails, or
a build that fails after the walk each end as they should (the command line, a clean site,
no process and no folder left behind).
"""

from __future__ import annotations

import gzip
import stat
from pathlib import Path

import pytest
from test_edits import generate_vault, psutil_children
from test_search_parallel import output_hashes

import trellis.build.held as held
import trellis.build.search_index as search_index
import trellis.emit.search as search
from trellis.build.options import BuildOptions
from trellis.build.result import BuildResult
from trellis.emit import pagefind_cli
from trellis.emit.pagefind_service import PagefindService
from trellis.emit.search import BUNDLE_DIR
from trellis.emit.search_early import EARLY_DIR, start_early
from trellis.emit.search_shards import plan_shards
from trellis.pipeline import SiteBuilder, build

NOTES, SHARD_PAGES = 150, 50
WORD = "quokkaflare"


@pytest.fixture(autouse=True)
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", SHARD_PAGES)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    generate_vault(folder, NOTES, seed=5)
    return folder


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: "walk" (a service walked a shard), "pages" (the note pages
    were written), "cli" (a command-line run)."""
    happened: list[str] = []
    add_dir, emit_pages, run_pagefind = (
        PagefindService.add_dir,
        held.emit_note_pages,
        pagefind_cli.run_pagefind,
    )

    def walking(self: PagefindService, *args: object) -> int:
        happened.append("walk")
        return add_dir(self, *args)  # type: ignore[arg-type]

    def writing(*args: object, **kwargs: object) -> object:
        happened.append("pages")
        return emit_pages(*args, **kwargs)  # type: ignore[arg-type]

    def running(*args: object, **kwargs: object) -> str:
        happened.append("cli")
        return run_pagefind(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PagefindService, "add_dir", walking)
    monkeypatch.setattr(held, "emit_note_pages", writing)
    monkeypatch.setattr(pagefind_cli, "run_pagefind", running)
    return happened


def edited_note(vault: Path) -> Path:
    """The published note the edits change (the same each time)."""
    return next(
        note
        for note in sorted(vault.rglob("*.md"))
        if "dg-publish: true" in note.read_text(encoding="utf-8")
        or '"dg-publish":true' in note.read_text(encoding="utf-8").replace(" ", "")
    )


def one_build(vault: Path, out: Path, jobs: int = 2) -> BuildResult:
    """A build with the cache beside `out`, as the command line builds."""
    return build(vault, out, {"jobs": jobs})


def assert_clean(vault: Path, out: Path, clean: Path, jobs: int = 2) -> None:
    """`out` is, file for file, what a clean build of `vault` into `clean` writes."""
    SiteBuilder(vault, clean, {"jobs": jobs}, BuildOptions(keep_cache=False)).build()
    assert output_hashes(out) == output_hashes(clean)


def indexed_text(out: Path) -> str:
    """The text of every page fragment of every shard, unpacked."""
    return "".join(
        gzip.decompress(path.read_bytes()).decode("utf-8")
        for path in sorted((out / BUNDLE_DIR).rglob("*.pf_fragment"))
    )


def test_the_edited_shard_is_walked_before_the_pages_and_indexed_as_a_clean_build(
    vault: Path, tmp_path: Path, events: list[str]
) -> None:
    out = tmp_path / "out"
    one_build(vault, out)
    note = edited_note(vault)
    text = note.read_text(encoding="utf-8")
    note.write_text(text + f"\n\nA {WORD} appears.\n", encoding="utf-8")
    events.clear()
    added = one_build(vault, out)
    assert (added.search_shards_indexed, added.pages_rendered) == (1, 1)
    assert events == ["walk", "pages"]  # no command line: the service indexed the shard
    assert not [w for w in added.diagnostics.items if "search" in w.message]
    assert WORD in indexed_text(out)
    assert not (out / EARLY_DIR).exists() and not list((out / "_trellis").glob(".pagefind*"))
    assert_clean(vault, out, tmp_path / "clean-added")

    # The word taken out again: the page the service walked is replaced, nothing of it stays.
    note.write_text(text, encoding="utf-8")
    events.clear()
    removed = one_build(vault, out)
    assert removed.search_shards_indexed == 1 and events == ["walk", "pages"]
    assert WORD not in indexed_text(out)
    assert_clean(vault, out, tmp_path / "clean-removed")
    assert not [p for p in psutil_children() if "pagefind" in p]


def test_a_shard_that_gains_a_page_is_not_walked_and_the_command_line_indexes_it(
    vault: Path, tmp_path: Path, events: list[str]
) -> None:
    out = tmp_path / "out"
    first = one_build(vault, out)
    assert first.site is not None
    note = edited_note(vault)
    rel_path = note.relative_to(vault).as_posix()
    page = next(n.output_path for n in first.site.notes if n.rel_path == rel_path)
    # A new note whose page falls in the edited note's shard (the shard count stays three).
    pages = sorted(n.output_path for n in first.site.notes if n.display.enable_search)
    count = len(plan_shards(pages, SHARD_PAGES))

    def joins(name: str) -> bool:
        shards = plan_shards([*pages, f"{name}/index.html"], SHARD_PAGES)
        home = next(shard for shard in shards if page in shard)
        return len(shards) == count and f"{name}/index.html" in home

    name = next(f"gained-{n}" for n in range(1000) if joins(f"gained-{n}"))
    (vault / f"{name}.md").write_text("---\ndg-publish: true\n---\nA gained page.\n")
    note.write_text(note.read_text(encoding="utf-8") + f"\n\n{WORD}\n", encoding="utf-8")
    events.clear()
    result = one_build(vault, out)
    assert result.search_shards_indexed == 1  # the edited shard, with the gained page
    assert events == ["pages", "cli"]  # the gained page was not there to walk
    assert WORD in indexed_text(out) and "gained page" in indexed_text(out)
    assert not (out / EARLY_DIR).exists()
    assert not [w for w in result.diagnostics.items if "search" in w.message]
    assert_clean(vault, out, tmp_path / "clean")


def fake_service(folder: Path, body: str) -> Path:
    """A Pagefind that runs `body` (shell) for `--service` and is the real one otherwise."""
    real = pagefind_cli.pagefind_binary()
    assert real is not None
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "pagefind"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "--service" ]; then\n{body}\nfi\nexec \'{real}\' "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize(
    "body",
    [
        "head -c 10 >/dev/null; echo 'Error: out of cheese' >&2; exit 3",  # fails
        "head -c 10 >/dev/null; printf 'bm90IGpzb24=,'; exec sleep 300",  # answers nonsense
    ],
    ids=["fails", "nonsense"],
)
def test_a_service_that_fails_leaves_the_shard_to_the_command_line(
    vault: Path, tmp_path: Path, events: list[str], monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    script = fake_service(tmp_path / "bin", body)  # (from the first build: the same engine)
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: script)
    monkeypatch.setattr(search_index, "pagefind_binary", lambda extended=False: script)
    out = tmp_path / "out"
    one_build(vault, out)
    note = edited_note(vault)
    note.write_text(note.read_text(encoding="utf-8") + f"\n\n{WORD}\n", encoding="utf-8")
    events.clear()
    result = one_build(vault, out)
    assert events == ["walk", "pages", "cli"]
    assert result.search_shards_indexed == 1
    assert not [w for w in result.diagnostics.items if "search" in w.message]
    assert WORD in indexed_text(out)
    assert not [p for p in psutil_children() if "sleep" in p or "pagefind" in p]
    assert not (out / EARLY_DIR).exists()
    assert_clean(vault, out, tmp_path / "clean")


def test_a_build_failing_after_the_walk_leaves_no_service_and_no_folder(
    vault: Path, tmp_path: Path, events: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    one_build(vault, out)
    note = edited_note(vault)
    note.write_text(note.read_text(encoding="utf-8") + f"\n\n{WORD}\n", encoding="utf-8")

    def interrupted(*args: object, **kwargs: object) -> object:
        assert [p for p in psutil_children() if "pagefind" in p]  # the walk is under way
        raise KeyboardInterrupt

    monkeypatch.setattr(held, "emit_note_pages", interrupted)
    events.clear()
    with pytest.raises(KeyboardInterrupt):
        one_build(vault, out)
    assert events == ["walk"]
    assert not [p for p in psutil_children() if "pagefind" in p]
    assert not (out / EARLY_DIR).exists()


class InPlace:
    """What `start_early` reads of a writer: an update in place of `out`."""

    def __init__(self, out: Path) -> None:
        self.staging = self.previous = out


def bundle_bytes(bundle: Path) -> dict[str, bytes]:
    return {
        path.relative_to(bundle).as_posix(): path.read_bytes()
        for path in sorted(bundle.rglob("*"))
        if path.is_file()
    }


def test_a_page_replaced_after_the_bundle_was_made_ahead_is_given_again(
    vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = SiteBuilder(vault, out, options=BuildOptions(keep_cache=False)).build()
    assert first.site is not None
    pages = search.searchable_pages(first.site)
    shard = plan_shards(pages, SHARD_PAGES)[0]
    binary = pagefind_cli.pagefind_binary()
    assert binary is not None
    shards = plan_shards(pages, SHARD_PAGES)
    early = start_early(binary, InPlace(out), shards, [shard[0]], 2)  # type: ignore[arg-type]
    assert early is not None and early.numbers == [1]
    early.begin(out)  # made ahead from the pages as they are
    walked = early.take(1, shard)
    assert walked is not None and walked._ahead is not None
    walked._ahead.join()
    assert walked._made[0] == ""
    # Then a page of the shard is replaced (renamed over, as the writer does).
    page = out / shard[1]
    replaced = page.with_name("new.html")
    replaced.write_bytes(page.read_bytes().replace(b"</main>", f"<p>{WORD}</p></main>".encode()))
    replaced.replace(page)
    made = walked.finish(out, tmp_path / "early", lambda: False)
    assert made == ""
    problem = pagefind_cli.run_pagefind(
        binary, out, tmp_path / "cli", tmp_path, None, pagefind_cli.pages_glob(shard)
    )
    assert problem == ""
    assert bundle_bytes(tmp_path / "early") == bundle_bytes(tmp_path / "cli")
    assert WORD.encode() in b"".join(
        gzip.decompress(data)
        for name, data in bundle_bytes(tmp_path / "early").items()
        if name.endswith(".pf_fragment")
    )
    early.cancel()
    assert not (out / EARLY_DIR).exists()
