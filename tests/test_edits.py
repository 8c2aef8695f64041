"""The preview's fast path (`SiteBuilder.apply_edits`): a body edit updates the served site
in place, and the result must be exactly what a clean build of the edited vault writes."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import write_vault
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_properties import PHASES, SLOW, budget

from trellis.build.options import BuildOptions
from trellis.emit.search import BUNDLE_DIR
from trellis.pipeline import SiteBuilder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "site_src"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
generate_vault = importlib.import_module("benchmarks.generate_vault").generate_vault
COMPOST = "Garden/Compost.md"  # embedded by Guides/Embeds.md, linked from many notes


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    copy = tmp_path / "vault"
    shutil.copytree(SAMPLE, copy)
    return copy


def live_builder(vault: Path, out: Path, defer_search: bool = False) -> SiteBuilder:
    options = BuildOptions(keep_cache=False, keep_live=True, defer_search=defer_search)
    builder = SiteBuilder(vault, out, options=options)
    builder.build()
    return builder


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site but the search bundle (the preview refreshes it later)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.relative_to(root).as_posix().startswith(BUNDLE_DIR)
    }


def assert_same_as_clean_build(vault: Path, served: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    SiteBuilder(vault, clean).build()
    mine, theirs = site_files(served), site_files(clean)
    assert sorted(mine) == sorted(theirs)
    differing = [name for name in theirs if mine[name] != theirs[name]]
    assert differing == []


def edit(vault: Path, rel_path: str, old: str, new: str) -> None:
    path = vault / rel_path
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel_path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BODY_EDITS = {
    "text": ("made of green material", "made of EDITED-TEXT green material"),
    "new link": ("It feeds [[Tomatoes]]", "It feeds [[Spring]], [[Tomatoes]]"),
    "dropped link": ("It feeds [[Tomatoes]] and [[Basil]] alike.", "It feeds [[Tomatoes]]."),
    "dead link": ("alike.", "alike, and [[No Such Note]]."),
    "new attachment": ("alike.", "alike.\n\n![[seedlings.svg|120]]"),
    "new heading": ("It feeds", "## A new heading\n\nIt feeds"),
    "math and code": ("alike.", "alike. $e^{i\\pi}+1=0$\n\n```python\nprint('hi')\n```"),
    # Tags found in the text: the tag pages, the graph and the feeds follow (issue 16).
    "new tag": ("alike.", "alike. #new-tag"),
}


# Frontmatter edits that keep the note's URL, title and aliases take the fast path too (issue
# 16): the planner re-runs the outputs that read tags, dates or display keys.
FRONTMATTER_EDITS = {
    "tag added": ("tags: [garden, soil]", "tags: [garden, soil, fm-new-tag]"),
    "last tag of a tag removed": ("tags: [garden, soil]", "tags: [garden]"),
    "date": ("tags: [garden, soil]", "tags: [garden, soil]\nupdated: 2024-05-01"),
    "display keys": (
        "tags: [garden, soil]",
        "tags: [garden, soil]\ndg-note-icon: tree\ndg-show-toc: false\ndg-hide-in-graph: true",
    ),
    "description": ("tags: [garden, soil]", "tags: [garden, soil]\ndescription: Heap of life"),
}


@pytest.mark.parametrize("case", sorted(FRONTMATTER_EDITS))
def test_a_frontmatter_edit_keeping_url_and_title_takes_the_fast_path(
    case: str, vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    before = site_files(out)
    old, new = FRONTMATTER_EDITS[case]
    edit(vault, COMPOST, old, new)

    result = builder.apply_edits([vault / COMPOST])

    assert result is not None, "a frontmatter edit keeping URL, title, aliases is fast"
    assert 1 <= result.pages_rendered < result.notes_published
    assert site_files(out) != before
    assert_same_as_clean_build(vault, out, tmp_path)
    clean = SiteBuilder(vault, tmp_path / "clean2").build()
    assert sorted(result.diagnostics.items) == sorted(clean.diagnostics.items)
    assert result.pages_written == clean.pages_written


def test_a_tag_page_nobody_needs_any_more_is_removed_in_place(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    edit(vault, COMPOST, "tags: [garden, soil]", "tags: [garden, soil, only-here]")
    assert builder.apply_edits([vault / COMPOST]) is not None
    assert (out / "tags" / "only-here" / "index.html").is_file()
    edit(vault, COMPOST, "tags: [garden, soil, only-here]", "tags: [garden, soil]")
    assert builder.apply_edits([vault / COMPOST]) is not None
    assert not (out / "tags" / "only-here").exists()
    assert_same_as_clean_build(vault, out, tmp_path)


@pytest.mark.parametrize("case", sorted(BODY_EDITS))
def test_a_body_edit_updates_the_site_as_a_clean_build_would(
    case: str, vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    before = site_files(out)
    old, new = BODY_EDITS[case]
    edit(vault, COMPOST, old, new)

    result = builder.apply_edits([vault / COMPOST])

    assert result is not None, "a body edit takes the fast path"
    assert 1 <= result.pages_rendered < result.notes_published
    assert site_files(out) != before
    assert_same_as_clean_build(vault, out, tmp_path)


def test_warnings_of_an_edited_note_are_replaced_not_piled_up(vault: Path, tmp_path: Path) -> None:
    builder = live_builder(vault, tmp_path / "out")
    edit(vault, COMPOST, "alike.", "alike, and [[No Such Note]].")
    first = builder.apply_edits([vault / COMPOST])
    assert first is not None
    dead = [d for d in first.diagnostics.items if "No Such Note" in d.message]
    assert [(d.path, d.line) for d in dead] == [(COMPOST, 10)]

    edit(vault, COMPOST, ", and [[No Such Note]].", ".")
    second = builder.apply_edits([vault / COMPOST])
    assert second is not None
    assert not [d for d in second.diagnostics.items if "No Such Note" in d.message]
    clean = SiteBuilder(vault, tmp_path / "clean").build()
    assert sorted(second.diagnostics.items) == sorted(clean.diagnostics.items)


def test_the_page_embedding_an_edited_note_shows_the_edit(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    edit(vault, COMPOST, "made of green", "made of EMBEDDED-EDIT green")
    assert builder.apply_edits([vault / COMPOST]) is not None
    embeds_page = next(out.glob("guides/embeds/index.html"))
    assert "EMBEDDED-EDIT" in embeds_page.read_text(encoding="utf-8")


def test_a_private_note_edited_changes_nothing(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    before = site_files(out)
    edit(vault, "Private/Diary.md", "TRELLIS-PRIVATE", "TRELLIS-PRIVATE TRELLIS-PRIVATE")
    result = builder.apply_edits([vault / "Private/Diary.md"])
    assert result is not None and result.pages_rendered == 0
    assert site_files(out) == before
    assert not builder.search_stale


FULL_BUILD_CHANGES = {
    "title": lambda v: edit(v, COMPOST, "dg-publish: true", "dg-publish: true\ntitle: Heap"),
    "unpublished": lambda v: edit(v, COMPOST, "dg-publish: true", "dg-publish: false"),
    "published": lambda v: edit(v, "Private/Diary.md", "dg-publish: false", "dg-publish: true"),
    "new embed": lambda v: edit(v, COMPOST, "alike.", "alike.\n\n![[Basil]]"),
    "new note": lambda v: (v / "Garden/New.md").write_text("---\ndg-publish: true\n---\nNew\n"),
    "deleted": lambda v: (v / COMPOST).unlink(),
    "template": lambda v: (v / ".trellis/templates").mkdir(parents=True),
    "settings": lambda v: (v / "trellis.toml").write_text("title = 'Changed'\n"),
    "attachment": lambda v: (v / "attachments/seedlings.svg").write_text("<svg/>"),
}


@pytest.mark.parametrize("case", sorted(FULL_BUILD_CHANGES))
def test_anything_but_a_body_edit_asks_for_a_full_build(
    case: str, vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    FULL_BUILD_CHANGES[case](vault)
    changed = {
        "new note": vault / "Garden/New.md",
        "published": vault / "Private/Diary.md",
        "template": vault / ".trellis/templates",
        "settings": vault / "trellis.toml",
        "attachment": vault / "attachments/seedlings.svg",
    }.get(case, vault / COMPOST)
    assert builder.apply_edits([changed]) is None
    # ... and the full build that follows is right.
    builder.build(out=tmp_path / "next")
    assert_same_as_clean_build(vault, tmp_path / "next", tmp_path)


def test_a_renamed_heading_that_others_link_to_asks_for_a_full_build(
    vault: Path, tmp_path: Path
) -> None:
    # Guides/Writing Notes.md links to [[About Trellis#How it is built]].
    builder = live_builder(vault, tmp_path / "out")
    edit(vault, "About Trellis.md", "How it is built", "How it was built")
    assert builder.apply_edits([vault / "About Trellis.md"]) is None


def test_a_new_heading_nobody_links_to_keeps_the_fast_path(vault: Path, tmp_path: Path) -> None:
    builder = live_builder(vault, tmp_path / "out")
    edit(vault, "About Trellis.md", "How it is built", "How it is built\n\n## Brand new")
    assert builder.apply_edits([vault / "About Trellis.md"]) is not None
    assert_same_as_clean_build(vault, tmp_path / "out", tmp_path)


def test_the_search_index_is_refreshed_on_request_and_a_stop_keeps_it_stale(
    vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    assert not builder.search_stale
    bundle_before = bundle(out)
    edit(vault, COMPOST, "made of green", "made of SEARCHABLE-EDIT green")
    assert builder.apply_edits([vault / COMPOST]) is not None
    assert builder.search_stale

    assert builder.refresh_search(stop=lambda: True) is False
    assert builder.search_stale
    assert bundle(out) == bundle_before

    assert builder.refresh_search(stop=lambda: False) is True
    assert not builder.search_stale
    clean = tmp_path / "clean"
    SiteBuilder(vault, clean).build()
    # The same index (Pagefind names its files by their content).
    assert sorted(bundle(out)) == sorted(bundle(clean))
    assert not list((out / "_trellis").glob(".*"))  # no scratch folder left behind


# -- any sequence of saves: the fast path or the full build it falls back to, never wrong ----

SMALL_VAULT = {
    "Alpha.md": "---\ndg-publish: true\n---\n# Alpha\n\n## Start\n\nLinks [[Beta]] and "
    "[[Gamma#Part]].\n\nA line ^blk1\n",
    "Beta.md": "---\ndg-publish: true\ntitle: Beta Title\n---\nBeta embeds ![[Gamma#Part]] and "
    "![[pic.png|40]].\n",
    "Folder/Gamma.md": "---\ndg-publish: true\n---\n## Part\n\nGamma part text.\n\n## Other\n\n"
    "See [[Alpha#^blk1]].\n",
    "Delta.md": "---\ndg-publish: true\n---\nDelta embeds ![[Alpha]].\n",
    "Secret.md": "---\ndg-publish: false\n---\nSECRET-MARKER text.\n",
    "pic.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
    "other.png": b"\x89PNG\r\n\x1a\n" + bytes(80),
}
SAVED_LINES = [
    "Plain words.",
    "[[Alpha]]",
    "[[Beta|an alias]]",
    "[[Gamma#Other]]",
    "[[Alpha#Start]]",
    "[[Secret]]",
    "[[Nowhere]]",
    "![[other.png]]",
    "![[Gamma]]",
    "## Part",
    "## Start",
    "## New heading",
    "words ^blk1",
    "#fresh-tag",
    "$x^2$",
    "==marked==",
    "- [ ] a task",
    "> [!note] A callout",
    "",
]
EDITABLE = ["Alpha.md", "Beta.md", "Folder/Gamma.md", "Delta.md", "Secret.md"]


@settings(max_examples=budget(12), deadline=None, phases=PHASES, suppress_health_check=SLOW)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(EDITABLE),
            st.integers(min_value=0, max_value=12),
            st.sampled_from(SAVED_LINES),
            st.booleans(),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_saves_give_what_a_clean_build_gives(saves: list[tuple[str, int, str, bool]]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        vault = write_vault(root / "vault", SMALL_VAULT)
        out = root / "out"
        builder = live_builder(vault, out)
        for number, (rel_path, line, text, replace) in enumerate(saves):
            path = vault / rel_path
            lines = path.read_text(encoding="utf-8").split("\n")
            body_start = lines.index("---", 1) + 1
            at = min(body_start + line, len(lines))
            if replace and at < len(lines):
                lines[at] = text
            else:
                lines.insert(at, text)
            if "\n".join(lines) == path.read_text(encoding="utf-8"):
                # The same bytes saved again change nothing (not even a file-time date), which
                # a clean build cannot know: test_a_save_of_the_same_bytes_changes_nothing.
                event("same bytes")
                continue
            path.write_text("\n".join(lines), encoding="utf-8")
            if builder.apply_edits([path]) is None:
                event("full build")
                out = root / f"out-{number}"
                builder.build(out=out)
            else:
                event("fast path")
            clean = root / f"clean-{number}"
            SiteBuilder(vault, clean).build()
            mine, theirs = site_files(out), site_files(clean)
            assert sorted(mine) == sorted(theirs)
            assert [name for name in theirs if mine[name] != theirs[name]] == []


def test_a_save_of_the_same_bytes_changes_nothing(tmp_path: Path) -> None:
    """A note dated by its file's time is dated when its bytes changed (`trellis.build.cache`):
    saving it unchanged moves no date, on the fast path as in a full build."""
    vault = write_vault(tmp_path / "vault", SMALL_VAULT)
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    before = site_files(out)
    path = vault / "Delta.md"
    later = path.stat().st_mtime_ns + 86_400 * 10**9
    path.write_bytes(path.read_bytes())
    os.utime(path, ns=(later, later))
    applied = builder.apply_edits([path])
    assert applied is not None and applied.pages_rendered == 0
    assert site_files(out) == before
    builder.build(out=tmp_path / "full")
    assert site_files(tmp_path / "full") == before


def test_a_running_index_refresh_is_killed_when_told_to_stop(tmp_path: Path) -> None:
    # 400 generated notes: Pagefind runs long enough (about a second) to be stopped.
    vault = tmp_path / "vault"
    generate_vault(vault, 400, seed=3)  # benchmarks/generate_vault.py
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    note = next(n for n in builder._live.site.notes if n.episode is None)  # type: ignore[union-attr]
    path = note.source.abs_path
    path.write_text(path.read_text(encoding="utf-8") + "\n\nMore words.\n", encoding="utf-8")
    assert builder.apply_edits([path]) is not None
    bundle_before = bundle(out)
    asked: list[float] = []

    def stop_on_second_look() -> bool:  # the first look is before Pagefind starts
        asked.append(time.monotonic())
        return len(asked) >= 2

    started = time.monotonic()
    assert builder.refresh_search(stop=stop_on_second_look) is False
    assert len(asked) == 2 and time.monotonic() - started < 5
    assert builder.search_stale
    assert bundle(out) == bundle_before
    assert not [p for p in psutil_children() if "pagefind" in p]


def psutil_children() -> list[str]:
    """Command lines of this process's children (from /proc: no extra dependency)."""
    me = str(os.getpid())
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if fields[1] == me:
                found.append((status.parent / "cmdline").read_text().replace("\0", " "))
        except (OSError, IndexError):
            continue
    return found


def test_a_stylesheet_override_is_copied_in_place_and_removing_it_brings_the_theme_back(
    vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    override = vault / ".trellis/static/trellis.css"
    override.parent.mkdir(parents=True)
    override.write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    builder = live_builder(vault, out)
    pages_before = {k: v for k, v in site_files(out).items() if k.endswith(".html")}

    override.write_text("body { color: papayawhip; }\n", encoding="utf-8")
    result = builder.apply_edits([override])
    assert result is not None and result.pages_rendered == 0
    assert (out / "static/trellis.css").read_text(encoding="utf-8") == override.read_text()
    assert {k: v for k, v in site_files(out).items() if k.endswith(".html")} == pages_before
    assert_same_as_clean_build(vault, out, tmp_path)

    override.unlink()
    assert builder.apply_edits([override]) is not None
    theme = ROOT / "static/trellis.css"
    assert (out / "static/trellis.css").read_bytes() == theme.read_bytes()
    assert_same_as_clean_build(vault, out, tmp_path / "again")


def test_an_empty_change_set_is_not_an_edit(vault: Path, tmp_path: Path) -> None:
    builder = live_builder(vault, tmp_path / "out")
    assert builder.apply_edits([]) is None


def test_serve_builds_reuse_the_last_index_unless_a_page_leaves_it(
    vault: Path, tmp_path: Path
) -> None:
    builder = live_builder(vault, tmp_path / "out", defer_search=True)
    first = bundle(tmp_path / "out")

    edit(vault, COMPOST, "dg-publish: true", "dg-publish: true\ntitle: Heap")
    builder.build(out=tmp_path / "second")
    assert builder.search_stale  # the last index, kept as it was
    assert bundle(tmp_path / "second") == first
    assert builder.refresh_search(stop=lambda: False) and not builder.search_stale

    edit(vault, COMPOST, "dg-publish: true", "dg-publish: false")
    builder.build(out=tmp_path / "third")
    assert not builder.search_stale  # a page left the index: indexed again at once
    assert_same_as_clean_build(vault, tmp_path / "third", tmp_path)
    assert sorted(bundle(tmp_path / "third")) == sorted(bundle(tmp_path / "clean"))


def bundle(root: Path) -> dict[str, bytes]:
    """The search bundle of a built site: path inside the site -> bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in (root / BUNDLE_DIR).rglob("*")
        if path.is_file()
    }


def test_a_tags_only_save_leaves_the_local_graph_files_alone(vault: Path, tmp_path: Path) -> None:
    """Neighbourhood files hold no tags: a tags save must not rewrite thousands of them
    (at 10,000 notes that cost two minutes a save), yet the site equals a clean build."""
    out = tmp_path / "out"
    builder = live_builder(vault, out)
    local = sorted((out / "_trellis" / "graph").glob("*.json"))
    assert local
    inodes = {path: path.stat().st_ino for path in local}
    global_inode = (out / "_trellis" / "graph.json").stat().st_ino
    edit(vault, COMPOST, "tags: [garden, soil]", "tags: [garden, soil, graph-tag]")
    assert builder.apply_edits([vault / COMPOST]) is not None
    assert {path: path.stat().st_ino for path in local} == inodes
    assert (out / "_trellis" / "graph.json").stat().st_ino != global_inode
    assert_same_as_clean_build(vault, out, tmp_path)
