"""nh3 cleans only pages holding HTML Trellis did not write; skipping it changes no byte.

Why this can hold: the renderer escapes every piece of the author's text and writes it in
nh3's own form (`trellis.markdown.canonical`), and any address nh3 might drop or read
otherwise marks the page for cleaning. These tests build hostile and real vaults both
ways (`sanitize_every_note` forces nh3 on every body) and compare the output byte for
byte, and check that the skip really happens where it should and nowhere else.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from corpora_check import corpora_dir
from helpers import NullHooks, snapshot
from hypothesis import given
from hypothesis import strategies as st
from sanitize_corpus import write_sanitize_corpus

import trellis.render.notes as notes_module
from trellis.config import load_settings
from trellis.diagnostics import Diagnostics
from trellis.markdown.canonical import escape_attr, escape_text, plain_url
from trellis.markdown.parser import create_markdown
from trellis.markdown.sanitize import OPTIONS, sanitize_html
from trellis.model.content import NoteContent
from trellis.pipeline import build
from trellis.public.graph import build_link_graph
from trellis.public.private_names import PrivateNames
from trellis.public.site import build_public_site
from trellis.render.notes import NoteRenderer, _is_raw_html
from trellis.render.queries import prepare_queries
from trellis.vault.scan import read_vault

ROOT = Path(__file__).resolve().parent.parent
# The corpus notes whose pages hold only what Trellis wrote (the test asserts the skip);
# the others hold raw HTML, a query, an embed of raw HTML, or addresses nh3 may change.
SKIPPED = {"Escaped.md", "Target.md", 'Quote "Q" & <Co>.md', "Embed Chain.md"}


def _generated(root: Path) -> Path:
    """The benchmark generator's vault (episodes, embeds of their parts, callouts, tags)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    importlib.import_module("benchmarks.generate_vault").generate_vault(root, 150, seed=3)
    return root


@pytest.mark.parametrize("vault_kind", ["hostile", "generated"])
def test_a_build_with_the_skip_equals_a_build_cleaning_every_page(
    tmp_path: Path, vault_kind: str
) -> None:
    vault = tmp_path / "vault"
    if vault_kind == "hostile":
        write_sanitize_corpus(vault)
    else:
        _generated(vault)
    skipping = build(vault, tmp_path / "skip", {}, use_cache=False)
    cleaning = build(vault, tmp_path / "clean", {"sanitize_every_note": True}, use_cache=False)
    assert skipping.notes_published == cleaning.notes_published > 0
    got, expected = snapshot(tmp_path / "skip"), snapshot(tmp_path / "clean")
    assert set(got) == set(expected)
    changed = sorted(path for path in got if got[path] != expected[path])
    assert not changed, changed[:20]


def _renderer(vault: Path, **overrides: object) -> NoteRenderer:
    """Every published note of `vault` parsed and linked, queries evaluated, as in a build."""
    diagnostics = Diagnostics()
    settings = load_settings(vault, dict(overrides), diagnostics)
    source = read_vault(vault, diagnostics, git_dates=False)
    site = build_public_site(source, settings, diagnostics)
    notes = NoteRenderer(site, diagnostics)
    notes.parse_all()
    build_link_graph(site, diagnostics, PrivateNames(source, site))
    notes.queries = prepare_queries(site, notes, diagnostics, source.attachments)
    return notes


def _compare_bodies(
    notes: NoteRenderer, monkeypatch: pytest.MonkeyPatch
) -> tuple[set[str], set[str]]:
    """Render every body with the skip and with nh3 forced; assert they are equal; return
    the notes skipped and the notes cleaned."""
    calls: list[str] = []

    def counting(html: str) -> str:
        calls.append(html)
        return sanitize_html(html)

    monkeypatch.setattr(notes_module, "sanitize_html", counting)
    skipped, cleaned = set(), set()
    settings = notes.site.settings
    for note in notes.site.notes:
        notes.site.settings = replace(settings, sanitize_every_note=False)
        before = len(calls)
        quick = notes.render_body(note).html
        (cleaned if len(calls) > before else skipped).add(note.rel_path)
        notes.site.settings = replace(settings, sanitize_every_note=True)
        before = len(calls)
        thorough = notes.render_body(note).html
        assert len(calls) > before, "the setting must clean every body"
        assert quick == thorough, note.rel_path
    notes.site.settings = settings
    return skipped, cleaned


def test_every_hostile_body_is_the_same_and_only_trellis_own_html_skips_nh3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = _renderer(write_sanitize_corpus(tmp_path / "vault"))
    skipped, cleaned = _compare_bodies(notes, monkeypatch)
    assert skipped == SKIPPED
    assert cleaned == {"Raw HTML.md", "Raw Embedder.md", "Query.md", "URLs.md"}


def test_trusted_html_is_never_cleaned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = _renderer(write_sanitize_corpus(tmp_path / "vault"), trust_html=True)
    calls: list[str] = []
    monkeypatch.setattr(notes_module, "sanitize_html", lambda html: calls.append(html) or html)
    raw = next(note for note in notes.site.notes if note.rel_path == "Raw HTML.md")
    assert "<script>" in notes.render_body(raw).html and calls == []


@pytest.mark.corpora
@pytest.mark.parametrize("name", ["gardens/topobon", "gardens/tud1", "gardens/matematikk"])
def test_real_gardens_render_the_same_with_the_skip(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = corpora_dir()
    if folder is None:
        pytest.skip("no corpora: ../shared/corpora is missing and TRELLIS_CORPORA is not set")
    skipped, cleaned = _compare_bodies(_renderer(folder / name), monkeypatch)
    assert len(skipped) > len(cleaned)  # most of a garden's notes hold no raw HTML


# -- the pieces ----------------------------------------------------------------------------

EVERY_CHARACTER = "".join(chr(c) for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000)


@pytest.mark.parametrize("start", range(0, len(EVERY_CHARACTER), 50_000))
def test_escaped_text_and_attributes_are_what_nh3_writes_for_every_character(start: int) -> None:
    chunk = EVERY_CHARACTER[start : start + 50_000] + "\0\r\n\r"
    html = f'<p title="{escape_attr(chunk)}">{escape_text(chunk)}</p>'
    assert sanitize_html(html) == html


HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/png;base64,AAAA",
    "file:///etc/passwd",
    "ftp://files.example/",
    "obsidian://open",
    "http://999.1.1.1/",
    "http://1.2.3.4.5/",
    "http://xn--zz.example/",
    "http://example.org:99999/",
    "https://",
    "a:b",
    "C:\\x",
    "http://exa mple.org/",
    "https://ex\u00a0ample.org/",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_addresses_nh3_would_drop_or_a_browser_would_run_are_not_plain(url: str) -> None:
    assert not plain_url(url)


LINK_FORMS = ["[x]({url})", "[x](<{url}>)", "![x]({url})", "<{url}>", "see {url} here"]


@pytest.mark.parametrize("url", [*HOSTILE_URLS, "https://example.org/a?b=1&c=2", "/a/b", "#x"])
def test_an_address_in_markdown_is_either_marked_for_cleaning_or_already_clean(url: str) -> None:
    md = create_markdown(NullHooks())  # links resolve nowhere: only what the Markdown writes
    for form in LINK_FORMS:
        text = form.format(url=url)
        env: dict[str, Any] = {"content": NoteContent(), "note": None, "line_offset": 0}
        tokens = md.parse(text, env)
        md.renderer.unsure = False  # type: ignore[attr-defined]
        html = md.renderer.render(tokens, md.options, env)
        if any(_is_raw_html(token) for token in tokens) or md.renderer.unsure:  # type: ignore[attr-defined]
            continue  # cleaned by nh3
        assert sanitize_html(html) == html, text


@given(st.text(alphabet="adfhjtpsv:/.#?&%-_=xn0129[]@ \t\"'<>\\äA", max_size=30))
def test_a_plain_address_is_kept_by_nh3_as_it_is(url: str) -> None:
    if plain_url(url):
        for html in (f'<a href="{escape_attr(url)}">x</a>', f'<img src="{escape_attr(url)}">'):
            assert sanitize_html(html) == html


def test_plain_addresses_are_the_ones_pages_hold() -> None:
    for url in ("/a/b/", "#x", "page.html", "//host.example/x", "mailto:a@b", "tel:+1"):
        assert plain_url(url)
    for url in ("https://example.org/a?b=1&c=%22", "HTTP://EXAMPLE.ORG:8080/ä"):
        assert plain_url(url)
    assert OPTIONS["url_schemes"] == {"http", "https", "mailto", "tel"}, "plain_url follows it"
