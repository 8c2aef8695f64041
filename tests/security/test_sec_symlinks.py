"""Files that are not what they seem: symlinks, whatever their name, are followed only to a
regular file of the vault of the kind their name claims (never a note behind an attachment
name, never out of the vault), in the notes, the attachments, the `.trellis/` overrides and
the theme's own assets; anything else is skipped with a warning naming it, and `trellis
check` lists it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PUBLISHED, published, write_vault

from trellis.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
SECRET = "SECRET-DIARY-7f3a"
OUTSIDE = "OUTSIDE-BYTES-91c2"
PRIVATE_NOTE = f"---\ndg-publish: false\ntitle: Dear diary\n---\n{SECRET} what I did today\n"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def output_holds(out: Path, needle: str) -> list[str]:
    """Every output file holding `needle` (or its name), the build cache beside it aside."""
    data = needle.encode()
    return [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if needle in p.name or (p.is_file() and data in p.read_bytes())
    ]


def test_a_note_behind_an_attachment_name_is_not_copied(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "Private/Secret Diary.md": PRIVATE_NOTE,
            "Public.md": published("Look: ![[diary.png]] and [[notes.pdf]]"),
        },
    )
    os.symlink("Private/Secret Diary.md", vault / "diary.png")
    os.symlink(vault / "Private" / "Secret Diary.md", vault / "notes.pdf")  # absolute
    out = tmp_path / "out"
    run_ = run("build", str(vault), "-o", str(out))
    assert run_.returncode == 0, run_.stderr
    assert output_holds(out, SECRET) == [] and output_holds(out, "Dear diary") == []
    assert not (out / "attachments").exists()
    assert "diary.png: warning: symlink leads to a note (Private/Secret Diary.md)" in run_.stderr
    assert "notes.pdf: warning: symlink leads to a note" in run_.stderr
    # `check` names them too, and `--strict` fails on them.
    check = run("check", str(vault), "--strict")
    assert check.returncode == 1
    assert "diary.png: symlink leads to a note (Private/Secret Diary.md)" in check.stdout
    assert "notes.pdf: symlink leads to a note" in check.stdout


def test_a_symlink_to_a_file_of_another_kind_is_not_followed(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "data/export.csv": f"name,secret\nme,{SECRET}\n",
            "Public.md": published("![[chart.png]]"),
        },
    )
    os.symlink("data/export.csv", vault / "chart.png")
    site = build(vault, tmp_path / "out")
    assert output_holds(tmp_path / "out", SECRET) == []
    assert site.diagnostics.for_path("chart.png")[0].message.startswith(
        "symlink leads to a file of another kind (data/export.csv)"
    )


def test_a_symlink_to_an_attachment_of_the_same_kind_still_works(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {"Images/photo-v2.png": b"PNG-V2", "Public.md": published("![[photo.png]]")},
    )
    os.symlink("Images/photo-v2.png", vault / "photo.png")
    build(vault, tmp_path / "out")
    (copied,) = (tmp_path / "out" / "attachments").rglob("photo.png")
    assert copied.read_bytes() == b"PNG-V2"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the vault with a file the owner never meant to publish."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.css").write_text(f"/* {OUTSIDE} */ body {{}}\n")
    (folder / "secret.html").write_text(f"<p>{OUTSIDE}</p>\n")
    return folder


def test_static_overrides_may_not_lead_out_of_the_vault_or_to_a_note(
    tmp_path: Path, outside: Path
) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "Private/Secret Diary.md": PRIVATE_NOTE,
            "Public.md": PUBLISHED + "hello\n",
            "Assets/fine.css": "/* FINE-OVERRIDE */\n",
            ".trellis/static/own.css": "/* OWN */\n",
        },
    )
    static = vault / ".trellis" / "static"
    os.symlink(outside / "secret.css", static / "trellis.css")
    os.symlink("../../Private/Secret Diary.md", static / "diary.md")
    os.symlink("../../Assets/fine.css", static / "fine.css")  # in the vault: allowed
    os.symlink("own.css", static / "alias.css")  # inside the override folder: allowed
    out = tmp_path / "out"
    result = run("build", str(vault), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert output_holds(out, OUTSIDE) == [] and output_holds(out, SECRET) == []
    # The theme's own stylesheet is used instead of the refused override.
    theme_css = (ROOT / "static" / "trellis.css").read_bytes()
    assert (out / "static" / "trellis.css").read_bytes() == theme_css
    assert (out / "static" / "fine.css").read_text() == "/* FINE-OVERRIDE */\n"
    assert (out / "static" / "alias.css").read_text() == "/* OWN */\n"
    assert not (out / "static" / "diary.md").exists()
    assert (
        ".trellis/static/trellis.css: warning: symlink pointing outside the vault not followed"
        in result.stderr
    )
    assert ".trellis/static/diary.md: warning: symlink leads to a note" in result.stderr


def test_template_overrides_may_not_lead_out_of_the_vault(tmp_path: Path, outside: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Public.md": PUBLISHED + "hello\n"})
    templates = vault / ".trellis" / "templates"
    templates.mkdir(parents=True)
    os.symlink(outside / "secret.html", templates / "note.html")
    out = tmp_path / "out"
    result = run("build", str(vault), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert output_holds(out, OUTSIDE) == []
    assert "hello" in (out / "public" / "index.html").read_text()  # the theme's template
    assert ".trellis/templates/note.html: warning: symlink pointing outside" in result.stderr


def test_a_symlinked_override_folder_is_not_used(tmp_path: Path, outside: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Public.md": PUBLISHED + "hello\n"})
    (vault / ".trellis").mkdir()
    (outside / "trellis.css").write_text(f"/* {OUTSIDE} */\n")
    os.symlink(outside, vault / ".trellis" / "static")
    site = build(vault, tmp_path / "out")
    assert output_holds(tmp_path / "out", OUTSIDE) == []
    assert site.diagnostics.for_path(".trellis/static")[0].message.startswith("folder is a symlink")


def test_theme_assets_may_not_lead_out_of_the_theme(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trellis.render.templates as templates

    theme = tmp_path / "theme-static"
    theme.mkdir()
    for asset in templates.THEME_STATIC.iterdir():
        if asset.is_file():
            (theme / asset.name).write_bytes(asset.read_bytes())
    os.symlink(outside / "secret.css", theme / "extra.css")
    monkeypatch.setattr(templates, "THEME_STATIC", theme)
    vault = write_vault(tmp_path / "vault", {"Public.md": PUBLISHED + "hello\n"})
    site = build(vault, tmp_path / "out")
    assert output_holds(tmp_path / "out", OUTSIDE) == []
    assert (tmp_path / "out" / "static" / "trellis.css").is_file()
    assert any(d.path == "extra.css" and "outside" in d.message for d in site.diagnostics.items), (
        site.diagnostics.items
    )


def test_a_settings_file_leading_out_of_the_vault_is_not_read(tmp_path: Path) -> None:
    """`trellis.toml` follows the same rule: a symlink out of the vault is ignored with a
    warning (its values, here the site title, never reach the pages); one to a `.toml`
    inside the vault is read."""
    outside = tmp_path / "elsewhere.toml"
    outside.write_text(f'title = "{OUTSIDE}"\n')
    vault = write_vault(tmp_path / "vault", {"Home.md": published("Home", **{"dg-home": "true"})})
    (vault / "trellis.toml").symlink_to(outside)
    result = build(vault, tmp_path / "out")
    assert output_holds(tmp_path / "out", OUTSIDE) == []
    warnings = [str(d) for d in result.diagnostics.items if "trellis.toml" in str(d)]
    assert any("outside the vault" in w for w in warnings), warnings

    (vault / "settings").mkdir()
    (vault / "settings" / "site.toml").write_text('title = "Linked Settings"\n')
    (vault / "trellis.toml").unlink()
    (vault / "trellis.toml").symlink_to(vault / "settings" / "site.toml")
    build(vault, tmp_path / "out2")
    assert "Linked Settings" in (tmp_path / "out2" / "index.html").read_text()
