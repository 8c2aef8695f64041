"""The build's plan (`trellis.build.reach`) keys again only the pages an edit can reach, and
takes every other page's key from the last build: the keys it takes must be the keys a
clean build makes.

Property: after random edits (the cache property's, plus links added and removed, embeds,
covers, hidden notes, notes moved on the site with `dg-path`, a CSS snippet), a build with the
cache records exactly the page keys, note seats and site a clean build of the edited vault
records: a key taken over that a clean build would make otherwise is a page left stale.
Regression tests name the shortcuts one by one, and check the plan did take them (the pages
it keyed are few) so the property is not passed by keying everything.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cache_content_keys import snapshot
from test_cache_edits_property import (
    EDITS,
    PROPERTY,
    SETTINGS,
    WORDS,
    Garden,
    assert_same_site,
    scratch,
)

import trellis.pipeline as pipeline
from trellis.build.cache import read_cache
from trellis.build.options import BuildOptions
from trellis.build.reach import Reach
from trellis.emit.writer import cache_path
from trellis.pipeline import SiteBuilder

EXTRA = [
    "link",
    "unlink",
    "embed",
    "cover",
    "hide",
    "move",
    "filetree",
    "snippet",
    "heading",
    "graphhide",
]


class WiderGarden(Garden):
    """The cache property's garden, with the edits that reach other notes' pages."""

    def apply(self, edit: tuple[Any, ...]) -> None:
        kind, index, word = edit
        if kind not in EXTRA:
            return super().apply(edit)
        path = self.pick(index)
        other = Path(self.pick(index + 1)).stem
        meta, body = self.notes[path]
        if kind == "link":
            body += f"\nSee also [[{other}]] about {word}.\n"
        elif kind == "unlink":
            body = body.replace("[[", "").replace("]]", "")
        elif kind == "embed":
            body += f"\n![[{other}]]\n"
        elif kind == "cover":
            meta = [*meta, "image: pic.png"]
        elif kind == "hide":
            meta = [*meta, "dg-hide: true"]
        elif kind == "move":
            meta = [*meta, f"dg-path: {word.title()}/{Path(path).name}"]
        elif kind == "filetree":
            meta = [*meta, "dg-hide-in-filetree: true"]
        elif kind == "graphhide":
            meta = [*meta, "dg-hide-in-graph: true"]
        elif kind == "heading":
            body += f"\n## {word.title()}\n"
        elif kind == "snippet":
            snippet = self.vault / ".trellis" / "snippets" / f"{word}.css"
            snippet.parent.mkdir(parents=True, exist_ok=True)
            snippet.write_text("body { color: green; }\n")
            return
        self.notes[path] = (meta, body)
        self.write(path)


WIDER_EDITS = st.one_of(
    EDITS,
    st.tuples(
        st.sampled_from(EXTRA), st.integers(min_value=0, max_value=20), st.sampled_from(WORDS)
    ),
)


class Plans:
    """Records each plan a build makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[Reach] = []
        plan = pipeline.plan_reach

        def recorded(*args: Any, **kwargs: Any) -> Reach:
            reach = plan(*args, **kwargs)
            self.made.append(reach)
            return reach

        monkeypatch.setattr(pipeline, "plan_reach", recorded)


def built(vault: Path, out: Path, use_cache: bool = True) -> SiteBuilder:
    """A build as the command line runs it: a builder per build, taking up the cache file."""
    builder = SiteBuilder(vault, out, SETTINGS, BuildOptions())  # (a clean one writes its cache)
    if use_cache:
        builder.load_cache()
    builder.build()
    return builder


def kept_parses(out: Path) -> dict[str, tuple[Any, ...]]:
    """The parses the cache file beside `out` holds, as the next build reads them (its file
    time aside: a cached build keeps the one it first saw the bytes with)."""
    data = read_cache(cache_path(out))
    assert data is not None
    return {
        path: (e.content_hash, e.content, e.warnings, e.episode, e.plain, e.quiet)
        for path, e in data["parsed"].items()
    }


def assert_keys_of_a_clean_build(root: Path, garden: Garden) -> SiteBuilder:
    cached = built(garden.vault, root / "site")
    clean = built(garden.vault, root / "clean", use_cache=False)
    assert cached._page_keys == clean._page_keys
    assert cached._reach == clean._reach
    # The parses written back as read (`trellis.build.cache_parts`) are a clean build's.
    assert kept_parses(root / "site") == kept_parses(root / "clean")
    return cached


@PROPERTY
@given(edits=st.lists(WIDER_EDITS, min_size=1, max_size=3))
def test_the_keys_a_plan_takes_over_are_a_clean_builds(edits: list[tuple[Any, ...]]) -> None:
    with scratch() as root:
        garden = WiderGarden(root / "vault")
        built(garden.vault, root / "site")
        first = snapshot(root / "site")
        for edit in edits:
            garden.apply(edit)
        assert_keys_of_a_clean_build(root, garden)
        assert_same_site(root / "site", root / "clean", first)


@PROPERTY
@given(edits=st.lists(WIDER_EDITS, min_size=2, max_size=4))
def test_a_build_after_each_edit_is_a_clean_build(edits: list[tuple[Any, ...]]) -> None:
    """Each rebuild reads the cache the last one wrote (parses written back as read, the
    seats, the graph files' key): after every edit, a clean build's keys, seats, parses and
    site, the graph file included."""
    with scratch() as root:
        garden = WiderGarden(root / "vault")
        built(garden.vault, root / "site")
        first = snapshot(root / "site")
        for edit in edits:
            garden.apply(edit)
            assert_keys_of_a_clean_build(root, garden)
            assert_same_site(root / "site", root / "clean", first)
            shutil.rmtree(root / "clean")
            for beside in root.glob(".clean*"):
                beside.unlink()
            first.update(snapshot(root / "site"))  # (redirects: URLs any build published)


def reached_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *edits: Any) -> set[str]:
    """The pages the plan keyed again after `edits` (checked against a clean build)."""
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    first = snapshot(tmp_path / "site")
    plans = Plans(monkeypatch)
    for edit in edits:
        if isinstance(edit, tuple):
            garden.apply(edit)
        else:
            edit(garden)
    plans.made.clear()  # (an edit may build)
    assert_keys_of_a_clean_build(tmp_path, garden)
    assert_same_site(tmp_path / "site", tmp_path / "clean", first)
    assert plans.made[0].pages is not None, "the plan keyed every page"
    return set(plans.made[0].pages)


def retitle(path: str, title: str) -> Callable[[Garden], None]:
    def edit(garden: Garden) -> None:
        meta, body = garden.notes[path]
        garden.notes[path] = ([*meta, f"title: {title}"], body)
        garden.write(path)

    return edit


def test_a_body_edit_reaches_its_page_and_those_it_links_to(tmp_path, monkeypatch):
    reached = reached_after(tmp_path, monkeypatch, ("body", 0, "moss"))  # Alpha
    # Alpha's page, Gamma's (Alpha links to it: the backlink's context), Beta's (it embeds
    # Alpha), the tag page of Alpha's tag and the root folder's... (no folder page: root).
    assert reached == {
        "alpha/index.html",
        "notes/gamma/index.html",
        "notes/beta/index.html",
        "tags/plants/index.html",
    }


@pytest.mark.parametrize(
    ("edit", "same"),
    [
        (("body", 0, "moss"), True),
        (("link", 0, "moss"), False),
        (("graphhide", 0, "moss"), False),
        (("tags", 0, "oak"), False),
        (("embed", 3, "moss"), False),
    ],
)
def test_the_graph_files_are_taken_over_while_the_graph_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: tuple[Any, ...], same: bool
) -> None:
    """A body edit leaves the graph as it was: `graph.json` and the local graph files are
    the last output's (not written again); a link, an embed, a tag or a note hidden from
    the graph makes them again, as a clean build makes them."""
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    whole = tmp_path / "site" / "_trellis" / "graph.json"
    before = whole.stat().st_ino
    plans = Plans(monkeypatch)
    garden.apply(edit)
    assert_keys_of_a_clean_build(tmp_path, garden)
    assert_same_site(tmp_path / "site", tmp_path / "clean", {})
    assert plans.made[0].pages is not None and plans.made[0].graph_same is same
    assert (whole.stat().st_ino == before) is same


def test_a_changed_title_reaches_the_pages_it_is_a_backlink_on(tmp_path, monkeypatch):
    reached = reached_after(tmp_path, monkeypatch, retitle("Notes/Gamma.md", "Gamma Prime"))
    assert "delta/index.html" in reached  # Gamma links to Delta: Delta shows its title
    assert "notes/index.html" in reached  # the folder page lists its card
    assert "tags/trees/index.html" in reached
    # Alpha links to Gamma, by the text it wrote: its page does not read Gamma's title.
    assert reached.isdisjoint({"index.html", "alpha/index.html", "notes/beta/index.html"})


def test_a_changed_tag_reaches_the_old_and_new_tag_pages(tmp_path, monkeypatch):
    def tag_delta(garden: Garden) -> None:  # Delta joins Alpha's tag "plants"
        meta, body = garden.notes["Delta.md"]
        garden.notes["Delta.md"] = ([*meta, "tags: [plants]"], body)
        garden.write("Delta.md")
        built(garden.vault, tmp_path / "site")

    # Then Alpha: plants -> oak, oaks
    reached = reached_after(tmp_path, monkeypatch, tag_delta, ("tags", 0, "oak"))
    assert {"tags/plants/index.html", "tags/oak/index.html", "tags/oaks/index.html"} <= reached
    assert "tags/trees/index.html" not in reached
    listed = (tmp_path / "site" / "tags" / "plants" / "index.html").read_text()
    assert "Delta Title" in listed and "Alpha" not in listed


@pytest.mark.parametrize("kind", ["rename", "publish", "add", "delete", "heading"])
def test_a_change_of_names_keys_every_page(tmp_path, monkeypatch, kind):
    """A renamed, published, unpublished, added or deleted note, or a new heading, changes
    what links resolve against: every page is keyed (and the site is a clean build's)."""
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    first = snapshot(tmp_path / "site")
    plans = Plans(monkeypatch)
    garden.apply((kind, 1, "fern"))
    assert_keys_of_a_clean_build(tmp_path, garden)
    assert_same_site(tmp_path / "site", tmp_path / "clean", first)
    assert plans.made[0].pages is None


def test_a_rename_re_resolves_the_links_that_named_the_note(tmp_path):
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    garden.apply(("rename", 4, "oak"))  # Notes/Gamma.md -> Notes/Oak renamed.md
    assert_keys_of_a_clean_build(tmp_path, garden)
    alpha = (tmp_path / "site" / "alpha" / "index.html").read_text()
    assert "notes/gamma/" not in alpha  # Alpha's [[Gamma]] leads nowhere now


def test_private_to_published_and_back(tmp_path):
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    draft = garden.notes["Draft.md"]
    garden.notes["Draft.md"] = (["dg-publish: true"], draft[1])
    garden.write("Draft.md")
    cached = assert_keys_of_a_clean_build(tmp_path, garden)
    assert cached._reach is not None and "Draft.md" in cached._reach[1]
    garden.notes["Draft.md"] = draft
    garden.write("Draft.md")
    cached = assert_keys_of_a_clean_build(tmp_path, garden)
    assert cached._reach is not None and "Draft.md" not in cached._reach[1]
    cache = b"".join(p.read_bytes() for p in tmp_path.glob(".site*"))
    assert cache and b"secretword" not in cache
    assert not any(b"secretword" in data for data in snapshot(tmp_path / "site").values())


def test_a_snippet_reaches_every_page(tmp_path, monkeypatch):
    """A CSS snippet is in every page's head (the site globals), though no note changed."""
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    first = snapshot(tmp_path / "site")
    garden.apply(("snippet", 0, "moss"))
    assert_keys_of_a_clean_build(tmp_path, garden)
    assert_same_site(tmp_path / "site", tmp_path / "clean", first)
    assert b"moss.css" in (tmp_path / "site" / "notes" / "gamma" / "index.html").read_bytes()


BOOKS = "---\ndg-publish: true\nrating: 4\n---\nA book.\n"


def test_a_query_added_to_a_kept_vault_is_evaluated(tmp_path):
    """A kept parse says whether its text held a query mark (`ParsedEntry.quiet`): a vault
    without queries, then a note edited to hold one, is a clean build's site."""
    vault = tmp_path / "vault"
    (vault / "Books").mkdir(parents=True)
    (vault / "Books" / "Dune.md").write_text(BOOKS)
    (vault / "Home.md").write_text("---\ndg-publish: true\ndg-home: true\n---\nWelcome.\n")
    built(vault, tmp_path / "site")
    (vault / "Home.md").write_text(
        '---\ndg-publish: true\ndg-home: true\n---\n```dataview\nLIST FROM "Books"\n```\n'
    )
    cached = built(vault, tmp_path / "site")
    built(vault, tmp_path / "clean", use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")
    assert "Dune" in (tmp_path / "site" / "index.html").read_text()
    assert not cached._parsed["Home.md"].quiet and cached._parsed["Books/Dune.md"].quiet


def test_a_note_edited_into_an_episode_becomes_one(tmp_path, monkeypatch):
    """A kept parse says it is no episode note (`ParsedEntry.plain`), and is not tested again
    while its bytes are the same; an edit making it one is read as one."""
    from trellis.episodes import detect

    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    tested: list[str] = []
    looks = detect.looks_like_episode

    def counted(note: Any) -> bool:
        tested.append(note.rel_path)
        return looks(note)

    monkeypatch.setattr("trellis.build.stages.looks_like_episode", counted)
    meta, body = garden.notes["Delta.md"]
    garden.notes["Delta.md"] = ([*meta, "tags: [podcast]"], body + "\nShow:: The Garden Hour\n")
    garden.write("Delta.md")
    cached = assert_keys_of_a_clean_build(tmp_path, garden)
    assert tested[: tested.index("Delta.md") + 1] == ["Delta.md"]  # the cached build's
    assert not cached._parsed["Delta.md"].plain and cached._parsed["Alpha.md"].plain
    assert_same_site(tmp_path / "site", tmp_path / "clean", {})


def test_a_query_shows_an_edit_of_another_note(tmp_path):
    """A query's results read other notes, whatever links them: a vault with queries keys
    every page."""
    vault = tmp_path / "vault"
    (vault / "Books").mkdir(parents=True)
    (vault / "Books" / "Dune.md").write_text(BOOKS)
    query = '```dataview\nTABLE rating FROM "Books"\n```\n'
    (vault / "Home.md").write_text("---\ndg-publish: true\ndg-home: true\n---\n" + query)
    built(vault, tmp_path / "site")
    (vault / "Books" / "Dune.md").write_text(BOOKS.replace("rating: 4", "rating: 5"))
    built(vault, tmp_path / "site")
    built(vault, tmp_path / "clean", use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")
    assert ">5<" in (tmp_path / "site" / "index.html").read_text()
