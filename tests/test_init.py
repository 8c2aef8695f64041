"""`trellis init`: settings with every default, a .gitignore, a host's config; never a file
overwritten without --force; the deploy configs run the commands the README documents."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from helpers import published, write_vault

from trellis.config import (
    COMMAND_LINE_ONLY,
    SETTINGS_FILE,
    Settings,
    load_settings,
    settings_schema,
)
from trellis.diagnostics import Diagnostics

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # where pip put the `trellis` script


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        list(args),
        cwd=cwd,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _init(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return _run(sys.executable, "-m", "trellis", "init", *args, cwd=cwd)


def _readme_commands(section: str) -> set[str]:
    """The lines of the code blocks of one README section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = body.split("```")[1::2]
    return {line.strip() for block in blocks for line in block.splitlines()[1:] if line.strip()}


def _uncommented(toml: str) -> str:
    return "\n".join(line[2:] for line in toml.splitlines() if " = " in line and line[:2] == "# ")


def test_init_in_a_new_folder(tmp_path: Path) -> None:
    run = _init("new garden", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    vault = tmp_path / "new garden"
    assert sorted(p.name for p in vault.iterdir()) == [".gitignore", "Home.md", SETTINGS_FILE]
    # The next two commands, after going there.
    assert run.stdout.splitlines()[-3:] == [
        "  cd 'new garden'",
        "  trellis serve    # preview at http://127.0.0.1:8000, rebuilt on every save",
        "  trellis build    # write the site into public/",
    ]
    # The settings file holds every setting, commented out at its default.
    toml = (vault / SETTINGS_FILE).read_text(encoding="utf-8")
    assert tomllib.loads(toml) == {}
    values = tomllib.loads(_uncommented(toml))
    assert list(values) == [
        info.name for info in settings_schema() if info.name not in COMMAND_LINE_ONLY
    ]
    diagnostics = Diagnostics()
    (vault / SETTINGS_FILE).write_text(_uncommented(toml), encoding="utf-8")
    assert load_settings(vault, {}, diagnostics) == Settings(title="new garden")
    assert diagnostics.items == []
    # The first note is the published home page; the site and cache stay out of git.
    build = _run("trellis", "build", "-q", cwd=vault)
    assert build.returncode == 0, build.stderr
    assert "This note is the home page" in (vault / "public/index.html").read_text()
    if shutil.which("git"):
        _run("git", "init", "-q", cwd=vault)
        probe = ["public/index.html", ".public.trellis-cache", ".trellis-cache/x", "Home.md"]
        ignored = _run("git", "check-ignore", *probe, cwd=vault).stdout.split()
        assert ignored == probe[:3]


def test_init_in_a_vault_overwrites_nothing(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "Notes/Idea.md": published("An idea."),
            SETTINGS_FILE: 'title = "Mine"\n',
            ".gitignore": ".obsidian/workspace.json\n/public/",
            "netlify.toml": "# my own\n",
        },
    )
    before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    run = _init("--deploy", "netlify", cwd=vault)
    assert run.returncode == 0, run.stderr
    assert f"kept     {SETTINGS_FILE} (exists; --force overwrites it)" in run.stdout
    assert "kept     netlify.toml (exists; --force overwrites it)" in run.stdout
    assert "cd " not in run.stdout  # already there
    after = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    assert set(after) == set(before)  # no Home.md: the vault has notes
    changed = [p.name for p in after if after[p] != before[p]]
    assert changed == [".gitignore"]
    gitignore = (vault / ".gitignore").read_text().splitlines()
    assert gitignore[:2] == [".obsidian/workspace.json", "/public/"]  # as it was
    assert gitignore.count("/public/") == 1 and "/.trellis-cache/" in gitignore
    # Once more: nothing left to add.
    assert "kept     .gitignore" in _init(cwd=vault).stdout
    assert (vault / ".gitignore").read_text().splitlines() == gitignore
    # --force replaces the files Trellis writes, but never drops a line of .gitignore.
    run = _init("--deploy", "netlify", "--force", cwd=vault)
    assert f"replaced {SETTINGS_FILE}" in run.stdout
    assert tomllib.loads((vault / "netlify.toml").read_text())["build"]["publish"] == "public"
    assert (vault / ".gitignore").read_text().splitlines() == gitignore


def test_init_refuses_a_file_for_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    run = _init("file", cwd=tmp_path)
    assert run.returncode == 2 and "not a folder" in run.stderr and "Traceback" not in run.stderr


def _workflow(vault: Path) -> dict:
    data = yaml.safe_load((vault / ".github/workflows/trellis.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_the_github_workflow_installs_restores_the_cache_builds_and_publishes(
    tmp_path: Path,
) -> None:
    vault = write_vault(tmp_path / "vault", {"Home.md": published("Hi [[Bed]].", dg_home="true")})
    write_vault(vault, {"Bed.md": published("A bed.")})
    assert _init("--deploy", "github", cwd=vault).returncode == 0
    workflow = _workflow(vault)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").partition("@")[0] for step in steps]
    for action in ("actions/checkout", "actions/setup-python", "actions/cache"):
        assert action in uses
    assert uses[-1] == "actions/upload-pages-artifact" and steps[-1]["with"]["path"] == "public"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == [
        "python -m pip install trellis-garden",
        'trellis build --base-url "$BASE_URL" -o public --cache-dir .trellis-cache',
    ]
    # The commands are the README's, and the cache step keeps the folder the build uses.
    assert set(runs) <= _readme_commands("Deploying")
    cache = steps[uses.index("actions/cache")]
    build_step = next(step for step in steps if "trellis build" in step.get("run", ""))
    assert steps.index(cache) < steps.index(build_step)
    # Both the cache and the last site are kept: with the cache alone every page would be
    # written and indexed again on each publish.
    command = shlex.split(build_step["run"])
    kept = cache["with"]["path"].split()
    assert sorted(kept) == sorted([command[-1], command[command.index("-o") + 1]])
    assert cache["with"]["restore-keys"] and "key" in cache["with"]
    assert "steps.pages.outputs.base_url" in build_step["env"]["BASE_URL"]
    # The build step, run as the workflow runs it (bash, in the repository's root).
    env = {"BASE_URL": "https://someone.github.io/garden/"}
    for _ in range(2):
        built = _run("bash", "-c", build_step["run"], cwd=vault, env=env)
        assert built.returncode == 0, built.stderr
    assert (vault / ".trellis-cache/public.trellis-cache").is_file()
    home = (vault / "public/index.html").read_text(encoding="utf-8")
    assert 'href="/garden/bed/"' in home
    assert (vault / "public/.nojekyll").is_file()


@pytest.mark.parametrize("host", ["netlify", "cloudflare", "vercel"])
def test_the_other_hosts_build_with_the_readme_commands(tmp_path: Path, host: str) -> None:
    run = _init("--deploy", host, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    documented = _readme_commands("Deploying")
    install, build = (
        "python -m pip install trellis-garden",
        ("trellis build -o public --cache-dir .trellis-cache"),
    )
    assert {install, build} <= documented
    if host == "netlify":
        config = tomllib.loads((tmp_path / "netlify.toml").read_text())
        assert config["build"]["command"] == f"{install} && {build}"
        assert config["build"]["publish"] == "public"
        assert config["build"]["environment"]["PYTHON_VERSION"] >= "3.11"
    elif host == "cloudflare":
        text = (tmp_path / "wrangler.toml").read_text()
        config = tomllib.loads(text)
        assert config["pages_build_output_dir"] == "public"
        assert config["name"] == tmp_path.name.lower().replace("_", "-").strip("-")
        assert f"{install} && {build}" in text  # what to enter in the dashboard
    else:
        config = json.loads((tmp_path / "vercel.json").read_text())
        assert config["buildCommand"] == f"{install} && {build}"
        assert config["outputDirectory"] == "public" and config["trailingSlash"] is True
