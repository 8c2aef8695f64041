"""Copy the attachments that published notes use, and only those.

Each is read through one checked descriptor (`CheckedPath.open`) and must hash as it did
when it was checked (`trellis.public.attachments`): a file swapped after the scan, for a
symlink or for other bytes, is not copied. The same code serves a whole build and the
preview's in-place edits (`trellis.edits`).
"""

from __future__ import annotations

from collections.abc import Iterable

from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicAttachment


def copy_attachment(attachment: PublicAttachment, writer: OutputWriter) -> bool:
    """Copy one attachment to its URL; True if it was written (else a warning says why)."""
    source = attachment.source
    return writer.copy_file(
        attachment.output_path, source.file, digest=attachment.digest, shown=source.rel_path
    )


def emit_attachments(attachments: Iterable[PublicAttachment], writer: OutputWriter) -> int:
    return sum(copy_attachment(attachment, writer) for attachment in attachments)
