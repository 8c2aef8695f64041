"""Whether a link names a private note: for the owner's warning, and nothing else.

Links are resolved against published notes only, so on the site a link to a private note
looks exactly like a link to a missing one. The owner, reading the build's warnings, should
still hear which it is ("links to a private note" is often deliberate; a missing note is a
typo). This index of every note answers that yes-or-no question and nothing more; it lives
beside the link graph, not in `PublicSite`, and no page is made from it.
"""

from __future__ import annotations

from trellis.model.index import PathIndex
from trellis.public.site import PublicSite, note_aliases
from trellis.vault.records import Vault


def private_names(vault: Vault) -> list[tuple[str, tuple[str, ...]]]:
    """Every note's vault path and aliases, published or not."""
    return [(note.rel_path, note_aliases(note)) for note in vault.notes]


class PrivateNames:
    """Made on the first question (a build with no link to nowhere asks none)."""

    def __init__(self, vault: Vault, site: PublicSite) -> None:
        # Names only: the graph holding this outlives the build in `serve`, bodies must not.
        self._names = private_names(vault)
        self._published = {note.rel_path for note in site.notes}
        self._index: PathIndex[str] | None = None

    @property
    def names(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every note's vault path and aliases (`private_names`), as this index has them."""
        return self._names

    def is_private(self, target: str, source_folder: str) -> bool:
        """True when the link target (`Note`, `Folder/Note`, an alias) names a private note."""
        if self._index is None:
            self._index = PathIndex()
            for rel_path, aliases in self._names:
                self._index.add(rel_path, rel_path, aliases)
            self._index.finish()
        match = self._index.resolve(target, source_folder)
        return match is not None and match.item not in self._published
