"""The build cache: a second build re-renders only what changed, and never goes stale."""

import os
import time
from pathlib import Path

from helpers import published, snapshot, write_vault

from trellis.pipeline import SiteBuilder, build


def touch_later(path: Path, text: str) -> None:
    """Write `text` and make sure the file's time moves on (some file systems are coarse)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    if path.stat().st_mtime_ns <= before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


FILES = {
    "Home.md": published("Start: [[Alpha]] and [[Beta|b]].", **{"dg-home": "true"}),
    "Alpha.md": published("# Alpha\nAlpha links to [[Gamma]].\n\n## Part\nalpha part"),
    "Beta.md": published("Beta embeds ![[Alpha#Part]]"),
    "Gamma.md": published("Gamma stands alone. #tag"),
    "Delta.md": published("Delta is unrelated."),
    "Private.md": "---\ndg-publish: false\n---\nprivate [[Alpha]]\n",
    "pic.png": b"PNG",
}


def test_cached_build_is_byte_identical_to_a_clean_one(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "cached")
    touch_later(vault / "Delta.md", published("Delta changed."))
    second = build(vault, tmp_path / "cached")
    clean = build(vault, tmp_path / "clean", use_cache=False)
    assert second.pages_rendered == 1 and clean.pages_rendered == clean.notes_published
    assert snapshot(tmp_path / "cached") == snapshot(tmp_path / "clean")


def test_nothing_changed_keeps_the_output(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    first = build(vault, tmp_path / "out")
    before = snapshot(tmp_path / "out")
    second = build(vault, tmp_path / "out")
    assert second.unchanged
    assert second.notes_published == first.notes_published
    assert second.pages_written == first.pages_written
    assert [str(d) for d in second.diagnostics.items] == [str(d) for d in first.diagnostics.items]
    assert snapshot(tmp_path / "out") == before


def test_editing_a_body_rerenders_that_note_and_what_shows_it(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    builder = SiteBuilder(vault, tmp_path / "out")
    builder.build()
    touch_later(
        vault / "Alpha.md", published("# Alpha\nAlpha now [[Gamma|links]].\n\n## Part\nnew")
    )
    result = builder.build()
    assert result.site is not None  # every note page still has a key (list pages too)
    assert {note.output_path for note in result.site.notes} <= set(builder._page_keys)
    # Alpha itself, Beta (embeds Alpha#Part) and Gamma (its backlink context changed).
    assert result.pages_rendered == 3
    assert "new" in (tmp_path / "out" / "beta" / "index.html").read_text()
    assert "Alpha now links." in (tmp_path / "out" / "gamma" / "index.html").read_text()


def test_title_change_reaches_backlinks_and_embeds(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    builder = SiteBuilder(vault, tmp_path / "out")
    builder.build()
    touch_later(
        vault / "Alpha.md",
        published("# Alpha\nAlpha links to [[Gamma]].\n\n## Part\nalpha part", title="Renamed"),
    )
    result = builder.build()
    gamma = (tmp_path / "out" / "gamma" / "index.html").read_text()
    beta = (tmp_path / "out" / "beta" / "index.html").read_text()
    assert "Renamed" in gamma and "Renamed" in beta
    delta = (tmp_path / "out" / "delta" / "index.html").read_text()
    assert result.pages_rendered < result.notes_published
    assert "Renamed" not in delta


def test_template_change_rerenders_every_page(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    builder = SiteBuilder(vault, tmp_path / "out")
    builder.build()
    override = vault / ".trellis" / "templates" / "note.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}{% block content %}NEW-TEMPLATE{% endblock %}')
    result = builder.build()
    assert result.pages_rendered == result.notes_published
    assert "NEW-TEMPLATE" in (tmp_path / "out" / "delta" / "index.html").read_text()


def test_setting_change_invalidates(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "out")
    touch_later(vault / "trellis.toml", 'base_url = "https://example.org/garden/"\n')
    result = build(vault, tmp_path / "out")
    assert not result.unchanged and result.pages_rendered == result.notes_published
    html = (tmp_path / "out" / "alpha" / "index.html").read_text()
    assert 'href="/garden/gamma/"' in html


def test_publishing_a_note_resolves_links_to_it(tmp_path):
    vault = write_vault(tmp_path / "vault", {**FILES, "Home.md": published("See [[Private]].")})
    build(vault, tmp_path / "out")
    assert 'href="/private/"' not in (tmp_path / "out" / "home" / "index.html").read_text()
    time.sleep(0.01)
    touch_later(vault / "Private.md", published("now public"))
    build(vault, tmp_path / "out")
    assert 'href="/private/"' in (tmp_path / "out" / "home" / "index.html").read_text()
    touch_later(vault / "Private.md", "---\ndg-publish: false\n---\nPRIVATE-AGAIN\n")
    build(vault, tmp_path / "out")
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"/private/" not in everything and b"PRIVATE-AGAIN" not in everything


def test_cache_holds_nothing_of_private_notes(tmp_path):
    files = {**FILES, "Secret/Hidden Name.md": "---\ntitle: CACHE-SECRET\n---\nCACHE-SECRET-TEXT\n"}
    vault = write_vault(tmp_path / "vault", files)
    build(vault, tmp_path / "out")
    cache = (tmp_path / ".out.trellis-cache").read_bytes()
    assert b"CACHE-SECRET" not in cache and b"Hidden Name" not in cache
    assert not list((tmp_path / "out").rglob("*cache*"))  # nothing of it is deployed


def test_warnings_about_private_notes_stay_beside_the_output(tmp_path):
    files = {**FILES, "Secret/Broken Name.md": "---\ntitle: [unclosed\n---\nCACHE-SECRET-TEXT\n"}
    vault = write_vault(tmp_path / "vault", files)
    first = build(vault, tmp_path / "out")
    assert any("Secret/Broken Name.md" in str(d) for d in first.diagnostics.items)
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"Broken Name" not in everything and b"CACHE-SECRET" not in everything
    second = build(vault, tmp_path / "out")
    assert second.unchanged  # the warning is repeated from the cache beside the output
    assert [str(d) for d in second.diagnostics.items] == [str(d) for d in first.diagnostics.items]


def test_unchanged_assets_are_linked_not_copied_and_changed_ones_copied(tmp_path):
    vault = write_vault(tmp_path / "vault", {**FILES, "Home.md": published("![[pic.png]]")})
    build(vault, tmp_path / "out")
    css = tmp_path / "out" / "static" / "trellis.css"
    first_inode = css.stat().st_ino
    (pic,) = (tmp_path / "out" / "attachments").rglob("pic.png")
    touch_later(vault / "Delta.md", published("Delta changed."))
    touch_later(vault / "pic.png", "NEWPNG")
    build(vault, tmp_path / "out")
    assert css.stat().st_ino == first_inode  # the same file, linked into the new output
    # Attachments are content-addressed: new bytes, new id (and the page points at it).
    (new_pic,) = (tmp_path / "out" / "attachments").rglob("pic.png")
    assert new_pic.read_bytes() == b"NEWPNG" and not pic.exists()
    home = (tmp_path / "out" / "home" / "index.html").read_text()
    assert f"/attachments/{new_pic.parent.name}/pic.png" in home


def test_search_index_is_rebuilt_only_when_a_page_changed(tmp_path):
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "out")
    # The entry file names the index's hashed files: it changes whenever the index does
    # (files that do not change, like pagefind.js, are linked over from the last output).
    index = tmp_path / "out" / "_trellis" / "pagefind" / "pagefind-entry.json"
    first = index.stat().st_ino
    touch_later(vault / "pic.png", "PNG2")  # an attachment: no page changes
    build(vault, tmp_path / "out")
    assert index.stat().st_ino == first  # the old index was taken over
    touch_later(vault / "Delta.md", published("Delta has a new word: zucchini."))
    build(vault, tmp_path / "out")
    assert index.stat().st_ino != first


def test_a_reused_parse_keeps_its_warnings(tmp_path):
    """A note whose parse warned warns again when a rebuild reuses that parse (an empty
    per-note collector must not be mistaken for "no collector")."""
    deep = "> " * 120 + "too deep to keep"
    vault = write_vault(tmp_path / "vault", {**FILES, "Deep.md": published(deep)})
    builder = SiteBuilder(vault, tmp_path / "out")
    first = [str(d) for d in builder.build().diagnostics.items if "Deep.md" in str(d)]
    assert any("nested deeper than" in warning for warning in first), first
    touch_later(vault / "Delta.md", published("Delta changed."))
    again = [str(d) for d in builder.build().diagnostics.items if "Deep.md" in str(d)]
    assert again == first


def test_a_cache_from_other_library_releases_is_not_reused(tmp_path):
    """Pages cached under another Pygments (or markdown-it, nh3, ...) release are rendered
    again: the stylesheet is generated on every build, cached HTML must match it."""
    import pickle

    from trellis.emit.writer import cache_path
    from trellis.versions import output_versions

    assert any(v.startswith("pygments ") and v != "pygments -" for v in output_versions())
    vault = write_vault(tmp_path / "vault", FILES)
    build(vault, tmp_path / "out")
    path = cache_path(tmp_path / "out")
    data = pickle.loads(path.read_bytes())
    kind, versions = data["version"]
    older = tuple("pygments 2.0" if v.startswith("pygments ") else v for v in versions)
    path.write_bytes(pickle.dumps({**data, "version": (kind, older)}))
    again = build(vault, tmp_path / "out")
    assert not again.unchanged and again.pages_rendered == again.notes_published


def test_the_cache_names_trellis_by_its_code_not_only_its_version(tmp_path):
    """An editable install changes the code without a new version number: the cache key
    must change with the code, or pages rendered by the old code are kept."""
    import shutil

    import trellis
    from trellis.versions import code_digest, output_versions

    package = Path(trellis.__file__).parent
    copy = tmp_path / "trellis"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    assert code_digest(copy) == code_digest(package)
    assert code_digest(package) in output_versions()[0]
    with (copy / "render" / "notes.py").open("a") as source:
        source.write("\n# a local patch\n")
    assert code_digest(copy) != code_digest(package)
