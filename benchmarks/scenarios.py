"""The builds issue 17 judges besides the cold one, each in a fresh interpreter:

- **one note edited**: the vault built, one note's text changed, built again with the cache;
- **the CI case**: vault, output and cache copied to a new folder (every file time new, as
  after a checkout and a cache restore), one note edited, built again;
- **the floor**: markdown-it-py with Trellis's plugins parsing and rendering every published
  note in one process, no scanning, linking or writing: the CPU no build can go below.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

FLOOR_TAG = "TRELLIS-FLOOR "


def edit_one_note(vault: Path, round_number: int) -> Path:
    """Append a sentence to a published note of `vault` (the same note every time)."""
    for note in sorted(vault.rglob("*.md")):
        text = note.read_text(encoding="utf-8")
        if '"dg-publish":true' in text.replace(" ", "") or "dg-publish: true" in text:
            note.write_text(text + f"\n\nEdited for the benchmark, round {round_number}.\n")
            return note
    raise RuntimeError(f"no published note in {vault}")


# A file changed this shortly before a build's scan is not recorded as seen by it (a few
# ms of clock tick, `trellis.signature.RACY_NS` = 2 s): the next build reads it again.
SETTLE_S = 2.2


def settle() -> None:
    """Wait until the files just written are older than a scan trusts, as in a vault not
    written a moment ago: else an unchanged rebuild re-reads the files the generator (or a
    copy) wrote in the 2 s before the first build, and its figure depends on their speed."""
    time.sleep(SETTLE_S)


def copy_fresh(source: Path, target: Path) -> None:
    """Copy a folder so that every file gets a new modification time (no `copy2`)."""
    shutil.copytree(source, target, copy_function=shutil.copyfile, symlinks=True)


def child_floor(vault: Path) -> int:
    """Runs inside the measured subprocess: parse and render every published note's body."""
    from trellis.config import load_settings
    from trellis.diagnostics import Diagnostics
    from trellis.public.graph import build_link_graph
    from trellis.public.private_names import PrivateNames
    from trellis.public.site import build_public_site
    from trellis.render.notes import NoteRenderer
    from trellis.vault.scan import read_vault

    diagnostics = Diagnostics()
    settings = load_settings(vault, {}, diagnostics)
    source = read_vault(vault, diagnostics, git_dates=False)
    site = build_public_site(source, settings, diagnostics)
    notes = NoteRenderer(site, diagnostics)
    started = time.process_time()
    for note in site.notes:
        notes.parse(note)
    cpu = time.process_time() - started
    # Links resolve as in a build (not counted: the floor is markdown-it and the plugins).
    build_link_graph(site, diagnostics, PrivateNames(source, site))
    started = time.process_time()
    for note in site.notes:
        notes.render_body(note)
    cpu += time.process_time() - started
    print(FLOOR_TAG + json.dumps({"cpu_s": cpu, "notes": len(site.notes)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(child_floor(Path(sys.argv[1])))
