"""`_trellis/graph.json` and the graph's place on the pages, read from real builds.

The file must hold exactly the published notes that are not hidden from the graph, their
links and embeds to each other once each, and nothing at all of a private note.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import BuiltSite, build_vault, published

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
    local = json.loads((site.out / src.removeprefix("/sub/")).read_text(encoding="utf-8"))
    assert local["center"] == "/ärger-note/"
    assert {n["url"] for n in local["nodes"]} == {"/sub/%C3%A4rger-note/", "/sub/other/"}


def neighbourhood(site: BuiltSite, url: str) -> dict[str, Any]:
    """The file the page at `url` names for its local graph, read from the output."""
    src = site.page(url).css_first(".graph-view").attributes["data-graph-src"]
    return json.loads((site.out / src.lstrip("/")).read_text(encoding="utf-8"))


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
    local = neighbourhood(site, "/gamma/")
    assert local["version"] == 1 and local["center"] == "/gamma/" and local["depth"] == 2
    # Gamma - Alpha (embeds it) - Beta; Gamma - Zeta - Epsilon; Delta is three steps away.
    assert [(n["id"], n["depth"], n["degree"]) for n in local["nodes"]] == [
        ("/alpha/", 1, 2),
        ("/beta/", 2, 1),
        ("/epsilon/", 2, 2),
        ("/gamma/", 0, 2),
        ("/zeta/", 1, 2),
    ]
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
    assert data == {"version": 1, "nodes": [], "edges": []}


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
