"""UI strings in the reader's language: catalogues, per-note `lang`, text direction and dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from helpers import build_vault, published
from jinja2 import Environment

from trellis.i18n import SHIPPED, catalogue_path, direction, long_date, primary
from trellis.package_data import theme_folder

TEMPLATES = theme_folder("templates")


def template_messages() -> set[str | tuple[str, ...]]:
    """Every `_()`, `gettext()` and `ngettext()` message of the theme's templates."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    found: set[str | tuple[str, ...]] = set()
    for path in sorted(TEMPLATES.rglob("*.html")):
        for _line, _function, message in env.extract_translations(path.read_text("utf-8")):
            found.add(tuple(m for m in message if m) if isinstance(message, tuple) else message)
    return found


def test_templates_have_ui_strings_to_translate():
    messages = template_messages()
    assert {"Linked from", "On this page", "Search notes…", "Page not found"} <= messages
    assert ("%(num)d snip", "%(num)d snips") in messages


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "en"])
def test_every_template_string_is_translated(language: str):
    with catalogue_path(language).open("rb") as file:
        catalog = read_po(file)
    missing = []
    for message in template_messages():
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple):
            strings = "".join(strings) if all(strings) else ""
        if not strings or (entry is not None and entry.fuzzy):
            missing.append(key)
    assert not missing, f"{language}.po lacks {missing}"


def test_language_tags_and_direction():
    assert primary("pt-BR") == "pt" and primary("zh_Hant") == "zh"
    assert direction("ar") == direction("he-IL") == "rtl"
    assert direction("ja") == "ltr"


def test_dates_follow_the_locale():
    from datetime import date

    day = date(2026, 3, 1)
    assert long_date(day, "de") == "1. März 2026"
    assert long_date(day, "ja") == "2026年3月1日"
    assert "2026" in long_date(day, "xx-unknown")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("i18n")
    return build_vault(
        root,
        {
            "Home.md": published("Links: [[Garten]] [[Niwa]] [[Bayt]] [[Plain]]\n", dg_home="true"),
            "Garten.md": published(
                "Ein Garten.\n\n## Beete\nText.\n", created="2026-03-01", updated="2026-11-20"
            ),
            "Niwa.md": published("庭には[[Garten]]があります。\n\n## 見出し\n", lang="ja"),
            "Bayt.md": published("بيت\n", lang="ar"),
            "Plain.md": published("No dates here.\n", created="2026-03-01", dg_show_dates="false"),
        },
        language="de",
    )


def test_site_language_gives_every_page_its_words(site):
    page = site.page("/garten/")
    assert page.css_first("html").attributes["lang"] == "de"
    assert page.css_first("#toc-title").text() == "Auf dieser Seite"
    assert page.css_first(".search-open-label").text() == "Suchen"
    assert site.page("/tags/").css_first("h1").text() == "Tags"
    assert "Seite nicht gefunden" in site.html("404.html")


def test_a_note_with_lang_ja_reads_japanese(site):
    page = site.page("/niwa/")
    html = page.css_first("html")
    assert html.attributes["lang"] == "ja" and html.attributes["dir"] == "ltr"
    assert page.css_first("#toc-title").text() == "このページの内容"
    assert page.css_first(".search-input").attributes["placeholder"] == "ノートを検索…"
    # search.js says its statuses in the page's words, handed over as data-text-*.
    dialog = page.css_first(".search-dialog").attributes
    assert dialog["data-text-many"] == "{total} 件のノートが見つかりました。"
    assert site.page("/garten/").css_first("#backlinks-title").text() == "Verlinkt von"


def test_right_to_left_languages_get_dir_rtl(site):
    html = site.page("/bayt/").css_first("html")
    assert html.attributes["lang"] == "ar" and html.attributes["dir"] == "rtl"


def test_dates_are_shown_in_the_page_language(site):
    dates = site.page("/garten/").css_first(".note-dates")
    assert dates is not None
    times = [t.attributes["datetime"] for t in dates.css("time")]
    assert times == ["2026-03-01", "2026-11-20"]
    assert "1. März 2026" in dates.text() and "Erstellt" in dates.text()


def test_dg_show_dates_false_and_notes_without_dates_show_none(site):
    assert site.page("/plain/").css_first(".note-dates") is None
    assert site.page("/bayt/").css_first(".note-dates") is None


def test_catalogues_are_beside_the_module():
    for language in SHIPPED[1:]:
        assert catalogue_path(language).is_file(), language
    assert Path(catalogue_path("de")).suffix == ".po"
