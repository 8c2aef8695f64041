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


class PrivateNames:
    def __init__(self, vault: Vault, site: PublicSite) -> None:
        published = {note.rel_path for note in site.notes}
        self._private: set[str] = set()
        self._index: PathIndex[str] = PathIndex()
        for note in vault.notes:
            self._index.add(note.rel_path, note.rel_path, note_aliases(note))
            if note.rel_path not in published:
                self._private.add(note.rel_path)
        self._index.finish()

    def is_private(self, target: str, source_folder: str) -> bool:
        """True when the link target (`Note`, `Folder/Note`, an alias) names a private note."""
        match = self._index.resolve(target, source_folder)
        return match is not None and match.item in self._private
