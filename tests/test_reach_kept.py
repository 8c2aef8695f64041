"""What a one-note rebuild takes from the last build instead of walking every note: the tag
index and the file tree's key (`trellis.build.reach_kept`, kept in the reach record while
no changed note's tags or tree entry differ), and each note's part of the names table
(`trellis.build.link_cache.names_table`, kept with the hash of the note's bytes).

Every case is checked against a clean build (the keys, the reach record and the site), and
that the rebuild did take what it could. A forged record is refused, or can only list
published notes: no private note's name, title, tag or text reaches a page."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_cache_content_keys import snapshot
from test_cache_edits_property import assert_same_site
from test_reach import WiderGarden, built, kept_parses, retitle

import trellis.build.link_cache as link_cache
import trellis.build.reach as reach
from trellis.build.cache_dump import cache_file_bytes
from trellis.emit.writer import cache_path

SECRETS = (b"secretword", b"/draft/", b"Draft.md")


def calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[tuple[Any, ...]]:
    """The arguments of each call of `module.name` from now on (none if there is no such
    function: a Trellis before it, which the tests are run against too)."""
    made: list[tuple[Any, ...]] = []
    original = getattr(module, name, None)
    if original is None:
        return made

    def counted(*args: Any) -> Any:
        made.append(args)
        return original(*args)

    monkeypatch.setattr(module, name, counted)
    return made


def assert_a_clean_builds(root: Path, garden: WiderGarden, first: dict[str, bytes]) -> None:
    """The build with the cache just made (into `site`) recorded what a clean build records
    (keys, the reach record, parses), and wrote its site (`assert_keys_of_a_clean_build`)."""
    cached = SiteBuilders.last
    assert cached is not None
    clean = built(garden.vault, root / "clean", use_cache=False)
    assert cached._page_keys == clean._page_keys
    assert cached._reach == clean._reach
    assert getattr(cached, "_names", None) == getattr(clean, "_names", None)
    assert kept_parses(root / "site") == kept_parses(root / "clean")
    assert_same_site(root / "site", root / "clean", first)


class SiteBuilders:
    last: Any = None


def rebuilt(garden: WiderGarden, out: Path) -> None:
    SiteBuilders.last = built(garden.vault, out)


def retag(path: str, tags: str) -> Callable[[WiderGarden], None]:
    def edit(garden: WiderGarden) -> None:
        meta, body = garden.notes[path]
        others = [line for line in meta if not line.startswith("tags:")]
        garden.notes[path] = ([*others, f"tags: {tags}"] if tags else others, body)
        garden.write(path)

    return edit


def home_by_tag(garden: WiderGarden) -> None:
    """The home page moves to Delta by the export's `gardenEntry` tag."""
    garden.notes["Home.md"] = ([], garden.notes["Home.md"][1])
    garden.write("Home.md")
    meta, body = garden.notes["Delta.md"]
    garden.notes["Delta.md"] = ([*meta, "tags: [gardenEntry, plants]"], body)
    garden.write("Delta.md")


# edit -> (tag index made again, file tree key made again); None: every page keyed.
EDITS: dict[str, tuple[Any, tuple[bool, bool] | None]] = {
    "body": (("body", 0, "moss"), (False, False)),
    "tags renamed": (("tags", 0, "oak"), (True, False)),
    "tag spelled anew": (retag("Alpha.md", "[Plants]"), (True, False)),
    "tags removed": (retag("Alpha.md", ""), (True, False)),
    "tag added": (retag("Notes/Gamma.md", "[plants/ferns]"), (True, False)),
    "title": (retitle("Notes/Gamma.md", "Gamma Prime"), (False, True)),
    "hidden from the tree": (("filetree", 0, "moss"), (False, True)),
    "moved": (("move", 0, "oak"), None),
    "unpublished": (("publish", 1, "fern"), None),
    "home moved": (home_by_tag, None),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_a_rebuild_takes_over_what_the_edit_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    edit, made_again = EDITS[name]
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    first = snapshot(tmp_path / "site")
    indexes = calls(monkeypatch, reach, "build_tag_index")
    digests = calls(monkeypatch, reach, "digest")
    plans = calls(monkeypatch, reach, "kept_index")
    if isinstance(edit, tuple):
        garden.apply(edit)
    else:
        edit(garden)
    rebuilt(garden, tmp_path / "site")
    trees = [args for args in digests if len(args) == 2 and isinstance(args[1], list)]
    if made_again is None:  # (names changed: every page keyed, nothing taken over)
        assert not plans and len(indexes) == len(trees) == 1
    else:
        assert (len(indexes), len(trees)) == tuple(map(int, made_again))
    assert_a_clean_builds(tmp_path, garden, first)


def test_a_rebuild_makes_the_names_part_of_the_edited_note_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    garden = WiderGarden(tmp_path / "vault")
    built(garden.vault, tmp_path / "site")
    first = snapshot(tmp_path / "site")
    parts = calls(monkeypatch, link_cache, "names_part")
    garden.apply(("heading", 0, "moss"))  # Alpha: a new heading (names changed)
    rebuilt(garden, tmp_path / "site")
    made = [[heading.text for heading in args[0].headings] for args in parts]
    assert made == [["Part", "Moss"]]
    assert_a_clean_builds(tmp_path, garden, first)


def _forge(tmp_path: Path, change: Callable[[dict[str, Any]], None], same: bool = True) -> Path:
    """Build, forge the cache's body with `change`, edit Alpha's body, build again: the same
    site as a clean build (unless not `same`), and no private note's text anywhere."""
    garden = WiderGarden(tmp_path / "vault")
    out = tmp_path / "site"
    built(garden.vault, out)
    first = snapshot(out)
    path = cache_path(out)
    with path.open("rb") as file:
        head, body = pickle.load(file), pickle.load(file)
    change(body)
    path.write_bytes(cache_file_bytes({**head, **body}))
    garden.apply(("body", 0, "moss"))
    built(garden.vault, out)
    built(garden.vault, tmp_path / "clean", use_cache=False)
    if same:
        assert_same_site(out, tmp_path / "clean", first)
    for name, data in snapshot(out).items():
        for secret in SECRETS:
            assert secret not in data, (name, secret)
    return out


def _tags(body: dict[str, Any], tags: Callable[[tuple[Any, ...]], tuple[Any, ...]]) -> None:
    site_wide, seats, tree, table = body["reach"]
    body["reach"] = (site_wide, seats, tree, tags(table))


def test_a_kept_tag_naming_a_place_beyond_the_notes_is_refused(tmp_path: Path) -> None:
    beyond = (1000).to_bytes(4, "little") + (3).to_bytes(4, "little")
    _forge(tmp_path, lambda body: _tags(body, lambda t: ((*t[0][:2], beyond, None), *t[1:])))


@pytest.mark.parametrize(
    "forged",
    [
        lambda t: ((*t[0][:2], 7, None), *t[1:]),  # places that are no bytes
        lambda t: ((*t[0][:2], b"\0\0\0", None), *t[1:]),  # not whole places
        lambda t: ((*t[0][:3], "x"), *t[1:]),
        lambda t: (t[0][:3], *t[1:]),
        lambda t: [*t],
    ],
)
def test_a_kept_tag_table_of_the_wrong_shape_leaves_the_build_clean(
    tmp_path: Path, forged: Callable[[tuple[Any, ...]], Any]
) -> None:
    _forge(tmp_path, lambda body: _tags(body, forged))


def test_a_forged_tag_table_can_list_published_notes_only(tmp_path: Path) -> None:
    """Every place there is, under every tag: the page of the edited note's tag (made
    again) lists published notes (the wrong ones, as a forged seat's tags can make it),
    never the private note."""

    def every_note(table: tuple[Any, ...]) -> tuple[Any, ...]:
        places = b"".join(n.to_bytes(4, "little") for n in range(64))[: 4 * 5]
        return tuple((key, name, places, places) for key, name, _, _ in table)

    out = _forge(tmp_path, lambda body: _tags(body, every_note), same=False)
    assert b"Delta Title" in (out / "tags" / "plants" / "index.html").read_bytes()


def test_a_forged_file_tree_key_is_not_taken_for_the_tree(tmp_path: Path) -> None:
    def change(body: dict[str, Any]) -> None:
        site_wide, seats, _, table = body["reach"]
        body["reach"] = (site_wide, seats, "forged", table)

    _forge(tmp_path, change)


@pytest.mark.parametrize(
    "forged",
    [
        lambda parts: {path: (kept, "forged") for path, (kept, _) in parts.items()},
        lambda parts: {**parts, "Draft.md": parts["Alpha.md"]},
        lambda parts: {path: ("no hash", part) for path, (_, part) in parts.items()},
        lambda parts: {path: [*pair] for path, pair in parts.items()},  # (the wrong shape)
        lambda parts: {path: (pair[0],) for path, pair in parts.items()},
    ],
)
def test_forged_names_parts_leave_the_site_a_clean_builds(
    tmp_path: Path, forged: Callable[[dict[str, Any]], Any]
) -> None:
    """A part forged for a note, or kept for the private note: a part only says whether names
    changed; one that differs keys every page again, one never read changes nothing."""

    def change(body: dict[str, Any]) -> None:
        assert set(body["names"]) == {"Alpha.md", "Delta.md", "Home.md"} | {
            "Notes/Beta.md",
            "Notes/Gamma.md",
        }
        body["names"] = forged(body["names"])

    _forge(tmp_path, change)
