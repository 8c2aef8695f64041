"""A restored copy of the output (the CI case: output and cache copied, every stat new) is
taken over file by file only where a file's bytes hash as the cache recorded: each kept file
is read once, its new stat is recorded, and the next build reads none. Whatever else the
copy holds does not survive: a page changed in it, a page or search shard of a note that
has since left the site, files dropped into it. The rebuild writes exactly what a clean
build of the same vault writes, search index included."""

from __future__ import annotations

import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest
from helpers import published, snapshot, unpacked, write_vault
from test_cache_content_keys import copy_with_new_times

import trellis.emit.search as search
from trellis.emit import output_files, site_update
from trellis.emit.output_files import FileStat
from trellis.emit.output_hashes import OutputHashes
from trellis.emit.search_shards import plan_shards, shard_folder
from trellis.pipeline import build

SECRET = "Shed/Secret.md"
SETTINGS = {"git_dates": False}
BUNDLE = search.BUNDLE_DIR


def vault_files(secret_published: bool) -> dict[str, str | bytes]:
    """Eight searchable notes (seven without the secret one), dated in their frontmatter
    (a copy's new file times change nothing), linking so that pages share backlinks."""
    files: dict[str, str | bytes] = {
        f"Note {n}.md": published(
            f"Note {n} talks about topic{n}, see [[Note {(n + 1) % 7}]].", created="2024-01-02"
        )
        for n in range(7)
    }
    files[SECRET] = (
        published("The heronsecret word is here. [[Note 1]]", created="2024-01-02")
        if secret_published
        else "---\ndg-publish: false\n---\nThe heronsecret word is here.\n"
    )
    return files


@pytest.fixture(autouse=True)
def shards_of_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 3)


class Finished(OutputHashes):
    """The helper waited for: every file it hashes is hashed before the build looks."""

    def __init__(self, root: str, recorded: dict[str, FileStat]) -> None:
        super().__init__(root, recorded)
        self.wait()


@pytest.fixture(params=["helper first", "no helper"])
def helper(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A restored copy checked with the helper's hashes all in before the build looks at a
    file, or with none (the build reads every file itself): the two ends of the race."""
    if request.param == "helper first":
        monkeypatch.setattr(site_update, "OutputHashes", Finished)
    else:
        monkeypatch.setattr(site_update, "looks_restored", lambda root, recorded: False)
    return request.param


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each output file is read to check it (absolute paths), either way."""
    seen: Counter[str] = Counter()
    plain, checked = output_files.read_plain, output_files.read_checked

    def read_plain(path: str) -> object:
        seen[path] += 1
        return plain(path)

    def read_checked(base: Path, path: Path) -> object:
        seen[path.absolute().as_posix()] += 1
        return checked(base, path)

    monkeypatch.setattr(site_update, "read_plain", read_plain)
    monkeypatch.setattr(output_files, "read_checked", read_checked)
    return seen


def test_a_restored_copy_reads_each_kept_file_once_and_the_next_build_none(
    tmp_path: Path, reads: Counter[str], helper: str
) -> None:
    vault = write_vault(tmp_path / "first" / "vault", vault_files(secret_published=True))
    build(vault, tmp_path / "first" / "site", SETTINGS)
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    ci = tmp_path / "ci"
    (ci / "vault" / "Note 3.md").write_text(published("Note 3 changed.", created="2024-01-02"))
    reads.clear()
    result = build(ci / "vault", ci / "site", SETTINGS)
    assert result.pages_rendered >= 1 and result.search_shards_reused >= 1
    assert not result.cache_problem
    site = (ci / "site").as_posix()
    if helper == "no helper":  # the build reads each kept file once, to hash it
        assert reads[f"{site}/note-0/index.html"] == 1
        assert [name for name in reads if f"/{BUNDLE}/" in name]  # planned, then taken over
        assert max(reads.values()) == 1, [name for name, n in reads.items() if n > 1]
    else:  # the helper hashed them all (and read the fragments' URLs)
        assert not reads, sorted(reads)

    reads.clear()  # the copy's stats are recorded now: the next build reads nothing kept
    (ci / "vault" / "Note 3.md").write_text(published("Note 3 again.", created="2024-01-02"))
    again = build(ci / "vault", ci / "site", SETTINGS)
    assert again.pages_rendered >= 1 and not again.cache_problem
    assert not reads, sorted(reads)


def shard_files(bundle: Path, folder: str) -> list[Path]:
    """The files of the shard in `folder` of `bundle` ("" is shard 1: not the others)."""
    return [
        file
        for file in (bundle / folder).rglob("*")
        if file.is_file() and (folder or not file.relative_to(bundle).parts[0].startswith("shard-"))
    ]


def test_a_restored_copy_with_a_changed_page_a_stale_shard_and_strays_builds_clean(
    tmp_path: Path, helper: str
) -> None:
    # Build 1: the secret note is published; that output is kept aside (stale).
    root = tmp_path / "first"
    vault = write_vault(root / "vault", vault_files(secret_published=True))
    first = build(vault, root / "site", SETTINGS)
    assert first.site is not None
    shutil.copytree(root / "site", tmp_path / "stale", symlinks=True)
    # Build 2: the note is made private; its page and search entry leave the output.
    write_vault(vault, {SECRET: vault_files(secret_published=False)[SECRET]})
    build(vault, root / "site", SETTINGS)
    shards = plan_shards(sorted(note.output_path for note in first.site.notes), 3)
    number = next(n for n, pages in enumerate(shards, 1) if "shed/secret/index.html" in pages)
    folder = shard_folder(number)
    edited = next(  # a note whose edit leaves the secret's shard to be taken over
        n for n in range(7) if f"note-{n}/index.html" not in shards[number - 1]
    )

    # A CI job restores vault, output and cache (new stats), and the output has been
    # tampered with on the way:
    copy_with_new_times(root, tmp_path / "ci")
    ci, stale = tmp_path / "ci", tmp_path / "stale"
    site = ci / "site"
    # - a page the edit does not reach changed (same length: a size check would not see it);
    page = site / f"note-{(edited + 3) % 7}" / "index.html"
    data = page.read_bytes()
    forged = data.replace(b"talks about", b"TALKS ABOUT")
    assert forged != data and len(forged) == len(data)
    page.write_bytes(forged)
    # - the page of the note that left the site, back from the stale output;
    (site / "shed" / "secret").mkdir(parents=True)
    shutil.copyfile(stale / "shed/secret/index.html", site / "shed/secret/index.html")
    # - the stale output's shard (it indexes the secret note) in place of the current one;
    for file in shard_files(site / BUNDLE, folder):
        file.unlink()
    for file in shard_files(stale / BUNDLE, folder):
        target = site / BUNDLE / file.relative_to(stale / BUNDLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    # - a shard folder and a fragment no build wrote.
    shutil.copytree(stale / BUNDLE / "shard-2", site / BUNDLE / "shard-9")
    fragment = next((stale / BUNDLE / folder / "fragment").iterdir())
    other = shard_folder(1 if number != 1 else 2)
    shutil.copyfile(fragment, site / BUNDLE / other / "fragment" / "en_feedbee.pf_fragment")

    (ci / "vault" / f"Note {edited}.md").write_text(
        published(f"Note {edited} changed.", created="2024-01-02")
    )
    result = build(ci / "vault", site, SETTINGS)
    assert f"search shard {number} in the last output is not the one" in result.cache_problem
    clean = tmp_path / "clean"
    build(ci / "vault", clean, SETTINGS, use_cache=False)
    assert snapshot(site) == snapshot(clean)  # pages, graph files, search index: all
    output = unpacked(site)
    assert not [name for name, text in output.items() if b"heronsecret" in text]
    assert not [name for name, text in output.items() if b"/shed/secret/" in text]
    assert [name for name, text in unpacked(stale).items() if b"heronsecret" in text]


def test_the_helper_hashes_only_files_not_as_recorded_and_follows_no_symlink(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    (site / "fragment").mkdir(parents=True)
    (site / "kept.html").write_bytes(b"as recorded")
    (site / "copied.html").write_bytes(b"restored")
    (site / "elsewhere.html").write_bytes(b"not in the output")
    (site / "link.html").symlink_to(site / "elsewhere.html")
    fragment = gzip.compress(b'pagefind_dcd{"url":"/a%20b/","content":"words"}')
    (site / "fragment" / "en_1.pf_fragment").write_bytes(fragment)
    recorded: dict[str, FileStat] = {f"page-{n}.html": (0, 0, 0, 0, 0) for n in range(16)}
    kept = output_files.file_stat(site / "kept.html")
    assert kept is not None
    recorded |= {"kept.html": kept, "copied.html": (0, 1, 2, 3, 4), "link.html": kept}
    recorded["fragment/en_1.pf_fragment"] = (0, 0, 0, 0, 0)
    assert site_update.looks_restored(f"{site}/", recorded)
    hashes = OutputHashes(f"{site}/", recorded)
    hashes.wait()
    copied = hashes.get("copied.html")
    assert copied == (
        output_files.file_stat(site / "copied.html"),
        output_files.bytes_digest(b"restored"),
        None,
    )
    assert hashes.get("kept.html") is None  # its stat is the recorded one
    assert hashes.get("link.html") is None and hashes.get("page-3.html") is None
    found = hashes.get("fragment/en_1.pf_fragment")
    assert found is not None and found[1:] == (output_files.bytes_digest(fragment), "/a b/")
    hashes.close()
    for n in range(16):
        (site / f"page-{n}.html").write_bytes(b"a page")
    in_place = {name: output_files.file_stat(site / name) for name in recorded}
    assert not site_update.looks_restored(f"{site}/", in_place)  # type: ignore[arg-type]


def test_a_file_changed_after_the_helper_read_it_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = write_vault(tmp_path / "first" / "vault", vault_files(secret_published=True))
    build(vault, tmp_path / "first" / "site", SETTINGS)
    copy_with_new_times(tmp_path / "first", tmp_path / "ci")
    site = tmp_path / "ci" / "site"
    page = site / "note-5" / "index.html"
    fragments = sorted((site / BUNDLE).rglob("*.pf_fragment"))

    class ChangedAfter(OutputHashes):
        """The helper finishes, then a page and every fragment change under the build."""

        def __init__(self, root: str, recorded: dict[str, FileStat]) -> None:
            super().__init__(root, recorded)
            self.wait()
            page.write_bytes(page.read_bytes().replace(b"talks about", b"TALKS ABOUT"))
            data = [file.read_bytes() for file in fragments]
            for file, other in zip(fragments, data[1:] + data[:1], strict=True):
                file.write_bytes(other)  # each names another page now

    monkeypatch.setattr(site_update, "OutputHashes", ChangedAfter)
    edited = tmp_path / "ci" / "vault" / "Note 1.md"
    edited.write_text(published("Note 1 changed.", created="2024-01-02"))
    result = build(tmp_path / "ci" / "vault", site, SETTINGS)
    assert "in the last output is not the one" in result.cache_problem
    build(tmp_path / "ci" / "vault", tmp_path / "clean", SETTINGS, use_cache=False)
    assert snapshot(site) == snapshot(tmp_path / "clean")
