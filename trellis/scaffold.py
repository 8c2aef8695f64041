"""`trellis init [FOLDER]`: set a vault up for Trellis, and for a host if asked.

Writes `trellis.toml` with every setting commented out at its default (made from the settings
schema in `trellis.config`, so it cannot drift from what the build reads), a `.gitignore`
for the output folder and the build cache, a first note when the folder has none, and with
`--deploy HOST` the host's config. The commands a host runs are the README's ("Deploying"):
install Trellis, build with the cache in `.trellis-cache/`. An existing file is never
overwritten without `--force`; an existing `.gitignore` only gets the lines it lacks.
"""

from __future__ import annotations

import json
import re
import shlex
import textwrap
from dataclasses import dataclass
from pathlib import Path

from trellis.config import COMMAND_LINE_ONLY, SETTINGS_FILE, settings_schema, toml_value

DEPLOY_HOSTS = ("github", "netlify", "cloudflare", "vercel")
OUTPUT = "public"
CACHE_DIR = ".trellis-cache"
INSTALL = "python -m pip install trellis-garden"
BUILD = f"trellis build -o {OUTPUT} --cache-dir {CACHE_DIR}"
# GitHub Pages serves a project site under /REPOSITORY/: the workflow passes the URL Pages gives.
GITHUB_BUILD = f'trellis build --base-url "$BASE_URL" -o {OUTPUT} --cache-dir {CACHE_DIR}'
GITIGNORE_LINES = (
    f"/{OUTPUT}/",
    f"/.{OUTPUT}.trellis-*",
    f"/{CACHE_DIR}/",
)
FIRST_NOTE = "Home.md"


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the vault folder
    text: str
    merge_lines: bool = False  # `.gitignore`: add missing lines instead of replacing


def settings_toml(title: str) -> str:
    """`trellis.toml` with every setting commented out at its default, with its help."""
    lines = [
        "# Trellis settings for this vault. Every setting is optional: each line below shows",
        "# its default; remove the `#` in front of one and change its value to set it.",
        "# Flags override this file (`trellis build --help`).",
    ]
    for info in settings_schema():
        if info.name in COMMAND_LINE_ONLY:  # ignored in this file
            continue
        value = title if info.name == "title" else info.default
        sentence = f"{info.help[0].upper()}{info.help[1:]}."
        lines += ["", *(f"# {line}" for line in textwrap.wrap(sentence, 88))]
        if info.shown:
            lines.append(f"# Default: {info.shown}.")
        lines.append(f"# {info.name} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def _github_workflow() -> str:
    return f"""\
# Build the garden with Trellis and publish it on GitHub Pages, on every push to main.
# Once: the repository's Settings > Pages > Source: "GitHub Actions".
name: Publish the garden

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Install Trellis
        run: {INSTALL}
      # Trellis's build cache and the last site: restored from the last run, saved after
      # this one, so a publish after a small change renders and indexes only what changed
      # (without the last site every page would be written and indexed again). Every kept
      # file of a restored site is checked against the cache's record of it.
      - name: Restore the build cache and the last site
        uses: actions/cache@v4
        with:
          path: |
            {CACHE_DIR}
            {OUTPUT}
          key: trellis-${{{{ github.ref_name }}}}-${{{{ github.run_id }}}}
          restore-keys: trellis-${{{{ github.ref_name }}}}-
      - name: Build
        env:
          BASE_URL: ${{{{ steps.pages.outputs.base_url }}}}/
        run: {GITHUB_BUILD}
      - uses: actions/upload-pages-artifact@v3
        with:
          path: {OUTPUT}

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def _netlify_toml() -> str:
    return f"""\
# Netlify builds the garden with Trellis on every push; `_redirects` in the output keeps the
# old URLs of moved notes working.
[build]
  command = {toml_value(f"{INSTALL} && {BUILD}")}
  publish = "{OUTPUT}"

[build.environment]
  PYTHON_VERSION = "3.12"
"""


def _wrangler_toml(name: str) -> str:
    return f"""\
# Cloudflare Pages: connect this repository (Workers & Pages > Create > Pages > Connect to
# Git) and set
#   Build command:          {INSTALL} && {BUILD}
#   Build output directory: {OUTPUT}
#   Environment variable:   PYTHON_VERSION = 3.12
# `_redirects` in the output keeps the old URLs of moved notes working.
name = {toml_value(name)}
pages_build_output_dir = "{OUTPUT}"
"""


def _vercel_json() -> str:
    settings = {
        "buildCommand": f"{INSTALL} && {BUILD}",
        "outputDirectory": OUTPUT,
        "installCommand": "",
        "framework": None,
        "trailingSlash": True,
    }
    return json.dumps(settings, indent=2) + "\n"


def _first_note() -> str:
    return """\
---
dg-publish: true
dg-home: true
---
This note is the home page of the garden (`dg-home: true`). Every note with
`dg-publish: true` in its frontmatter is published; every other note stays private.
"""


def plan(folder: Path, deploy: str | None) -> list[Planned]:
    """The files `init` writes into `folder` (which may not exist yet)."""
    name = folder.resolve().name or "garden"
    files = [
        Planned(SETTINGS_FILE, settings_toml(name)),
        Planned(
            ".gitignore",
            "# Trellis: the built site and its build cache\n" + "\n".join(GITIGNORE_LINES) + "\n",
            merge_lines=True,
        ),
    ]
    if not folder.is_dir() or not any(folder.rglob("*.md")):
        files.append(Planned(FIRST_NOTE, _first_note()))
    if deploy == "github":
        files.append(Planned(".github/workflows/trellis.yml", _github_workflow()))
    elif deploy == "netlify":
        files.append(Planned("netlify.toml", _netlify_toml()))
    elif deploy == "cloudflare":
        project = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "garden"
        files.append(Planned("wrangler.toml", _wrangler_toml(project)))
    elif deploy == "vercel":
        files.append(Planned("vercel.json", _vercel_json()))
    return files


def _merged(existing: str, addition: str) -> str | None:
    """`existing` with the lines of `addition` it lacks appended; None if it lacks none."""
    have = {line.strip() for line in existing.splitlines()}
    missing = [line for line in addition.splitlines() if line.strip() not in have]
    if not [line for line in missing if not line.startswith("#")]:
        return None
    return (
        existing
        + ("" if existing.endswith("\n") or not existing else "\n")
        + ("\n".join(missing) + "\n")
    )


def run_init(folder: Path, deploy: str | None = None, force: bool = False) -> int:
    """Write the planned files, saying for each what happened; then the next two commands."""
    from trellis.diagnostics import FatalError

    if folder.exists() and not folder.is_dir():
        raise FatalError(f"{folder} exists and is not a folder")
    for item in plan(folder, deploy):
        path = folder / item.path
        text = item.text
        if path.exists() and item.merge_lines:
            merged = _merged(path.read_text(encoding="utf-8", errors="replace"), text)
            if merged is None:
                print(f"kept     {path} (it has every line Trellis needs)")
                continue
            text, verb = merged, "added to"
        elif path.exists() and not force:
            print(f"kept     {path} (exists; --force overwrites it)")
            continue
        else:
            verb = "replaced" if path.exists() else "wrote"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise FatalError(f"cannot write {path}: {error.strerror or error}") from None
        print(f"{verb:<8} {path}")
    print("\nNext:")
    if folder.resolve() != Path.cwd().resolve():
        print(f"  cd {shlex.quote(str(folder))}")
    print("  trellis serve    # preview at http://127.0.0.1:8000, rebuilt on every save")
    print(f"  trellis build    # write the site into {OUTPUT}/")
    return 0
