"""Conformance cases (our own writing) for what real gardens hold: the Digital Garden plugin's
export (`src/site/notes` of its Eleventy template) and Quartz `content/` folders.

Each case builds a small vault and reads the HTML written (issue 14).
"""

from __future__ import annotations

from pathlib import Path

from helpers import build_vault, published, render_note


def test_attrs_block_id_line_is_an_id_not_a_tag(tmp_path: Path) -> None:
    """`{ #75f403}` under a paragraph (hex, not only digits) names it and shows nothing."""
    body = render_note(tmp_path, "A quote worth keeping.\n{ #75f403}\n\nNext.\n")
    paragraph = body.css_first("#75f403")
    assert paragraph is not None and paragraph.text().strip() == "A quote worth keeping."
    assert "{" not in body.text() and body.css(".tag") == []
    assert not (tmp_path / "out" / "tags" / "75f403").exists()


def test_attrs_block_id_after_an_image_names_its_paragraph(tmp_path: Path) -> None:
    """`![x](pic.png)  { #250903}`: the ids at the end of a block's last line are its own."""
    body = render_note(tmp_path, "Picture: ![x](pic.png)  { #250903}\n\nWords { #a1b2c3 .wide}\n")
    assert body.css_first("p#250903") is not None and body.css(".tag") == []
    assert "wide" in str(body.css_first("p#a1b2c3").attributes.get("class"))
    assert "{" not in body.text()


def test_attrs_block_id_line_under_a_table_names_the_table(tmp_path: Path) -> None:
    """GFM reads the line under a table as one more row; markdown-it-attrs gives the id to
    the table. No row of `{ #id}`, and `[[Note#^id]]` lands on the table."""
    table = "| level | form |\n| --- | --- |\n| 1st | none |\n{ #8085ec}\n"
    site = build_vault(
        tmp_path,
        {
            "Table.md": published(table),
            "Link.md": published("See [[Table#^8085ec|the table]]."),
        },
    )
    body = site.body("/table/")
    assert body.css_first("table#8085ec") is not None
    assert len(body.css("tbody tr")) == 1 and "{" not in body.text()
    link = site.body("/link/").css_first("a.internal-link")
    assert link is not None and link.attributes["href"] == "/table/#8085ec"


EMBED_LINK = (
    '<div class="transclusion internal-embed is-loaded"><a class="markdown-embed-link"'
    ' href="{href}" aria-label="Open link"><svg class="svg-icon"></svg></a>'
    '<div class="markdown-embed">\n\n{text}\n\n</div></div>\n'
)


def test_transclusion_link_to_a_published_page_keeps_its_url(tmp_path: Path) -> None:
    """The export links each inlined transclusion to the embedded note's URL: kept (with
    the block's id) when that page is published here."""
    site = build_vault(
        tmp_path,
        {
            "Host.md": published(EMBED_LINK.format(href="/notes/apollo/#5pwhk3", text="Sun")),
            "Apollo.md": published("Sun god.\n{ #5pwhk3}\n", permalink="/notes/apollo/"),
        },
    )
    link = site.body("/host/").css_first("a.markdown-embed-link")
    assert link is not None and link.attributes["href"] == "/notes/apollo/#5pwhk3"


def test_transclusion_link_to_an_unpublished_page_is_no_broken_href(tmp_path: Path) -> None:
    body = render_note(tmp_path, EMBED_LINK.format(href="/M/Magánhangzók/#5vk3rq", text="Vowels"))
    assert body.css("a.markdown-embed-link") == []
    assert "Magánhangzók" not in (body.html or "") and "Vowels" in body.text()


def test_markdown_links_to_notes_without_md(tmp_path: Path) -> None:
    """`[y](Other)` and `[z](Other%20Note)` resolve like `[y](Other.md)`; a missing one is
    the unresolved span, never a broken relative href."""
    body = render_note(
        tmp_path,
        "[y](Other) [z](Other%20Note#Part) [gone](Yellow) [dir](../x/)\n",
        {"Other.md": published("x"), "Other Note.md": published("## Part\n")},
    )
    hrefs = {a.text(): a.attributes.get("href") for a in body.css("a")}
    assert hrefs == {"y": "/other/", "z": "/other-note/#part", "dir": "../x/"}
    assert [s.text() for s in body.css("span.is-unresolved")] == ["gone"]


def test_garden_entry_tag_is_the_home_page(tmp_path: Path) -> None:
    """The export turns `dg-home` into `tags: ["gardenEntry"]`: that note is the home page."""
    entry = '---\n{"dg-publish":true,"permalink":"/101/Start/","title":"Start here",'
    entry += '"tags":["gardenEntry"]}\n---\nWelcome to the garden.\n'
    site = build_vault(tmp_path, {"101/Start.md": entry, "Other.md": published("x")})
    assert "Welcome to the garden." in site.body("/").text()
    assert not site.exists("/101/Start/")
    assert site.page("/").css(".note-tags .tag") == [] and not site.exists("/tags/gardenentry/")


def test_quartz_content_folder(tmp_path: Path) -> None:
    """Quartz: `index.md` at the root is the home page, `draft: true` is never published
    (not even with publish_all), and its publish mode is the publish-flag setting."""
    files = {
        "index.md": "---\ntitle: My notes\npublish: true\n---\nHello from Quartz.\n",
        "Idea.md": "---\npublish: true\ndraft: true\n---\nDRAFT-TEXT-41\n",
        "Kept.md": "---\npublish: true\ndescription: Kept note\n---\nkept\n",
        "Private.md": "---\ntitle: nope\n---\nPRIVATE-TEXT-77\n",
    }
    site = build_vault(tmp_path / "a", files, publish_flag="publish")
    assert "Hello from Quartz." in site.body("/").text()
    assert site.exists("/kept/") and not site.exists("/idea/") and not site.exists("/private/")
    everything = build_vault(tmp_path / "b", files, publish_all=True)
    assert everything.exists("/private/") and not everything.exists("/idea/")
    output = b"".join(p.read_bytes() for p in everything.out.rglob("*") if p.is_file())
    assert b"DRAFT-TEXT-41" not in output


def test_escaped_pipe_in_json_frontmatter(tmp_path: Path) -> None:
    """`{"links":"[[Other\\|Other]]"}` (no valid JSON escape) is read as the template reads
    it, with a plain `|`: the note is published, its property keeps the link."""
    note = '---\n{"dg-publish":true,"up":"[[Other\\|Other]]"}\n---\nSee [[Other\\|the other]].\n'
    site = build_vault(tmp_path, {"A.md": note, "Other.md": published("x")})
    assert site.exists("/a/") and not site.warned("invalid frontmatter")
    (a,) = [n for n in site.result.site.notes if n.rel_path == "A.md"]
    assert a.meta["up"] == "[[Other|Other]]"
    assert site.body("/a/").css_first("a.internal-link").attributes["href"] == "/other/"


def test_inlined_transclusion_keeps_its_content_inside_the_frame(tmp_path: Path) -> None:
    """The export's `<div class="transclusion">…<div class="markdown-embed">`, blank lines,
    Markdown, `</div></div>`: the rendered content belongs inside `.markdown-embed`, nested
    embeds too; the text after it does not."""
    inner = EMBED_LINK.format(href="/c/", text="Deep *inside*.")
    outer = EMBED_LINK.format(href="/b/", text=f"Embedded **bold**.\n\n- item\n\n{inner}")
    body = render_note(tmp_path, f"Before.\n\n{outer}\nAfter.\n", {"B.md": published("b")})
    frame = body.css_first(".transclusion > .markdown-embed")
    assert frame is not None
    assert frame.css_first("strong").text() == "bold" and frame.css_first("li").text() == "item"
    nested = frame.css_first(".transclusion > .markdown-embed")
    assert nested is not None and nested.css_first("em").text() == "inside"
    assert "After." not in frame.text() and "After." in body.text()
    assert body.css_first(".transclusion > a.markdown-embed-link").attributes["href"] == "/b/"


def test_export_image_paths_find_the_vault_file(tmp_path: Path) -> None:
    """The export points at images as `/img/user/<vault path>`: that is the vault's file."""
    site = build_vault(
        tmp_path,
        {
            "Note.md": published("![chart](/img/user/Media/chart.png)\n"),
            "Media/chart.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        },
    )
    img = site.body("/note/").css_first("img")
    assert img is not None and img.attributes["src"].startswith("/attachments/")
    assert (site.out / img.attributes["src"].lstrip("/")).is_file()


def test_a_body_opening_with_the_title_shows_it_once(tmp_path: Path) -> None:
    """`# Hjem` opening a note titled Hjem: one title on the page (the heading, whose id
    links keep); a different or later H1 leaves the inline title in place."""
    site = build_vault(
        tmp_path,
        {
            "Hjem.md": published("\n# Hjem\n\nVelkommen.\n"),
            "Other.md": published("# Something else\n", title="Other"),
        },
    )
    page = site.page("/hjem/")
    assert [h.text().strip() for h in page.css("article h1")] == ["Hjem"]
    assert page.css_first("article h1#hjem") is not None
    other = site.page("/other/")
    assert [h.text().strip() for h in other.css("article h1")] == ["Other", "Something else"]


def test_dates_and_tags_go_under_the_title_the_body_opens_with(tmp_path: Path) -> None:
    """A note titled by its own `# Hjem` reads as one with an inline title: heading, then
    dates and tags, then the text (not the dates above the heading); a note whose first H1
    is not its title keeps the inline title first and that H1 in its body."""
    site = build_vault(
        tmp_path,
        {
            "Hjem.md": published("# Hjem\n\nVelkommen.\n", created="2023-05-27", tags="[maths]"),
            "Other.md": published("# Elsewhere\n\nText.\n", created="2023-05-27"),
        },
    )
    article = site.page("/hjem/").css_first("article")
    order = [n.tag + "." + (n.attributes.get("class") or "") for n in article.iter()]
    assert order[:3] == ["h1.", "p.note-dates", "ul.note-tags"], order
    assert article.css_first("h1").attributes["id"] == "hjem"
    body = article.css_first(".note-body")
    assert body.css("h1") == [] and body.text().strip() == "Velkommen."
    other = site.page("/other/").css_first("article")
    order = [n.tag + "." + (n.attributes.get("class") or "") for n in other.iter()]
    assert order[:2] == ["h1.inline-title", "p.note-dates"], order
    assert other.css_first(".note-body h1#elsewhere") is not None


def test_a_note_template_override_without_body_title_keeps_the_whole_text(
    tmp_path: Path,
) -> None:
    """An override of `note.html` written before `page.body_title` existed shows only
    `page.body`: it still gets the note's opening title there."""
    template = (
        '{% extends "base.html" %}{% block content %}'
        '<article class="mine">{{ page.body }}</article>{% endblock %}'
    )
    site = build_vault(
        tmp_path,
        {
            "Hjem.md": published("# Hjem\n\nVelkommen.\n", created="2023-05-27"),
            ".trellis/templates/note.html": template,
        },
    )
    article = site.page("/hjem/").css_first("article.mine")
    assert article.css_first("h1#hjem") is not None
    assert "Velkommen." in article.text()


def test_wikilinks_on_the_lines_of_a_raw_html_block(tmp_path: Path) -> None:
    """`<div id="x"></div>` then `>[[Other\\|alias]] text`: one HTML block for CommonMark,
    whose wikilinks the template still makes links; a private one is the unresolved span."""
    body = render_note(
        tmp_path,
        '<div id="x"></div>\n>[[Other\\|the other]] and [[Private/Diary\\|diary]] text\n',
        {"Other.md": published("x"), "Private/Diary.md": "---\ndg-publish: false\n---\nno\n"},
    )
    link = body.css_first("a.internal-link")
    assert link is not None and link.text() == "the other"
    assert link.attributes["href"] == "/other/"
    assert [s.text() for s in body.css("span.is-unresolved")] == ["diary"]
    assert "[[" not in body.text() and "Private" not in (body.html or "")


def test_display_math_closed_before_text(tmp_path: Path) -> None:
    """`$$` closing on a line with text after it closes the formula; the text is a
    paragraph, and the formulas after it keep their own blocks."""
    body = render_note(
        tmp_path,
        "$$\n\\nabla^2 f\n$$ is called **Laplace**.\n\nThen $x$.\n\n$$\nb^2\n$$\n",
    )
    assert [m.text().strip() for m in body.css("div.math-block")] == ["\\nabla^2 f", "b^2"]
    assert body.css_first("p strong").text() == "Laplace"
    assert [m.text() for m in body.css("span.math-inline")] == ["x"]


def test_tags_that_slug_alike_share_one_page(tmp_path: Path) -> None:
    """`cas clinique`/`cas-clinique`, `classe_iii`/`classe-III`, `#🗺`/`#🗺️`: one tag page
    each, listing the notes of every spelling (no page dropped as a second write)."""
    site = build_vault(
        tmp_path,
        {
            "A.md": published("#🗺 a", tags='["cas clinique", "classe_iii"]'),
            "B.md": published("#🗺\ufe0f b", tags='["cas-clinique", "classe-III"]'),
        },
    )
    assert not site.warned("two outputs")
    for url in ("/tags/cas-clinique/", "/tags/classe-iii/", "/tags/world-map/"):
        listed = {a.text().strip() for a in site.page(url).css("main a")}
        assert {"A", "B"} <= listed, url


def test_file_urls_show_their_text_with_a_warning(tmp_path: Path) -> None:
    """`[x](file:///Users/k/a%20(1).pdf)`: the text, no raw Markdown, no link, a warning."""
    site = build_vault(
        tmp_path, {"N.md": published("See [the scan](file:///Users/k/a%20(1).pdf) now.\n")}
    )
    body = site.body("/n/")
    assert body.text().strip() == "See the scan now." and body.css("a") == []
    assert "file:" not in site.html("/n/") and "Users" not in site.html("/n/")
    assert site.warned("N.md", "file:///Users/k/a (1).pdf", "own disk")


def test_a_missing_name_with_a_dot_is_a_note_link(tmp_path: Path) -> None:
    """`[[ASP.NET]]` missing: a missing note, not a missing attachment."""
    site = build_vault(tmp_path, {"N.md": published("Uses [[ASP.NET]] and ![[chart.png]].\n")})
    assert site.warned("N.md", "'ASP.NET' is missing or not published")
    assert not site.warned("attachment 'ASP.NET'")
    assert site.warned("attachment 'chart.png' not found")


def test_plain_text_keeps_word_boundaries(tmp_path: Path) -> None:
    """Descriptions (meta, og:description, feeds) read `up: 📥 Sources`, not `up📥 Sources`."""
    site = build_vault(tmp_path, {"A.md": published("up:: 📥 Sources\n\nMore.\n")})
    meta = site.page("/a/").css_first('meta[name="description"]')
    assert meta is not None and meta.attributes["content"] == "up: 📥 Sources"


def test_export_image_alt_with_classes_and_width(tmp_path: Path) -> None:
    """`![chart.png|fix_dark fix_light|840](...)`: alt `chart.png`, width 840."""
    site = build_vault(
        tmp_path,
        {
            "N.md": published(
                "![chart.png|fix_dark fix_light|840](chart.png)\n\n![gone.png|x|9](gone.png)\n"
            ),
            "chart.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        },
    )
    img = site.body("/n/").css_first("img")
    assert img.attributes["alt"] == "chart.png" and img.attributes["width"] == "840"
    assert site.body("/n/").css_first(".is-unresolved").text() == "gone.png"
