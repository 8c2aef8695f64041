"""Copy the attachments that published notes use, and only those."""

from __future__ import annotations

from trellis.diagnostics import Diagnostics
from trellis.emit.writer import OutputWriter
from trellis.public.site import PublicSite


def emit_attachments(site: PublicSite, writer: OutputWriter, diagnostics: Diagnostics) -> int:
    count = 0
    for attachment in site.attachments:
        if not attachment.source.abs_path.is_file():
            diagnostics.warn(attachment.source.rel_path, "attachment vanished during the build")
            continue
        writer.copy_file(attachment.output_path, attachment.source.abs_path)
        count += 1
    return count
