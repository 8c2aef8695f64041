"""Walk a vault folder and read every note.

A vault is a folder of `*.md` notes and other files (attachments). Names starting with `.`
(`.obsidian/`, `.trash/`, `.trellis/`) are not part of it, nor is the output folder when it
lies inside the vault. Whatever the walk meets, it warns and goes on; only regular files
are read, so a named pipe or a device named `x.md` cannot hang or crash the build.

Symlinks: a symlinked folder is never followed (it could loop, or bring in a whole other
tree). A symlinked file is read, under its own name, only when it points to a regular file
that is itself part of the vault: inside the vault root, not in a dot folder, not in the
output folder. Such a note appears twice, once under each name, as Obsidian lists it too.
A link leading out of the vault, into a dot folder, nowhere, or round in a loop is skipped
with a warning, so nothing the owner keeps outside the vault is ever read.

File names are taken as the owner sees them: NFC-normalised (a vault synced from macOS has
decomposed names, links typed in Obsidian are composed), and bytes that are not UTF-8 are
shown as U+FFFD with a warning (the file is still read from its real path).
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trellis.config import SETTINGS_FILE
from trellis.diagnostics import Diagnostics
from trellis.vault.frontmatter import split_frontmatter
from trellis.vault.records import Attachment, SourceNote, Vault

# A `.md` file is binary when NUL bytes are more than this share of it (and more than a stray
# few), or when it is not UTF-8 and other C0 control bytes, which text does not use, are.
# Valid UTF-8 with odd controls is still text: the note is shown, not dropped.
_BINARY_CONTROL_SHARE = 0.01
_BINARY_CONTROL_MIN = 2
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)])
# Files that start like these are binary whatever their name says.
_BINARY_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"PK\x03\x04",  # zip, docx, xlsx, epub
    b"\x7fELF",
    b"SQLite format 3\x00",
    b"\x1f\x8b",  # gzip
)
# A note bigger than this is skipped: it is almost surely not a note, and parsing it would
# take most of the build (Markdown renders at about 2-3 MB/s).
MAX_NOTE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class _Entry:
    """One file found by the walk: its name in the vault and where to read it."""

    rel_path: str
    abs_path: Path
    is_note: bool


def walk_vault(
    root: Path, exclude: Iterable[Path], diagnostics: Diagnostics
) -> tuple[list[str], list[str]]:
    """Vault-relative POSIX paths of the notes and of the other files, sorted."""
    entries = _walk(root.resolve(), exclude, diagnostics)
    notes = [e.rel_path for e in entries if e.is_note]
    others = [e.rel_path for e in entries if not e.is_note]
    return notes, others


def _walk(root: Path, exclude: Iterable[Path], diagnostics: Diagnostics) -> list[_Entry]:
    excluded = {p.resolve() for p in exclude}
    found: dict[str, _Entry] = {}
    pending: list[tuple[Path, str]] = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            diagnostics.warn(
                prefix.rstrip("/") or ".", f"cannot read folder: {error.strerror or error}"
            )
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            path = Path(child.path)
            rel = prefix + _display_name(child.name, diagnostics, prefix)
            if path in excluded:
                continue
            try:
                if child.is_symlink():
                    target = _symlink_target(path, rel, root, excluded, diagnostics)
                    if target is None:
                        continue
                    mode = target.stat().st_mode
                elif child.is_file(follow_symlinks=False):  # the usual case: no stat call
                    mode = stat.S_IFREG
                elif child.is_dir(follow_symlinks=False):
                    mode = stat.S_IFDIR
                else:
                    mode = child.stat(follow_symlinks=False).st_mode
            except OSError as error:
                diagnostics.warn(rel, f"cannot read: {error.strerror or error}")
                continue
            if stat.S_ISDIR(mode):
                if child.is_symlink():
                    diagnostics.warn(rel, "symlinked folder not followed")
                else:
                    pending.append((path, rel + "/"))
                continue
            if not stat.S_ISREG(mode):
                diagnostics.warn(rel, f"not a regular file ({_kind(mode)}); skipped")
                continue
            if rel == SETTINGS_FILE:
                continue
            if rel in found:
                diagnostics.warn(
                    rel, "another file has the same name once normalised; this one is skipped"
                )
                continue
            found[rel] = _Entry(rel, path, rel.lower().endswith(".md"))
    return [found[rel] for rel in sorted(found)]


def _display_name(name: str, diagnostics: Diagnostics, prefix: str) -> str:
    """`name` as text: undecodable bytes become U+FFFD (with a warning), then NFC."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        name = raw.decode("utf-8", errors="replace")
        diagnostics.warn(prefix + name, "file name is not valid UTF-8; shown with \ufffd")
    return unicodedata.normalize("NFC", name)


def _symlink_target(
    path: Path, rel: str, root: Path, excluded: set[Path], diagnostics: Diagnostics
) -> Path | None:
    """Where the symlink at `path` leads, if that is a part of the vault it may read."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        diagnostics.warn(rel, "broken symlink skipped (it leads nowhere or in a loop)")
        return None
    if not target.is_relative_to(root):
        if target.is_dir():
            diagnostics.warn(rel, "symlinked folder not followed (it leads outside the vault)")
        else:
            diagnostics.warn(rel, "symlink pointing outside the vault not followed")
        return None
    inside = target.relative_to(root).parts
    if any(part.startswith(".") for part in inside):
        diagnostics.warn(rel, "symlink into a dot folder not followed (not part of the vault)")
        return None
    if any(target == p or target.is_relative_to(p) for p in excluded):
        diagnostics.warn(rel, "symlink into the output folder not followed")
        return None
    return target


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def looks_binary(data: bytes) -> bool:
    """Is `data` (a file named `.md`) an image, archive or other binary, rather than text?"""
    if data.startswith(_BINARY_MAGIC):
        return True
    limit = max(_BINARY_CONTROL_MIN, len(data) * _BINARY_CONTROL_SHARE)
    if data.count(b"\x00") > limit:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls <= limit:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def decode_note(data: bytes, rel_path: str, diagnostics: Diagnostics) -> str | None:
    """Bytes to text with LF line endings; `None` for a binary file named `.md`.

    UTF-8 (with or without BOM) is what Obsidian writes; UTF-16 with a BOM (Windows
    Notepad) is decoded too. Anything else is read as UTF-8 with replacement characters.
    """
    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
        if text is not None and looks_binary(text.encode("utf-8", errors="replace")):
            diagnostics.warn(rel_path, "binary file with a .md name skipped")
            return None
    if text is None:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if looks_binary(data):
            diagnostics.warn(rel_path, "binary file with a .md name skipped")
            return None
        nuls = data.count(b"\x00")
        if nuls:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            diagnostics.warn(rel_path, f"{nuls} NUL byte(s) removed", line)
            data = data.replace(b"\x00", b"")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            diagnostics.warn(rel_path, "not valid UTF-8; undecodable bytes shown as \ufffd", line)
            text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff").replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_note(
    root: Path, rel_path: str, diagnostics: Diagnostics, abs_path: Path | None = None
) -> SourceNote | None:
    """The note at `rel_path` (read from `abs_path` when its real name differs), or None."""
    path = abs_path or root / rel_path
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            diagnostics.warn(rel_path, f"not a regular file ({_kind(info.st_mode)}); skipped")
            return None
        if info.st_size > MAX_NOTE_BYTES:
            size = info.st_size / (1024 * 1024)
            diagnostics.warn(
                rel_path,
                f"note is {size:.0f} MB, more than {MAX_NOTE_BYTES // (1024 * 1024)} MB; skipped",
            )
            return None
        data = path.read_bytes()
    except OSError as error:
        diagnostics.warn(rel_path, f"cannot read note: {error.strerror or error}")
        return None
    text = decode_note(data, rel_path, diagnostics)
    if text is None:
        return None
    parsed = split_frontmatter(text)
    for line, message in parsed.problems:
        diagnostics.warn(rel_path, f"{message} (note kept private)", line)
    return SourceNote(
        rel_path=rel_path,
        abs_path=path,
        meta=parsed.meta,
        body=parsed.body,
        body_line=parsed.body_line,
        mtime=info.st_mtime,
        frontmatter_ok=parsed.ok,
        content_hash=hashlib.blake2b(data, digest_size=16).hexdigest(),
        meta_lines=parsed.key_lines,
    )


def read_vault(root: Path, diagnostics: Diagnostics, exclude: Iterable[Path] = ()) -> Vault:
    """Every note (with frontmatter) and every attachment of the vault at `root`."""
    root = root.resolve()
    vault = Vault(root=root)
    for entry in _walk(root, exclude, diagnostics):
        if entry.is_note:
            note = read_note(root, entry.rel_path, diagnostics, entry.abs_path)
            if note is not None:
                vault.notes.append(note)
        else:
            vault.attachments.append(Attachment(entry.rel_path, entry.abs_path))
    return vault
