"""Raw HTML an embedded note leaves open stays inside its embed (found by hypothesis:
`<a href=...>` then a table, embedded elsewhere, swallowed the embed's own link)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_vault
from hostile_vault import structure_problems

from trellis.pipeline import build

PUBLISHED = "---\ndg-publish: true\n---\n"


@pytest.mark.parametrize(
    "raw",
    [
        "<a href='javascript:alert(1)'>\n<table><tr><td>",
        "<div><span>open",
        "<b><i>never closed",
    ],
)
def test_an_embedded_notes_open_elements_close_inside_the_embed(raw: str, tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "Host.md": PUBLISHED + "Before.\n\n![[Raw]]\n\nAfter the embed.\n",
            "Raw.md": PUBLISHED + raw + "\n",
        },
    )
    build(vault, tmp_path / "out", {"trust_html": False})
    page = (tmp_path / "out/host/index.html").read_text(encoding="utf-8")
    assert structure_problems(page) == []
    embed = page.split('<div class="markdown-embed-content">', 1)[1]
    content, rest = embed.split('<a class="markdown-embed-link"', 1)
    assert content.endswith("</div>")  # the embedded note's HTML closed before the link
    assert "After the embed." in rest
