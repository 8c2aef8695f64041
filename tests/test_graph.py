"""`_trellis/graph.json` and the graph's place on the pages, read from real builds.

The file must hold exactly the published notes that are not hidden from the graph, their
links and embeds to each other once each, and nothing at all of a private note.
"""

from __future__ import annotations

import json
from hashlib import blake2b
from pathlib import Path
from typing import Any

import pytest
from helpers import BuiltSite, build_vault, published

import trellis.emit.graph_text as graph_text_module
from trellis.build.cache import read_cache
from trellis.emit.graph import (
    FIRST_STEP_CAP,
    LOCAL_KEY,
    NODE_CAP,
    graph_data,
    local_graph_index,
    site_graph_text,
)
from trellis.emit.graph_local import GraphIndex
from trellis.emit.writer import cache_path
from trellis.render.pages import PageRenderer
from trellis.render.templates import create_environment

PRIVATE = "---\ndg-publish: false\ntags: [privatetag]\n---\nPRIVATE-TEXT links [[Alpha]].\n"

VAULT: dict[str, str | bytes] = {
    "Alpha.md": published(
        "Links [[Beta]] twice: [[Beta|again]], [[Beta#Part]]; embeds ![[Gamma]]; itself [[Alpha]];"
        " [[Private Plan]] and [[Nowhere]].\n",
        tags="[one, two/three]",
    ),
    "Beta.md": published("# Part\nBack to [[Alpha]] and embedded ![[Alpha]].\n", title="B title"),
    "Gamma.md": published("Links [[Hidden]] and [[Unlisted]]; tag #inline.\n"),
    "Folder/Delta.md": published("Alone.\n"),
    "Hidden.md": published("Out of the graph; links [[Alpha]].\n", dg_hide_in_graph="true"),
    "Unlisted.md": published("dg-hide note; links [[Beta]].\n", dg_hide="true"),
    "Private Plan.md": PRIVATE,
    "Drafts/Loose.md": "No frontmatter, links [[Beta]] and embeds ![[Alpha]].\n",
}


def graph(site: BuiltSite) -> dict[str, Any]:
    return json.loads((site.out / "_trellis" / "graph.json").read_text(encoding="utf-8"))


def test_nodes_are_the_published_notes_left_in_the_graph(tmp_path: Path) -> None:
    data = graph(build_vault(tmp_path, VAULT))
    assert data["version"] == 1
    assert data["nodes"] == [
        {"id": "/alpha/", "url": "/alpha/", "title": "Alpha", "tags": ["one", "two/three"]},
        {"id": "/beta/", "url": "/beta/", "title": "B title", "tags": []},
        {"id": "/folder/delta/", "url": "/folder/delta/", "title": "Delta", "tags": []},
        {"id": "/gamma/", "url": "/gamma/", "title": "Gamma", "tags": ["inline"]},
    ]


def test_edges_are_links_and_embeds_between_them_once_each(tmp_path: Path) -> None:
    data = graph(build_vault(tmp_path, VAULT))
    assert data["edges"] == [
        {"source": "/alpha/", "target": "/beta/", "type": "link"},
        {"source": "/alpha/", "target": "/gamma/", "type": "embed"},
        {"source": "/beta/", "target": "/alpha/", "type": "embed"},
        {"source": "/beta/", "target": "/alpha/", "type": "link"},
    ]
    ids = {node["id"] for node in data["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])


def index_fields(index: GraphIndex) -> dict[str, Any]:
    """Everything a neighbourhood file is made from, as plain lists."""
    runs = {name: getattr(index, name) for name in ("links", "embeds", "ranked")}
    return {
        "ids": index.ids,
        "base": index.base,
        "rows": index.rows,
        "order": list(index.order),
        "rank": list(index.rank),
        **{name: [run[i].tolist() for i in range(len(index.ids))] for name, run in runs.items()},
    }


def test_the_index_made_from_the_site_is_the_one_made_from_the_graph_data(
    tmp_path: Path,
) -> None:
    """Each process of a cold build makes its local graph files from the site and link graph
    (`local_graph_index`, no graph data); the build remakes files from the data: the same
    index both ways, with hidden, private and self-linking notes, repeated links, a link
    and an embed of one pair, and a base path."""
    vault = {
        **VAULT,
        **{name: text for name, text in hub_vault().items() if name != "Private Plan.md"},
        "Ärger Note.md": published("Links [[Alpha]], [[Hub]] and [[Hidden]].\n"),
    }
    built = build_vault(tmp_path, vault, base_url="https://example.org/sub/")
    site, links = built.result.site, built.result.graph
    assert site is not None and links is not None
    from_site = index_fields(local_graph_index(site, links))
    assert from_site == index_fields(GraphIndex.of_data(graph_data(site, links)))
    assert len(from_site["ids"]) == len(graph(built)["nodes"]) > 140
    assert sum(map(len, from_site["embeds"])) == 2  # Alpha embeds Gamma, Beta embeds Alpha
    assert any("/sub/%C3%A4rger-note/" in row for row in from_site["rows"][1])  # url beside id


def test_the_file_made_as_text_is_the_graph_data_encoded(tmp_path: Path) -> None:
    """A build writes `graph.json` joined from rows (`trellis.emit.graph_text`), not from the
    graph data: the same bytes as encoding the data, and the local graph files' key is the
    digest of the data without tags, as it was made from the data (files a build recorded
    before are still taken over). Quotes, backslashes and non-ASCII in titles and URLs, tags,
    hidden notes, repeated links, a link and an embed of one pair, a base path."""
    vault = {
        **VAULT,
        "Ärger Note.md": published("Links [[Alpha]] and [[Hidden]].\n", title="'\"Q\" \\ ä'"),
        "Sub/Zeta.md": published("Embeds ![[Ärger Note]], links [[Ärger Note]].\n", tags="[z]"),
    }
    built = build_vault(tmp_path, vault, base_url="https://example.org/sub/")
    site, links = built.result.site, built.result.graph
    assert site is not None and links is not None
    data = graph_data(site, links)
    written = (built.out / "_trellis" / "graph.json").read_bytes()
    assert written == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    assert written == site_graph_text(site, links).text
    assert '\\"Q\\" \\\\ ä' in written.decode() and "%C3%A4rger-note" in written.decode()
    untagged = {
        "local": LOCAL_KEY,
        "base": data["base"],
        "nodes": [{k: v for k, v in node.items() if k != "tags"} for node in data["nodes"]],
        "edges": data["edges"],
    }
    text = json.dumps(untagged, ensure_ascii=False, separators=(",", ":")).encode()
    assert site_graph_text(site, links).local_key == blake2b(text, digest_size=16).hexdigest()
    kept = read_cache(cache_path(built.out, None))
    assert kept is not None and kept["graph"].data == site_graph_text(site, links).local_key


def test_nothing_of_a_private_or_hidden_note_is_in_the_file(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT)
    text = (site.out / "_trellis" / "graph.json").read_text(encoding="utf-8")
    for secret in ("Private Plan", "private-plan", "PRIVATE-TEXT", "privatetag", "Loose", "Drafts"):
        assert secret.lower() not in text.lower(), secret
    for left_out in ("/hidden/", "/unlisted/", "Hidden", "Unlisted"):
        assert left_out not in text, left_out


def test_urls_carry_the_base_path_and_ids_match_the_pages(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {"Ärger Note.md": published("See [[Other]].\n"), "Other.md": published("x\n")},
        base_url="https://example.org/sub/",
    )
    nodes = {n["title"]: n for n in graph(site)["nodes"]}
    assert nodes["Ärger Note"]["id"] == "/ärger-note/"
    assert nodes["Ärger Note"]["url"] == "/sub/%C3%A4rger-note/"
    body = site.page(nodes["Ärger Note"]["id"]).css_first("body")
    assert body.attributes["data-url"] == nodes["Ärger Note"]["id"]
    view = site.page("/ärger-note/").css_first(".graph-view")
    src = view.attributes["data-graph-src"]
    assert src.startswith("/sub/_trellis/graph/") and src.endswith(".json") and src.isascii()
    assert view.attributes["data-graph-current"] == "/ärger-note/"
    raw = json.loads((site.out / src.removeprefix("/sub/")).read_text(encoding="utf-8"))
    assert raw["center"] == "/ärger-note/" and raw["base"] == "/sub/"
    # The encoded url is written out; the plain one is the base + the id.
    assert raw["nodes"] == [
        ["/other/", "Other", 1, 1],
        ["/ärger-note/", "Ärger Note", 1, 0, "/sub/%C3%A4rger-note/"],
    ]
    local = expanded(raw)
    assert {n["url"] for n in local["nodes"]} == {"/sub/%C3%A4rger-note/", "/sub/other/"}


def neighbourhood(site: BuiltSite, url: str) -> dict[str, Any]:
    """The file the page at `url` names for its local graph, read from the output."""
    src = site.page(url).css_first(".graph-view").attributes["data-graph-src"]
    return json.loads((site.out / src.lstrip("/")).read_text(encoding="utf-8"))


def expanded(local: dict[str, Any]) -> dict[str, Any]:
    """A neighbourhood file's compact rows as the global file's objects (as graph.js reads
    them): nodes with id, url, title, degree and depth; edges with source, target, type."""
    nodes = [
        {
            "id": row[0],
            "url": row[4] if len(row) > 4 else local["base"] + row[0][1:],
            "title": row[1],
            "degree": row[2],
            "depth": row[3],
        }
        for row in local["nodes"]
    ]
    edges = [
        {"source": nodes[s]["id"], "target": nodes[t]["id"], "type": kind}
        for kind, pairs in (("link", local["links"]), ("embed", local["embeds"]))
        for s, t in pairs
    ]
    key = lambda e: (e["source"], e["target"], e["type"])  # noqa: E731
    return {"nodes": nodes, "edges": sorted(edges, key=key)}


def test_each_page_names_only_its_neighbourhood_two_steps_deep(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {
            **VAULT,
            "Folder/Delta.md": published("Links [[Epsilon]].\n"),
            "Epsilon.md": published("Links [[Zeta]].\n"),
            "Zeta.md": published("Links [[Gamma]].\n"),
        },
    )
    raw = neighbourhood(site, "/gamma/")
    assert raw["version"] == 2 and raw["center"] == "/gamma/" and raw["depth"] == 2
    assert raw["base"] == "/"
    local = expanded(raw)
    # Gamma - Alpha (embeds it) - Beta; Gamma - Zeta - Epsilon; Delta is three steps away.
    assert [(n["id"], n["depth"], n["degree"]) for n in local["nodes"]] == [
        ("/alpha/", 1, 2),
        ("/beta/", 2, 1),
        ("/epsilon/", 2, 2),
        ("/gamma/", 0, 2),
        ("/zeta/", 1, 2),
    ]
    assert raw["nodes"][0] == ["/alpha/", "Alpha", 2, 1]  # the url is the base + the id
    assert local["nodes"][0] == {
        "id": "/alpha/",
        "url": "/alpha/",
        "title": "Alpha",
        "degree": 2,
        "depth": 1,
    }
    whole = graph(site)
    ids = {n["id"] for n in local["nodes"]}
    assert local["edges"] == [
        e for e in whole["edges"] if e["source"] in ids and e["target"] in ids
    ]
    assert ("/folder/delta/", "/epsilon/") in {(e["source"], e["target"]) for e in whole["edges"]}


def test_a_neighbourhood_file_for_each_note_in_the_graph_and_nothing_private(
    tmp_path: Path,
) -> None:
    site = build_vault(tmp_path, VAULT)
    files = sorted((site.out / "_trellis" / "graph").glob("*.json"))
    centers = {json.loads(f.read_text(encoding="utf-8"))["center"] for f in files}
    assert centers == {n["id"] for n in graph(site)["nodes"]}
    assert len(files) == len(centers)
    for file in files:
        text = file.read_text(encoding="utf-8")
        for secret in ("Private Plan", "private-plan", "PRIVATE-TEXT", "privatetag", "Loose"):
            assert secret.lower() not in text.lower(), (file, secret)
        for left_out in ("/hidden/", "/unlisted/", "Hidden", "Unlisted"):
            assert left_out not in text, (file, left_out)


def test_an_empty_garden_still_gets_a_graph_file(tmp_path: Path) -> None:
    data = graph(build_vault(tmp_path, {"Private.md": PRIVATE}))
    assert data == {"version": 1, "base": "/", "nodes": [], "edges": []}


def test_the_local_graph_panel_follows_the_display_settings(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {
            "Shown.md": published("[[Off]]\n"),
            "Off.md": published("[[Shown]]\n", dg_show_local_graph="false"),
            "Hidden.md": published("[[Shown]]\n", dg_hide_in_graph="true"),
        },
    )
    shown = site.page("/shown/")
    assert shown.css_first(".sidebar-right .graph-panel .graph-view") is not None
    assert "/static/graph.js" in shown.head.html
    assert shown.css_first(".graph-view").attributes["data-graph-lib"] == (
        "/static/vendor/force-graph/force-graph.min.js"
    )
    for url in ("/off/", "/hidden/"):
        page = site.page(url)
        assert page.css_first(".graph-view") is None, url
        assert "graph.js" not in page.head.html, url
    assert (site.out / "static" / "vendor" / "force-graph" / "force-graph.min.js").is_file()
    assert (site.out / "static" / "vendor" / "force-graph" / "LICENSE").is_file()


def test_the_global_graph_template_renders_a_full_graph_view(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT, base_url="https://example.org/sub/")
    assert site.result.site is not None
    renderer = PageRenderer(
        site.result.site, create_environment(tmp_path / "vault"), site.result.graph
    )
    html = renderer.render_template(
        "graph.html", renderer.base_context("graph", "Graph", "/graph/")
    )
    assert 'data-graph-mode="global"' in html
    assert 'data-graph-src="/sub/_trellis/graph.json"' in html
    assert "/sub/static/graph.js" in html
    assert "PRIVATE" not in html and "Private Plan" not in html


def hub_vault() -> dict[str, str | bytes]:
    """A hub linking 130 notes (ten of them linked more: three far notes each), a leaf that
    links only the hub, and a private note the hub links."""
    notes: dict[str, str | bytes] = {
        "Hub.md": published(" ".join(f"[[N{i:03}]]" for i in range(130)) + " [[Private Plan]]\n"),
        "Leaf.md": published("Only [[Hub]].\n"),
        "Private Plan.md": PRIVATE.replace("[[Alpha]]", "[[Hub]] and [[N000]]"),
    }
    for i in range(130):
        far = " ".join(f"[[Far{i}{c}]]" for c in "abc") if i < 10 else ""
        notes[f"N{i:03}.md"] = published(f"Text {far}\n")
    for i in range(10):
        for c in "abc":
            notes[f"Far{i}{c}.md"] = published("Far.\n")
    return notes


def test_a_hub_neighbourhood_is_capped_around_its_centre(tmp_path: Path) -> None:
    site = build_vault(tmp_path, hub_vault())
    whole = graph(site)
    raw = neighbourhood(site, "/hub/")
    local = expanded(raw)
    nodes = {n["id"]: n for n in local["nodes"]}
    assert len(nodes) == NODE_CAP
    assert nodes["/hub/"]["depth"] == 0 and nodes["/hub/"]["degree"] == 131  # 130 + Leaf
    direct = [n for n in nodes.values() if n["depth"] == 1]
    assert len(direct) == FIRST_STEP_CAP  # of 131: the most-linked ones
    assert {f"/n{i:03}/" for i in range(10)} <= {n["id"] for n in direct}
    # The rest of the cap goes to notes two steps away, never to direct links left out.
    beyond = [n["id"] for n in nodes.values() if n["depth"] == 2]
    assert len(beyond) == NODE_CAP - 1 - FIRST_STEP_CAP
    assert all(i.startswith("/far") for i in beyond), beyond
    # Every edge among the kept notes, and no other.
    assert local["edges"] == [
        e for e in whole["edges"] if e["source"] in nodes and e["target"] in nodes
    ]
    text = json.dumps(raw).lower()
    assert "private" not in text and "privatetag" not in text


def test_a_note_beside_a_hub_keeps_the_hubs_most_linked_neighbours(tmp_path: Path) -> None:
    site = build_vault(tmp_path, hub_vault())
    local = expanded(neighbourhood(site, "/leaf/"))
    depths = {n["id"]: n["depth"] for n in local["nodes"]}
    assert len(depths) == NODE_CAP
    assert depths["/leaf/"] == 0 and depths["/hub/"] == 1
    assert [i for i, d in depths.items() if d == 1] == ["/hub/"]
    # 118 of the hub's 130 other neighbours: the ten with far links first.
    assert {f"/n{i:03}/" for i in range(10)} <= {i for i, d in depths.items() if d == 2}
    assert not any(i.startswith("/far") for i in depths)  # three steps away
    whole = graph(site)
    assert local["edges"] == [
        e for e in whole["edges"] if e["source"] in depths and e["target"] in depths
    ]


def test_below_the_caps_direct_links_are_all_kept(tmp_path: Path) -> None:
    site = build_vault(tmp_path, hub_vault())
    local = expanded(neighbourhood(site, "/n000/"))
    # N000 - Hub, Far0a-c; two steps: the hub's other 129 N notes and Leaf would pass the
    # cap, so they are cut to it, but every direct link is there.
    depths = {n["id"]: n["depth"] for n in local["nodes"]}
    assert [i for i, d in depths.items() if d == 1] == ["/far0a/", "/far0b/", "/far0c/", "/hub/"]
    assert len(depths) == NODE_CAP
    small = expanded(neighbourhood(site, "/far0a/"))
    assert [(n["id"], n["depth"]) for n in small["nodes"]] == [
        ("/far0a/", 0),
        ("/far0b/", 2),
        ("/far0c/", 2),
        ("/hub/", 2),
        ("/n000/", 1),
    ]


@pytest.mark.parametrize("chunk", [1, 2, 3, 4096])
@pytest.mark.parametrize("count", [0, 1, 5])
def test_the_graph_text_made_in_chunks_is_the_data_encoded(
    monkeypatch: pytest.MonkeyPatch, chunk: int, count: int
) -> None:
    """`graph_text` encodes its rows a chunk at a time and feeds the local key as it goes:
    the same bytes and key as encoding the whole data at once, whatever the chunk size
    (rows on both sides of a boundary, an empty graph, a node without edges, non-ASCII)."""
    monkeypatch.setattr(graph_text_module, "CHUNK", chunk)
    nodes = [
        (f"/n{i}-ä/", f"/b/n{i}-%C3%A4/", f'T{i} "q" 🌱', [f"t{i}", "x"][: i % 3])
        for i in range(count)
    ]
    edges = [
        (nodes[i][0], nodes[j][0], "embed" if (i + j) % 3 == 0 else "link")
        for i in range(count)
        for j in range(count)
        if i != j and (i * j) % 2 == 0
    ]
    made = graph_text_module.graph_text(1, LOCAL_KEY, "/b/", nodes, iter(edges))

    def encoded(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    node_data = [{"id": i, "url": u, "title": t, "tags": g} for i, u, t, g in nodes]
    edge_data = [{"source": s, "target": t, "type": k} for s, t, k in edges]
    whole = {"version": 1, "base": "/b/", "nodes": node_data, "edges": edge_data}
    assert made.text == encoded(whole)
    untagged = [{k: v for k, v in node.items() if k != "tags"} for node in node_data]
    local = {"local": LOCAL_KEY, "base": "/b/", "nodes": untagged, "edges": edge_data}
    assert made.local_key == blake2b(encoded(local), digest_size=16).hexdigest()
    assert made.ids == [node[0] for node in nodes]
