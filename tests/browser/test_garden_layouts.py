"""Real gardens' own layouts in a browser (issue 14): a grid of cards written as raw HTML
with inline styles (`repeat(auto-fit, minmax(180px, 1fr))`, as a Norwegian maths garden's
home page has) keeps its columns, and the export's inlined transclusion shows its content
inside its frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import build_vault, published

pytestmark = pytest.mark.browser

CARD = (
    '<div class="card" style="border: 1px solid var(--background-modifier-border);'
    ' border-radius: 8px; padding: 0.75rem 1rem;"><span>{name}</span>'
    '<a href="Subjects/{name}" data-href="Subjects/{name}" class="internal-link">{name}</a></div>'
)
GRID = (
    '<div class="grid" style="display: grid; grid-template-columns: repeat(auto-fit,'
    ' minmax(180px, 1fr)); gap: 1rem; margin-top: 0.5rem;">'
    + "".join(CARD.format(name=name) for name in ("Algebra", "Geometry", "Statistics"))
    + "</div>\n"
)


def test_cards_keep_their_columns_and_links(tmp_path: Path, page: Any, serve_site: Any) -> None:
    files = {"Home.md": published(GRID, dg_home="true")}
    files |= {f"Subjects/{n}.md": published(n) for n in ("Algebra", "Geometry", "Statistics")}
    site = build_vault(tmp_path, files)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(serve_site(site.out))
    boxes = [card.bounding_box() for card in page.locator(".note-body .card").all()]
    assert len(boxes) == 3
    assert len({round(box["x"]) for box in boxes}) == 3  # three columns side by side
    assert len({round(box["y"]) for box in boxes}) == 1
    page.locator(".note-body .card a", has_text="Geometry").click()
    page.wait_for_url("**/subjects/geometry/")
