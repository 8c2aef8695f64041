"""`trellis check` / `build --dry-run`: review what would be published before deploying."""

import subprocess
import sys
from pathlib import Path

from helpers import published, write_vault

from trellis.check import check_vault

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "Public.md": published("See [[Diary]], [[Other]] and ![[Diary#Part]] and [[Nowhere]]."),
    "Other.md": published("fine"),
    "Private/Diary.md": "---\ndg-publish: false\n---\n## Part\nsecret\n",
    "Draft.md": "no frontmatter [[Public]]\n",
}


def test_check_lists_published_notes_and_links_to_private_ones(tmp_path):
    report = check_vault(write_vault(tmp_path / "v", FILES))
    assert report.published == [("Other.md", "/other/"), ("Public.md", "/public/")]
    assert report.private_count == 2
    flagged = [(p.source, p.line, p.target, p.private) for p in report.private_links]
    assert flagged == [
        ("Public.md", 4, "Diary", "Private/Diary.md"),
        ("Public.md", 4, "Diary#Part", "Private/Diary.md"),
    ]


def test_check_and_dry_run_write_nothing(tmp_path):
    vault = write_vault(tmp_path / "v", FILES)
    for args in (
        ["check", str(vault)],
        ["build", str(vault), "-o", str(tmp_path / "o"), "--dry-run"],
    ):
        run = subprocess.run(
            [sys.executable, "build.py", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        assert "2 notes would be published (2 private)" in run.stdout
        assert "Public.md:4: [[Diary]] -> Private/Diary.md (private)" in run.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]


def test_check_strict_fails_when_something_is_flagged(tmp_path):
    vault = write_vault(tmp_path / "v", FILES)
    run = subprocess.run(
        [sys.executable, "build.py", "check", str(vault), "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
