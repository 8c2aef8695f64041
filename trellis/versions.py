"""What a build's output depends on besides the vault and its settings: Trellis itself and
the libraries that shape its HTML. A build cache or "nothing changed" signature recorded
under other versions is not reused (a newer Pygments names its CSS classes differently,
while the stylesheet is generated fresh on every build).

Trellis is named by a digest of its own code, not only its version number: an editable
install (or a patched one) changes the code without a new version, and a cache that
trusted the number would keep pages the new code renders differently."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from trellis import __version__

# Distributions whose release can change a byte Trellis writes.
SHAPING_OUTPUT = (
    "markdown-it-py",
    "mdit-py-plugins",
    "linkify-it-py",
    "pygments",
    "nh3",
    "jinja2",
    "python-frontmatter",
    "pyyaml",
    "feedgen",
    "regex",
    "pagefind",
)


@cache
def output_versions() -> tuple[str, ...]:
    """`trellis <version>` and `<name> <version>` of each library in `SHAPING_OUTPUT`."""
    found = [f"trellis {__version__} {code_digest(Path(__file__).resolve().parent)}"]
    for name in SHAPING_OUTPUT:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return tuple(found)


def code_digest(package: Path) -> str:
    """A digest of the package's Python files (about 1 MB: a few milliseconds, once)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
