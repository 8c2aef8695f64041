"""The names around an output folder: its marker file, staging and old folders, its cache.

Apart from `trellis.emit.writer` so that the writer stays one module of a readable size;
everything here is imported from there too.
"""

from __future__ import annotations

from pathlib import Path

MARKER = ".trellis-site"
SITE_MARK = "Written by Trellis; replaced on every build.\n"
STAGING_SUFFIX = ".trellis-new"
OLD_SUFFIX = ".trellis-old"
# Beside a file replaced in place (`InPlaceWriter`): `.<name>.trellis-tmp`.
TEMPORARY_SUFFIX = ".trellis-tmp"


def cache_path(out: Path, folder: Path | None = None) -> Path:
    """The build cache of the output folder `out`: in `folder` (setting `cache_dir`), else
    beside the output folder; never inside it, so it is never deployed."""
    out = out.absolute()
    if folder is not None:
        return folder / f"{out.name}.trellis-cache"
    return out.parent / f".{out.name}.trellis-cache"


def _holds_marker(folder: Path, text: str | None = None) -> bool:
    """Is `folder` a real folder with our marker file in it (saying `text`, if given)?"""
    marker = folder / MARKER
    if folder.is_symlink() or not folder.is_dir() or marker.is_symlink() or not marker.is_file():
        return False
    try:
        return text is None or marker.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def site_finished(out: Path) -> bool:
    """Does `out` hold a site a build finished (not one an update in place left midway)?"""
    return _holds_marker(out, SITE_MARK)
