"""The wheel works where users install it: built from the repository, installed into a fresh
virtual environment in a temporary folder, it builds a vault there, theme and all.

Slow (a venv and its dependencies from the package index), so one venv serves every check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import published, write_vault
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
# What a wheel is not built from: the rest of a checkout (tests, samples, caches, outputs).
TOP_LEVEL_LEFT_BEHIND = {"build", "dist", "public", "tests", "benchmarks", "docs", "site_src"}
CACHES = shutil.ignore_patterns(
    ".git", ".venv", "venv", "*.egg-info", "__pycache__", ".*cache", ".hypothesis", ".*.trellis-*"
)


def _left_behind(folder: str, names: list[str]) -> set[str]:
    ignored = set(CACHES(folder, names))
    if Path(folder) == ROOT:
        ignored |= TOP_LEVEL_LEFT_BEHIND & set(names)
    return ignored


pytestmark = pytest.mark.package


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    run = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, f"{args}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the `bin` folder of a fresh venv it was installed into)."""
    root = tmp_path_factory.mktemp("package")
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=_left_behind)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "-w",
        root / "dist",
        ".",
        cwd=source,
    )
    (wheel,) = (root / "dist").glob("trellis_garden-*.whl")
    _run(sys.executable, "-m", "venv", root / "venv", cwd=root)
    bin_dir = root / "venv" / ("Scripts" if os.name == "nt" else "bin")
    _run(bin_dir / "python", "-m", "pip", "install", "-q", wheel, cwd=root)
    return wheel, bin_dir


def test_the_wheel_holds_the_code_and_the_theme(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "trellis").rglob("*.py")}
    assert code - names == set()
    for folder in ("templates", "static"):
        theme = {
            f"trellis/data/{p.relative_to(ROOT).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert theme and theme - names == set(), folder
    catalogues = {p.relative_to(ROOT).as_posix() for p in (ROOT / "trellis/i18n").glob("*.po")}
    assert len(catalogues) >= 6 and catalogues - names == set()


def test_the_installed_trellis_builds_a_vault_away_from_the_checkout(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, bin_dir = installed
    where = _run(
        bin_dir / "python",
        "-c",
        "import trellis.package_data as p; print(p.theme_folder('templates'))",
        cwd=tmp_path,
    )
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent)
    write_vault(
        tmp_path / "vault",
        {
            "Home.md": published("See [[Beds]].\n\n> [!tip] Water\n> Early.\n", dg_home="true"),
            "Beds.md": published("```python\nbeds = 3  # raised\n```\n\n$$x^2$$\n\n![[bed.svg]]\n"),
            "bed.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
            "Niwa.md": published("日本語のノート。[[Beds]]\n", lang="ja"),
        },
    )
    run = _run(bin_dir / "trellis", "build", "vault", "-o", "out", cwd=tmp_path)
    assert "Published 3 notes" in run.stdout and "0 warnings" in run.stdout, run.stderr
    out = tmp_path / "out"
    home = LexborHTMLParser((out / "index.html").read_text(encoding="utf-8"))
    assert home.css_first(".callout") is not None
    beds = LexborHTMLParser((out / "beds/index.html").read_text(encoding="utf-8"))
    assert beds.css_first("pre.highlight span") is not None
    assert beds.css_first("img[src^='/attachments/']") is not None
    for asset in ("trellis.css", "trellis.js", "icons/info.svg", "vendor/katex/katex.min.js"):
        assert (out / "static" / asset).is_file(), asset
    assert list((out / "static/vendor/katex/fonts").glob("*.woff2"))
    for link in beds.css("link[rel=stylesheet], script[src]"):
        url = link.attributes.get("href") or link.attributes.get("src") or ""
        assert (out / url.lstrip("/")).is_file(), url
    pygments_css = (out / "static/pygments.css").read_text(encoding="utf-8")
    assert ".highlight .k {" in pygments_css  # made by the venv's own Pygments
    assert (out / "_trellis/pagefind/pagefind.js").is_file()
    assert (out / ".nojekyll").is_file()
    # The catalogues came along: a Japanese note reads Japanese UI words, and its search
    # index was made by the extended Pagefind the wheel's dependencies brought.
    niwa = LexborHTMLParser((out / "niwa/index.html").read_text(encoding="utf-8"))
    assert niwa.css_first("html").attributes["lang"] == "ja"
    assert niwa.css_first(".search-open-label").text() == "検索"
    assert list((out / "_trellis/pagefind/index").glob("ja_*"))


def test_init_then_build_in_the_vault_folder(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    vault = tmp_path / "garden"
    run = _run(bin_dir / "trellis", "init", "garden", "--deploy", "github", cwd=tmp_path)
    assert "trellis serve" in run.stdout
    run = _run(bin_dir / "trellis", "build", cwd=vault)
    assert "Published 1 notes" in run.stdout, run.stderr
    assert (vault / "public/index.html").is_file()
    assert (vault / ".github/workflows/trellis.yml").is_file()
