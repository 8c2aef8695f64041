"""A note page's key is made of what its context reads (`trellis.emit.pages.note_inputs`),
not of the context itself: a rebuild with the cache after a change that reaches a page from
elsewhere than its own note (a backlink's title or sentence, the home page's title in the
breadcrumbs, a cover image that appears) writes what a clean build writes, and renders only
the pages that read the change."""

from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

from trellis.pipeline import build

PICTURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
FILES: dict[str, str | bytes] = {
    "Home.md": published("Start here.", title="Garden", **{"dg-home": "true"}),
    "Notes/Alpha.md": published("Alpha is linked from Beta.", image="cover.png"),
    "Notes/Beta.md": published("Beta says: see [[Alpha]] for more."),
    "Notes/Gamma.md": published("Gamma stands alone."),
}


def rebuilt(tmp_path: Path, edit: dict[str, str | bytes]) -> tuple[int, dict[str, bytes]]:
    """Build, apply `edit` (files written), build again with the cache; how many note pages
    the second build rendered, and what it wrote (checked against a clean build)."""
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "site", {"git_dates": False})
    write_vault(vault, edit)
    result = build(vault, tmp_path / "site", {"git_dates": False})
    build(vault, tmp_path / "clean", {"git_dates": False}, use_cache=False)
    site = snapshot(tmp_path / "site")
    assert site == snapshot(tmp_path / "clean")
    return result.pages_rendered, site


@pytest.mark.parametrize(
    ("edit", "shown"),
    [
        # Beta's title is Alpha's backlink: Beta's page and Alpha's.
        ({"Notes/Beta.md": published("Beta says: see [[Alpha]] for more.", title="Bravo")},
         "Bravo"),
        # The sentence around the link is the backlink's context.
        ({"Notes/Beta.md": published("Beta now says: read [[Alpha]] first.")}, "read"),
    ],
)  # fmt: skip
def test_a_backlink_changed_elsewhere_reaches_the_page(tmp_path, edit, shown):
    rendered, site = rebuilt(tmp_path, edit)
    assert shown.encode() in site["notes/alpha/index.html"]
    assert rendered == 2


def test_the_home_title_reaches_every_breadcrumb(tmp_path):
    edit = {"Home.md": published("Start here.", title="Orchard", **{"dg-home": "true"})}
    rendered, site = rebuilt(tmp_path, edit)
    assert b"Orchard" in site["notes/gamma/index.html"]
    assert rendered == 4


def test_a_cover_image_that_appears_reaches_the_page(tmp_path):
    rendered, site = rebuilt(tmp_path, {"Notes/cover.png": PICTURE})
    assert b"cover.png" in site["notes/alpha/index.html"]
    assert rendered == 1
