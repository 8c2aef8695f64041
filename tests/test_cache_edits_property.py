"""Property: a build with the cache after any edits writes what a clean build writes, and a
one-byte change renders again exactly the note pages that read it.

A small generated garden (notes in folders, links, an embed of a section, tags, an
attachment, a private note, dated and undated notes) is built with the cache, edited at
random (a body, frontmatter tags or title, a `dg-publish` flip, a note added, deleted or
renamed, the attachment's bytes, a template, a setting, a link or embed added or removed,
a link to the private note, an alias), then built again with the cache
and once more without it. Nothing is excluded from the byte comparison.

Which pages a build rendered is read from the output itself: a page taken over from the
last output is the last output's file (kept in place, or hard-linked into a staged folder:
same inode), a rendered one is a new file. The pages that read a one-byte change are those
whose bytes a clean build of the edited vault changes (the clean build before the edit is
the first build: it had no cache).

Hypothesis runs derandomized (the same examples on every run and machine) with few examples
on a small vault, so CI is deterministic and quick.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cache_content_keys import snapshot

import trellis.emit.search as search
from trellis.emit.search import searchable_pages
from trellis.emit.search_shards import plan_shards
from trellis.pipeline import BuildResult, build
from trellis.render.templates import THEME_TEMPLATES

SETTINGS = {"git_dates": False}  # the temp folder is no git repository anyway
WORDS = ["moss", "fern", "lichen", "oak", "birch", "heron", "stone", "river"]

# rel_path -> (frontmatter lines, body)
GARDEN: dict[str, tuple[list[str], str]] = {
    "Home.md": (["dg-home: true"], "Welcome. See [[Alpha]] and [[Notes/Beta|beta]].\n"),
    "Alpha.md": (
        ["tags: [plants]"],
        "Alpha has alphaword in it. It links [[Gamma]].\n\n## Part\nalpha part text\n",
    ),
    "Notes/Beta.md": ([], "Beta embeds ![[Alpha#Part]] and shows ![[pic.png]].\n"),
    "Notes/Gamma.md": (
        ["created: 2024-01-02", "updated: 2024-03-04"],
        "Gamma stands alone. #trees\n\nA second paragraph mentions [[Delta]].\n",
    ),
    "Delta.md": (["title: Delta Title"], "Delta is plain text.\n"),
    "Draft.md": (["dg-publish: false"], "draft body with secretword [[Alpha]]\n"),
}
PICTURE = b"\x89PNG\r\n\x1a\nfirst"


def note_text(meta: list[str], body: str) -> str:
    if not any(line.startswith("dg-publish:") for line in meta):
        meta = ["dg-publish: true", *meta]
    return "---\n" + "".join(f"{line}\n" for line in meta) + "---\n" + body


class Garden:
    """The generated vault on disk, and the edits a test makes to it."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.notes = {path: (list(meta), body) for path, (meta, body) in GARDEN.items()}
        for path in self.notes:
            self.write(path)
        (vault / "pic.png").write_bytes(PICTURE)

    def write(self, path: str) -> None:
        file = self.vault / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(note_text(*self.notes[path]), encoding="utf-8")

    def pick(self, index: int) -> str:
        """A note other than the home note (so the site keeps its home)."""
        names = sorted(path for path in self.notes if path != "Home.md")
        return names[index % len(names)]

    def apply(self, edit: tuple[Any, ...]) -> None:
        kind, index, word = edit
        path = self.pick(index)
        meta, body = self.notes[path]
        if kind == "body":
            self.notes[path] = (meta, body + f"\nA new line about {word}.\n")
        elif kind == "tags":
            others = [line for line in meta if not line.startswith("tags:")]
            self.notes[path] = ([*others, f"tags: [{word}, {word}s]"], body)
        elif kind == "date":  # what a card shows besides title, description and tags
            others = [line for line in meta if not line.startswith("created:")]
            self.notes[path] = ([*others, f"created: 2023-0{index % 9 + 1}-1{index % 10}"], body)
        elif kind == "description":
            others = [line for line in meta if not line.startswith("description:")]
            self.notes[path] = ([*others, f"description: All about {word}"], body)
        elif kind == "title":
            others = [line for line in meta if not line.startswith("title:")]
            self.notes[path] = ([*others, f"title: {word.title()} Page"], body)
        elif kind == "publish":
            flag = "dg-publish: false" in meta
            others = [line for line in meta if not line.startswith("dg-publish:")]
            self.notes[path] = ([f"dg-publish: {'true' if flag else 'false'}", *others], body)
        elif kind == "add":
            new = f"Notes/{word.title()} {index % 3}.md"
            self.notes[new] = ([], f"A new note on {word}, linking [[{Path(path).stem}]].\n")
            path = new
        elif kind == "delete":
            del self.notes[path]
            (self.vault / path).unlink()
            return
        elif kind == "rename":
            new = str(Path(path).parent / f"{word.title()} renamed.md").removeprefix("./")
            if new in self.notes:
                return
            self.notes[new] = self.notes.pop(path)
            (self.vault / path).unlink()
            path = new
        elif kind == "link":  # a new link (and backlink), kept records untouched
            other = Path(self.pick(index + 1)).stem
            self.notes[path] = (meta, body + f"\nSee [[{other}]] about {word}.\n")
        elif kind == "unlink":  # the note's links gone: backlinks of what it linked change
            if "[[" not in body:
                return  # (the same bytes written again: only the file time would change)
            self.notes[path] = (meta, body.replace("[[", "(").replace("]]", ")"))
        elif kind == "embed":  # an embed and a new heading (embeds may form a cycle)
            other = Path(self.pick(index + 2)).stem
            self.notes[path] = (meta, body + f"\n![[{other}]]\n\n## {word.title()}\n")
        elif kind == "private link":
            self.notes[path] = (meta, body + f"\nA link to [[Draft]] on {word}.\n")
        elif kind == "alias":
            others = [line for line in meta if not line.startswith("aliases:")]
            self.notes[path] = ([*others, f"aliases: [{word.title()} Alias]"], body)
        elif kind == "attachment":
            (self.vault / "pic.png").write_bytes(PICTURE + word.encode())
            return
        elif kind == "template":
            override = self.vault / ".trellis" / "templates" / "404.html"
            override.parent.mkdir(parents=True, exist_ok=True)
            theme = (THEME_TEMPLATES / "404.html").read_text(encoding="utf-8")
            override.write_text(theme + f"<!-- {word} -->\n", encoding="utf-8")
            return
        elif kind == "setting":
            (self.vault / "trellis.toml").write_text(f'title = "{word} garden"\n')
            return
        self.write(path)


EDITS = st.tuples(
    st.sampled_from(
        [
            "body",
            "tags",
            "date",
            "description",
            "title",
            "publish",
            "add",
            "delete",
            "rename",
            "attachment",
            "template",
            "setting",
        ]
    ),
    st.integers(min_value=0, max_value=20),
    st.sampled_from(WORDS),
)
# Edits of links and names (kept link records are made into lists only when read:
# `trellis.build.link_kept`); apart, so that `EDITS` draws what it always drew.
LINK_EDITS = st.tuples(
    st.sampled_from(["link", "unlink", "embed", "private link", "alias"]),
    st.integers(min_value=0, max_value=20),
    st.sampled_from(WORDS),
)

PROPERTY = settings(
    max_examples=12,
    deadline=None,  # each example runs real builds (Pagefind included)
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per example (pytest's tmp_path is one per test, not per example)."""
    folder = Path(tempfile.mkdtemp(prefix="trellis-property-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def note_inodes(result: BuildResult, out: Path) -> dict[str, int]:
    assert result.site is not None
    return {note.output_path: (out / note.output_path).stat().st_ino for note in result.site.notes}


def list_inodes(result: BuildResult, out: Path) -> dict[str, int]:
    """The inode of each tag and folder page (`trellis.emit.keyed_lists`): every page but
    note pages, `/tags/`, the home list, the 404 and graph pages, redirects and the search
    bundle."""
    assert result.site is not None
    skipped = {note.output_path for note in result.site.notes}
    skipped |= {"index.html", "tags/index.html", "graph/index.html"}
    found = {}
    for path in out.rglob("index.html"):
        name = path.relative_to(out).as_posix()
        listed = name not in skipped and not name.startswith("_")
        if listed and b'<meta http-equiv="refresh"' not in path.read_bytes():
            found[name] = path.stat().st_ino
    return found


def assert_same_site(cached: Path, clean: Path, first: dict[str, bytes]) -> None:
    """`cached` holds `clean`'s files byte for byte, and beyond them only redirects.

    Redirects (`trellis.public.redirects`): a URL the first build published whose note was
    then renamed or moved keeps working as a small redirect page (and a `_redirects` line).
    Only a build that saw the old URL published knows it, so a clean build of the edited vault
    cannot write them: these, at URLs the first build published, are the one justified
    difference.
    """
    with_cache, without = snapshot(cached), snapshot(clean)
    for name in set(with_cache) - set(without):
        assert name == "_redirects" or (
            name in first and b'<meta http-equiv="refresh"' in with_cache[name]
        ), name
    assert {name: with_cache[name] for name in without if name in with_cache} == without
    assert set(without) <= set(with_cache)


@pytest.mark.parametrize("atomic", [False, True], ids=["in-place", "atomic"])
@PROPERTY
@given(edits=st.lists(st.one_of(EDITS, LINK_EDITS), min_size=1, max_size=3))
def test_a_cached_build_after_edits_is_a_clean_build(
    atomic: bool, edits: list[tuple[Any, ...]]
) -> None:
    """In both ways of writing the output: updated in place (the default), or staged and
    swapped in (`atomic_output`)."""
    overrides = {**SETTINGS, "atomic_output": atomic}
    with scratch() as root:
        garden = Garden(root / "vault")
        build(garden.vault, root / "site", overrides)
        first = snapshot(root / "site")
        for edit in edits:
            garden.apply(edit)
        cached = build(garden.vault, root / "site", overrides)
        clean = build(garden.vault, root / "clean", SETTINGS, use_cache=False)
        assert not cached.cache_problem
        assert [str(d) for d in cached.diagnostics.items] == [
            str(d) for d in clean.diagnostics.items
        ]
        assert_same_site(root / "site", root / "clean", first)


@st.composite
def one_byte_changes(draw: st.DrawFn) -> tuple[str, int, str]:
    """A note of the garden, a byte of its file, and an ASCII letter other than that byte."""
    path = draw(st.sampled_from(sorted(GARDEN)))
    size = len(note_text(*GARDEN[path]).encode())
    offset = draw(st.integers(min_value=0, max_value=size - 1))
    letter = draw(st.sampled_from("aqxzK"))
    return path, offset, letter


@PROPERTY
@given(change=one_byte_changes())
def test_a_one_byte_change_renders_exactly_the_pages_that_read_it(
    change: tuple[str, int, str],
) -> None:
    path, offset, letter = change
    with scratch() as root, _small_shards():
        garden = Garden(root / "vault")
        first = build(garden.vault, root / "site", SETTINGS)
        before = snapshot(root / "site")
        inodes = note_inodes(first, root / "site")
        lists = list_inodes(first, root / "site")
        file = garden.vault / path
        data = bytearray(file.read_bytes())
        if data[offset] == ord(letter):
            letter = "b"
        data[offset] = ord(letter)
        mtime = file.stat().st_mtime_ns
        file.write_bytes(bytes(data))
        os.utime(file, ns=(mtime, mtime))  # the bytes alone changed: dates stay as they were
        cached = build(garden.vault, root / "site", SETTINGS)
        after = snapshot(root / "site")
        clean = build(garden.vault, root / "clean", SETTINGS, use_cache=False)
        assert_same_site(root / "site", root / "clean", before)
        assert cached.site is not None and clean.site is not None
        pages = {note.output_path for note in cached.site.notes}
        rendered = {
            page
            for page, inode in note_inodes(cached, root / "site").items()
            if inodes.get(page) != inode
        }
        # A note page reads the change when its bytes differ from the first build's. Those
        # are all rendered, and so, beyond them, only pages embedding the changed note: an
        # embed's key is the whole embedded note (`BodyKeys`), not the part it shows, so a
        # byte outside `Alpha#Part` renders Beta again (same bytes). Any other extra page is
        # a key that depends on something the page does not read.
        should = {page for page in pages if before.get(page) != after[page]}
        assert should <= rendered
        assert rendered - should <= embedding(first, path) | embedding(cached, path)
        assert cached.pages_rendered == len(rendered)
        # List pages are keyed by what they show (`trellis.emit.keyed_lists`): exactly those
        # whose bytes changed (or that are new) are written anew; the others are taken over.
        lists_now = list_inodes(cached, root / "site")
        rewritten = {page for page, inode in lists_now.items() if lists.get(page) != inode}
        assert rewritten == {page for page in lists_now if before.get(page) != after[page]}
        # Search: a shard is indexed again exactly when its pages changed (bytes, or which
        # pages it holds); a shard is numbered by its place (its folder).
        assert first.site is not None
        was = plan_shards(searchable_pages(first.site), search.SHARD_PAGES)
        now = plan_shards(searchable_pages(cached.site), search.SHARD_PAGES)
        touched = [
            shard
            for number, shard in enumerate(now)
            if number >= len(was) or was[number] != shard or set(shard) & should
        ]
        assert cached.search_shards_indexed == len(touched)


def embedding(result: BuildResult, rel_path: str) -> set[str]:
    """Output paths of the notes that embed the note at `rel_path`, at any depth."""
    assert result.graph is not None
    found: set[str] = set()
    targets = {rel_path}
    while targets:
        sources = {
            edge.source
            for edges in result.graph.outgoing.values()
            for edge in edges
            if edge.embed and edge.target.rel_path in targets
        }
        targets = {note.rel_path for note in sources if note.output_path not in found}
        found |= {note.output_path for note in sources}
    return found


@contextmanager
def _small_shards() -> Iterator[None]:
    """Shards of two pages: the garden's five searchable pages in several shards."""
    saved = search.SHARD_PAGES
    search.SHARD_PAGES = 2
    try:
        yield
    finally:
        search.SHARD_PAGES = saved
