"""Search in every script, in Chromium: Japanese and Chinese (segmented by Pagefind's
extended build, used only for sites that have such pages) and a Latin-script language with
diacritics. Pagefind searches the index of the page's own `<html lang>`, so each term is
searched from a page in its language."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build_vault, published
from test_search_ui import search

from trellis.emit.search import pagefind_binary, searchable

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def languages(tmp_path_factory: pytest.TempPathFactory):
    return build_vault(
        tmp_path_factory.mktemp("languages"),
        {
            "Niwa.md": published(
                "このノートは日本語で書かれています。庭にはトマトがあります。", lang="ja"
            ),
            "Huayuan.md": published("这篇笔记是用中文写的。花园里有西红柿和罗勒。", lang="zh"),
            "Kert.md": published("A címe ékezetekkel együtt olvasható marad.", lang="hu"),
            "Garden.md": published("An English note about tomatoes."),
        },
    )


@pytest.mark.parametrize(
    ("url", "term", "expected"),
    [
        ("/niwa/", "日本語", "/niwa/"),
        ("/niwa/", "トマト", "/niwa/"),
        ("/huayuan/", "中文", "/huayuan/"),
        ("/huayuan/", "西红柿", "/huayuan/"),
        ("/kert/", "ékezetekkel", "/kert/"),
        ("/garden/", "tomatoes", "/garden/"),
    ],
)
def test_a_word_in_any_script_finds_its_note(page, languages, serve_site, url, term, expected):
    page.goto(serve_site(languages.out) + url.lstrip("/"))
    results = search(page, term)
    assert [r["href"] for r in results] == [expected], f"{term!r} from {url}"
    # Segmented scripts may mark part of the term (日本 of 日本語): a mark where it starts.
    assert f"<mark>{term[:2]}" in results[0]["excerpt"]


def test_the_extended_build_only_where_it_is_needed(languages, tmp_path: Path):
    assert searchable(languages.result.site).segmented
    english = build_vault(tmp_path, {"Garden.md": published("Tomatoes.")})
    assert not searchable(english.result.site).segmented
    assert "extended" in pagefind_binary(extended=True).name
    assert "extended" not in pagefind_binary(extended=False).name
