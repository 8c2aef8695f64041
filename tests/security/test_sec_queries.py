"""Queries, bases and canvases that would reach private notes leave no trace in any byte of
the output (pages, search index, feeds, graph JSON, sitemap), not even through a count or a
GROUP BY key (issue 19)."""

from __future__ import annotations

import gzip

import pytest
from helpers import PUBLISHED, BuiltSite, build_vault, published

# Each marker is written only in private notes, fields, tags, tasks or unpublished canvases
# (or in query text, which the page does not show): published text that names a private note
# is shown as plain text by design, so it uses an alias here.
MARKERS = ("zorblax", "quixotrope", "zorbtag", "secrettaskz", "hushvalue", "qwertzboard")

QUERIES = """
```dataview
TABLE genre, hushfield FROM "Books" SORT file.name
```

```dataview
LIST FROM #zorbtag
```

```dataview
TABLE WITHOUT ID key, length(rows) AS count FROM "Books" GROUP BY genre
```

```dataview
TABLE WITHOUT ID length(rows) AS total GROUP BY "all"
```

```dataview
TASK
```

```dataview
LIST FROM [[Zorblax Plans]]
```

```dataview
LIST file.outlinks FROM "Books"
```

```dataview
TABLE file.inlinks, file.tags, file.etags
```

Inline: `= [[Zorblax Plans]].genre` and `= length(this.file.outlinks)`
and `= join(map(file.outlinks, (l) => l.file.name), ",")`

```base
views:
  - type: table
    order: [file.name, genre, hushfield, file.backlinks, file.links]
    groupBy: genre
```

![[Shelf.base]]

![[Board.canvas]]

![[Qwertzboard.canvas]]
"""

CANVAS = (
    '{"metadata": {"frontmatter": {"dg-publish": true}}, "nodes": ['
    '{"id":"t","type":"text","text":"See [[Zorblax Plans|that one]] and [[Dune]]",'
    '"x":0,"y":0,"width":200,"height":80},'
    '{"id":"p","type":"file","file":"Books/Zorblax Plans.md",'
    '"x":300,"y":0,"width":200,"height":80},'
    '{"id":"q","type":"file","file":"Qwertzboard.canvas","x":600,"y":0,"width":200,"height":80},'
    '{"id":"d","type":"file","file":"Books/Dune.md","x":900,"y":0,"width":200,"height":80}],'
    '"edges": [{"id":"e","fromNode":"t","toNode":"p","label":"to it"}]}'
)

FILES = {
    "Home.md": PUBLISHED + QUERIES + "\n[[Dune]] [[Emma]]\n",
    "Books/Dune.md": published("- [ ] reread [[Emma]]\n", genre="scifi", tags="[book]"),
    "Books/Emma.md": published("Emma. [[Zorblax Plans|a plan]]\n", genre="classic"),
    "Books/Zorblax Plans.md": (
        "---\ngenre: quixotrope\nhushfield: hushvalue\ntags: [zorbtag, book]\n---\n"
        "- [ ] SECRETTASKZ [[Dune]]\n[[Emma]] [[Home]]\n"
    ),
    "Shelf.base": "views:\n  - type: cards\n    order: [file.name, genre, hushfield]\n",
    "Board.canvas": CANVAS,
    "Qwertzboard.canvas": CANVAS.replace('"metadata": {"frontmatter": {"dg-publish": true}}, ', ""),
}


def output_text(site: BuiltSite) -> str:
    """Every byte of the output, gzip streams (the search index) unpacked, lowercased."""
    parts = []
    for path in sorted(site.out.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            parts.append(path.relative_to(site.out).as_posix() + "\n")
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts).lower()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_vault(tmp_path_factory.mktemp("queries"), FILES)


def test_the_queries_ran(site: BuiltSite) -> None:
    body = site.body("/home/")
    assert len(body.css("table.table-view-table")) >= 4
    assert body.css_first(".bases-table") is not None
    assert body.css_first(".bases-embed .bases-cards-item") is not None
    assert body.css_first(".canvas-embed") is not None
    assert site.exists("/board/")
    assert "search" in output_text(site)  # the index was written (and is checked below)


@pytest.mark.parametrize("marker", MARKERS)
def test_no_private_marker_in_any_output_byte(site: BuiltSite, marker: str) -> None:
    assert marker not in output_text(site)


def test_counts_and_group_keys_count_published_notes_only(site: BuiltSite) -> None:
    body = site.body("/home/")
    tables = body.css("table.table-view-table")
    groups = [[td.text() for td in row.css("td")] for row in tables[1].css("tbody tr")]
    assert groups == [["classic", "1"], ["scifi", "1"]]
    totals = [td.text() for td in tables[2].css("tbody td")]
    assert totals == ["3"]  # Home, Dune, Emma
    tasks = body.css(".block-language-dataview li.task-list-item")
    assert [t.text().strip() for t in tasks] == ["reread Emma"]


def test_the_unpublished_canvas_has_no_page(site: BuiltSite) -> None:
    assert not any("qwertz" in name.lower() for name in site.files())
