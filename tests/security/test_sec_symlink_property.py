"""Property: for random vaults with random symlinks (into and out of the vault, to notes,
attachments, folders, dot folders, in chains and loops, in the vault and in its `.trellis/`
overrides) and random publish flags, no byte of a private note or of a file outside the
vault reaches the output. Every private or outside file carries a `HOSTILE-PRIVATE-...`
marker; `marker_hits` looks for it in every output path and byte, in any spelling.

Budgets follow tests/test_properties.py (its profiles scale them): one real build per
example, a few seconds in all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hostile_vault import marker_hits
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import PHASES, SLOW, budget  # its profiles (HYPOTHESIS_PROFILE) too

from trellis.pipeline import build

PUBLISHED = "---\ndg-publish: true\n---\n"
PRIVATE_HEADS = ["---\ndg-publish: false\n---\n", "", '---\ndg-publish: "true"\n---\n']
# Where a symlink may lead, relative to the vault root ("@" marks a path outside the vault).
TARGETS = [
    "Private/Secret 0 HOSTILE-PRIVATE-0.md",
    "Private/Secret 1 HOSTILE-PRIVATE-1.md",
    "Private",
    "Public 0.md",
    "Either 0.md",
    "Either 1.md",
    "Media/pic 0.png",
    "Media/pic 1.pdf",
    "Media",
    ".obsidian/Hidden HOSTILE-PRIVATE-DOT.md",
    ".obsidian/hidden.png",
    "@outside HOSTILE-PRIVATE-OUT.md",
    "@outside.png",
    "@outside.svg",
    "@outside.css",
    "@Outside Folder",
    "missing.png",
]
LINK_NAMES = ["link {n}.png", "link {n}.md", "link {n}.pdf", "link {n}.svg", "Link Folder {n}"]
LINK_PLACES = ["", "Media/", "Private/", ".trellis/static/", ".trellis/templates/"]


def _files() -> dict[str, str | bytes]:
    """The fixed part: two public notes, two private ones, attachments, a dot folder."""
    return {
        "Public 0.md": "---\ndg-publish: true\n---\nPublic zero.\n",
        "Media/pic 0.png": b"PNG public picture",
        "Media/pic 1.pdf": b"%PDF public document",
        ".obsidian/Hidden HOSTILE-PRIVATE-DOT.md": f"{PUBLISHED}HOSTILE-PRIVATE-DOT\n",
        ".obsidian/hidden.png": b"PNG HOSTILE-PRIVATE-DOT",
    }


OUTSIDE: dict[str, str | bytes] = {
    "outside HOSTILE-PRIVATE-OUT.md": "---\ndg-publish: true\n---\nHOSTILE-PRIVATE-OUT text\n",
    "outside.png": b"PNG HOSTILE-PRIVATE-OUT",
    "outside.svg": '<svg xmlns="http://www.w3.org/2000/svg"><desc>HOSTILE-PRIVATE-OUT</desc></svg>',
    "outside.css": "/* HOSTILE-PRIVATE-OUT */\n",
    "Outside Folder/inner.png": b"PNG HOSTILE-PRIVATE-OUT-INNER",
    "Outside Folder/Inner.md": "---\ndg-publish: true\n---\nHOSTILE-PRIVATE-OUT-INNER\n",
}


@st.composite
def symlinked_vault(draw: st.DrawFn) -> tuple[dict[str, str | bytes], list[tuple[str, str]]]:
    files = _files()
    for i in range(2):
        head = draw(st.sampled_from(PRIVATE_HEADS))
        files[f"Private/Secret {i} HOSTILE-PRIVATE-{i}.md"] = (
            f"{head}# Secret HOSTILE-PRIVATE-{i}\n\ndiary HOSTILE-PRIVATE-{i}\n"
        )
    for i in range(2):  # published or not at random; a private one carries a marker
        if draw(st.booleans()):
            files[f"Either {i}.md"] = f"{PUBLISHED}Either {i} is public.\n"
        else:
            head = draw(st.sampled_from(PRIVATE_HEADS))
            files[f"Either {i}.md"] = f"{head}Either HOSTILE-PRIVATE-E{i}\n"
    links: list[tuple[str, str]] = []
    for n in range(draw(st.integers(1, 8))):
        place = draw(st.sampled_from(LINK_PLACES))
        name = place + draw(st.sampled_from(LINK_NAMES)).format(n=n)
        kind = draw(st.sampled_from(["target", "chain", "loop"]))
        if kind == "chain" and links:
            target = draw(st.sampled_from([link for link, _ in links]))
        elif kind == "loop":
            target = name
        else:
            target = draw(st.sampled_from(TARGETS))
        links.append((name, target))
    names = [Path(link).name for link, _ in links]
    names += ["Either 0", "Either 1", "pic 0.png"]
    shown = [f"![[{name}]]" for name in names] + [f"[[{name}]]" for name in names]
    body = "\n\n".join(draw(st.lists(st.sampled_from(shown), max_size=8)))
    files["Public 1.md"] = f"---\ndg-publish: true\n---\nPublic one.\n\n{body}\n"
    return files, links


def _write(root: Path, files: dict[str, str | bytes], links: list[tuple[str, str]]) -> Path:
    vault, outside = root / "vault", root / "elsewhere"
    for base, content in ((vault, files), (outside, OUTSIDE)):
        for rel, data in content.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode())
    for name, target in links:
        link = vault / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.exists() or link.is_symlink():
            continue
        if target.startswith("@"):
            os.symlink(outside / target[1:], link)
        else:
            os.symlink(os.path.relpath(vault / target, link.parent), link)
    return vault


@settings(
    max_examples=budget(40),
    deadline=None,
    suppress_health_check=SLOW,
    phases=PHASES,
)
@given(symlinked_vault())
def test_no_private_or_outside_byte_reaches_the_output(
    example: tuple[dict[str, str | bytes], list[tuple[str, str]]],
) -> None:
    files, links = example
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        vault = _write(root, files, links)
        result = build(vault, root / "out")
        assert result.site is not None
        assert {"Public 0.md", "Public 1.md"} <= {n.rel_path for n in result.site.notes}
        assert not marker_hits(root / "out"), links
