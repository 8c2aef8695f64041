"""The cache's parses as parts (`trellis.build.cache_parts`): each note's parse is its own
pickle in the file; a rebuild writes an unchanged one back as the bytes it read, and pickles
anew any it parsed or changed. Checked on the files real builds wrote."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from helpers import build_vault, published

from trellis.build.cache import ParsedEntry, load_cache_file, read_cache
from trellis.build.cache_parts import ParsedParts
from trellis.emit.writer import cache_path
from trellis.model.content import NoteContent
from trellis.pipeline import build

VAULT: dict[str, str | bytes] = {
    "Alpha.md": published("Links [[Beta]].\n# One\nText ^block\n", tags="[x]"),
    "Beta.md": published("Back to [[Alpha#One]].\n"),
    "Gamma.md": published("Alone, embeds ![[Alpha]].\n"),
    "Private.md": "---\ndg-publish: false\n---\nSECRET\n",
}


def parts_in(out: Path) -> dict[str, bytes]:
    """The record `parsed` of the cache file beside `out`, as the file holds it."""
    with cache_path(out).open("rb") as file:
        pickle.load(file)  # the head
        body: dict[str, Any] = pickle.load(file)
    return body["parsed"]


def test_an_unchanged_parse_is_written_back_as_it_was_read(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT)
    before = parts_in(site.out)
    assert set(before) == {"Alpha.md", "Beta.md", "Gamma.md"}  # nothing of the private note
    assert all(isinstance(blob, bytes) for blob in before.values())
    beta = tmp_path / "vault" / "Beta.md"
    beta.write_text(beta.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    result = build(tmp_path / "vault", site.out)
    assert result.pages_rendered >= 1
    after = parts_in(site.out)
    assert after["Alpha.md"] == before["Alpha.md"] and after["Gamma.md"] == before["Gamma.md"]
    assert after["Beta.md"] != before["Beta.md"]
    kept = read_cache(cache_path(site.out))
    assert kept is not None
    assert result.site is not None
    beta = next(note for note in result.site.notes if note.rel_path == "Beta.md")
    assert kept["parsed"]["Beta.md"].content_hash == beta.source.content_hash
    alpha = kept["parsed"]["Alpha.md"].content
    assert [h.text for h in alpha.headings] == ["One"] and alpha.block_ids == {"block": "^block"}


def entry() -> ParsedEntry:
    return ParsedEntry("hash", NoteContent(tags=["a"]), [], 1.0)


def test_a_changed_entry_is_pickled_anew() -> None:
    """Any field a build may set, replaced or grown, makes the entry's bytes new."""
    changes = [
        lambda e: setattr(e, "plain", True),
        lambda e: setattr(e, "quiet", True),
        lambda e: setattr(e, "file_time", 2.0),
        lambda e: setattr(e, "content", NoteContent(tags=["a"])),
        lambda e: e.content.tags.append("b"),
        lambda e: setattr(e.content, "tags", ["a"]),
        lambda e: setattr(e.content, "description", "new"),
        lambda e: e.content.links.append(None),
        lambda e: e.warnings.append(None),
    ]
    for change in changes:
        read = entry()
        parts = ParsedParts()
        parts.remember("n.md", read, b"as read")
        assert parts.bytes_of("n.md", read) == b"as read"
        assert parts.bytes_of("other.md", read) is None
        assert parts.bytes_of("n.md", entry()) is None  # another object, though equal
        change(read)
        assert parts.bytes_of("n.md", read) is None


def test_a_damaged_part_leaves_the_build_clean(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT)
    path = cache_path(site.out)
    with path.open("rb") as file:
        head = pickle.load(file)
        body = pickle.load(file)
    body["parsed"]["Alpha.md"] = b"\x80\x05garbage"
    with path.open("wb") as file:
        pickle.dump(head, file)
        pickle.dump(body, file)
    read = load_cache_file(path).with_body()
    assert read.data is None and "damaged" in read.problem
    gamma = tmp_path / "vault" / "Gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    result = build(tmp_path / "vault", site.out)
    assert "damaged" in result.cache_problem
    assert result.pages_rendered == result.notes_published == 3
