"""Frontmatter blocks kept between builds (`FrontmatterMemo`): a kept block gives exactly what
parsing it again gives, on every note of the real gardens; a build that reuses them
publishes what a clean build publishes; a cache record of the wrong kind is refused."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from corpora_check import corpora_dir
from helpers import snapshot, write_vault
from test_cache_head import split_cache

from trellis.build.cache_dump import cache_file_bytes
from trellis.emit.writer import cache_path
from trellis.pipeline import build
from trellis.vault.frontmatter import FrontmatterMemo, split_frontmatter

ROOT = Path(__file__).resolve().parents[1]
CORPORA = corpora_dir() or ROOT.parent / "shared" / "corpora"  # (TRELLIS_CORPORA too)

BLOCKS = [
    "---\ntitle: Plain\ntags: [a, b]\n---\nBody\n",
    "---\ndate: 2024-05-01\nupdated: 2024-05-01T10:20:00+02:00\n---\nA zoned time: parsed again\n",
    "---\nbase: &b {x: 1}\nother: *b\n---\naliases\n",
    "---\nkey: 1\nkey: 2\n---\nduplicate keys\n",
    "---\n: [unclosed\n---\nbroken YAML\n",
    "---\n- a list\n---\nnot a mapping\n",
    "---\nempty:\nnested: {a: [1, {b: null}]}\nflag: yes\nn: 08540\n---\n",
    '---\n{"dg-publish": true, "permalink": "/x/", "tags": ["t"]}\n---\nJSON frontmatter\n',
    "---\ntitle: never closed\n",
    "No frontmatter at all\n",
]


def as_tuple(parsed):
    return (
        parsed.meta,
        parsed.key_lines,
        parsed.ok,
        parsed.problems,
        parsed.body,
        parsed.body_line,
    )


def through_cache(memo: FrontmatterMemo) -> FrontmatterMemo:
    """The next build's memo: what this one used, pickled and read back as a cache file is."""
    return FrontmatterMemo(pickle.loads(pickle.dumps(memo.used)))


def real_notes() -> list[str]:
    notes = sorted((ROOT / "site_src").rglob("*.md"))
    if CORPORA.is_dir():
        notes += sorted(CORPORA.rglob("*.md"))
    return [path.read_text(encoding="utf-8", errors="replace") for path in notes]


def test_a_kept_block_gives_what_parsing_gives_on_every_real_note():
    texts = BLOCKS + real_notes()
    assert len(texts) > 1000  # the gardens are there: the test reads input nobody here wrote
    first = FrontmatterMemo()
    fresh = [as_tuple(split_frontmatter(text)) for text in texts]
    assert [as_tuple(split_frontmatter(text, first)) for text in texts] == fresh
    second = through_cache(first)
    assert [as_tuple(split_frontmatter(text, second)) for text in texts] == fresh
    assert second.used == first.used  # every kept block was used again
    # Timestamps with a zone are parsed each build: the cache holds plain values only.
    zoned = "---\ndate: 2024-05-01\nupdated: 2024-05-01T10:20:00+02:00\n---\n"
    assert not any(block[0] == split_frontmatter(zoned).meta for block in first.used.values())


def test_a_note_changing_its_values_does_not_change_the_kept_block():
    text = "---\ntags: [a]\nnested: {list: [1]}\n---\n"
    memo = FrontmatterMemo()
    split_frontmatter(text, memo)
    again = FrontmatterMemo(memo.used)
    for _ in range(2):
        parsed = split_frontmatter(text, again)
        parsed.meta["tags"].append("changed")
        parsed.meta["nested"]["list"].append(2)
        parsed.key_lines["tags"] = 99
    assert split_frontmatter(text, again).meta == {"tags": ["a"], "nested": {"list": [1]}}
    assert split_frontmatter(text, again).key_lines == {"tags": 2, "nested": 3}


SETTINGS = {"search": False}


def test_frontmatter_edits_with_kept_blocks_publish_what_a_clean_build_publishes(tmp_path: Path):
    vault = write_vault(
        tmp_path / "vault",
        {
            "A.md": "---\ndg-publish: true\ntags: [one]\n---\n# A\nSee [[B]].\n",
            "B.md": "---\ndg-publish: true\ntitle: Bee\ndate: 2024-01-02\n---\nB body\n",
            "C.md": "---\ndg-publish: false\n---\nPrivate C\n",
        },
    )
    site = tmp_path / "site"
    build(vault, site, SETTINGS)
    edits = [
        {"A.md": "---\ndg-publish: true\ntags: [two]\n---\n# A\nSee [[B]].\n"},
        {"B.md": "---\ndg-publish: true\ntitle: Bee 2\ndate: 2024-01-03\n---\nB body\n"},
        {"C.md": "---\ndg-publish: true\n---\nNow public C\n"},
        {"C.md": "---\ndg-publish: false\n---\nPrivate C\n"},
        {"A.md": "---\ndg-publish: true\ntags: [one]\n---\n# A\nSee [[B]].\n"},
    ]
    for number, edit in enumerate(edits):
        write_vault(vault, edit)
        result = build(vault, site, SETTINGS)
        assert not result.cache_problem
        clean = tmp_path / f"clean{number}"
        build(vault, clean, SETTINGS, use_cache=False)
        assert snapshot(site) == snapshot(clean), edit
    assert "Private C" not in "".join(
        data.decode("utf-8", "replace") for data in snapshot(site).values()
    )


@pytest.mark.parametrize(
    "record",
    [
        ["not a mapping"],
        {"k": ({"when": {1, 2}}, {}, True, [])},  # a set: not a plain value
        {"k": ({"a": 1}, {"a": "1"}, True, [])},
        {"k": ({"a": 1}, {}, "yes", [])},
    ],
)
def test_a_frontmatter_record_in_the_cache_is_never_read(tmp_path: Path, record):
    """The cache keeps no frontmatter (`read_plain` reads every note's own block): a record
    put there by hand, of any kind, is ignored, and the rebuild is a clean build's."""
    vault = write_vault(tmp_path / "vault", {"A.md": "---\ndg-publish: true\n---\nA\n"})
    site = tmp_path / "site"
    build(vault, site, SETTINGS)
    cache = cache_path(site)
    head, body = split_cache(cache)
    assert "frontmatter" not in body
    body["frontmatter"] = record
    cache.write_bytes(cache_file_bytes({**head, **body}))
    write_vault(vault, {"A.md": "---\ndg-publish: true\n---\nA, edited\n"})
    again = build(vault, site, SETTINGS)
    assert not again.cache_problem
    build(vault, tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(site) == snapshot(tmp_path / "clean")
