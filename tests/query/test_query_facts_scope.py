"""Query facts are worked out only while the vault may hold queries (issue 17, memory).

A build of a vault without queries keeps parses without facts (a quarter of a parse's
memory); when a query appears later, the kept parses must still give the query the same
results as a clean build: the command line's cached build, the preview's builder (its
fast path hands such a save to a full build), and a vault rendered in worker processes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers import write_vault

from trellis.build.options import BuildOptions
from trellis.pipeline import SiteBuilder, build

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_query_incremental import assert_same

NOTES = {
    f"Books/{name}.md": f"---\ndg-publish: true\nrating: {rating}\ntags: [book]\n---\n"
    f"A book. [[{other}]]\n\n- [ ] read {name} again\n- genre:: essay\n"
    for name, rating, other in [("A", 5, "B"), ("B", 2, "C"), ("C", 4, "A"), ("D", 3, "A")]
}
QUERY = (
    "---\ndg-publish: true\n---\n```dataview\nTABLE rating FROM #book SORT rating DESC\n```\n\n"
    '```dataview\nTASK FROM "Books"\n```\n\nA\'s rating: `= [[A]].rating`\n'
)


def test_parses_of_a_vault_without_queries_keep_no_facts(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    builder = SiteBuilder(vault, tmp_path / "out", options=BuildOptions(keep_cache=False))
    result = builder.build()
    assert result.site is not None
    assert all(note.content and note.content.query_facts is None for note in result.site.notes)


def test_a_query_added_later_reads_the_kept_parses_as_a_clean_build_does(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    cli_out, workers_out = tmp_path / "cli", tmp_path / "workers"
    build(vault, cli_out, {"jobs": 1})
    build(vault, workers_out, {"jobs": 2, "workers_from": 2})
    preview = SiteBuilder(
        vault, tmp_path / "preview", options=BuildOptions(keep_cache=False, keep_live=True)
    )
    preview.build()
    (vault / "Queries.md").write_text(QUERY, encoding="utf-8")
    build(vault, cli_out, {"jobs": 1})
    build(vault, workers_out, {"jobs": 2, "workers_from": 2})
    assert preview.apply_edits([vault / "Queries.md"]) is None  # a full build decides
    preview_out = tmp_path / "preview-2"
    preview.build(out=preview_out)
    clean = tmp_path / "clean"
    SiteBuilder(vault, clean).build()
    page = (clean / "queries" / "index.html").read_text(encoding="utf-8")
    assert "read C again" in page and page.count("<tr") >= 5  # the queries found the books
    for out in (cli_out, workers_out, preview_out):
        assert_same(out, clean)
