"""The preview's fast path and the list pages (folders, tags, `/tags/`, the home list): a save
makes again only the lists whose card of the edited note changed, keeps the tag index by
delta, and after every save of a sequence the site is what a clean build writes."""

from __future__ import annotations

from pathlib import Path

from helpers import published, write_vault
from test_edits import site_files

from trellis.build.options import BuildOptions
from trellis.pipeline import SiteBuilder

SETTINGS = {"home_list_limit": 2}  # no home note: the home list shows Five and Four only
LIST_VAULT = {
    "A/One.md": published("First words of one.\n\nMore of one.\n", tags="[x, x/y, Zed]"),
    "A/Two.md": published("Two begins here.\n", tags="[x]"),
    "B/Three.md": published("Three begins.\n", tags="[zed]"),
    "B/C/Four.md": published("Four.\n", tags="[w]", created="2023-02-03"),
    "Five.md": published("Five opens.\n"),
}
LISTS = ["index.html", "a/index.html", "b/index.html", "tags/index.html", "tags/x/index.html"]


def inodes(out: Path) -> dict[str, int]:
    return {
        path.relative_to(out).as_posix(): path.stat().st_ino
        for path in out.rglob("*")
        if path.is_file()
    }


def rewritten(out: Path, before: dict[str, int]) -> set[str]:
    """The files a save replaced (the fast path renames a new file over the old one)."""
    return {name for name, inode in inodes(out).items() if before.get(name) != inode}


def assert_clean(vault: Path, out: Path, tmp_path: Path, name: str) -> None:
    clean = tmp_path / f"clean-{name}"
    SiteBuilder(vault, clean, SETTINGS).build()
    mine, theirs = site_files(out), site_files(clean)
    assert sorted(mine) == sorted(theirs)
    assert [file for file in theirs if mine[file] != theirs[file]] == []


def save(vault: Path, rel_path: str, old: str, new: str) -> Path:
    path = vault / rel_path
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel_path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# (name, note, old text, new text, list pages it must rewrite, list pages it must leave)
SAVES = [
    ("paragraph appended", "A/One.md", "More of one.", "More of one.\n\nLast.", [], LISTS),
    (
        "description",
        "A/One.md",
        "First words of one.",
        "New first words.",
        ["a/index.html", "tags/x/index.html", "tags/x/y/index.html"],
        ["index.html", "b/index.html", "tags/index.html"],
    ),
    (
        "tag added",
        "A/One.md",
        "tags: [x, x/y, Zed]",
        "tags: [x, x/y, Zed, fresh]",
        ["tags/fresh/index.html", "tags/index.html"],
        ["index.html", "b/index.html", "tags/w/index.html"],
    ),
    (
        "nested tag removed: its page goes",
        "A/One.md",
        "tags: [x, x/y, Zed, fresh]",
        "tags: [x, Zed, fresh]",
        ["tags/index.html", "tags/x/index.html"],
        ["index.html", "b/index.html"],
    ),
    (
        "first spelling of a shared tag removed: the tag is named by the next note",
        "A/One.md",
        "tags: [x, Zed, fresh]",
        "tags: [x, fresh]",
        ["tags/index.html", "tags/zed/index.html"],
        ["index.html"],
    ),
    (
        "date added",
        "B/Three.md",
        "tags: [zed]",
        "tags: [zed]\nupdated: 2024-05-01",
        ["b/index.html", "tags/zed/index.html"],
        ["index.html", "a/index.html", "tags/index.html"],
    ),
    (
        "description of a note the home list shows",
        "Five.md",
        "Five opens.",
        "Five begins now.",
        ["index.html"],
        ["a/index.html", "tags/index.html"],
    ),
    (
        "description of a note past the home list's limit",
        "A/Two.md",
        "Two begins here.",
        "Two starts here.",
        ["a/index.html", "tags/x/index.html"],
        ["index.html", "tags/index.html"],
    ),
]


def test_each_save_rewrites_only_the_lists_showing_what_changed(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", LIST_VAULT)
    out = tmp_path / "out"
    builder = SiteBuilder(vault, out, SETTINGS, BuildOptions.for_preview())
    builder.build()
    assert (
        "Five" in (out / "index.html").read_text() and "Two" not in (out / "index.html").read_text()
    )
    for name, rel_path, old, new, remade, kept in SAVES:
        before = inodes(out)
        path = save(vault, rel_path, old, new)
        assert builder.apply_edits([path]) is not None, name
        changed = rewritten(out, before)
        assert set(remade) <= changed, name
        assert not set(kept) & changed, name
        assert_clean(vault, out, tmp_path, name.split(":")[0].replace(" ", "-"))
    assert not (out / "tags" / "x" / "y").exists()
    assert "#zed" in (out / "tags" / "zed" / "index.html").read_text()


def test_a_note_moved_to_another_folder_is_listed_there_after_the_full_build(
    tmp_path: Path,
) -> None:
    """A move is a rename: not an edit the fast path follows; the build it falls back to
    lists the note in its new folder only."""
    vault = write_vault(tmp_path / "vault", LIST_VAULT)
    out = tmp_path / "out"
    builder = SiteBuilder(vault, out, SETTINGS, BuildOptions.for_preview())
    builder.build()
    old, new = vault / "A/Two.md", vault / "B/Two.md"
    old.rename(new)
    assert builder.apply_edits([old, new]) is None
    moved = tmp_path / "moved"
    builder.build(out=moved)
    assert "Two" in (moved / "b" / "index.html").read_text()
    assert "Two" not in (moved / "a" / "index.html").read_text()
    clean = tmp_path / "clean"
    SiteBuilder(vault, clean, SETTINGS).build()
    mine, theirs = site_files(moved), site_files(clean)
    # The build that knew the old URL redirects it (a clean one cannot know it).
    assert set(mine) - set(theirs) == {"_redirects", "a/two/index.html"}
    assert [file for file in theirs if mine[file] != theirs[file]] == []
