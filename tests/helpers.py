"""Shared test helpers: write a vault of files, build it for real, read the pages back."""

from __future__ import annotations

import gzip
import signal
import subprocess
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from trellis.pipeline import BuildResult, build
from trellis.render.templates import THEME_TEMPLATES

PUBLISHED = "---\ndg-publish: true\n---\n"


def write_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create `root` with `files` (vault-relative path -> text or bytes). Text is dedented."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (POSIX path relative to it) and its bytes: two builds
    compared byte for byte."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def unpacked(folder: Path) -> dict[str, bytes]:
    """`snapshot` of `folder`, gzip files (Pagefind's) unpacked: to look for a text in a
    search bundle."""
    found = {}
    for name, data in snapshot(folder).items():
        try:
            found[name] = gzip.decompress(data)
        except (OSError, EOFError):
            found[name] = data
    return found


class NullHooks:
    """Hooks of a site where links and files resolve nowhere and embeds are empty: what
    parsing needs, or a render of only what the Markdown writes by itself."""

    def resolve_link(self, target: str, env: dict[str, Any]) -> None:
        return None

    def resolve_file(self, path: str, env: dict[str, Any], embed: bool) -> None:
        return None

    def embed_note(self, target: str, env: dict[str, Any]) -> str:
        return ""

    def tag_href(self, tag: str) -> str:
        return "/tags/" + tag


def published(body: str, **meta: Any) -> str:
    """A published note: `dg-publish: true` plus extra YAML keys, then the dedented body."""
    lines = ["---", "dg-publish: true"]
    for key, value in meta.items():
        lines.append(f"{key.replace('_', '-')}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + textwrap.dedent(body)


@dataclass
class BuiltSite:
    out: Path
    result: BuildResult

    def path_of(self, url: str) -> Path:
        inner = url.strip("/")
        if inner.endswith((".html", ".xml", ".json", ".txt")):
            return self.out / inner
        return self.out / inner / "index.html" if inner else self.out / "index.html"

    def html(self, url: str) -> str:
        return self.path_of(url).read_text(encoding="utf-8")

    def page(self, url: str) -> LexborHTMLParser:
        return LexborHTMLParser(self.html(url))

    def body(self, url: str) -> LexborNode:
        """The rendered note text (`.note-body`) of the page at `url`."""
        node = self.page(url).css_first(".note-body")
        assert node is not None, f"no .note-body on {url}"
        return node

    def exists(self, url: str) -> bool:
        return self.path_of(url).is_file()

    def files(self) -> set[str]:
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if p.is_file()}

    @property
    def warnings(self) -> list[str]:
        return [str(d) for d in self.result.diagnostics.items]

    def warned(self, *fragments: str) -> bool:
        return any(all(f in w for f in fragments) for w in self.warnings)


def build_vault(
    root: Path, files: dict[str, str | bytes] | None = None, **overrides: Any
) -> BuiltSite:
    """Write `files` under `root/vault`, build into `root/out`, return the built site."""
    vault = write_vault(root / "vault", files or {})
    out = root / "out"
    result = build(vault, out, overrides)
    return BuiltSite(out, result)


def render_note(
    root: Path, body: str, others: dict[str, str] | None = None, name: str = "Test.md"
) -> LexborNode:
    """Build a vault whose note `name` (published) has `body`; return its `.note-body` node.

    `others` are more files (use `published(...)` for notes that should be public).
    """
    files: dict[str, str | bytes] = {name: PUBLISHED + textwrap.dedent(body)}
    files.update(others or {})
    site = build_vault(root, files)
    note = next(n for n in site.result.site.notes if n.rel_path == name)  # type: ignore[union-attr]
    return site.body(note.url)


def inner_html(node: LexborNode) -> str:
    return node.inner_html or ""


# Debian's Chromium (Playwright's own browser download cannot work here) and its flags, for
# every browser test.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def slow_template() -> str:
    """The theme's note page, made to spin on the note titled `zz Slow` until interrupted
    (put it in a vault's `.trellis/templates/note.html`)."""
    source = (THEME_TEMPLATES / "note.html").read_text(encoding="utf-8")
    spin = "{% if page.title == 'zz Slow' %}{% for _ in range(10 ** 12) %}{% endfor %}{% endif %}"
    slow = source.replace("{% block content %}", "{% block content %}" + spin, 1)
    assert slow != source, "templates/note.html has no content block to hook into"
    return slow


def interrupt_when(
    process: subprocess.Popen[str], ready: Callable[[], bool], sig: signal.Signals, never: str
) -> str:
    """Send `sig` to a build held by `slow_template` once `ready()` (failing with `never` if
    it is not within 60 s); its stderr. The process is never left running."""
    try:
        deadline = time.monotonic() + 60
        while not ready():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, never
            time.sleep(0.01)
        time.sleep(0.1)
        assert process.poll() is None, "the build finished: the slow template did not hold it"
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return stderr
