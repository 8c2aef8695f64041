"""Build every real vault in ../shared/corpora and count Obsidian syntax left unrendered.

Run by tests/test_corpora.py (and by hand: `python tests/corpora_check.py [CORPORA_DIR]`).
A count is the number of raw `[[`, `![[`, `[!`, `==`, `%%`, `\\|` or `{ #` left in the visible
text of the built pages, outside code, math and preformatted blocks. Besides, every internal
`href`/`src` of every written page is followed: `broken` lists those leading to no file (and
`anchors` those whose `#id` is not on the page they reach), and `bogus_tags` counts tag pages
named by a markdown-it-attrs block id (`{ #75f403}`). The goal is zero, except the author
errors listed in corpora_baseline.json.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
MARKERS = ("![[", "[[", "[!", "==", "%%", "\\|", "{ #")
LINKING = {"a": "href", "img": "src", "link": "href", "script": "src", "iframe": "src"}
LINKING |= {"source": "src", "audio": "src", "video": "src"}
_BLOCK_ID = re.compile(r"^\{:?\s*#([^\s{}]+)[^{}]*\}\s*$", re.MULTILINE)
# Vaults and the options they are published with (obsidian-help is an Obsidian Publish vault).
VAULTS = {
    "gardens/topobon": {},
    "gardens/tud1": {},
    "gardens/matematikk": {},
    "obsidian-help": {"publish_all": True},
}
SKIPPED_ELEMENTS = "code, pre, script, style, math, .math, .katex, .mermaid, svg"


@dataclass
class VaultReport:
    name: str
    notes: int = 0
    pages: int = 0
    warnings: int = 0
    seconds: float = 0.0
    leftovers: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)  # "page -> href"
    anchors: list[str] = field(default_factory=list)  # "page -> href#missing-id"
    bogus_tags: list[str] = field(default_factory=list)


def corpora_dir() -> Path | None:
    folder = Path(os.environ.get("TRELLIS_CORPORA", DEFAULT_CORPORA))
    return folder if folder.is_dir() else None


def visible_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    body = tree.css_first(".note-body")
    if body is None:
        return ""
    for node in body.css(SKIPPED_ELEMENTS):
        node.decompose()
    title = tree.css_first("article > h1:not(.inline-title)")  # the body's own opening H1
    return (title.text(separator=" ") + " " if title else "") + body.text(separator=" ")


def count_leftovers(text: str) -> dict[str, int]:
    counts = {}
    for marker in MARKERS:
        counts[marker] = text.count(marker)
    counts["[["] -= counts["![["]  # an embed's `[[` is counted once, as an embed
    return counts


class _Ids:
    """The element ids of each written page, parsed once when a fragment asks for them."""

    def __init__(self) -> None:
        self._ids: dict[Path, set[str]] = {}

    def of(self, page: Path, tree: LexborHTMLParser | None = None) -> set[str]:
        if page not in self._ids:
            tree = tree or LexborHTMLParser(page.read_text(encoding="utf-8", errors="replace"))
            self._ids[page] = {str(node.attributes.get("id")) for node in tree.css("[id]")}
        return self._ids[page]


def _target(out: Path, path: str) -> Path:
    file = out / unquote(path).lstrip("/")
    return file / "index.html" if path.endswith("/") or file.is_dir() else file


def broken_links(out: Path) -> tuple[list[str], list[str]]:
    """("page -> href" leading to no file, "page -> href" whose `#id` is not on its page)."""
    broken, anchors = [], []
    ids = _Ids()
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        url = "/" + rel.removesuffix("index.html")
        tree = LexborHTMLParser(page.read_text(encoding="utf-8", errors="replace"))
        for tag, attribute in LINKING.items():
            for node in tree.css(f"{tag}[{attribute}]"):
                value = str(node.attributes.get(attribute) or "")
                parts = urlsplit(value)
                if not value or parts.scheme or value.startswith("//"):
                    continue
                target = _target(out, urljoin(url, parts.path)) if parts.path else page
                if not target.is_file():
                    broken.append(f"{rel} -> {value}")
                elif (
                    tag == "a"
                    and parts.fragment
                    and target.suffix == ".html"
                    and unquote(parts.fragment)
                    not in ids.of(target, tree if target == page else None)
                ):
                    anchors.append(f"{rel} -> {value}")
    return broken, anchors


def bogus_tags(folder: Path, out: Path) -> list[str]:
    """Tag pages named by a `{ #id}` block id of some note: ids read as tags."""
    block_ids = set()
    for note in folder.rglob("*.md"):
        block_ids |= {m.lower() for m in _BLOCK_ID.findall(note.read_text(errors="replace"))}
    tags = out / "tags"
    pages = {p.parent.relative_to(tags).as_posix() for p in tags.rglob("index.html")}
    return sorted(pages & block_ids)


def check_vault(folder: Path, name: str, options: dict) -> VaultReport:
    from trellis.pipeline import build

    report = VaultReport(name, leftovers=dict.fromkeys(MARKERS, 0))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        result = build(folder, out, options)
        report.notes = result.notes_published
        report.pages = result.pages_written
        report.warnings = len(result.diagnostics)
        report.seconds = result.seconds
        for note in result.site.notes:  # type: ignore[union-attr]
            text = visible_text((out / note.output_path).read_text(encoding="utf-8"))
            for marker, count in count_leftovers(text).items():
                if count:
                    report.leftovers[marker] += count
                    report.examples.setdefault(marker, []).append(note.rel_path)
        report.broken, report.anchors = broken_links(out)
        report.bogus_tags = bogus_tags(folder, out) if (out / "tags").is_dir() else []
    return report


def check_all(corpora: Path) -> list[VaultReport]:
    return [check_vault(corpora / name, name, options) for name, options in VAULTS.items()]


def format_reports(reports: list[VaultReport]) -> str:
    head = f"{'vault':22} {'notes':>6} {'pages':>6} {'warn':>6} {'s':>6}  " + " ".join(
        f"{m:>5}" for m in MARKERS
    )
    head += "  broken anchors bogus-tags"
    lines = [head]
    for r in reports:
        counts = " ".join(f"{r.leftovers[m]:>5}" for m in MARKERS)
        lines.append(
            f"{r.name:22} {r.notes:>6} {r.pages:>6} {r.warnings:>6} {r.seconds:>6.1f}  {counts}"
            f"  {len(r.broken):>6} {len(r.anchors):>7} {len(r.bogus_tags):>10}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else corpora_dir()
    if folder is None:
        sys.exit("no corpora folder: set TRELLIS_CORPORA or pass its path")
    results = check_all(folder)
    print(format_reports(results))
    for r in results:
        for marker, notes in r.examples.items():
            print(f"{r.name} {marker!r}: {', '.join(sorted(set(notes))[:5])}")
        for line in [*r.broken, *r.anchors][:20]:
            print(f"{r.name}: {line}")
