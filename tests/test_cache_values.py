"""A cache file's records are checked down to each value a build reads (`cache_checks`).

The unpickler builds only plain record classes, but fills them with whatever the file
gives: a restored cache whose kept parse has a heading of numbers, a description that is not
text or a diagnostic without a message must leave the build clean (every page made again,
the damage said), never crash it with a traceback. Each case changes one value of a cache a
real build wrote, then a note is edited and the site built again: the output is the one a
build without the cache makes.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import build_vault, published, snapshot

from trellis.build.cache import load_cache_file
from trellis.build.cache_dump import cache_file_bytes
from trellis.diagnostics import Diagnostic
from trellis.emit.writer import cache_path
from trellis.model.content import Heading, LinkRef
from trellis.pipeline import build
from trellis.public.redirects import PublishedURL

VAULT: dict[str, str | bytes] = {
    "Alpha.md": published("Links [[Beta]].\n# One\nText ^block\n", tags="[x]"),
    "Beta.md": published("Back to [[Alpha#One]], see [[Nowhere]].\n"),
    "Gamma.md": published("Alone, embeds ![[Alpha]].\n"),
}


def in_alpha(change: Callable[[Any], None]) -> Callable[[dict[str, Any]], None]:
    """A change to Alpha's kept parse (the file holds it as its own pickle)."""

    def changed(body: dict[str, Any]) -> None:
        entry = pickle.loads(body["parsed"]["Alpha.md"])
        change(entry)
        body["parsed"]["Alpha.md"] = pickle.dumps(entry)

    return changed


def in_beta_warnings(body: dict[str, Any]) -> None:
    entry = pickle.loads(body["parsed"]["Beta.md"])
    entry.warnings = [Diagnostic("Beta.md", 1, 5)]  # type: ignore[arg-type]
    body["parsed"]["Beta.md"] = pickle.dumps(entry)


CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "heading of numbers": in_alpha(
        lambda e: setattr(e.content, "headings", [Heading("x", 3, None, "y")])  # type: ignore[arg-type]
    ),
    "links not a list": in_alpha(lambda e: setattr(e.content, "links", 7)),
    "link target a number": in_alpha(
        lambda e: setattr(e.content, "links", [LinkRef(5, False, 1)])  # type: ignore[arg-type]
    ),
    "description a number": in_alpha(lambda e: setattr(e.content, "description", 4)),
    "tag a number": in_alpha(lambda e: setattr(e.content, "tags", [3])),
    "block id a number": in_alpha(lambda e: setattr(e.content, "block_ids", {1: 2})),
    "file time text": in_alpha(lambda e: setattr(e, "file_time", "now")),
    "warning without a message": in_beta_warnings,
    "published URL of numbers": lambda body: body.__setitem__(
        "urls",
        [PublishedURL(1, 2, 3)],  # type: ignore[arg-type]
    ),
    "link record line text": lambda body: body["links"].__setitem__(
        "Beta.md", (body["links"]["Beta.md"][0], (), (("msg", "one", "warning"),))
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_wrong_value_in_the_cache_leaves_the_build_clean(tmp_path: Path, name: str) -> None:
    site = build_vault(tmp_path, VAULT)
    path = cache_path(site.out)
    with path.open("rb") as file:
        head, body = pickle.load(file), pickle.load(file)
    CHANGES[name](body)
    path.write_bytes(cache_file_bytes({**head, **body}))
    gamma = tmp_path / "vault" / "Gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    result = build(tmp_path / "vault", site.out)
    assert "is damaged (its records are not of the expected types)" in result.cache_problem
    assert result.pages_rendered == result.notes_published == 3
    build(tmp_path / "vault", tmp_path / "clean", use_cache=False)
    assert snapshot(site.out) == snapshot(tmp_path / "clean")


def test_a_cache_a_build_wrote_passes_every_check(tmp_path: Path) -> None:
    """The checks take what builds write: query facts (fields, tasks with tags and links),
    query blocks, block ids, features, warnings, episode readings left aside."""
    vault: dict[str, str | bytes] = {
        **VAULT,
        "Tasks.md": published(
            "rating:: 4\n\n- [ ] Task #tag with [[Alpha]] ^task\n  - [x] Done [due:: 2024-01-01]\n"
            "- plain item\n\n## Part\n\n$x^2$ and a footnote[^1].\n\n[^1]: Note.\n"
        ),
        "Query.md": published("```dataview\nLIST FROM #tag\n```\n\n`= this.rating`\n"),
    }
    site = build_vault(tmp_path, vault)
    read = load_cache_file(cache_path(site.out)).with_body()
    assert read.problem == "" and read.data is not None
    parsed = read.data["parsed"]
    assert parsed["Tasks.md"].content.query_facts is not None
    assert parsed["Query.md"].content.queries
    assert parsed["Alpha.md"].content.block_ids
