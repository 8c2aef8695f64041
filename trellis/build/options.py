"""How a `SiteBuilder` runs, decided once when it is made: frozen, never set afterwards.

Why: the command line, `serve` and tests each want a different mix (write the cache file or
not, keep the model for the preview's fast path, reuse a stale search index); set by
mutation after construction, a flag could change between two builds of one builder, and
one flag silently turned another feature off. Here each choice is a field, and what follows
from them (`workers_allowed`) is a property saying why.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildOptions:
    # Write the cache file beside the output (the command line); `serve` keeps it in memory.
    keep_cache: bool = True
    # Keep the whole model of the last build for `SiteBuilder.apply_edits` (`serve` does).
    keep_live: bool = False
    # Reuse the last search index while pages were only added or changed, marking it stale
    # for `refresh_search` (`serve` does: Pagefind is most of a rebuild).
    defer_search: bool = False

    @property
    def workers_allowed(self) -> bool:
        """Worker processes hold the notes' tokens; the fast path needs them in this process,
        so a builder keeping its model parses and renders in this process."""
        return not self.keep_live

    @classmethod
    def for_preview(cls) -> BuildOptions:
        """What `serve` builds with: the model kept, no cache file, the index refreshed later."""
        return cls(keep_cache=False, keep_live=True, defer_search=True)
