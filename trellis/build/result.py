"""What a build reports: progress while it runs (`Progress`), and its result (`BuildResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.public.graph import LinkGraph
from trellis.public.site import PublicSite


class Progress:
    """Told about phases and steps; the command line shows them, tests ignore them."""

    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class BuildResult:
    settings: Settings
    diagnostics: Diagnostics
    notes_published: int = 0
    pages_written: int = 0
    pages_rendered: int = 0  # pages whose HTML was made this time (the rest were reused)
    attachments_copied: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    site: PublicSite | None = None
    graph: LinkGraph | None = None
    unchanged: bool = False  # nothing changed since the last build: its output was kept
