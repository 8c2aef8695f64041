"""Real-world check: every vault in ../shared/corpora builds, and no raw syntax is left over.

The leftover counts are printed; they must not grow beyond tests/corpora_baseline.json (the
goal is zero; the remaining `[[` are escaped `\\[\\[` in Obsidian's own help, shown as written).
No written page may hold a broken internal `href`/`src` or a link to a missing `#id` beyond
the author errors the baseline lists (by page and href, with the reason), and no tag page may
be named by a `{ #id}` block id (issue 14). Set TRELLIS_CORPORA to use another folder.
"""

import json
import os
from pathlib import Path

import pytest
from corpora_check import VAULTS, check_vault, corpora_dir, format_reports

BASELINE = json.loads((Path(__file__).parent / "corpora_baseline.json").read_text())

pytestmark = pytest.mark.corpora


@pytest.fixture(scope="module")
def corpora():
    folder = corpora_dir()
    if folder is None:
        message = "no corpora: ../shared/corpora is missing and TRELLIS_CORPORA is not set"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.mark.parametrize("name", sorted(VAULTS))
def test_vault_builds_without_leftover_syntax(corpora, name, capsys):
    report = check_vault(corpora / name, name, VAULTS[name])
    with capsys.disabled():
        print("\n" + format_reports([report]))
    assert report.notes > 0 and report.pages > report.notes
    baseline = BASELINE[name]
    grown = {m: c for m, c in report.leftovers.items() if c > baseline.get(m, 0)}
    examples = {m: sorted(set(report.examples.get(m, [])))[:5] for m in grown}
    assert not grown, f"more raw syntax left than before: {grown}, e.g. in {examples}"
    known = baseline.get("broken_links", {})
    assert [link for link in report.broken + report.anchors if link not in known] == []
    assert report.bogus_tags == []


def test_private_notes_of_a_real_vault_leave_no_trace(corpora, tmp_path):
    """Obsidian's help vault published by its own `publish: true` keys: most notes stay
    private. No private note's URL, no sentence of its own text, and no attachment only
    private notes use may be in any output byte."""
    import re

    from trellis.diagnostics import Diagnostics
    from trellis.pipeline import build
    from trellis.public.urls import path_slug
    from trellis.vault.scan import read_vault

    vault = corpora / "obsidian-help"
    result = build(vault, tmp_path / "out", {"publish_flag": "publish"}, use_cache=False)
    published = {n.rel_path for n in result.site.notes}
    source = read_vault(vault, Diagnostics())
    private = [n for n in source.notes if n.rel_path not in published]
    assert len(private) > 50 and len(published) > 20
    public_text = "\n".join(n.body for n in source.notes if n.rel_path in published)
    output = b"\n".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    leaks = []
    checked = 0
    for note in private:
        url = path_slug(note.rel_path).encode()
        if url != b"/" and b'href="' + url + b'"' in output:
            leaks.append(f"{note.rel_path}: its URL")
        lines = [
            line.strip()
            for line in note.body.splitlines()
            if len(line.strip()) > 60 and not re.search(r"[\[\]!`|<>#*_$]", line)
        ]
        for line in lines[:3]:
            if line not in public_text:
                checked += 1
                if line.encode() in output:
                    leaks.append(f"{note.rel_path}: {line[:60]}")
    copied = {p.name for p in (tmp_path / "out" / "attachments").rglob("*") if p.is_file()}
    used_publicly = "\n".join(n.body for n in source.notes if n.rel_path in published)
    for attachment in source.attachments:
        name = attachment.rel_path.rsplit("/", 1)[-1]
        if name in copied:
            assert name in used_publicly, f"{name} is copied but only private notes use it"
    assert checked > 100  # the scan looked at real private sentences
    assert leaks == []
