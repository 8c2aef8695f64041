"""What link previews rely on, checked on built pages (the browser tests watch them work).

`preview.js` builds a preview from the page an `a.internal-link` points to, so every such
link must lead to a published page with a `.note-body`, and a link to a private note must
not be a link at all. The script is loaded (deferred) unless `dg-link-preview: false`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpers import build_vault, published
from selectolax.lexbor import LexborHTMLParser

VAULT: dict[str, str | bytes] = {
    "Alpha.md": published(
        "To [[Beta]], [[Beta#Part|a part]], [[Folder/Gamma|gamma]], [[Private Plan]] and"
        " [[Private Plan|an alias]].\n\n![[Gamma]]\n"
    ),
    "Beta.md": published("# Part\nBeta text, back to [[Alpha]].\n"),
    "Folder/Gamma.md": published("Gamma text.\n"),
    "Quiet.md": published("Quiet links [[Alpha]].\n", dg_link_preview="false"),
    "Private Plan.md": "---\ndg-publish: false\n---\nPRIVATE-PREVIEW text.\n",
}


def scripts(page: LexborHTMLParser) -> dict[str, dict[str, str | None]]:
    return {node.attributes["src"] or "": node.attributes for node in page.css("head script[src]")}


def test_preview_script_loads_deferred_unless_switched_off(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT)
    alpha = scripts(site.page("/alpha/"))
    assert "/static/preview.js" in alpha
    assert "defer" in alpha["/static/preview.js"]
    assert all("defer" in attrs for src, attrs in alpha.items() if src.startswith("/static/"))
    assert "/static/preview.js" not in scripts(site.page("/quiet/"))
    assert site.page("/alpha/").css_first('head link[href="/static/garden.css"]') is not None
    assert (site.out / "static" / "preview.js").is_file()


def test_every_internal_link_leads_to_a_published_note_page(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT)
    page = site.page("/alpha/")
    links = page.css(".note-body a.internal-link")
    assert len(links) == 3
    assert any("#" in (link.attributes["href"] or "") for link in links)
    for link in links:
        target = urlsplit(link.attributes["href"] or "")
        assert not target.netloc
        built = site.page(unquote(target.path))
        assert built.css_first(".note-body") is not None, target.path
        if target.fragment:
            assert built.css_first(f'[id="{unquote(target.fragment)}"]') is not None


def test_links_to_a_private_note_offer_nothing_to_preview(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT)
    body = site.body("/alpha/")
    unresolved = body.css(".is-unresolved")
    assert [n.text() for n in unresolved] == ["Private Plan", "an alias"]
    assert all(n.tag == "span" and "href" not in n.attributes for n in unresolved)
    for path in site.files():
        if path.endswith((".html", ".json", ".js")):
            text = (site.out / path).read_text(encoding="utf-8", errors="replace")
            assert "PRIVATE-PREVIEW" not in text and "private-plan" not in text, path
