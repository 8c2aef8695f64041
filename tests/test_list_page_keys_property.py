"""Property: after any change to what a note's card shows (title, description, date, tags,
icon, hidden, private) or to its body past the description, a rebuild with the cache writes
what a clean build writes, and rewrites exactly the tag and folder pages whose bytes
change: the pages that listed or list the note, and no other (but for two changes the
theme's card does not show, see below).

List page keys are made of per-note card keys (`Cards.key`) without making any card, so
a card key that missed something a card shows would keep a stale page; one that read more
than the card shows would rewrite pages that did not change. A page taken over from the
last output is the same file (a hard link, same inode); a rewritten one is a new file.

Hypothesis runs derandomized with few examples (each is three builds of a small vault).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from helpers import snapshot, write_vault
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.pipeline import build

SETTINGS = {"git_dates": False}
FOLDER_PAGES = {"garden/index.html", "garden/deep/index.html", "shed/index.html"}

# rel_path -> frontmatter (without dg-publish), first paragraph, rest of the body
Note = tuple[dict[str, str], str, str]
NOTES: dict[str, Note] = {
    "Home.md": ({"dg-home": "true"}, "Welcome.", "See the garden."),
    "Garden/Alpha.md": ({"tags": "[moss, fern]"}, "Alpha opens.", "More alpha."),
    "Garden/Beta.md": ({"tags": "[fern]", "created": "2024-01-02"}, "Beta opens.", ""),
    "Garden/Deep/Gamma.md": ({"tags": "[moss/green]"}, "Gamma is deep.", "Deeper."),
    "Shed/Delta.md": ({"tags": "[moss]", "updated": "2024-05-06"}, "Delta elsewhere.", ""),
    "Shed/Epsilon.md": ({"description": "Epsilon, described."}, "Epsilon body.", "Tail."),
}
EDITED = sorted(set(NOTES) - {"Home.md"})
WORDS = ["Zinnia", "Aster", "Moss", "Yarrow", "Clover", "Birch"]

CHANGES = st.one_of(
    st.tuples(st.just("title"), st.sampled_from(WORDS)),
    st.tuples(st.just("first paragraph"), st.sampled_from(WORDS)),
    st.tuples(st.just("description"), st.sampled_from(WORDS)),
    st.tuples(st.just("created"), st.integers(1, 28)),
    st.tuples(st.just("updated"), st.integers(1, 28)),
    st.tuples(st.just("tags"), st.lists(st.sampled_from(["moss", "fern", "oak/leaf"]), max_size=3)),
    st.tuples(st.just("dg-note-icon"), st.sampled_from(["leaf", "star"])),
    st.tuples(st.just("dg-hide"), st.just("true")),
    st.tuples(st.just("dg-show-dates"), st.just("false")),
    st.tuples(st.just("dg-publish"), st.just("false")),
    st.tuples(st.just("body"), st.sampled_from(WORDS)),
)


def note_text(meta: dict[str, str], first: str, rest: str) -> str:
    lines = ["---", *(f"{key}: {value}" for key, value in meta.items()), "---"]
    return "\n".join(lines) + f"\n{first}\n\n{rest}\n"


def vault_files(notes: dict[str, Note]) -> dict[str, str | bytes]:
    return {
        path: note_text({"dg-publish": "true", **meta}, first, rest)
        for path, (meta, first, rest) in notes.items()
    }


def changed(note: Note, change: tuple[str, Any]) -> Note:
    """`note` with one change; every change but `body` alters what its card may show."""
    meta, first, rest = dict(note[0]), note[1], note[2]
    kind, value = change
    if kind == "first paragraph":
        first = f"{value} now opens {first}"
    elif kind == "body":
        rest = f"{rest}\n\nA later paragraph about {value}."
    elif kind in ("created", "updated"):
        meta[kind] = f"2023-02-{value:02}"
    elif kind == "tags":
        meta["tags"] = "[" + ", ".join(value) + "]"
    else:
        meta[kind] = value
    return meta, first, rest


def list_pages(site: Path) -> dict[str, tuple[int, bytes]]:
    """Tag and folder pages: inode and bytes."""
    found = {}
    for path in [*site.glob("tags/**/index.html"), *(site / name for name in FOLDER_PAGES)]:
        name = path.relative_to(site).as_posix()
        if name != "tags/index.html" and path.is_file():
            found[name] = (path.stat().st_ino, path.read_bytes())
    return found


@settings(
    max_examples=16,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(EDITED), st.lists(CHANGES, min_size=1, max_size=2))
def test_a_rebuild_rewrites_exactly_the_list_pages_that_change(
    path: str, changes: list[tuple[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        vault = write_vault(root / "vault", vault_files(NOTES))
        build(vault, root / "site", SETTINGS)
        before = list_pages(root / "site")
        note = NOTES[path]
        for change in changes:
            note = changed(note, change)
        write_vault(vault, vault_files({path: note}))
        build(vault, root / "site", SETTINGS)
        build(vault, root / "clean", SETTINGS, use_cache=False)
        assert snapshot(root / "site") == snapshot(root / "clean")
        after = list_pages(root / "site")
        rewritten = {
            name for name, (inode, _) in after.items() if before.get(name, (0,))[0] != inode
        }
        differ = {
            name for name, (_, data) in after.items() if before.get(name, (0, b""))[1] != data
        }
        assert differ <= rewritten
        kinds = [kind for kind, _ in changes]
        # Two changes the theme's card does not show still rewrite the lists of the note:
        # its icon (the card record holds it for an override of `list.html` that shows
        # it), and a new `created` behind an `updated` the card shows instead (a card key
        # reads the frontmatter's dates as written, without parsing them).
        if "dg-note-icon" not in kinds and not ("created" in kinds and "updated" in note[0]):
            assert rewritten == differ
        if [kind for kind, _ in changes] == ["body"]:
            assert rewritten == set()
