"""The preview's search index follows the vault: unpublished notes leave it at once, body
edits (updated in place, without Pagefind on the way) reach it once the writer pauses."""

from __future__ import annotations

import gzip
from pathlib import Path

from helpers import published

from trellis.emit.search import BUNDLE_DIR


def indexed_text(root: Path | None) -> str:
    """Everything the served search bundle holds, its gzip streams unpacked."""
    assert root is not None
    texts = []
    for path in sorted((root / BUNDLE_DIR).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            texts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_an_unpublished_note_leaves_the_search_index(garden):
    live = garden()
    live.write("Beta.md", published("Beta text with quillfeather.", title="Beta Title"))
    live.wait_page("/beta/", "quillfeather")
    live.wait_for(
        lambda: "quillfeather" in indexed_text(live.preview.state.current_root), "indexed"
    )
    live.write("Beta.md", "---\ndg-publish: false\n---\nBeta text with quillfeather.\n")
    live.wait_page("/beta/", "Page not found", status=404)
    live.settle()
    assert "quillfeather" not in indexed_text(live.preview.state.current_root)


def test_a_body_edit_reaches_the_search_index_when_the_writer_pauses(garden):
    live = garden()
    served = live.preview.state.current_root
    assert "marshwren" not in indexed_text(served)
    live.write("Gamma.md", published("Gamma text links [[Beta]], now with marshwren."))
    live.wait_page("/gamma/", "marshwren")
    # Updated in place: the same folder is served, its pages changed.
    assert live.preview.state.current_root == served
    live.wait_for(lambda: "marshwren" in indexed_text(served), "the edit in the search index")
    live.wait_for(lambda: not live.preview._builder.search_stale, "a fresh index")
    assert "Gamma text links" in indexed_text(served)


def test_a_save_stops_a_running_index_refresh(garden):
    live = garden()
    for round_ in range(3):
        live.write("Gamma.md", published(f"Gamma round {round_} lapwingcall{round_}."))
        live.wait_page("/gamma/", f"lapwingcall{round_}")
    live.wait_for(lambda: "lapwingcall2" in indexed_text(live.preview.state.current_root), "last")
    assert "lapwingcall0" not in indexed_text(live.preview.state.current_root)


def test_a_full_rebuild_keeps_the_last_index_until_the_writer_pauses(garden):
    live = garden()
    served = live.preview.state.current_root
    # A new title is a frontmatter change: a whole rebuild into a new folder.
    live.write("Beta.md", published("Beta text with stormpetrel.", title="Renamed Beta"))
    live.wait_page("/beta/", "stormpetrel")
    assert live.preview.state.current_root != served
    live.wait_for(
        lambda: "stormpetrel" in indexed_text(live.preview.state.current_root), "re-indexed"
    )
    assert "Renamed Beta" in indexed_text(live.preview.state.current_root)
