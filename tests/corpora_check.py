"""Build every real vault in ../shared/corpora and count Obsidian syntax left unrendered.

Run by tests/test_corpora.py (and by hand: `python tests/corpora_check.py [CORPORA_DIR]`).
A count is the number of raw `[[`, `![[`, `[!`, `==`, `%%` or `\\|` left in the visible text
of the built pages, outside code, math and preformatted blocks. The goal is zero.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
MARKERS = ("![[", "[[", "[!", "==", "%%", "\\|")
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
    return body.text(separator=" ")


def count_leftovers(text: str) -> dict[str, int]:
    counts = {}
    for marker in MARKERS:
        counts[marker] = text.count(marker)
    counts["[["] -= counts["![["]  # an embed's `[[` is counted once, as an embed
    return counts


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
    return report


def check_all(corpora: Path) -> list[VaultReport]:
    return [check_vault(corpora / name, name, options) for name, options in VAULTS.items()]


def format_reports(reports: list[VaultReport]) -> str:
    head = f"{'vault':22} {'notes':>6} {'pages':>6} {'warn':>6} {'s':>6}  " + " ".join(
        f"{m:>5}" for m in MARKERS
    )
    lines = [head]
    for r in reports:
        counts = " ".join(f"{r.leftovers[m]:>5}" for m in MARKERS)
        lines.append(
            f"{r.name:22} {r.notes:>6} {r.pages:>6} {r.warnings:>6} {r.seconds:>6.1f}  {counts}"
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
