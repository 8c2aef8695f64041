"""The shapes the link stage reads fast: cached links and headings kept as plain tuples,
kept link records replayed by C-level maps, the names table's digest from joined strings.

A cache file is attacker input: its tuples are checked value by value before a build takes
them, and a replayed record can only reach published notes."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from helpers import build_vault, published, snapshot

from trellis.build.cache import load_cache_file
from trellis.build.cache_dump import cache_file_bytes
from trellis.build.link_cache import names_digest
from trellis.emit.writer import cache_path
from trellis.model.content import Heading, LinkRef, NoteContent
from trellis.pipeline import build

VAULT: dict[str, str | bytes] = {
    "Alpha.md": published("Links [[Beta]] and [[Secret]].\n# One\nText ^block\n"),
    "Beta.md": published("Back to [[Alpha#One]].\n"),
    "Gamma.md": published("Alone.\n"),
    "Secret.md": "---\ntitle: Hidden title\n---\nThe private text.\n",
}


def _cache(site_out: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    path = cache_path(site_out)
    with path.open("rb") as file:
        return path, pickle.load(file), pickle.load(file)


def _edit_gamma(tmp_path: Path) -> None:
    gamma = tmp_path / "vault" / "Gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")


def test_links_and_headings_are_plain_tuples_in_the_file_and_records_in_a_build(
    tmp_path: Path,
) -> None:
    site = build_vault(tmp_path, VAULT)
    path, _, body = _cache(site.out)
    entry = pickle.loads(body["parsed"]["Alpha.md"])
    assert {type(link) for link in entry.content.links} == {tuple}
    assert {type(heading) for heading in entry.content.headings} == {tuple}
    read = load_cache_file(path).with_body()
    assert read.data is not None
    content = read.data["parsed"]["Alpha.md"].content
    assert [type(link) for link in content.links] == [LinkRef, LinkRef]
    assert content.links[0].target == "Beta" and content.headings[0].id == "one"
    assert type(content.headings[0]) is Heading


def _forged_alpha(tmp_path: Path, links: Any = None, headings: Any = None) -> Any:
    site = build_vault(tmp_path, VAULT)
    path, head, body = _cache(site.out)
    entry = pickle.loads(body["parsed"]["Alpha.md"])
    if links is not None:
        entry.content.links = links
    if headings is not None:
        entry.content.headings = headings
    body["parsed"]["Alpha.md"] = pickle.dumps(entry)
    path.write_bytes(cache_file_bytes({**head, **body}))
    _edit_gamma(tmp_path)
    result = build(tmp_path / "vault", site.out)
    build(tmp_path / "vault", tmp_path / "clean", use_cache=False)
    assert snapshot(site.out) == snapshot(tmp_path / "clean")
    return result


def test_a_tuple_of_the_wrong_shape_in_the_cache_leaves_the_build_clean(tmp_path: Path) -> None:
    forged: list[dict[str, Any]] = [
        {"links": [("Beta", False, 1)]},  # too short
        {"links": [("Beta", False, 1, False, "", False, "more")]},  # too long
        {"links": [("Beta", 1, 1, False, "", False)]},  # embed a number
        {"links": [("Beta", False, True, False, "", False)]},  # line a bool
        {"links": [["Beta", False, 1, False, "", False]]},  # a list, not a tuple
        {"headings": [(1, "One", 7, 3)]},  # id a number
        {"headings": [(1, "One", "one")]},  # too short
        {"headings": [Heading(1, "One", "one", 2.5)]},  # type: ignore[arg-type]
    ]
    for number, change in enumerate(forged):
        result = _forged_alpha(tmp_path / str(number), **change)
        assert "is damaged" in result.cache_problem, change
        assert result.pages_rendered == result.notes_published == 3


def test_a_forged_link_record_cannot_reach_a_private_note(tmp_path: Path) -> None:
    """Alpha's kept record (its key copied, so it fits) names the private note for both of
    its links: a replayed path must be a published note's, so Alpha is resolved again and
    nothing of the private note is published."""
    site = build_vault(tmp_path, VAULT)
    path, head, body = _cache(site.out)
    key, pairs, said = body["links"]["Alpha.md"]
    assert len(pairs) == 2
    body["links"]["Alpha.md"] = (key, (("/secret/", "Secret.md"),) * 2, said)
    path.write_bytes(cache_file_bytes({**head, **body}))
    _edit_gamma(tmp_path)
    build(tmp_path / "vault", site.out)
    build(tmp_path / "vault", tmp_path / "clean", use_cache=False)
    assert snapshot(site.out) == snapshot(tmp_path / "clean")
    for page in site.out.rglob("*"):
        if page.is_file():
            text = page.read_bytes()
            assert b"/secret/" not in text and b"Hidden title" not in text, page


def _site(*notes: tuple[str, tuple[str, ...], list[Heading]]) -> Any:
    published_notes = [
        SimpleNamespace(
            source=SimpleNamespace(rel_path=rel_path),
            url="/" + rel_path.lower() + "/",
            aliases=aliases,
            content=NoteContent(headings=headings),
        )
        for rel_path, aliases, headings in notes
    ]
    settings = SimpleNamespace(for_output=lambda: {"base_path": "/"})
    return SimpleNamespace(settings=settings, notes=published_notes)


def _digest(*notes: tuple[str, tuple[str, ...], list[Heading]], every: Any = None) -> str:
    """The names digest of these published notes; `every`: every note's path and aliases
    (by default the published notes')."""
    vault = SimpleNamespace(notes=[], attachments=[])
    names = [(rel_path, aliases) for rel_path, aliases, _ in notes] if every is None else every
    return names_digest(_site(*notes), vault, SimpleNamespace(names=names))  # type: ignore[arg-type]


def test_the_names_digest_reads_what_links_read_and_nothing_else() -> None:
    one = [Heading(1, "One", "one", 3)]
    base = _digest(("A.md", ("x",), one), ("B.md", (), []))
    assert base == _digest(("A.md", ("x",), [Heading(1, "One", "one", 9)]), ("B.md", (), []))
    assert base == _digest(("A.md", ("x",), [Heading(2, "One", "one", 3)]), ("B.md", (), []))
    assert base != _digest(("A.md", ("x",), [Heading(1, "One", "one-1", 3)]), ("B.md", (), []))
    assert base != _digest(("A.md", ("x",), [Heading(1, "Two", "one", 3)]), ("B.md", (), []))
    assert base != _digest(("A.md", (), one), ("B.md", ("x",), []))  # the alias moved
    assert base != _digest(("A.md", ("x",), []), ("B.md", (), one))  # the heading moved


def test_a_name_holding_nul_is_not_read_as_two() -> None:
    """Joined with NUL, ("a\\0b", "c") and ("a", "b\\0c") would read alike."""
    every = [("A.md", ())]
    first = _digest(("A.md", ("a\0b", "c"), []), every=every)
    assert first != _digest(("A.md", ("a", "b\0c"), []), every=every)
    assert first == _digest(("A.md", ("a\0b", "c"), []), every=every)
