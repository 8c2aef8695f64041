"""The build's own folders: Trellis deletes only what it made in this very run. A vault (or
any folder) named like a staging folder is never removed, whatever its name, and a URL may
not take a name Trellis uses inside the output (`.trellis-site`, in-place temporaries):
such permalinks are renamed with a warning, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PUBLISHED, published, write_vault

from trellis.emit.writer import MARKER

ROOT = Path(__file__).resolve().parents[2]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    "vault_name", [".x.trellis-new", ".x.trellis-old", ".x.0123456789ab.trellis-new"]
)
def test_a_vault_named_like_a_staging_folder_is_never_deleted(
    tmp_path: Path, vault_name: str
) -> None:
    vault = write_vault(
        tmp_path / vault_name,
        {"Only Copy.md": published("irreplaceable"), MARKER: "Trellis staging folder x\n"},
    )
    before = tree(vault)
    for _ in range(2):  # a first build, then one replacing its output
        result = run(tmp_path, "build", vault_name, "-o", "x")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert tree(vault) == before
    assert "irreplaceable" in (tmp_path / "x" / "only-copy" / "index.html").read_text()


def test_folders_beside_the_output_that_trellis_did_not_make_are_kept(tmp_path: Path) -> None:
    write_vault(tmp_path / "vault", {"Note.md": PUBLISHED + "text\n"})
    theirs = {}
    for name in (".out.trellis-new", ".out.trellis-old", ".out.abc.trellis-new"):
        theirs[name] = write_vault(tmp_path / name, {"keep.txt": f"mine: {name}"})
    assert run(tmp_path, "build", "vault", "-o", "out").returncode == 0
    assert run(tmp_path, "build", "vault", "-o", "out").returncode == 0
    for name, folder in theirs.items():
        assert tree(folder) == {"keep.txt": f"mine: {name}".encode()}
    left = {p.name for p in tmp_path.iterdir()} - set(theirs)
    assert left == {"vault", "out", ".out.trellis-cache"}


@pytest.mark.parametrize(
    ("key", "value", "moved"),
    [
        ("permalink", ".trellis-site", "/.trellis-site-note/"),
        ("dg-permalink", "/.TRELLIS-SITE/inner", "/.TRELLIS-SITE-note/inner/"),
        ("permalink", "notes/.index.html.trellis-tmp", "/notes/.index.html.trellis-tmp-note/"),
        ("permalink", ".public.trellis-cache", "/.public.trellis-cache-note/"),
    ],
)
def test_a_permalink_taking_an_internal_name_is_renamed(
    tmp_path: Path, key: str, value: str, moved: str
) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {"Sneaky.md": f"---\ndg-publish: true\n{key}: {value}\n---\nSNEAKY\n"},
    )
    result = run(tmp_path, "build", "vault", "-o", "out")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Sneaky.md: warning: URL " in result.stderr
    assert f"is reserved for Trellis; using {moved}" in result.stderr
    out = tmp_path / "out"
    assert (out / MARKER).is_file()
    assert "SNEAKY" in (out / moved.strip("/") / "index.html").read_text()
    # The next build still recognises the output as its own and replaces it.
    (vault / "Sneaky.md").write_text(f"---\ndg-publish: true\n{key}: {value}\n---\nAGAIN\n")
    again = run(tmp_path, "build", "vault", "-o", "out")
    assert again.returncode == 0, again.stderr
    assert "AGAIN" in (out / moved.strip("/") / "index.html").read_text()


@pytest.mark.parametrize("name", [".public.trellis-cache.tmp", ".public.trellis-cache"])
def test_a_link_beside_the_output_is_never_written_through(tmp_path: Path, name: str) -> None:
    """A vault holding its own output folder (`-o public` inside it) puts the build cache in
    the vault: a link the vault planted at the cache's name, or at the temporary name an
    earlier Trellis wrote the cache to, is replaced, never written through."""
    from trellis.pipeline import build

    precious = tmp_path / "precious.txt"
    precious.write_text("precious", encoding="utf-8")
    vault = write_vault(tmp_path / "vault", {"A.md": published("Hello")})
    (vault / name).symlink_to(precious)
    build(vault, vault / "public")
    assert precious.read_text(encoding="utf-8") == "precious"
    cache = vault / ".public.trellis-cache"
    assert cache.is_file() and not cache.is_symlink()
    assert (vault / "public" / MARKER).is_file()


@pytest.mark.parametrize("spelling", ["cache_dir", "cache-dir", '"cache_dir"'])
def test_a_vault_cannot_choose_where_the_cache_is_written(tmp_path: Path, spelling: str) -> None:
    """The cache lies outside the output folder; only the person building says where. A
    vault's `trellis.toml` naming a folder (here one the user would never look in) is
    ignored with a warning naming the file and line, and the cache stays beside the output."""
    vault = write_vault(tmp_path / "vault", {"Note.md": published("Text.")})
    target = tmp_path / "elsewhere"
    target.mkdir()
    (vault / "trellis.toml").write_text(f'title = "T"\n{spelling} = "{target}"\n')
    result = run(tmp_path, "vault", "-o", "site")
    assert result.returncode == 0, result.stderr
    assert list(target.iterdir()) == []
    assert (tmp_path / ".site.trellis-cache").is_file()
    assert "trellis.toml:2" in result.stderr and "command line only" in result.stderr
    assert (tmp_path / "site/note/index.html").is_file()


def test_the_cache_is_written_private_and_a_write_cut_short_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache is streamed into a new file (mode 0600: it names private link targets) and
    renamed over the old one: interrupted midway, the old cache stays whole and nothing of
    the half-written file is left beside the output."""
    import trellis.pipeline as pipeline

    vault = write_vault(tmp_path / "vault", {"A.md": published("Hello")})
    out = tmp_path / "out"
    pipeline.build(vault, out)
    cache = tmp_path / ".out.trellis-cache"
    assert cache.stat().st_mode & 0o777 == 0o600
    before = cache.read_bytes()
    streamed = pipeline.dump_cache

    def cut_short(data: dict, file) -> None:  # type: ignore[no-untyped-def]
        streamed(data, file)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "dump_cache", cut_short)
    (vault / "A.md").write_text(published("Hello again"), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(vault, out)
    assert cache.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".out.trellis-cache",
        "out",
        "vault",
    ]
