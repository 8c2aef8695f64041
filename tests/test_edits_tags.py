"""Tags saves on the preview's fast path against what it keeps between saves: the tag index
(updated by delta), the graph file's encoded nodes and the tag pages' card lists. After
every save of a sequence (a tag added past the card's four, one added first, a tag's case
renamed, tags removed, nested tags moved, a hidden note's tags, a note hidden from the
graph, a note made private, a note moved to another folder) the site is, byte for byte,
what a clean build writes, and a private note is in no kept piece."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import published, write_vault
from selectolax.lexbor import LexborHTMLParser
from test_edits import site_files

from trellis.build.options import BuildOptions
from trellis.emit.tags import site_tag_index
from trellis.pipeline import SiteBuilder

TAG_VAULT = {
    "A/Alpha.md": published("Alpha grows.\n", tags="[Garden, soil]"),
    "A/Beta.md": published("Beta grows. #inline/deep\n", tags="[garden, x/y]"),
    "B/Gamma.md": published("Gamma.\n", tags="[garden, soil, a, b, c]", created="2024-01-02"),
    "B/Delta.md": published("Delta is hidden.\n", tags="[garden]", dg_hide="true"),
    "Epsilon.md": published("Not in the graph.\n", tags="[soil]", dg_hide_in_graph="true"),
    "Zeta.md": published("Zeta [[Alpha]] [[Gamma]].\n", tags="[]"),
}


def save(vault: Path, rel_path: str, old: str, new: str) -> Path:
    path = vault / rel_path
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel_path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def assert_clean(
    vault: Path, out: Path, tmp_path: Path, name: str, redirected: frozenset[str] = frozenset()
) -> None:
    """`out` is what a clean build writes, but for the `redirected` files: the redirects a
    build that knew a moved note's old URL adds (a clean one cannot know it)."""
    clean = tmp_path / f"clean-{name}"
    SiteBuilder(vault, clean).build()
    mine, theirs = site_files(out), site_files(clean)
    assert set(mine) - set(theirs) == redirected, name
    assert set(theirs) <= set(mine), name
    assert [file for file in theirs if mine[file] != theirs[file]] == [], name


def assert_index_as_made_again(builder: SiteBuilder) -> None:
    """The kept tag index is the one a build makes: keys in order, names, notes in order."""
    live = builder._live
    assert live is not None

    def shape(index: dict) -> list:
        return [
            (key, e.name, [n.rel_path for n in e.all], [n.rel_path for n in e.direct])
            for key, e in index.items()
        ]

    assert shape(live.tag_index) == shape(site_tag_index(live.site))


# (name, note, old text, new text)
FAST_SAVES = [
    ("tag past the card's four", "B/Gamma.md", "a, b, c]", "a, b, c, fifth]"),
    ("first tag of an untagged note", "Zeta.md", "tags: []", "tags: [Fresh, garden]"),
    ("case of the first spelling", "A/Alpha.md", "[Garden, soil]", "[GARDEN, soil]"),
    ("tag removed", "A/Alpha.md", "[GARDEN, soil]", "[GARDEN]"),
    ("nested tag moved", "A/Beta.md", "x/y]", "X/z]"),
    ("inline tag removed", "A/Beta.md", "#inline/deep", "inline"),
    ("hidden note's tags", "B/Delta.md", "[garden]", "[garden, secret]"),
    ("note out of the graph", "Epsilon.md", "[soil]", "[soil, fresh]"),
    ("last note of a tag leaves it", "Zeta.md", "[Fresh, garden]", "[garden]"),
]


def test_a_sequence_of_tags_saves_gives_what_a_clean_build_gives(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", TAG_VAULT)
    out = tmp_path / "out"
    builder = SiteBuilder(vault, out, {}, BuildOptions.for_preview())
    builder.build()
    for number, (name, rel_path, old, new) in enumerate(FAST_SAVES):
        path = save(vault, rel_path, old, new)
        assert builder.apply_edits([path]) is not None, name
        assert_index_as_made_again(builder)
        assert_clean(vault, out, tmp_path, str(number))
    graph = json.loads((out / "_trellis" / "graph.json").read_text(encoding="utf-8"))
    tags = {node["title"]: node["tags"] for node in graph["nodes"]}
    assert tags["Alpha"] == ["GARDEN"] and "Epsilon" not in tags
    assert not (out / "tags" / "x" / "y").exists() and (out / "tags" / "x" / "z").exists()
    index = LexborHTMLParser((out / "tags" / "index.html").read_text(encoding="utf-8"))
    counts = {
        li.css_first("a").text().lower(): li.css_first(".tag-count").text()
        for li in index.css(".tag-tree li")
    }
    assert counts["#garden"] == "4"  # Alpha, Beta, Gamma, Zeta; not the hidden Delta


def test_a_note_made_private_leaves_every_kept_piece(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", TAG_VAULT)
    builder = SiteBuilder(vault, None, {}, BuildOptions.for_preview())
    builder.build(out=tmp_path / "first")
    # A tags save first, so the kept pieces hold Alpha's node and cards as patched.
    path = save(vault, "A/Alpha.md", "[Garden, soil]", "[Garden, soil, only-alpha]")
    assert builder.apply_edits([path]) is not None
    path = save(vault, "A/Alpha.md", "dg-publish: true", "dg-publish: false")
    assert builder.apply_edits([path]) is None  # unpublished: the full build decides
    out = tmp_path / "second"
    builder.build(out=out)
    # Then more tags saves in place: nothing kept may bring Alpha back.
    for number, (rel_path, old, new) in enumerate(
        [
            ("A/Beta.md", "[garden, x/y]", "[garden, soil, x/y]"),
            ("B/Gamma.md", "[garden, soil, a, b, c]", "[soil, garden, a, b, c]"),
        ]
    ):
        path = save(vault, rel_path, old, new)
        assert builder.apply_edits([path]) is not None
        assert_index_as_made_again(builder)
        assert_clean(vault, out, tmp_path, f"private-{number}")
    graph = (out / "_trellis" / "graph.json").read_text(encoding="utf-8")
    assert "Alpha" not in graph and "only-alpha" not in graph
    for page in (out / "tags").rglob("*.html"):
        assert "Alpha" not in page.read_text(encoding="utf-8"), page
    assert not (out / "tags" / "only-alpha").exists()
    # A save of the private note changes nothing, and keeps the fast path.
    path = save(vault, "A/Alpha.md", "[Garden, soil, only-alpha]", "[Garden, private-tag]")
    assert builder.apply_edits([path]) is not None
    assert "private-tag" not in (out / "_trellis" / "graph.json").read_text(encoding="utf-8")
    assert not (out / "tags" / "private-tag").exists()


def test_tags_saves_after_a_note_moved_to_a_new_folder(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", TAG_VAULT)
    builder = SiteBuilder(vault, None, {}, BuildOptions.for_preview())
    builder.build(out=tmp_path / "first")
    old, new = vault / "B/Gamma.md", vault / "C/Gamma.md"
    new.parent.mkdir()
    old.rename(new)
    assert builder.apply_edits([old, new]) is None  # a rename: the full build decides
    out = tmp_path / "second"
    builder.build(out=out)
    path = save(vault, "C/Gamma.md", "[garden, soil, a, b, c]", "[new-first, garden, soil]")
    assert builder.apply_edits([path]) is not None
    assert_index_as_made_again(builder)
    assert_clean(vault, out, tmp_path, "moved", frozenset({"_redirects", "b/gamma/index.html"}))
    assert "Gamma" in (out / "tags" / "new-first" / "index.html").read_text(encoding="utf-8")


FEED_VAULT = {
    "N1.md": published("One.\n", updated="2001-01-01"),
    "N2.md": published("Two.\n", updated="2002-01-01"),
    "N3.md": published("Three.\n", updated="2003-01-01"),
    "N4.md": published("Four.\n", updated="2003-01-01", dg_enable_search="false"),
    "N5.md": published("Five has the file's time.\n"),
}
# (name, note, old text, new text): the feed holds two notes; saves move notes in and out.
FEED_SAVES = [
    ("oldest becomes newest", "N1.md", "updated: 2001-01-01", "updated: 2030-01-01"),
    ("newest falls below the cut", "N1.md", "updated: 2030-01-01", "updated: 2000-01-01"),
    ("summary of a note in the feed", "N3.md", "Three.", "Three, longer."),
    (
        "a note hidden (a display key)",
        "N4.md",
        "dg-enable-search",
        "dg-hide: true\ndg-enable-search",
    ),
    ("file time: the newest", "N5.md", "Five has", "Five now has"),
    ("shown again", "N4.md", "dg-hide: true\n", ""),
    ("a tie at the cut", "N2.md", "updated: 2002-01-01", "updated: 2003-01-01"),
    ("a note outside the feed", "N1.md", "One.", "One, edited."),
]

# The saves that leave the feeds' entries as they were: the files are not written again.
FEED_KEPT = {"a note hidden (a display key)", "shown again", "a note outside the feed"}


def test_feed_saves_give_the_feeds_a_clean_build_gives(tmp_path: Path) -> None:
    settings = {"feed_limit": 2}
    vault = write_vault(tmp_path / "vault", FEED_VAULT)
    out = tmp_path / "out"
    builder = SiteBuilder(vault, out, settings, BuildOptions.for_preview())
    builder.build()
    for number, (name, rel_path, old, new) in enumerate(FEED_SAVES):
        before = (out / "feed.xml").stat().st_ino
        path = save(vault, rel_path, old, new)
        assert builder.apply_edits([path]) is not None, name
        rewritten = (out / "feed.xml").stat().st_ino != before
        assert rewritten == (name not in FEED_KEPT), name
        clean = tmp_path / f"clean-feed-{number}"
        SiteBuilder(vault, clean, settings).build()
        for feed in ("feed.xml", "rss.xml"):
            assert (out / feed).read_bytes() == (clean / feed).read_bytes(), (name, feed)
    assert "Four" not in (out / "feed.xml").read_text(encoding="utf-8")  # N2 wins the tie
