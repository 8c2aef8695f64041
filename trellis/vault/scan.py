"""Walk a vault folder and read every note.

A vault is a folder of `*.md` notes and other files (attachments). Names starting with `.`
(`.obsidian/`, `.trash/`, `.trellis/`) are not part of it, nor is the output folder when it
lies inside the vault. Symlinks are followed only when they point inside the vault.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from trellis.config import SETTINGS_FILE
from trellis.diagnostics import Diagnostics
from trellis.vault.frontmatter import split_frontmatter
from trellis.vault.records import Attachment, SourceNote, Vault

# A `.md` file with more NUL bytes than this share of its size is binary, not a note.
_BINARY_NUL_SHARE = 0.01


def walk_vault(
    root: Path, exclude: Iterable[Path], diagnostics: Diagnostics
) -> tuple[list[str], list[str]]:
    """Vault-relative POSIX paths of the notes and of the other files, sorted."""
    root = root.resolve()
    excluded = {p.resolve() for p in exclude}
    notes: list[str] = []
    others: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        kept = []
        for name in sorted(dirs):
            path = here / name
            if name.startswith(".") or path in excluded:
                continue
            if path.is_symlink():
                rel = path.relative_to(root).as_posix()
                diagnostics.warn(rel, "symlinked folder not followed")
                continue
            kept.append(name)
        dirs[:] = kept
        for name in files:
            if name.startswith("."):
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    diagnostics.warn(rel, "broken symlink skipped")
                    continue
                if not target.is_relative_to(root) or not target.is_file():
                    diagnostics.warn(rel, "symlink pointing outside the vault not followed")
                    continue
            if name.lower().endswith(".md"):
                notes.append(rel)
            elif rel != SETTINGS_FILE:
                others.append(rel)
    return sorted(notes), sorted(others)


def decode_note(data: bytes, rel_path: str, diagnostics: Diagnostics) -> str | None:
    """Bytes to text with LF line endings; `None` for a binary file named `.md`."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nuls = data.count(b"\x00")
    if nuls:
        if nuls > max(1, len(data) * _BINARY_NUL_SHARE):
            diagnostics.warn(rel_path, "binary file with a .md name skipped")
            return None
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        diagnostics.warn(rel_path, f"{nuls} NUL byte(s) removed", line)
        data = data.replace(b"\x00", b"")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        diagnostics.warn(rel_path, "not valid UTF-8; undecodable bytes shown as \ufffd", line)
        text = data.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_note(root: Path, rel_path: str, diagnostics: Diagnostics) -> SourceNote | None:
    path = root / rel_path
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
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
        mtime=mtime,
        frontmatter_ok=parsed.ok,
        content_hash=hashlib.blake2b(data, digest_size=16).hexdigest(),
    )


def read_vault(root: Path, diagnostics: Diagnostics, exclude: Iterable[Path] = ()) -> Vault:
    """Every note (with frontmatter) and every attachment of the vault at `root`."""
    root = root.resolve()
    note_paths, other_paths = walk_vault(root, exclude, diagnostics)
    vault = Vault(root=root)
    for rel in note_paths:
        note = read_note(root, rel, diagnostics)
        if note is not None:
            vault.notes.append(note)
    vault.attachments = [Attachment(rel, root / rel) for rel in other_paths]
    return vault
