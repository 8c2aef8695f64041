"""Where the installed package keeps the theme: its `templates/` and `static/` folders.

A wheel carries them inside the package as `trellis/data/templates` and `trellis/data/static`
(see setup.py), found here through `importlib.resources`, so an installed Trellis never
depends on where it was built. A source checkout (an editable install, or the repository on
`sys.path`) has no `trellis/data/`: there the theme is the repository's top-level folders,
beside the `trellis` package. setuptools cannot map data folders into an editable install
(its editable finder only maps importable packages), so this one fallback stays, and it is
taken only beside a `pyproject.toml`, never from an arbitrary folder of site-packages.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGED = "data"
THEME_FOLDERS = ("templates", "static")


def theme_folder(name: str) -> Path:
    """The theme's `templates` or `static` folder of the running Trellis."""
    assert name in THEME_FOLDERS, name
    packaged = resources.files("trellis").joinpath(PACKAGED, name)
    if packaged.is_dir():
        # Installed packages are plain folders (pip unpacks wheels), so this is a real path.
        return Path(str(packaged)).resolve()
    checkout = Path(str(resources.files("trellis"))).resolve().parent
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    # Missing: the caller reports the template or asset it could not find.
    return Path(str(packaged))
