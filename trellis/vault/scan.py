"""Walk a vault folder and read every note.

A vault is a folder of `*.md` notes and other files (attachments). Names starting with `.`
(`.obsidian/`, `.trash/`, `.trellis/`) are not part of it, nor is the output folder when it
lies inside the vault. Whatever the walk meets, it warns and goes on; only regular files
are read, so a named pipe or a device named `x.md` cannot hang or crash the build.

Files are found and opened by `trellis.vault.files`, whose rules decide which symlinks are
followed (a symlinked note inside the vault is read under its own name too, as Obsidian
lists it) and make sure the file read is the one checked.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from trellis.config import SETTINGS_FILE
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.vault.files import (
    CheckedPath,
    FileTree,
    FolderDescriptors,
    Found,
    NotRegularFile,
    read_to_end,
    walk,
)
from trellis.vault.frontmatter import FENCE_BYTES, FrontmatterMemo, split_frontmatter
from trellis.vault.history import git_blob, read_history
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
# A note (or a folder above it) that became a symlink after the walk found it: never read.
SWAPPED_FOR_A_LINK = "turned into a symlink while the site was built; not read"


def walk_vault(
    root: Path, exclude: Iterable[Path], diagnostics: Diagnostics
) -> tuple[list[str], list[str]]:
    """Vault-relative POSIX paths of the notes and of the other files, sorted."""
    entries = _walk(root.resolve(), exclude, diagnostics)
    notes = [e.rel_path for e in entries if _is_note(e.rel_path)]
    others = [e.rel_path for e in entries if not _is_note(e.rel_path)]
    return notes, others


def _walk(
    root: Path,
    exclude: Iterable[Path],
    diagnostics: Diagnostics,
    skipped: list[tuple[str, str]] | None = None,
) -> list[Found]:
    found = walk(FileTree.of(root, root, exclude), diagnostics, skipped)
    return [entry for entry in found if entry.rel_path != SETTINGS_FILE]


@dataclass(frozen=True)
class VaultWalk:
    """Every file of the vault at `root` as one walk found it, with the entries it skipped
    (name, why) and its warnings: the build's scan walks once (`trellis.signature`) and
    `read_vault` takes this instead of walking again (a second walk of 50,000 notes cost
    about a second)."""

    root: Path  # resolved
    found: list[Found]
    skipped: list[tuple[str, str]]
    warnings: list[Diagnostic]


def walk_files(root: Path, exclude: Iterable[Path]) -> VaultWalk:
    """Walk the vault at `root` (`exclude`d folders left out), warnings kept for `read_vault`."""
    root = root.resolve()
    said = Diagnostics()
    skipped: list[tuple[str, str]] = []
    found = walk(FileTree.of(root, root, exclude), said, skipped)
    return VaultWalk(root, found, skipped, said.items)


def _is_note(rel_path: str) -> bool:
    return rel_path.lower().endswith(".md")


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


# Starts after which `decode_note` may do more than decode UTF-8 (a BOM, UTF-16, binary).
_SPECIAL_STARTS = (*_BINARY_MAGIC, b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _plain_parts(data: bytes) -> tuple[str, bytes] | None:
    """(the text up to the body, the body's bytes) of a note that `decode_note` would only
    decode (valid UTF-8, no BOM, NUL, CR or binary start) and whose frontmatter is closed;
    None for any other. Why: decoding every note whole, then encoding its body back to
    UTF-8 (`CompactText`), was most of reading an unchanged note."""
    if data.startswith(_SPECIAL_STARTS) or b"\x00" in data or b"\r" in data:
        return None
    opening = FENCE_BYTES.match(data)
    start = 0
    if opening is not None:
        closing = FENCE_BYTES.search(data, opening.end())
        if closing is None:  # an unclosed fence: the whole text is the body
            return None
        start = closing.end() + (data[closing.end() : closing.end() + 1] == b"\n")
    body = data[start:]
    try:
        header = data[:start].decode("utf-8")
        if not body.isascii():
            body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return header, body


# A note the build's scan already read: its bytes, `fstat`, and the blake2b-16 of its bytes
# (`trellis.signature.NoteBytes`).
ReadBytes = tuple[bytes, os.stat_result, str]


def read_note(
    root: Path,
    rel_path: str,
    diagnostics: Diagnostics,
    file: CheckedPath | None = None,
    in_git: bool = True,
    frontmatter: FrontmatterMemo | None = None,
    read: ReadBytes | None = None,
    folders: FolderDescriptors | None = None,
) -> SourceNote | None:
    """The note at `rel_path` (read from `file` when the walk found it), or None.

    Without `file`, `rel_path` is a real name under `root` and the symlink rule applies.
    `in_git=False` skips the git blob id (a SHA-1 of every byte) a vault outside git never uses.
    `frontmatter` holds the blocks the last build parsed. `read`: the note's bytes as the
    scan read them through `file`'s checks, taken instead of reading it again. `folders`:
    the descriptors a scan keeps open (for `file.base`), to open the note from.
    """
    if read is not None:
        data, info, content_hash = read
        if len(data) > MAX_NOTE_BYTES:
            diagnostics.warn(rel_path, "note grew past the size limit while read; skipped")
            return None
        assert file is not None, "a note read by the scan was found by the walk"
        found = (data, info)
        return _note_of(rel_path, file, found, diagnostics, in_git, frontmatter, content_hash)
    if file is None:
        located = FileTree.of(root, root).locate(rel_path)
        if isinstance(located, str):
            diagnostics.warn(rel_path, located)
            return None
        file = located
    try:
        if folders is None:
            with FolderDescriptors(file.base) as alone:
                data, info = _read(file, alone)
        else:
            data, info = _read(file, folders)
    except NotRegularFile as error:
        diagnostics.warn(rel_path, f"{error.strerror}; skipped")
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:  # the checked open met a symlink the walk did not
            diagnostics.warn(rel_path, SWAPPED_FOR_A_LINK)
        else:
            diagnostics.warn(rel_path, f"cannot read note: {error.strerror or error}")
        return None
    if info.st_size > MAX_NOTE_BYTES:
        size = info.st_size / (1024 * 1024)
        limit = MAX_NOTE_BYTES // (1024 * 1024)
        diagnostics.warn(rel_path, f"note is {size:.0f} MB, more than {limit} MB; skipped")
        return None
    if len(data) > MAX_NOTE_BYTES:
        diagnostics.warn(rel_path, "note grew past the size limit while read; skipped")
        return None
    return _note_of(rel_path, file, (data, info), diagnostics, in_git, frontmatter)


def _read(file: CheckedPath, folders: FolderDescriptors) -> tuple[bytes, os.stat_result]:
    """The bytes of the note `file` (none when it is too big to read) and its `fstat`."""
    fd, info = folders.open(file)
    try:
        if info.st_size > MAX_NOTE_BYTES:
            return b"", info
        return read_to_end(fd, info.st_size, MAX_NOTE_BYTES), info
    finally:
        os.close(fd)


def _note_of(
    rel_path: str,
    file: CheckedPath,
    read: tuple[bytes, os.stat_result],
    diagnostics: Diagnostics,
    in_git: bool,
    frontmatter: FrontmatterMemo | None,
    content_hash: str = "",
) -> SourceNote | None:
    """The note of the bytes read (its frontmatter split off), or None for a binary file."""
    data, info = read
    plain = _plain_parts(data)
    if plain is not None:  # the frontmatter decoded alone; the body kept as its UTF-8
        header, body = plain
        parsed = split_frontmatter(header, frontmatter, rel_path)
    else:
        text = decode_note(data, rel_path, diagnostics)
        if text is None:
            return None
        parsed = split_frontmatter(text, frontmatter, rel_path)
        body = parsed.body
    for line, message in parsed.problems:
        diagnostics.warn(rel_path, f"{message} (note kept private)", line)
    return SourceNote(
        rel_path=rel_path,
        abs_path=file.path,
        meta=parsed.meta,
        body=body,  # type: ignore[arg-type]  # (`CompactText` takes UTF-8 too)
        body_line=parsed.body_line,
        mtime=info.st_mtime,
        frontmatter_ok=parsed.ok,
        content_hash=content_hash or hashlib.blake2b(data, digest_size=16).hexdigest(),
        meta_lines=parsed.key_lines,
        file_id=(info.st_dev, info.st_ino),
        git_blob=git_blob(data) if in_git else "",
    )


def read_vault(
    root: Path,
    diagnostics: Diagnostics,
    exclude: Iterable[Path] = (),
    git_dates: bool = True,
    frontmatter: FrontmatterMemo | None = None,
    already_read: MutableMapping[str, ReadBytes] | None = None,
    walked: VaultWalk | None = None,
) -> Vault:
    """Every note (with frontmatter) and every attachment of the vault at `root`; with
    `git_dates`, each note's commit history when the vault is in a git repository;
    `frontmatter`: the blocks the last build parsed, and those this one parses.

    `already_read`: notes the build's scan read (`InputSignature.notes_read`), by name;
    each is taken out of it (its bytes are not kept twice) instead of being read again.
    `walked`: the files the build's scan found under `root` with the same `exclude`
    (`walk_files`), taken instead of walking again.
    """
    root = root.resolve()
    vault = Vault(root=root)
    history = read_history(root) if git_dates else {}
    read = already_read if already_read is not None else {}
    if walked is not None and walked.root == root:
        diagnostics.extend(walked.warnings)
        vault.skipped.extend(walked.skipped)
        entries = [entry for entry in walked.found if entry.rel_path != SETTINGS_FILE]
    else:
        entries = _walk(root, exclude, diagnostics, vault.skipped)
    with FolderDescriptors(root) as folders:
        for entry in entries:
            if _is_note(entry.rel_path):
                note = read_note(
                    root,
                    entry.rel_path,
                    diagnostics,
                    entry.file,
                    bool(history),
                    frontmatter,
                    read.pop(entry.rel_path, None),
                    folders,
                )
                if note is not None:
                    note.history = history.get(note.rel_path)
                    vault.notes.append(note)
            else:
                vault.attachments.append(Attachment(entry.rel_path, entry.file))
    return vault
