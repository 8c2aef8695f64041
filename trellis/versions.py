"""What a build's output depends on besides the vault and its settings: Trellis itself and
the libraries that shape its HTML. A build cache or "nothing changed" signature recorded
under other versions is not reused (a newer Pygments names its CSS classes differently,
while the stylesheet is generated fresh on every build)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

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
    found = [f"trellis {__version__}"]
    for name in SHAPING_OUTPUT:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return tuple(found)
