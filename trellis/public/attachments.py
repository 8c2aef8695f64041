"""Which attachments a published note may publish, and the id each is published under.

A file is published only when it is of a kind the README lists (images, audio, video, PDF)
or of an extension the owner listed in `extra_attachment_extensions`; an SVG only when
`svg_problem` finds it inert, since an SVG opened on its own runs its scripts on the site's
origin, and so would an `.html` file. Nor is a file published that is one of the vault's
notes under another name (a hard link): symlinks are handled where files are found
(`trellis.vault.files`), and this closes the other way a name can lie.

The id in `attachments/<id>/<name>` is a hash of the file's bytes, never of its path, so a
list of likely folder names confirms nothing, and a changed file gets a new URL (browsers
may cache attachments forever). Every check reads the file through one checked descriptor
(`CheckedPath.open`); the copy does so again and must find the same hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from trellis.config import Settings
from trellis.markdown.plugins.media import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    PDF_EXTENSIONS,
    VIDEO_EXTENSIONS,
)
from trellis.public.svg import svg_problem
from trellis.vault.files import file_digest
from trellis.vault.records import Attachment

# The kinds the README lists: what a published note may publish without a setting.
PUBLISHED_KINDS = IMAGE_EXTENSIONS | AUDIO_EXTENSIONS | VIDEO_EXTENSIONS | PDF_EXTENSIONS
# An SVG is parsed whole to be checked; one bigger than this is not published.
MAX_SVG_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Verdict:
    digest: str  # the hash of the bytes checked ("" when refused)
    problem: str | None = None  # why the file is not published


@dataclass
class AttachmentCheck:
    """Decides, once per file and build, whether an attachment may be published."""

    settings: Settings
    note_files: frozenset[tuple[int, int]] = frozenset()
    _verdicts: dict[str, Verdict] = field(default_factory=dict)

    def verdict(self, attachment: Attachment) -> Verdict:
        known = self._verdicts.get(attachment.rel_path)
        if known is None:
            known = self._verdicts[attachment.rel_path] = self._decide(attachment)
        return known

    def _decide(self, attachment: Attachment) -> Verdict:
        extension = attachment.suffix.lstrip(".")
        listed = extension in self.settings.extra_attachment_extensions
        if not listed and extension not in PUBLISHED_KINDS:
            return Verdict(
                "",
                f"files of kind .{extension} are not published (only images, audio, video "
                "and PDF; see extra_attachment_extensions)",
            )
        try:
            with attachment.file.open() as (handle, info):
                if (info.st_dev, info.st_ino) in self.note_files:
                    return Verdict("", "this file is also a note of the vault (a hard link)")
                if listed or extension != "svg":
                    return Verdict(file_digest(handle))
                data = handle.read(MAX_SVG_BYTES + 1)
        except OSError as error:
            return Verdict("", f"cannot read it: {error.strerror or error}")
        if len(data) > MAX_SVG_BYTES:
            return Verdict("", f"SVG over {MAX_SVG_BYTES // (1024 * 1024)} MB, too big to check")
        problem = svg_problem(data)
        if problem:
            return Verdict("", problem)
        return Verdict(hashlib.blake2b(data, digest_size=8).hexdigest())
