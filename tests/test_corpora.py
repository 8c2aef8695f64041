"""Real-world check: every vault in ../shared/corpora builds, and no raw syntax is left over.

The leftover counts are printed; they must not grow beyond tests/corpora_baseline.json (the
goal is zero; the remaining `[[` are escaped `\\[\\[` in Obsidian's own help, shown as written).
Set TRELLIS_CORPORA to use another folder.
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
