"""Link resolution as Obsidian does it, against published notes only."""

import pytest
from helpers import build_vault, published

NOTES = {
    "Home.md": published("home", **{"dg-home": "true"}),
    "Projects/Garden Plan.md": published(
        "# Garden Plan\n## Beds\ntext\n### Spacing\nwide\n## Other\n### Spacing\nnarrow\n"
        "A block here. ^blk-1\n\n- item one ^item-id\n- item two\n",
        aliases="[Plan, The Plan]",
    ),
    "Archive/Garden Plan.md": published("an older plan, deeper path"),
    "Deep/Er/Unique Name.md": published("unique"),
    "Private/Secret Plans.md": "---\ndg-publish: false\ntitle: PRIVATE-TITLE\n---\nSECRET-BODY\n",
    "Case/MiXeD Case.md": published("mixed"),
}


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """One build holding every link case as a list item of the note `Links.md`."""
    cases = {
        "full path": "[[Projects/Garden Plan]]",
        "bare name, shortest path wins": "[[Garden Plan]]",
        "case-insensitive": "[[garden plan]]",
        "md suffix": "[[Unique Name.md]]",
        "partial path": "[[Er/Unique Name]]",
        "mixed case target": "[[mixed case]]",
        "alias from frontmatter": "[[The Plan]]",
        "display alias": "[[Unique Name|shown text]]",
        "escaped pipe": "[[Unique Name\\|escaped alias]]",
        "heading": "[[Garden Plan#Beds]]",
        "nested heading": "[[Projects/Garden Plan#Other#Spacing]]",
        "first of two same headings": "[[Projects/Garden Plan#Spacing]]",
        "block": "[[Projects/Garden Plan#^blk-1]]",
        "list item block": "[[Projects/Garden Plan#^item-id]]",
        "same note heading": "[[#Local Heading]]",
        "missing": "[[Nowhere To Be Found]]",
        "private": "[[Secret Plans|my secret]]",
        "private by path": "[[Private/Secret Plans]]",
        "markdown link": "[md](Projects/Garden%20Plan.md)",
        "markdown link with heading": "[md](Projects/Garden%20Plan.md#beds)",
        "markdown link relative": "[md](../Deep/Er/Unique%20Name.md)",
        "markdown link to private": "[md private](Private/Secret%20Plans.md)",
        "unknown heading": "[[Unique Name#No Such Heading]]",
        "spaces trimmed": "[[  Unique Name  |  padded  ]]",
    }
    body = "\n".join(f"- {name}: {link}" for name, link in cases.items())
    body += "\n\n## Local Heading\ntext\n"
    files = dict(NOTES)
    files["Sub/Links.md"] = published(body)
    site = build_vault(tmp_path_factory.mktemp("links"), files)
    result = {}
    for item in site.body("/sub/links/").css("li"):
        name = item.text().split(":", 1)[0]
        node = item.css_first("a, span.internal-link")
        result[name] = node
    return site, result


def href(linked, name):
    node = linked[1][name]
    return node.attributes.get("href") if node.tag == "a" else None


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("full path", "/projects/garden-plan/"),
        ("bare name, shortest path wins", "/archive/garden-plan/"),
        ("case-insensitive", "/archive/garden-plan/"),
        ("md suffix", "/deep/er/unique-name/"),
        ("partial path", "/deep/er/unique-name/"),
        ("mixed case target", "/case/mixed-case/"),
        ("alias from frontmatter", "/projects/garden-plan/"),
        ("display alias", "/deep/er/unique-name/"),
        ("escaped pipe", "/deep/er/unique-name/"),
        ("heading", "/archive/garden-plan/"),
        ("nested heading", "/projects/garden-plan/#spacing-1"),
        ("first of two same headings", "/projects/garden-plan/#spacing"),
        ("block", "/projects/garden-plan/#^blk-1"),
        ("list item block", "/projects/garden-plan/#^item-id"),
        ("same note heading", "/sub/links/#local-heading"),
        ("markdown link", "/projects/garden-plan/"),
        ("markdown link with heading", "/projects/garden-plan/#beds"),
        ("markdown link relative", "/deep/er/unique-name/"),
        ("unknown heading", "/deep/er/unique-name/"),
        ("spaces trimmed", "/deep/er/unique-name/"),
    ],
)
def test_link_resolution(linked, case, expected):
    assert href(linked, case) == expected


def test_shortest_path_ambiguity_is_warned(linked):
    site = linked[0]
    assert site.warned("Sub/Links.md", "[[Garden Plan]]", "Archive/Garden Plan.md", "Projects/")


def test_heading_on_ambiguous_note_warns_when_missing(linked):
    site = linked[0]
    # "Beds" is in Projects/Garden Plan, but the bare name resolves to Archive/Garden Plan.
    assert site.warned("Sub/Links.md", "no '#Beds'")
    assert site.warned("Sub/Links.md", "No Such Heading")


def test_fragments_land_on_ids_of_the_target_page(linked):
    site = linked[0]
    page = site.page("/projects/garden-plan/")
    for fragment in ("spacing", "spacing-1", "^blk-1", "^item-id", "beds"):
        assert page.css_first(f'[id="{fragment}"]') is not None, fragment
    assert "^blk-1" not in site.body("/projects/garden-plan/").text()


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("missing", "Nowhere To Be Found"),
        ("private", "my secret"),
        ("private by path", "Private/Secret Plans"),
        ("markdown link to private", "md private"),
    ],
)
def test_unresolved_links_are_text_only(linked, case, text):
    node = linked[1][case]
    assert node.tag == "span"
    assert "is-unresolved" in node.attributes["class"]
    assert node.text() == text
    assert "href" not in node.attributes and "data-href" not in node.attributes


def test_display_text_and_data_href(linked):
    nodes = linked[1]
    assert nodes["display alias"].text() == "shown text"
    assert nodes["escaped pipe"].text() == "escaped alias"
    assert nodes["spaces trimmed"].text() == "padded"
    assert nodes["heading"].text() == "Garden Plan > Beds"
    assert nodes["full path"].attributes["data-href"] == "Projects/Garden Plan"
    assert "internal-link" in nodes["full path"].attributes["class"]


def test_private_note_leaves_no_trace(linked):
    site = linked[0]
    everything = b"".join(p.read_bytes() for p in site.out.rglob("*") if p.is_file())
    for secret in (b"SECRET-BODY", b"secret-plans", b"PRIVATE-TITLE", b"/private/"):
        assert secret not in everything, secret
    # Its name appears only where the public note's author wrote it as link text.
    assert b"my secret" in everything and b"Private/Secret Plans" in everything


def test_missing_links_are_warned_with_line(linked):
    site = linked[0]
    assert any(
        w.startswith("Sub/Links.md:19:") and "Nowhere To Be Found" in w for w in site.warnings
    ), site.warnings


def test_attachments_copied_only_when_a_published_note_uses_them(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Public.md": published("![[used.png]] and [[doc.pdf|the doc]]"),
            "Private.md": "---\ndg-publish: false\n---\n![[private-only.png]]\n",
            "img/used.png": b"PNG-USED",
            "files/doc.pdf": b"%PDF-1.4 used",
            "img/private-only.png": b"PNG-PRIVATE",
            "img/unused.png": b"PNG-UNUSED",
        },
    )
    copied = sorted(p.name for p in (site.out / "attachments").rglob("*") if p.is_file())
    assert copied == ["doc.pdf", "used.png"]
    everything = b"".join(p.read_bytes() for p in site.out.rglob("*") if p.is_file())
    assert b"PNG-PRIVATE" not in everything and b"private-only" not in everything
    img = site.body("/public/").css_first("img")
    assert (site.out / img.attributes["src"].lstrip("/")).read_bytes() == b"PNG-USED"
    pdf_link = site.body("/public/").css_first("a.internal-link")
    assert pdf_link.text() == "the doc"
    assert (site.out / pdf_link.attributes["href"].lstrip("/")).read_bytes() == b"%PDF-1.4 used"
    # Attachment URLs do not reveal the vault folders they come from.
    assert "img/" not in img.attributes["src"]


def test_missing_attachment_is_a_warning_not_a_failure(tmp_path):
    site = build_vault(tmp_path, {"A.md": published("text\n\n![[nowhere.png|200]]\n")})
    assert site.exists("/a/")
    assert site.warned("A.md:6:", "nowhere.png", "not found")
    placeholder = site.body("/a/").css_first(".is-unresolved")
    assert placeholder.text() == "nowhere.png"


def test_attachment_with_spaces_in_its_name(tmp_path):
    site = build_vault(
        tmp_path,
        {"A.md": published("![[my photo 1.png]] ![x](my%20photo%201.png)"), "my photo 1.png": b"P"},
    )
    srcs = [img.attributes["src"] for img in site.body("/a/").css("img")]
    assert len(srcs) == 2 and srcs[0] == srcs[1]
    assert srcs[0].endswith("/my%20photo%201.png")
    assert (site.out / srcs[0].lstrip("/").replace("%20", " ")).is_file()


def test_section_embed_of_a_heading_inside_a_quote_stays_balanced(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Q.md": published("> ## Quoted\n> inside the quote\n\nafter the quote\n"),
            "E.md": published("![[Q#Quoted]]\n\nend"),
        },
    )
    embed = site.body("/e/").css_first(".markdown-embed-content")
    assert "inside the quote" in embed.text()
    assert "after the quote" not in embed.text()
    html = site.html("/e/")
    assert html.count("<blockquote") == html.count("</blockquote>")
