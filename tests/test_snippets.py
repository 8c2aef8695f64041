"""CSS snippets after the theme (`.trellis/snippets`, optionally Obsidian's enabled ones) and
the favicon (the theme's, a vault override, or another file named by the setting)."""

from __future__ import annotations

import json

from helpers import build_vault, published

SNIPPET = "body.theme-dark { --background-primary: #102030; }\n"


def stylesheets(site, url="/"):
    return [n.attributes["href"] for n in site.page(url).css('link[rel="stylesheet"]')]


def test_own_and_enabled_obsidian_snippets_follow_the_theme(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Home.md": published("Hello\n", dg_home="true"),
            ".trellis/snippets/wide.css": SNIPPET,
            ".obsidian/appearance.json": json.dumps({"enabledCssSnippets": ["cards"]}),
            ".obsidian/snippets/cards.css": ".callout { border-radius: 0; }\n",
            ".obsidian/snippets/off.css": ".never { color: red; }\n",
        },
        obsidian_snippets=True,
    )
    sheets = stylesheets(site)
    assert sheets[-2:] == ["/static/snippets/cards.css", "/static/snippets/wide.css"]
    assert sheets.index("/static/trellis.css") < sheets.index("/static/snippets/wide.css")
    assert (site.out / "static/snippets/wide.css").read_text() == SNIPPET
    assert not (site.out / "static/snippets/off.css").exists()


def test_obsidian_snippets_are_off_by_default(tmp_path):
    site = build_vault(
        tmp_path,
        {
            "Home.md": published("Hello\n", dg_home="true"),
            ".obsidian/appearance.json": json.dumps({"enabledCssSnippets": ["cards"]}),
            ".obsidian/snippets/cards.css": ".callout { border-radius: 0; }\n",
        },
    )
    assert not any("snippets" in href for href in stylesheets(site))
    assert not (site.out / "static/snippets").exists()


def test_body_carries_obsidian_theme_classes(tmp_path):
    site = build_vault(tmp_path, {"Home.md": published("Hello\n", dg_home="true")})
    assert "theme-light" in site.page("/").css_first("body").attributes["class"]


def test_default_favicon_and_vault_override(tmp_path):
    site = build_vault(tmp_path / "a", {"Home.md": published("Hello\n", dg_home="true")})
    icon = site.page("/").css_first('link[rel="icon"]').attributes["href"]
    assert icon == "/static/favicon.svg"
    assert (site.out / "static/favicon.svg").read_text().startswith("<svg")

    own = '<svg xmlns="http://www.w3.org/2000/svg"><!-- mine --></svg>'
    site = build_vault(
        tmp_path / "b",
        {"Home.md": published("Hello\n", dg_home="true"), ".trellis/static/favicon.svg": own},
    )
    assert (site.out / "static/favicon.svg").read_text() == own

    site = build_vault(
        tmp_path / "c",
        {"Home.md": published("Hello\n", dg_home="true"), ".trellis/static/icon.png": b"\x89PNG"},
        favicon="icon.png",
    )
    assert site.page("/").css_first('link[rel="icon"]').attributes["href"] == "/static/icon.png"
    assert (site.out / "static/icon.png").read_bytes() == b"\x89PNG"
