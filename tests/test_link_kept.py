"""Kept link records made into a note's lists only when read (`trellis.build.link_kept`):
a one-note rebuild makes the lists of the notes it reads, and writes what a clean build
writes (warnings too) whatever the edit did to links, backlinks, embeds and names. A forged
record is refused before any list is made from it."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from helpers import published, snapshot, write_vault
from test_cache_edits_property import assert_same_site

from trellis.build.cache_dump import cache_file_bytes
from trellis.build.link_kept import cyclic, owners
from trellis.emit.writer import cache_path
from trellis.pipeline import BuildResult, build
from trellis.public.graph import NoteLists

SETTINGS = {"git_dates": False}
HUB = "Hub links [[Spoke 1]] and embeds ![[Spoke 2#Part]].\n\n## Part\nhub part\n"
FILES: dict[str, str | bytes] = {
    "Hub.md": published(HUB),
    "Secret.md": "---\ntitle: Hidden title\n---\nThe private text, secretword.\n",
    "pic.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
    **{
        f"Spoke {n}.md": published(
            f"Spoke {n} links [[Spoke {n + 1}]]{' and [[Hub]]' if n <= 5 else ''}.\n\n## Part\nx\n"
        )
        for n in range(1, 30)
    },
}


def _check(tmp_path: Path, edit: dict[str, str | bytes], gone: tuple[str, ...] = ()) -> BuildResult:
    """Build, edit, build with the cache; the same as a clean build, warnings too."""
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", SETTINGS)
    first = snapshot(tmp_path / "site")
    write_vault(vault, edit)
    for name in gone:
        (vault / name).unlink()
    result = build(vault, tmp_path / "site", SETTINGS)
    clean = build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert_same_site(tmp_path / "site", tmp_path / "clean", first)  # (a rename: redirects)
    assert [str(d) for d in result.diagnostics.items] == [str(d) for d in clean.diagnostics.items]
    return result


def _spoke(body: str, **meta: str) -> str:
    """A spoke's text: `body`, then its heading as every spoke has it (the names table the
    same unless an edit means to change it)."""
    return published(f"{body}\n\n## Part\nx\n", **meta)


EDITS: dict[str, tuple[dict[str, str | bytes], tuple[str, ...]]] = {
    "body": ({"Spoke 5.md": _spoke("Spoke 5 links [[Hub]] and [[Spoke 6]]. More.")}, ()),
    "link added": ({"Spoke 5.md": _spoke("Links [[Hub]], [[Spoke 6]], [[Spoke 9]].")}, ()),
    "links removed": ({"Spoke 5.md": _spoke("Spoke 5 links nothing now.")}, ()),
    "embed cycle": ({"Spoke 2.md": _spoke("Shows ![[Hub#Part]].")}, ()),
    "long embed cycle": (
        {
            "Spoke 7.md": _spoke("Shows ![[Spoke 8]] and ![[Spoke 7#Part]]."),
            "Spoke 8.md": _spoke("Shows ![[Spoke 9]]."),
            "Spoke 9.md": _spoke("Shows ![[Spoke 7]], ![[Spoke 3]]."),
        },
        (),
    ),
    "embed removed": ({"Hub.md": published("Hub links [[Spoke 1]].\n\n## Part\nhub part\n")}, ()),
    "private link": ({"Spoke 5.md": _spoke("Links [[Secret]] and [[Hub]].")}, ()),
    "attachment link": ({"Spoke 5.md": _spoke("Shows ![[pic.png]], [[Hub]].")}, ()),
    "heading added": ({"Spoke 5.md": _spoke("Links [[Hub]].\n\n## New\nx")}, ()),
    "alias added": ({"Spoke 5.md": _spoke("Links [[Hub]].", aliases="[Centre]")}, ()),
    "renamed": ({"Spoke 50.md": _spoke("Spoke 5 links [[Hub]] and [[Spoke 6]].")}, ("Spoke 5.md",)),
    "made private": ({"Spoke 6.md": "---\ndg-publish: false\n---\nNow private.\n"}, ()),
    "hub edited": ({"Hub.md": published(HUB + "\nMore words.\n")}, ()),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_a_rebuild_after_an_edit_is_a_clean_build(tmp_path: Path, name: str) -> None:
    edit, gone = EDITS[name]
    _check(tmp_path, edit, gone)


def test_a_body_edit_makes_the_lists_of_few_notes(tmp_path: Path) -> None:
    """Spoke 20's page is keyed again (its links, and its backlinks: Spoke 19's link), and
    Spoke 21's, which it links to (its links, and its backlinks: Spoke 20's). The Hub's
    embed leads to no cycle: read from its record, no edge made. No other record is read."""
    result = _check(tmp_path, {"Spoke 20.md": _spoke("Spoke 20 links [[Spoke 21]]. More.")})
    assert result.graph is not None
    made = {note.rel_path for note in result.graph.outgoing.made}  # type: ignore[attr-defined]
    assert made == {"Spoke 19.md", "Spoke 20.md", "Spoke 21.md"}
    backlinks = {note.rel_path for note in result.graph.incoming.made}  # type: ignore[attr-defined]
    assert backlinks == {"Spoke 20.md", "Spoke 21.md"}


def test_owners_finds_each_record_holding_a_value_once() -> None:
    flat = ["a", "b", "a", "c", "a", "a", "b"]
    starts = [0, 3, 4, 4, 6]  # records: [a b a] [c] [] [a a] [b]
    assert owners(flat, starts, "a") == [0, 3]
    assert owners(flat, starts, "b") == [0, 4]
    assert owners(flat, starts, "c") == [1]
    assert owners(flat, starts, "d") == []


def _forge(tmp_path: Path, change: Any) -> Path:
    vault = write_vault(tmp_path / "vault", FILES)
    out = tmp_path / "site"
    build(vault, out, SETTINGS)
    path = cache_path(out)
    with path.open("rb") as file:
        head, body = pickle.load(file), pickle.load(file)
    change(body["links"])
    path.write_bytes(cache_file_bytes({**head, **body}))
    write_vault(vault, {"Spoke 9.md": _spoke("Spoke 9 links [[Hub]] and [[Spoke 10]]. Edited.")})
    build(vault, out, SETTINGS)
    build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(out) == snapshot(tmp_path / "clean")
    for page in out.rglob("*"):
        if page.is_file():
            text = page.read_bytes()
            for secret in (b"/secret/", b"secretword", b"Hidden title", b"private text"):
                assert secret not in text, (page, secret)
    return out


def test_forged_records_cannot_put_a_private_note_in_a_made_list(tmp_path: Path) -> None:
    """Records that fit (their keys copied) naming the private note: in the middle of a
    hub's record (its backlinks are searched in one flat list of every kept link), as an
    attachment a note link is not, and a record kept under the private note's own path.
    Each note so forged is linked afresh; the private note's record is never read."""

    def change(links: dict[str, Any]) -> None:
        key, pairs, said = links["Hub.md"]
        links["Hub.md"] = (key, (pairs[0], ("/secret/", "Secret.md")), said)
        key, pairs, said = links["Spoke 3.md"]
        links["Spoke 3.md"] = (key, (("/secret/", ""), pairs[1]), said)
        key, pairs, said = links["Spoke 4.md"]
        links["Secret.md"] = (key, (("/secret/", "Hub.md"), ("/secret/", "Spoke 1.md")), said)

    _forge(tmp_path, change)


def test_a_forged_record_of_the_wrong_length_is_linked_afresh(tmp_path: Path) -> None:
    def change(links: dict[str, Any]) -> None:
        key, pairs, said = links["Spoke 8.md"]
        links["Spoke 8.md"] = (key, (*pairs, ("/secret/", "Hub.md")), said)
        key, pairs, said = links["Spoke 7.md"]
        links["Spoke 7.md"] = (key, pairs[:1], said)

    _forge(tmp_path, change)


def test_a_forged_href_never_reaches_a_page(tmp_path: Path) -> None:
    """A kept record's hrefs are read into page keys only (and the preview's check of
    moved anchors): a page's links are resolved again when it is rendered. So records
    naming the right notes with a `javascript:` address, another note's page, a heading id
    the target does not have, or text after the right address change no page; the pages
    holding those links are rendered in that build (the edit gives Hub a backlink)."""

    def change(links: dict[str, Any]) -> None:
        key, pairs, said = links["Hub.md"]
        assert pairs[1][0].endswith("#part"), pairs  # (the embed of Spoke 2#Part)
        links["Hub.md"] = (key, (("javascript:alert(1)", pairs[0][1]), pairs[1]), said)
        key, pairs, said = links["Spoke 3.md"]
        links["Spoke 3.md"] = (key, ((links["Spoke 1.md"][1][0][0], pairs[0][1]), pairs[1]), said)
        key, pairs, said = links["Spoke 4.md"]
        links["Spoke 4.md"] = (key, ((pairs[0][0] + "#nothere", pairs[0][1]), pairs[1]), said)
        key, pairs, said = links["Spoke 10.md"]
        links["Spoke 10.md"] = (key, ((pairs[0][0] + '"onclick', pairs[0][1]),), said)

    out = _forge(tmp_path, change)
    hub = (out / "hub" / "index.html").read_text()
    assert 'href="/spoke-1/"' in hub and 'href="/spoke-9/"' in hub  # (rendered, new backlink)
    for page in out.rglob("*.html"):
        assert b"javascript:" not in page.read_bytes() and b"nothere" not in page.read_bytes()


def test_note_lists_make_each_list_once_when_read() -> None:
    notes: list[Any] = [object(), object(), object()]
    asked: list[int] = []

    def make(note: Any) -> list[int] | None:
        if not any(note is each for each in notes):
            return None
        asked.append(notes.index(note))
        return [notes.index(note)]

    lists: NoteLists[int] = NoteLists(notes, make)
    assert lists.get(notes[1]) == [1] and lists[notes[1]] == [1] and asked == [1]
    assert lists.get(object(), "none") == "none" and object() not in lists
    lists[notes[2]].append(9)  # (changed in place, as a dict's list)
    assert list(lists.values()) == [[0], [1], [2, 9]] and asked == [1, 2, 0]
    stranger = object()
    lists[stranger] = [7]  # type: ignore[index]
    assert len(lists) == 4 and list(lists)[-1] is stranger


def test_cyclic_finds_the_nodes_on_a_cycle_only() -> None:
    """A self-embed, a three-note cycle with a tail into it and out of it, a chain."""
    a, b, c, d, e, f, g, h = (object() for _ in range(8))
    targets: dict[Any, list[Any]] = {a: [a], b: [c], c: [d, e], d: [b], f: [b], g: [h], e: []}
    assert cyclic(targets) == {a, b, c, d}
    deep = [object() for _ in range(5000)]  # (deeper than Python's recursion)
    chain = {node: [deep[at + 1]] for at, node in enumerate(deep[:-1])}
    assert cyclic(chain) == set()
    assert cyclic({**chain, deep[-1]: [deep[0]]}) == set(deep)
