"""Where a note's links go is kept between builds (`trellis.build.link_cache`): a rebuild
with the cache resolves again only the notes whose key changed (their bytes, or the table of
names, headings and block ids any link can reach), and writes what a clean build writes,
warnings included."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

import trellis.build.link_cache as link_cache
import trellis.pipeline as pipeline
from trellis.pipeline import BuildResult, build

SETTINGS = {"git_dates": False}
PICTURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
FILES: dict[str, str | bytes] = {
    "Alpha.md": published("Alpha links [[Beta#Part]] and [[Gamma]], shows ![[pic.png]].\n"),
    "pic.png": PICTURE,
    "Beta.md": published("Beta text.\n\n## Part\nThe part.\n"),
    "Gamma.md": published("Gamma links [[Beta#Nowhere]] and [[Missing]].\n"),
    "Delta.md": published("Delta links [[Alpha]].\n"),
}

NOTES = {name for name in FILES if name.endswith(".md")}


def rebuilt(
    tmp_path: Path, edit: dict[str, str | bytes], monkeypatch: pytest.MonkeyPatch
) -> tuple[set[str], BuildResult]:
    """Build, apply `edit`, build again with the cache (checked against a clean build,
    warnings too); the notes whose links the second build resolved again."""
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", SETTINGS)
    write_vault(vault, edit)
    resolved: set[str] = set()
    real = link_cache.link_note

    def counted(site, graph, note, diagnostics):  # type: ignore[no-untyped-def]
        resolved.add(note.rel_path)
        real(site, graph, note, diagnostics)

    monkeypatch.setattr(link_cache, "link_note", counted)
    result = build(vault, tmp_path / "site", SETTINGS)
    monkeypatch.undo()
    clean = build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")
    assert [str(d) for d in result.diagnostics.items] == [str(d) for d in clean.diagnostics.items]
    return resolved, result


def test_an_edit_resolves_only_that_note_and_the_ones_never_kept(tmp_path, monkeypatch):
    edit = {"Delta.md": published("Delta links [[Alpha]], now with more words.\n")}
    resolved, result = rebuilt(tmp_path, edit, monkeypatch)
    # Gamma's link leading nowhere is kept with its warning, as the others are.
    assert resolved == {"Delta.md"}
    assert any("Nowhere" in str(d) for d in result.diagnostics.items)


def test_a_renamed_heading_reaches_the_notes_linking_to_it(tmp_path, monkeypatch):
    edit = {"Beta.md": published("Beta text.\n\n## Piece\nThe part.\n")}
    resolved, result = rebuilt(tmp_path, edit, monkeypatch)
    assert resolved == NOTES  # the table of headings changed: every note again
    assert b'href="/beta/#part"' not in (tmp_path / "site/alpha/index.html").read_bytes()
    assert any("no '#Part' in Beta.md" in str(d) for d in result.diagnostics.items)


def test_a_new_alias_changes_the_table_every_note_is_resolved_again(tmp_path, monkeypatch):
    edit = {"Epsilon.md": published("Epsilon.\n", aliases="[Gamma]")}
    resolved, _ = rebuilt(tmp_path, edit, monkeypatch)
    assert resolved == {*NOTES, "Epsilon.md"}


def test_a_target_made_private_leaves_the_links_to_it(tmp_path, monkeypatch):
    secret = str(FILES["Beta.md"]).replace("dg-publish: true", "dg-publish: false")
    _, result = rebuilt(tmp_path, {"Beta.md": secret}, monkeypatch)
    assert b"/beta/" not in (tmp_path / "site/alpha/index.html").read_bytes()
    assert any("private note" in str(d) for d in result.diagnostics.items)


def test_an_attachment_link_is_looked_up_again_on_every_build(tmp_path, monkeypatch):
    # Alpha's record keeps the picture as "an attachment": its new bytes give a new href.
    resolved, _ = rebuilt(tmp_path, {"pic.png": PICTURE + b"more"}, monkeypatch)
    assert "Alpha.md" not in resolved
    assert b"pic.png" in (tmp_path / "site/alpha/index.html").read_bytes()


def test_an_attachment_gone_resolves_the_note_again(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", SETTINGS)
    (vault / "pic.png").unlink()  # the table is the same: Alpha's record is tried, and fails
    again = build(vault, tmp_path / "site", SETTINGS)
    clean = build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")
    assert [str(d) for d in again.diagnostics.items] == [str(d) for d in clean.diagnostics.items]
    assert any("'pic.png' not found" in str(d) for d in again.diagnostics.items)


def test_a_missing_note_that_appears_is_linked(tmp_path, monkeypatch):
    resolved, _ = rebuilt(tmp_path, {"Missing.md": published("Here now.\n")}, monkeypatch)
    assert "Gamma.md" in resolved
    assert b'href="/missing/"' in (tmp_path / "site/gamma/index.html").read_bytes()


def test_a_private_note_that_appears_changes_the_warning(tmp_path, monkeypatch):
    secret = published("Private.\n").replace("dg-publish: true", "dg-publish: false")
    _, result = rebuilt(tmp_path, {"Missing.md": secret}, monkeypatch)
    assert any("[[Missing]] links to a private note" in str(d) for d in result.diagnostics.items)


def test_one_name_in_two_folders_replays_each_folders_attachment(tmp_path, monkeypatch):
    """A replayed attachment link is looked up once per name and folder in a build: two
    notes naming `pic.png` reach their own folder's file, with the same warnings."""
    files: dict[str, str | bytes] = {
        "A/pic.png": PICTURE + b"a",
        "B/pic.png": PICTURE + b"b",
        "A/One.md": published("Shows ![[pic.png]] and ![[pic.png#x]], [[Gone]].\n"),
        "A/Two.md": published("Also ![[pic.png]].\n"),
        "B/Three.md": published("Shows ![[pic.png]], [[Gone too]].\n"),
        "Edited.md": published("Links [[One]].\n"),
    }
    vault = write_vault(tmp_path / "vault", files)
    build(vault, tmp_path / "site", SETTINGS)
    write_vault(vault, {"Edited.md": published("Links [[One]] and [[Three]].\n")})
    asked: list[str] = []
    linking: list[bool] = []  # (only the link stage's questions are counted)
    real_find, real_link = link_cache.PublicSite.find_attachment, link_cache.link_site

    def counted(site, target, source):  # type: ignore[no-untyped-def]
        if linking:
            asked.append(f"{source.rel_path.rpartition('/')[0]}/{target}")
        return real_find(site, target, source)

    def link_site(*args):  # type: ignore[no-untyped-def]
        linking.append(True)
        try:
            return real_link(*args)
        finally:
            linking.clear()

    monkeypatch.setattr(link_cache.PublicSite, "find_attachment", counted)
    monkeypatch.setattr(pipeline, "link_site", link_site)
    result = build(vault, tmp_path / "site", SETTINGS)
    monkeypatch.undo()
    assert sorted(asked) == ["A/pic.png", "B/pic.png"]  # each once, though four links name one
    clean = build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(tmp_path / "site") == snapshot(tmp_path / "clean")
    assert [str(d) for d in result.diagnostics.items] == [str(d) for d in clean.diagnostics.items]
    one, three = (tmp_path / "site/a/one/index.html"), (tmp_path / "site/b/three/index.html")
    assert one.read_bytes().count(b"/attachments/") and three.read_bytes().count(b"/attachments/")
    assert one.read_bytes() != three.read_bytes()
