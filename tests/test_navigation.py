"""Walking the garden: backlinks, folder pages, the explorer, breadcrumbs, TOC, display settings."""

import pytest
from helpers import build_vault, published
from selectolax.lexbor import LexborHTMLParser

PRIVATE = (
    "---\ndg-publish: false\ntitle: PRIVATE-NAV-TITLE\n---\nPRIVATE-NAV-TEXT [[Target]] ![[Target]]"
)


@pytest.fixture(scope="module")
def garden(tmp_path_factory):
    return build_vault(
        tmp_path_factory.mktemp("nav"),
        {
            "Home.md": published("Start at [[Target|the target]].", **{"dg-home": "true"}),
            "Target.md": published("# Target\n## First\ntext\n### Deeper\n## Second\nmore\n"),
            "Linker.md": published(
                "Before the link, [[Target]] and after it.\n\nAgain [[Target]]."
            ),
            "Embedder.md": published("![[Target#First]]"),
            "Self.md": published("[[Self]] links to itself and to [[Target]]."),
            "Garden/Plants/Tomato.md": published("A tomato."),
            "Garden/Plants/Basil.md": published("Basil.", **{"dg-pinned": "true"}),
            "Garden/Compost.md": published("Compost."),
            "Garden/Hidden.md": published("hidden [[Target]]", **{"dg-hide": "true"}),
            "Garden/Not In Tree.md": published("x", **{"dg-hide-in-filetree": "true"}),
            "Secret Folder/Private.md": PRIVATE,
            "Garden/Also Private.md": PRIVATE,
            "Owned/Index.md": published("owns the folder URL", permalink="/owned/"),
            "Owned/Child.md": published("child"),
            "Quiet.md": published(
                "## A\n[[Target]]",
                **{"dg-show-backlinks": "false", "dg-show-toc": "false", "dg-show-tags": "false"},
                tags="[quiet]",
            ),
            "Moved.md": published("moved", **{"dg-path": "Elsewhere/Deep/Moved.md"}),
        },
    )


def test_backlinks_list_linking_and_embedding_notes_with_context(garden):
    section = garden.page("/target/").css_first("section.backlinks")
    assert section is not None
    items = section.css("li")
    titles = [li.css_first("a").text() for li in items]
    # Every published note that links or embeds, once each, by title; not the hidden one? It is
    # published (dg-hide only keeps it out of lists), so it counts as a backlink.
    assert titles == ["Embedder", "Hidden", "Home", "Linker", "Quiet", "Self"]
    linker = next(li for li in items if li.css_first("a").text() == "Linker")
    assert linker.css_first("a").attributes["href"] == "/linker/"
    assert linker.css_first(".backlink-context").text() == "Before the link, Target and after it."
    home = next(li for li in items if li.css_first("a").text() == "Home")
    assert home.css_first(".backlink-context").text() == "Start at the target."


def test_backlinks_leave_out_private_notes_and_self_links(garden):
    html = garden.html("/target/")
    assert "PRIVATE-NAV" not in html
    self_titles = [a.text() for a in garden.page("/self/").css("section.backlinks li > a")]
    assert self_titles == []


def test_no_backlinks_section_without_backlinks(garden):
    assert garden.page("/garden/compost/").css_first("section.backlinks") is None


def test_table_of_contents_from_headings(garden):
    toc = garden.page("/target/").css_first("nav.toc")
    entries = [
        (li.attributes["class"], li.text(), li.css_first("a").attributes["href"])
        for li in toc.css("li")
    ]
    assert entries == [
        ("toc-level-1", "Target", "#target"),
        ("toc-level-2", "First", "#first"),
        ("toc-level-3", "Deeper", "#deeper"),
        ("toc-level-2", "Second", "#second"),
    ]


def test_per_note_settings_turn_parts_off(garden):
    page = garden.page("/quiet/")
    assert page.css_first("nav.toc") is None
    assert page.css_first(".note-tags") is None
    # Quiet links to Target; Target's backlinks still list it, but Quiet shows none of its own.
    assert garden.page("/quiet/").css_first("section.backlinks") is None


def test_site_wide_defaults_and_per_note_override(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "trellis.toml": "show_toc = false\nshow_backlinks = false\n",
            "A.md": published("## H\n[[B]]"),
            "B.md": published("## H1\n## H2\n[[A]]", **{"dg-show-toc": "true"}),
        },
    )
    assert site.page("/a/").css_first("nav.toc") is None
    assert site.page("/b/").css_first("nav.toc") is not None
    assert site.page("/a/").css_first("section.backlinks") is None


def test_folder_pages_list_notes_and_subfolders(garden):
    page = garden.page("/garden/")
    assert page.css_first("h1").text() == "Garden"
    notes = [a.text() for a in page.css("ul.notes a")]
    assert notes == ["Compost"]  # like the explorer: dg-hide and dg-hide-in-filetree left out
    folders = [(a.text().strip(), a.attributes["href"]) for a in page.css("ul.folders a")]
    assert folders == [("📁 Plants", "/garden/plants/")]
    plants = [a.text() for a in garden.page("/garden/plants/").css("ul.notes a")]
    assert plants == ["Basil", "Tomato"]
    crumbs = [a.text() for a in garden.page("/garden/plants/").css("nav.breadcrumbs a")]
    assert crumbs == ["Home", "Garden"]


def test_folder_page_is_not_written_when_a_note_owns_the_url(garden):
    assert "owns the folder URL" in garden.body("/owned/").text()


def test_folders_holding_only_private_notes_do_not_exist(garden):
    assert not garden.exists("/secret-folder/")
    assert "Secret Folder" not in garden.html("/_trellis/explorer.html")


def test_explorer_tree(garden):
    tree = LexborHTMLParser(garden.html("/_trellis/explorer.html"))
    top_folders = [
        s.text() for s in tree.css(".explorer-tree > ul > li.explorer-folder > details > summary")
    ]
    assert top_folders == ["Elsewhere", "Garden", "Owned"]
    garden_folder = tree.css(".explorer-tree > ul > li.explorer-folder")[1]
    plants = garden_folder.css("details > ul > li.explorer-folder")
    assert [p.css_first("summary").text() for p in plants] == ["Plants"]
    assert [a.text() for a in plants[0].css("a")] == ["Basil", "Tomato"]
    top_list = garden_folder.css_first("details > ul")
    garden_notes = [
        li.css_first("a").text()
        for li in top_list.iter()
        if li.tag == "li" and "explorer-note" in li.attributes.get("class", "")
    ]
    assert garden_notes == ["Compost"]  # dg-hide and dg-hide-in-filetree left out
    elsewhere = tree.css(".explorer-tree > ul > li.explorer-folder")[0]
    assert [s.text() for s in elsewhere.css("summary")] == ["Elsewhere", "Deep"]
    moved = elsewhere.css_first("a")  # dg-path places it under Elsewhere/Deep in the tree
    assert (moved.text(), moved.attributes["href"]) == ("Moved", "/elsewhere/deep/moved/")
    assert "PRIVATE-NAV" not in garden.html("/_trellis/explorer.html")


def test_pinned_notes_come_first(tmp_path):
    site = build_vault(
        tmp_path,
        {"F/Aaa.md": published("a"), "F/Zzz.md": published("z", **{"dg-pinned": "true"})},
    )
    tree = LexborHTMLParser(site.html("/_trellis/explorer.html"))
    assert [a.text() for a in tree.css("li.explorer-note a")] == ["Zzz", "Aaa"]


def test_breadcrumbs_on_a_note(garden):
    crumbs = [
        (a.text(), a.attributes["href"])
        for a in garden.page("/garden/plants/tomato/").css("nav.breadcrumbs a")
    ]
    assert crumbs == [("Home", "/"), ("Garden", "/garden/"), ("Plants", "/garden/plants/")]
    for _, href in crumbs:
        assert garden.exists(href)


def test_hidden_note_is_built_but_not_listed(garden):
    assert garden.exists("/garden/hidden/")
    assert "Hidden" not in [a.text() for a in garden.page("/garden/").css("ul.notes a")]
    main = garden.page("/garden/hidden/").css_first("main")
    assert "data-pagefind-body" not in main.attributes
    assert "data-pagefind-body" in garden.page("/garden/compost/").css_first("main").attributes


def test_tags_page_is_a_tree_with_counts(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "A.md": published("#garden/herbs #garden"),
            "B.md": published("#garden/vegetables/tomato"),
            "C.md": published("#other", **{"dg-hide": "true"}),
            "P.md": "---\ndg-publish: false\n---\n#private-tag\n",
        },
    )
    tree = site.page("/tags/").css_first(".tag-tree > ul")
    top = [li for li in tree.iter() if li.tag == "li"]
    assert [li.css_first("a").text() for li in top] == ["#garden"]
    garden = top[0]
    assert garden.css_first(".tag-count").text() == "2"
    nested = garden.css_first("ul").css("a")
    assert [a.text() for a in nested] == ["#herbs", "#vegetables", "#tomato"]
    tomato = nested[2]
    assert tomato.attributes["href"] == "/tags/garden/vegetables/tomato/"
    html = site.html("/tags/")
    assert "private-tag" not in html and "#other" not in html


def test_note_icon_is_marked_in_the_explorer_and_title(tmp_path):
    site = build_vault(
        tmp_path,
        {"F/A.md": published("a", **{"dg-note-icon": "signpost"}), "F/B.md": published("b")},
    )
    tree = LexborHTMLParser(site.html("/_trellis/explorer.html"))
    marked = [li.css_first("a").text() for li in tree.css("li[data-note-icon]")]
    assert marked == ["A"]
    assert tree.css_first("li[data-note-icon]").attributes["data-note-icon"] == "signpost"
    title = site.page("/f/a/").css_first("h1.inline-title")
    assert title.attributes.get("data-note-icon") == "signpost"
    assert "data-note-icon" not in site.page("/f/b/").css_first("h1.inline-title").attributes


def test_tags_used_once_fold_away_when_there_are_many(tmp_path):
    singles = {f"S{i}.md": published(f"#solo{i:02d}") for i in range(12)}
    site = build_vault(
        tmp_path, {**singles, "A.md": published("#garden"), "B.md": published("#garden")}
    )
    page = site.page("/tags/")
    top = page.css_first(".tag-index > .tag-tree > ul")
    assert [a.text() for a in top.css("a.tag")] == ["#garden"]
    folded = page.css_first("details.tag-singles")
    assert folded is not None and folded.attributes.get("open") is None
    assert folded.css_first("summary").text() == "12 tags used once"
    assert len(folded.css("a.tag")) == 12
    few = build_vault(tmp_path / "few", {"A.md": published("#one"), "B.md": published("#two")})
    assert few.page("/tags/").css_first("details.tag-singles") is None
