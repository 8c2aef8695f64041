"""Frontmatter of the common shapes read without YAML (`trellis.vault.plain_frontmatter`):
whatever it reads, it reads exactly as the YAML loader does (values, key lines, validity),
on every real note and on generated blocks made to sit on its edges; and no build takes a
note's frontmatter from the cache file, so a forged record cannot publish a private note."""

from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path

import pytest
from helpers import snapshot, write_vault
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cache_head import split_cache
from test_frontmatter_memo import BLOCKS, real_notes

from trellis.build.cache_dump import cache_file_bytes
from trellis.emit.writer import cache_path
from trellis.pipeline import build
from trellis.vault.frontmatter import _FENCE, Frontmatter, _parse_block, split_frontmatter
from trellis.vault.plain_frontmatter import read_plain

ROOT = Path(__file__).resolve().parents[1]


def yaml_read(block: str) -> Frontmatter:
    """What the YAML loader makes of `block` (between fences on file lines 1 and after)."""
    return _parse_block("---" + block + "---\n", 3, block, Frontmatter())


def check_block(block: str) -> bool:
    """If `read_plain` reads `block`, it reads what YAML reads; True when it read it."""
    plain = read_plain(block, 1)
    if plain is None:
        return False
    loaded = yaml_read(block)
    assert (loaded.ok, loaded.problems) == (True, []), block
    assert plain == (loaded.meta, loaded.key_lines), block
    assert [type(v) for v in plain[0].values()] == [type(v) for v in loaded.meta.values()]
    return True


def blocks_of(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        opening = _FENCE.match(text)
        closing = opening and _FENCE.search(text, opening.end())
        if closing:
            found.append(text[opening.end() : closing.start()])
    return found


def test_every_real_block_read_plain_is_read_as_yaml_reads_it():
    blocks = blocks_of(BLOCKS + real_notes())
    read = sum(check_block(block) for block in blocks)
    assert read >= 5  # the common shapes are common (of the corpora: 2,572 of 2,819)


def test_the_generated_vault_is_read_without_yaml(tmp_path: Path):
    """The benchmark's notes (Obsidian's and the Digital Garden plugin's shapes) are all
    read here: their frontmatter costs no YAML on any build."""
    from benchmarks.generate_vault import generate_vault

    generate_vault(tmp_path / "vault", 300, seed=7)
    texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "vault").rglob("*.md"))]
    blocks = blocks_of(texts)
    assert len(blocks) > 250
    assert all(check_block(block) for block in blocks)


# Pieces YAML reads in surprising ways: indicators, comments, YAML 1.1 words, numbers in
# other bases, line breaks YAML 1.1 knows (U+0085, U+2028), tabs, BOMs, escapes.
TRICKY = [
    ":", ": ", " #", "#", "-", "- ", "? ", "'", '"', "\\", "\\|", "[", "]", "{", "}", ",",
    "&a", "*a", "!", "|", ">", "%", "@", "`", "~", "=", "<<", "null", "Null", "true",
    "True", "yes", "no", "on", "0", "-0", "08", "0x1f", "0o7", "1_000", "1:20", "1.5",
    ".inf", "1e3", "2024-02-30", "2024-01-05", "2024-1-5", "2024-01-05T10:00:00",
    "\x85", "\u2028", "\u2029", "\t", "\ufeff", "\x7f", "\x01", "é", "🌱", "日本",
    "a", "b c", " ", "  ",
]  # fmt: skip
pieces = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(string.ascii_letters, min_size=1, max_size=4)),
    max_size=5,
).map("".join)
# Mostly what the plain reader takes, with a tricky piece at any place now and then.
clean = st.tuples(
    st.text(string.ascii_letters, min_size=1, max_size=3),
    st.text(string.ascii_letters + " ,.'/", max_size=5),
    st.text(string.ascii_letters, min_size=1, max_size=2),
).map("".join)
words = st.lists(
    st.one_of(clean, clean, clean, clean, clean, clean, pieces),
    min_size=1,
    max_size=3,
).map("".join)
values = st.one_of(
    words,
    words.map(lambda s: f'"{s}"'),
    st.sampled_from(["true", "false", "2021-09-05", "2021-13-01", "12", "-3", "07"]),
)
named = st.one_of(
    st.sampled_from(["dg-publish", "title", "tags", "draft", "true", "null"]),
    st.text(string.ascii_letters + "_-", min_size=1, max_size=8),
)
keys = st.one_of(named, named, named, pieces)
indents = st.sampled_from(["", "  ", "  ", " ", "    ", "\t"])
key_value = st.tuples(keys, values).map(lambda kv: [f"{kv[0]}: {kv[1]}"])
entry = st.one_of(
    key_value,
    key_value,
    st.tuples(keys, indents, st.lists(values, max_size=3)).map(
        lambda e: [f"{e[0]}:", *(f"{e[1]}- {item}" for item in e[2])]
    ),
    pieces.map(lambda s: [s]),  # any line at all
)
yaml_blocks = st.lists(entry, max_size=4).map(
    lambda entries: "\n" + "".join(line + "\n" for lines in entries for line in lines)
)
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), pieces, st.text()
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(pieces, st.text()), inner, max_size=3),
    ),
    max_leaves=8,
)
json_blocks = st.tuples(
    st.dictionaries(st.one_of(keys, st.text()), json_values, max_size=4),
    st.booleans(),
    st.sampled_from([None, (",", ":")]),
).map(lambda t: "\n" + json.dumps(t[0], ensure_ascii=t[1], separators=t[2]) + "\n")


@settings(max_examples=1000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_blocks)
def test_generated_key_lines_read_plain_are_read_as_yaml_reads_them(block: str):
    check_block(block)


@settings(max_examples=250, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(json_blocks)
def test_generated_json_read_plain_is_read_as_yaml_reads_it(block: str):
    check_block(block)


@pytest.mark.parametrize(
    "block",
    [
        '\ndg-publish: true\ntitle: "A"\ntags:\n  - "t/1"\n  - plain tag\ncreated: 2021-09-05\n',
        '\n{"dg-publish":true,"tags":["a"],"n":null,"k":{"x":[1,-2]}}\n',
        "\naliases:\ntitle: Word, more [words] {and} 'quotes' \"too\"\n",
        "\ntags:\n- a\n- b\nnext: 3\n",
    ],
)
def test_the_common_shapes_are_read_plain(block: str):
    assert check_block(block)


@pytest.mark.parametrize(
    "block",
    [
        "\ntitle: x\n  - y\n",  # a continued plain value: "x - y"
        "\nk: a: b\n",  # invalid YAML
        "\nk: 1\nk: 2\n",  # a repeated key
        "\ntags:\n  - a\n- b\n",  # items indented two ways
        '\n{"a": 1.0}\n',  # a float
        '\n{"a": "\\u00e9"}\n',  # an escape
        "\nk: v\u2028w\n",  # a line break for YAML 1.1
        "\nd: 2021-02-30\n",  # not a date: YAML fails
        "\nk: null\n",
        "\nk: v # comment\n",
    ],
)
def test_other_shapes_are_left_to_yaml(block: str):
    assert read_plain(block, 1) is None


def test_a_deeply_bracketed_block_is_refused_as_before():
    block = '\ntitle: "' + "[" * 70 + '"\n'
    text = "---" + block + "---\nbody\n"
    parsed = split_frontmatter(text)
    assert not parsed.ok and "nested more than" in parsed.problems[0][1]


SETTINGS = {"search": False}
PRIVATE = {
    "Plain private.md": "---\ndg-publish: false\n---\nSECRET-PLAIN body\n",
    "Odd private.md": "---\ndg-publish: false\ntags: [a, b]\n---\nSECRET-ODD body\n",
}


def test_a_forged_frontmatter_record_in_the_cache_publishes_nothing(tmp_path: Path):
    """The cache's frontmatter records once held parsed blocks by the hash of the text
    before the body: a record forged for `dg-publish: false` published every note starting
    so, bodies the forger never saw. Blocks are read from the notes themselves now."""
    vault = write_vault(
        tmp_path / "vault",
        {"A.md": "---\ndg-publish: true\ntags: [x]\n---\nA\n", **PRIVATE},
    )
    site = tmp_path / "site"
    build(vault, site, SETTINGS)
    cache = cache_path(site)
    head, body = split_cache(cache)
    # Keyed as the records were: the hash of the text before the body.
    headers = [text[: text.index("---\n", 4) + 4] for text in PRIVATE.values()]
    keys = [hashlib.blake2b(header.encode(), digest_size=16).hexdigest() for header in headers]
    forged = ({"dg-publish": True}, {"dg-publish": 2}, True, [])
    body["frontmatter"] = dict.fromkeys(keys, forged)
    cache.write_bytes(cache_file_bytes({**head, **body}))
    write_vault(vault, {"A.md": "---\ndg-publish: true\ntags: [x]\n---\nA, edited\n"})
    again = build(vault, site, SETTINGS)
    assert not again.cache_problem
    assert again.notes_published == 1
    pages = b"".join(snapshot(site).values())
    assert b"SECRET" not in pages
    build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(site) == snapshot(tmp_path / "clean")


NOTE_BYTES = [
    b"---\ndg-publish: true\n---\nBody \xf0\x9f\x8c\xb1 text\n",
    b"---\ndg-publish: true\n---",
    b"---\ndg-publish: true\n---\n",
    b"No frontmatter, caf\xc3\xa9\n",
    b"---\ntitle: never closed\nBody\n",
    b"---  \ntags: [a]\n----\nBody\n\n---\nmore\n",
    b"\xef\xbb\xbf---\ndg-publish: true\n---\nBOM\n",
    b"---\r\ndg-publish: true\r\n---\r\nCRLF\r\n",
    b"---\ndg-publish: true\n---\nNUL\x00here\n",
    b"---\ndg-publish: true\n---\nbad \xff byte\n",
    b"---\ntitle: bad \xff\n---\nbody\n",
    b"\xff\xfe-\x00-\x00-\x00\n\x00",
    b"\x89PNG\r\n\x1a\nbinary",
]


@pytest.mark.parametrize("data", NOTE_BYTES)
def test_a_note_read_from_its_bytes_is_the_note_decoded_whole(
    data: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`_plain_parts` (the frontmatter decoded alone, the body kept as UTF-8) gives the
    note, and the warnings, that decoding the whole file gives."""
    from trellis.diagnostics import Diagnostics
    from trellis.vault import scan

    (tmp_path / "N.md").write_bytes(data)

    def read() -> tuple[object, list[object]]:
        said = Diagnostics()
        note = scan.read_note(tmp_path, "N.md", said)
        if note is None:
            return None, said.items
        fields = (note.meta, note.body, note.body_line, note.frontmatter_ok, note.meta_lines)
        return (*fields, note.content_hash), said.items

    fast = read()
    monkeypatch.setattr(scan, "_plain_parts", lambda data: None)
    assert fast == read()
