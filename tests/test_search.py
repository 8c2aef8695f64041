"""The Pagefind index written with the site, read back byte by byte (decompressed).

Pagefind's index and fragment files are gzip streams whose content starts with
`pagefind_dcd`; the tests unpack every one and look for what must and must not be there.
The search box's presence follows `dg-enable-search`; a missing or failing Pagefind is a
warning, never a failed build.
"""

from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from helpers import BuiltSite, build_vault, published

import trellis.emit.search as search

BUNDLE = "_trellis/pagefind"

VAULT: dict[str, str | bytes] = {
    "Alpha.md": published("Alpha mentions zephyrquill and [[Secret]].\n"),
    "Beta.md": published("Beta text with fernwhistle.\n", title="Beta Title"),
    "Hidden.md": published("hushedheron lives here.\n", dg_hide="true"),
    "Quiet.md": published("mutedmarten lives here.\n", dg_enable_search="false"),
    "Folder/Gamma.md": published("Gamma, in a folder: solitarywren.\n", tags="[birds]"),
    "Secret.md": "---\ndg-publish: false\ntitle: Secret Plans\n---\nPRIVATEMARKER zephyrquill\n",
    "Drafts/Idea.md": "draftmarker, no frontmatter at all.\n",
}


def bundle_text(site: BuiltSite) -> dict[str, str]:
    """Every file of the search bundle as text, gzip streams unpacked."""
    files = {}
    for path in sorted((site.out / BUNDLE).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            files[path.relative_to(site.out / BUNDLE).as_posix()] = data.decode(
                "utf-8", errors="replace"
            )
    return files


def fragments(site: BuiltSite) -> list[dict]:
    """The indexed pages: one fragment (url, content, meta) per page."""
    pages = []
    for name, text in bundle_text(site).items():
        if name.startswith("fragment/"):
            assert text.startswith("pagefind_dcd"), name
            pages.append(json.loads(text.removeprefix("pagefind_dcd")))
    return sorted(pages, key=lambda p: p["url"])


def _cbor(data: bytes, at: int = 0) -> tuple[Any, int]:
    """One CBOR item of `data` from `at` (the subset Pagefind writes) and where it ends."""
    head = data[at]
    major, info = head >> 5, head & 0x1F
    at += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise ValueError(f"CBOR item {head:#x} is not one Pagefind writes")
    if major == 0:
        return arg, at
    if major == 1:
        return -1 - arg, at
    if major in (2, 3):
        raw = data[at : at + arg]
        return (raw.decode() if major == 3 else raw), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = {}
        for _ in range(arg):
            key, at = _cbor(data, at)
            pairs[key], at = _cbor(data, at)
        return pairs, at
    return arg, at  # simple values


def index_words(site: BuiltSite) -> set[str]:
    """Every word of the search index (as Pagefind keeps it: lowercased, stemmed)."""
    words = set()
    for path in (site.out / BUNDLE / "index").iterdir():
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        (chunk,), _ = _cbor(data)
        words |= {entry[0] for entry in chunk}
    return words


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_vault(tmp_path_factory.mktemp("search"), VAULT)


def test_the_bundle_is_written_under_trellis(site: BuiltSite) -> None:
    names = set(bundle_text(site))
    assert {"pagefind.js", "pagefind-entry.json"} <= names
    assert any(n.startswith("wasm.") for n in names)
    assert any(n.startswith("index/") for n in names)
    assert any(n.endswith(".pf_meta") for n in names)
    # Pagefind's own UI is replaced by search.js: its bundles are not shipped.
    assert not any(n.startswith(("pagefind-ui", "pagefind-component-ui")) for n in names)
    assert not (site.out / "pagefind").exists()
    assert not any("search index not built" in w for w in site.warnings), site.warnings


def test_exactly_the_searchable_notes_are_indexed(site: BuiltSite) -> None:
    pages = fragments(site)
    assert [p["url"] for p in pages] == ["/alpha/", "/beta/", "/folder/gamma/"]
    titles = {p["url"]: p["meta"]["title"] for p in pages}
    assert titles["/beta/"] == "Beta Title"
    alpha = next(p for p in pages if p["url"] == "/alpha/")
    assert "zephyrquill" in alpha["content"]
    entry = json.loads(bundle_text(site)["pagefind-entry.json"])
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == 3


def test_no_private_hidden_or_unsearchable_text_in_any_file(site: BuiltSite) -> None:
    everything = "\n".join(bundle_text(site).values()).lower()
    assert "fernwhistle" in everything  # the check can see indexed words
    for word in ("PRIVATEMARKER", "Secret Plans", "draftmarker", "hushedheron", "mutedmarten"):
        assert word.lower() not in everything, word
    # Sidebars, backlinks and the explorer are not note text.
    gamma = next(p for p in fragments(site) if p["url"] == "/folder/gamma/")
    assert "On this page" not in gamma["content"] and "Linked from" not in gamma["content"]


def test_inline_field_key_and_value_are_indexed_as_separate_words(tmp_path: Path) -> None:
    """`year:: seedling` must be found by `seedling`, not only by `yearseedling`."""
    site = build_vault(
        tmp_path,
        {
            "Plant.md": published(
                "year:: seedling\n\nPlanted [stage:: sprouting] and (kind:: fern)\n"
            )
        },
    )
    (page,) = fragments(site)
    assert "year: seedling" in page["content"] and "stage: sprouting" in page["content"]
    words = index_words(site)
    assert {"year", "stage", "fern"} <= words
    assert any(len(w) > 3 and "seedling".startswith(w) for w in words), words  # "seedl"
    assert any(len(w) > 3 and "sprouting".startswith(w) for w in words), words
    assert not any(w.startswith(("yearseed", "stagesprout")) for w in words), words


def test_the_search_box_follows_dg_enable_search(site: BuiltSite) -> None:
    page = site.page("/alpha/")
    box = page.css_first("header .garden-search")
    assert box is not None
    assert box.attributes["data-search-bundle"] == "/_trellis/pagefind/"
    assert "data-pagefind-body" in page.css_first("main").attributes
    assert "/static/search.js" in page.head.html
    quiet = site.page("/quiet/")
    assert quiet.css_first(".garden-search") is None
    assert "search.js" not in quiet.head.html
    assert "data-pagefind-body" not in site.page("/hidden/").css_first("main").attributes


def test_no_searchable_note_means_no_index(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"Quiet.md": published("x\n", dg_enable_search="false")})
    assert not (site.out / BUNDLE).exists()
    assert not site.warned("search index")


def test_missing_pagefind_is_a_warning_and_the_site_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: None)
    site = build_vault(tmp_path, VAULT)
    assert site.warned("search index not built", "pagefind[bin]")
    assert site.exists("/alpha/") and not (site.out / BUNDLE).exists()


def test_a_failing_pagefind_is_a_warning_and_the_site_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "fake-pagefind"
    fake.write_text("#!/bin/sh\necho 'Working...'\necho 'Error: out of cheese' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(search, "pagefind_binary", lambda extended=False: fake)
    site = build_vault(tmp_path, VAULT)
    assert site.warned("search index not built", "Pagefind failed (3)", "out of cheese")
    assert site.exists("/beta/") and not (site.out / BUNDLE).exists()


def test_pages_without_the_search_root_make_a_clear_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A theme override that drops `data-pagefind-body`: Pagefind finds nothing to index
    # (it does not fall back to whole pages) and the build says so.
    bare = "<!doctype html><html><body><main>{% block content %}{% endblock %}</main></body></html>"
    vault = {**VAULT, ".trellis/templates/base.html": bare}
    site = build_vault(tmp_path, vault)
    assert "data-pagefind-body" not in site.html("/alpha/")
    assert site.warned("search index not built", "Pagefind failed", "not able to build an index")
    assert not (site.out / BUNDLE).exists()


def test_the_base_path_reaches_the_search_script(tmp_path: Path) -> None:
    site = build_vault(tmp_path, VAULT, base_url="https://example.org/a b/")
    box = site.page("/alpha/").css_first(".garden-search")
    assert box.attributes["data-search-bundle"] == "/a%20b/_trellis/pagefind/"
    assert box.attributes["data-search-base"] == "/a%20b/"
    # Pagefind stores site paths; search.js puts the base path in front.
    assert fragments(site)[0]["url"] == "/alpha/"
