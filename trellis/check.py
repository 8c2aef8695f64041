"""`trellis check`: what a build would publish, and which published notes point at private ones.

This is the one place that looks at private notes next to public ones on purpose, to show
the author (on their own terminal, never in the site) where a published note links to or
embeds a note that stays private, so they can review before deploying; and which files
were left out: symlinks the rules refuse, attachments of a kind or content not published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellis.config import load_settings
from trellis.diagnostics import Diagnostics, FatalError, printable
from trellis.model.index import PathIndex
from trellis.public.site import PublicSite, build_public_site, looks_like_file, note_aliases
from trellis.render.notes import NoteRenderer
from trellis.render.queries import BOARD_EXTENSIONS, prepare_queries
from trellis.vault.records import SourceNote
from trellis.vault.scan import read_vault


@dataclass(frozen=True)
class PrivateLink:
    source: str  # the published note's vault path
    line: int
    target: str  # as written
    private: str  # the private note it names
    html: bool = False  # an `<a>` of raw HTML rather than a wikilink


@dataclass
class CheckReport:
    published: list[tuple[str, str]] = field(default_factory=list)  # (vault path, URL)
    private_count: int = 0
    private_links: list[PrivateLink] = field(default_factory=list)
    # Files left out: refused symlinks, attachments of a kind or content not published.
    skipped: list[str] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    site: PublicSite | None = None


def check_vault(vault: Path, overrides: dict[str, Any] | None = None) -> CheckReport:
    if not vault.is_dir():
        raise FatalError(f"no such vault folder: {vault}")
    report = CheckReport()
    settings = load_settings(vault, overrides or {}, report.diagnostics)
    source = read_vault(vault, report.diagnostics, git_dates=False)  # no dates shown
    site = build_public_site(source, settings, report.diagnostics)
    report.site = site
    published = {note.rel_path for note in site.notes}
    report.published = [(note.rel_path, note.url) for note in site.notes]
    everything: PathIndex[SourceNote] = PathIndex()
    for note in source.notes:
        everything.add(note.rel_path, note, note_aliases(note))
    everything.finish()
    report.private_count = len(source.notes) - len(published)
    notes = NoteRenderer(site, report.diagnostics)
    notes.parse_all()
    # Queries that cannot be evaluated, and missing bases or canvases, are warned about.
    prepare_queries(site, notes, report.diagnostics, source.attachments)
    report.skipped = [f"{path}: {why}" for path, why in source.skipped]
    for note in site.notes:
        assert note.content is not None
        for link in note.content.links:
            path = link.target.partition("#")[0].strip()
            if not path or site.resolve(link.target, note) is not None:
                continue
            refused = site.attachment_problem(path, note)
            if refused and not path.lower().endswith(BOARD_EXTENSIONS):
                report.skipped.append(f"{note.rel_path}:{link.line}: {path}: {refused}")
            if looks_like_file(path):
                continue
            match = everything.resolve(path, note.rel_path.rpartition("/")[0])
            if match is not None and match.item.rel_path not in published:
                report.private_links.append(
                    PrivateLink(
                        note.rel_path, link.line, link.target, match.item.rel_path, link.html
                    )
                )
    return report


def format_report(report: CheckReport) -> str:
    lines = [f"{len(report.published)} notes would be published ({report.private_count} private):"]
    lines += [f"  {url}  <-  {path}" for path, url in report.published]
    if report.private_links:
        lines.append(f"{len(report.private_links)} links from published notes to private ones:")
        lines += [
            f"  {link.source}:{link.line}: {_written(link)} -> {link.private} (private)"
            for link in report.private_links
        ]
    else:
        lines.append("No published note links to a private one.")
    if report.skipped:
        lines.append(f"{len(report.skipped)} files left out (symlinks, kinds, unsafe content):")
        lines += [f"  {line}" for line in report.skipped]
    return "\n".join(printable(line) for line in lines)


def _written(link: PrivateLink) -> str:
    return f'<a href="{link.target}">' if link.html else f"[[{link.target}]]"
