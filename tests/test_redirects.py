"""Redirects: a published URL keeps working after its note moved, was renamed or got a new
permalink; never from or to the URL of a private note. Also `.nojekyll` and `_redirects`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import BuiltSite, published, write_vault
from selectolax.lexbor import LexborHTMLParser

from trellis.pipeline import build


def _build(root: Path, **overrides: object) -> BuiltSite:
    out = root / "out"
    return BuiltSite(out, build(root / "vault", out, dict(overrides)))


def _move(root: Path, old: str, new: str) -> None:
    target = root / "vault" / new
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(root / "vault" / old, target)


def _redirect_target(site: BuiltSite, url: str) -> str:
    """Where the redirect page at `url` sends the reader (and checks it is one)."""
    page = LexborHTMLParser(site.html(url))
    refresh = page.css_first('meta[http-equiv="refresh"]')
    assert refresh is not None, f"{url} is not a redirect page"
    target = refresh.attributes["content"].partition("url=")[2]
    assert page.css_first('link[rel="canonical"]').attributes["href"] == target
    assert page.css_first("body a").attributes["href"] == target
    assert page.css_first('meta[name="robots"]').attributes["content"] == "noindex"
    return target


def _redirect_lines(site: BuiltSite) -> list[str]:
    path = site.out / "_redirects"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _all_output(site: BuiltSite) -> str:
    return "\n".join(
        path.relative_to(site.out).as_posix() + "\n" + path.read_bytes().decode("utf-8", "replace")
        for path in sorted(site.out.rglob("*"))
        if path.is_file() and "pagefind" not in path.parts
    )


GARDEN = {
    "Home.md": published("Start at [[Compost]] and [[Mulch]].", dg_home="true"),
    "Soil/Compost.md": published("Brown and green layers.\n"),
    "Soil/Mulch.md": published("Straw on top.\n"),
}


def test_a_moved_and_renamed_note_keeps_its_old_url(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    first = _build(tmp_path)
    assert first.exists("/soil/compost/")
    _move(tmp_path, "Soil/Compost.md", "Beds/Hot Compost.md")  # same bytes: Obsidian's move
    site = _build(tmp_path)
    assert site.exists("/beds/hot-compost/")
    assert _redirect_target(site, "/soil/compost/") == "/beds/hot-compost/"
    assert "Hot Compost" in site.html("/soil/compost/")
    assert _redirect_lines(site) == ["/soil/compost/ /beds/hot-compost/ 301"]
    # Redirect pages are not pages of the garden: not in the sitemap, feeds or search.
    for listing in ("feed.xml", "rss.xml", "sitemap.xml"):
        if (site.out / listing).exists():
            assert "/soil/compost/" not in (site.out / listing).read_text(encoding="utf-8")
    assert "data-pagefind-body" not in site.html("/soil/compost/")


def test_a_moved_and_edited_note_is_found_by_its_name(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    _build(tmp_path)
    _move(tmp_path, "Soil/Mulch.md", "Beds/Mulch.md")
    (tmp_path / "vault/Beds/Mulch.md").write_text(published("Straw, then leaves.\n"))
    site = _build(tmp_path)
    assert _redirect_target(site, "/soil/mulch/") == "/beds/mulch/"


def test_a_renamed_and_edited_note_is_found_by_the_alias_of_its_old_name(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    _build(tmp_path)
    (tmp_path / "vault/Soil/Mulch.md").unlink()
    write_vault(
        tmp_path / "vault", {"Soil/Ground Cover.md": published("Straw.\n", aliases="[Mulch]")}
    )
    site = _build(tmp_path)
    assert _redirect_target(site, "/soil/mulch/") == "/soil/ground-cover/"


def test_a_new_permalink_redirects_from_the_old_one_and_chains_are_followed(
    tmp_path: Path,
) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    _build(tmp_path)
    _move(tmp_path, "Soil/Compost.md", "Beds/Compost.md")
    site = _build(tmp_path)
    assert _redirect_target(site, "/soil/compost/") == "/beds/compost/"
    compost = tmp_path / "vault/Beds/Compost.md"
    compost.write_text(published("Layers, turned.\n", dg_permalink="/heap/"))
    site = _build(tmp_path)
    assert _redirect_target(site, "/beds/compost/") == "/heap/"
    assert _redirect_target(site, "/soil/compost/") == "/heap/"
    assert _redirect_lines(site) == ["/beds/compost/ /heap/ 301", "/soil/compost/ /heap/ 301"]


def test_an_old_url_taken_by_a_new_page_is_that_page(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    _build(tmp_path)
    _move(tmp_path, "Soil/Compost.md", "Beds/Compost.md")
    write_vault(tmp_path / "vault", {"Soil/Compost.md": published("A new note here.\n")})
    site = _build(tmp_path)
    assert "A new note here." in site.html("/soil/compost/")
    assert _redirect_lines(site) == []


@pytest.mark.parametrize(
    "change",
    ["unpublished in place", "moved into a private folder", "deleted", "private note took it"],
)
def test_a_note_that_went_private_or_away_leaves_no_redirect(tmp_path: Path, change: str) -> None:
    write_vault(
        tmp_path / "vault",
        {**GARDEN, "Diary.md": published("Secret words.\n", title="Dear Diary")},
    )
    assert _build(tmp_path).exists("/diary/")
    diary = tmp_path / "vault/Diary.md"
    private = "---\ndg-publish: false\ntitle: Dear Diary\n---\nSecret words.\n"
    if change == "unpublished in place":
        diary.write_text(private)
    elif change == "moved into a private folder":
        diary.unlink()
        write_vault(tmp_path / "vault", {"Private/Diary.md": private})
    elif change == "deleted":
        diary.unlink()
    else:  # the note moved and stayed public, a private note now sits where it was
        _move(tmp_path, "Diary.md", "Journal/Diary.md")
        diary.write_text(private.replace("Secret words.", "Other secrets."))
    site = _build(tmp_path)
    assert not site.exists("/diary/")
    everything = _all_output(site).lower()
    if change != "private note took it":
        assert "diary" not in everything
    else:  # the public note is at its new URL; nothing redirects from the private one's
        assert site.exists("/journal/diary/")
        assert _redirect_lines(site) == []
        assert "other secrets" not in everything


@pytest.mark.parametrize(
    "private",
    [
        {"Private/Plans.md": "---\ndg-permalink: /soil/compost/\n---\nPrivate plans.\n"},
        {"Soil/Compost!.md": "Private plans.\n"},  # its vault path slugs to the old URL
    ],
)
def test_no_redirect_sits_where_a_private_note_would_be(
    tmp_path: Path, private: dict[str, str]
) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    _build(tmp_path)
    _move(tmp_path, "Soil/Compost.md", "Beds/Compost.md")
    write_vault(tmp_path / "vault", private)  # a private note whose URL would be the old one
    site = _build(tmp_path)
    assert not site.exists("/soil/compost/")
    assert _redirect_lines(site) == []


def test_alias_redirects_are_a_setting_off_by_default(tmp_path: Path) -> None:
    files = {
        **GARDEN,
        "Soil/Worms.md": published("Red wigglers.\n", aliases="[Vermicompost, Mulch]"),
    }
    write_vault(tmp_path / "vault", files)
    site = _build(tmp_path)
    assert not site.exists("/soil/vermicompost/") and _redirect_lines(site) == []
    (tmp_path / "vault/trellis.toml").write_text("alias_redirects = true\n")
    site = _build(tmp_path)
    assert _redirect_target(site, "/soil/vermicompost/") == "/soil/worms/"
    # `Mulch` is another page's URL: that page stays, with a warning.
    assert "Straw on top." in site.html("/soil/mulch/")
    assert site.warned("Soil/Worms.md", "alias 'Mulch'", "taken")
    assert _redirect_lines(site) == ["/soil/vermicompost/ /soil/worms/ 301"]


def test_alias_redirects_never_take_a_private_notes_url(tmp_path: Path) -> None:
    files = {
        "Worms.md": published("Red wigglers.\n", aliases="[Secret]"),
        "Secret.md": "---\ndg-publish: false\n---\nprivate\n",
        "trellis.toml": "alias_redirects = true\n",
    }
    write_vault(tmp_path / "vault", files)
    site = _build(tmp_path)
    assert not site.exists("/secret/")
    assert _redirect_lines(site) == []


def test_redirects_can_be_turned_off(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    _build(tmp_path)
    _move(tmp_path, "Soil/Compost.md", "Beds/Compost.md")
    site = _build(tmp_path, redirects=False)
    assert not site.exists("/soil/compost/") and _redirect_lines(site) == []


def test_nojekyll_is_written_at_the_output_root(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", GARDEN)
    site = _build(tmp_path)
    assert (site.out / ".nojekyll").read_bytes() == b""
    assert (site.out / "_trellis").is_dir()  # the folder Jekyll would drop without it
    (tmp_path / "vault/Soil/Mulch.md").write_text(published("Straw, edited.\n"))
    assert (_build(tmp_path).out / ".nojekyll").is_file()


def test_a_moved_folder_of_many_notes_redirects_each_page(tmp_path: Path) -> None:
    # Enough notes for worker processes to parse and render them (trellis.build.forked).
    files = {
        f"Old/Note {i}.md": published(f"Note {i} links [[Note {i + 1}]].\n") for i in range(120)
    }
    write_vault(tmp_path / "vault", files)
    _build(tmp_path, jobs=2)
    shutil.move(tmp_path / "vault/Old", tmp_path / "vault/New Place")
    site = _build(tmp_path, jobs=2)
    assert len(_redirect_lines(site)) == 120
    for i in (0, 57, 119):
        assert _redirect_target(site, f"/old/note-{i}/") == f"/new-place/note-{i}/"
        assert f"Note {i} links" in site.html(f"/new-place/note-{i}/")
