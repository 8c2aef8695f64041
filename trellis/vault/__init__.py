"""Reading a vault: which files it holds, and each note's frontmatter and text.

Nothing here decides what is published; `trellis.public` does, from these records.
"""

from trellis.vault.records import Attachment, SourceNote, Vault
from trellis.vault.scan import read_vault

__all__ = ["Attachment", "SourceNote", "Vault", "read_vault"]
