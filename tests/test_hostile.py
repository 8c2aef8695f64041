"""Hostile vaults (issue 9): a vault built to break Trellis, built with the real command line.

Both promises are checked on the written files: nothing of a private note reaches any output
byte, and no broken note stops the others from being published. The vault itself is written
by `hostile_vault.py`, which also says what a correct build must do with it.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from helpers import interrupt_when, published, slow_template, write_vault
from hostile_vault import (
    HUB_LINKS,
    LONG_NAME_VAULTS,
    THEME_TEMPLATES,
    Expected,
    HostileVault,
    hostile_expectations,
    marker_hits,
    structure_problems,
    unsafe_html,
    write_hostile_vault,
)
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
# The one file a build keeps beside its output folder `out` (README: "Command line").
CACHE = ".out.trellis-cache"
PLAN = hostile_expectations()


def _warning_params(with_line: bool) -> list[object]:
    params = []
    for expected in PLAN["warnings"]:
        if with_line and expected["line"] is None:
            continue
        name = f"{expected['path']}:{expected['line']}:{expected['fragment']}"
        params.append(pytest.param(expected, id=name.encode("ascii", "replace").decode()))
    return params


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "build.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def snapshot(folder: Path, skip: frozenset[Path] = frozenset()) -> dict[str, tuple[object, ...]]:
    """Every entry under `folder` (symlinks not followed): mode, mtime, size, bytes or target."""
    state: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in [*dirnames, *filenames]:
            path = here / name
            info = path.lstat()
            content: object = None
            if stat.S_ISREG(info.st_mode):
                content = path.read_bytes()
            elif stat.S_ISLNK(info.st_mode):
                content = os.readlink(path)
            rel = path.relative_to(folder).as_posix()
            state[rel] = (info.st_mode, info.st_mtime_ns, info.st_size, content)
    return state


@dataclass
class HostileBuild:
    plan: HostileVault
    work: Path
    out: Path
    run: subprocess.CompletedProcess[str]
    before: dict[str, tuple[object, ...]]
    after: dict[str, tuple[object, ...]]

    @property
    def warning_lines(self) -> list[str]:
        return [line for line in self.run.stderr.splitlines() if ": warning: " in line]

    def page(self, url: str) -> Path:
        inner = url.strip("/")
        return self.out / inner / "index.html" if inner else self.out / "index.html"

    def body_text(self, url: str) -> str:
        node = LexborHTMLParser(self.page(url).read_text(encoding="utf-8")).css_first(".note-body")
        assert node is not None, f"no .note-body on {url}"
        return node.text()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileBuild:
    work = tmp_path_factory.mktemp("hostile")
    plan = write_hostile_vault(work / "vault")
    (work / "neighbour.txt").write_text("keep me")
    before = snapshot(work)
    out = work / "out"
    run = run_cli("build", str(plan["vault"]), "-o", str(out), "-v")
    after = snapshot(work, skip=frozenset({out}))
    return HostileBuild(plan, work, out, run, before, after)


def test_build_exits_0_with_a_summary_and_no_traceback(hostile: HostileBuild) -> None:
    assert hostile.run.returncode == 0, hostile.run.stderr[-3000:]
    assert "Traceback" not in hostile.run.stderr
    summary = hostile.run.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"Published {len(hostile.plan['good'])} notes: "), summary


def test_no_note_crashed_the_parser_or_renderer(hostile: HostileBuild) -> None:
    """Trellis turns a plugin crash into a warning; in this vault none may happen."""
    assert not [w for w in hostile.warning_lines if ": warning: could not " in w]


def test_every_good_note_is_published(hostile: HostileBuild) -> None:
    missing = [
        f"{rel} -> {url}"
        for rel, url in hostile.plan["good"].items()
        if not hostile.page(url).is_file()
    ]
    assert not missing


def test_good_notes_show_their_text(hostile: HostileBuild) -> None:
    absent = [
        f"{url}: {fragment!r}"
        for url, fragments in hostile.plan["texts"].items()
        for fragment in fragments
        if fragment not in hostile.body_text(url)
    ]
    assert not absent


def test_no_private_marker_in_any_output_byte_or_name(hostile: HostileBuild) -> None:
    assert hostile.out.is_dir()
    assert not marker_hits(hostile.out)


def test_only_the_attachment_a_public_note_uses_is_copied(hostile: HostileBuild) -> None:
    copied = sorted(p.name for p in (hostile.out / "attachments").rglob("*") if p.is_file())
    assert copied == ["my pic 100% (1).png"]


def test_nothing_outside_the_output_folder_is_touched(hostile: HostileBuild) -> None:
    """Only the output folder and the build cache beside it (README: never deployed) appear."""
    assert set(hostile.after) - set(hostile.before) <= {CACHE}
    assert set(hostile.before) <= set(hostile.after)
    changed = [rel for rel in hostile.before if hostile.before[rel] != hostile.after[rel]]
    assert not changed


@pytest.mark.parametrize("expected", _warning_params(with_line=False))
def test_problem_is_reported_by_file(hostile: HostileBuild, expected: Expected) -> None:
    path = expected["path"]
    named = [w for w in hostile.warning_lines if w.startswith(f"{path}:")]
    assert any(expected["fragment"] in w for w in named), named or hostile.warning_lines


@pytest.mark.parametrize("expected", _warning_params(with_line=True))
def test_problem_is_reported_with_its_line(hostile: HostileBuild, expected: Expected) -> None:
    prefix = f"{expected['path']}:{expected['line']}: warning: "
    named = [w for w in hostile.warning_lines if w.startswith(prefix)]
    assert any(expected["fragment"] in w for w in named), [
        w for w in hostile.warning_lines if w.startswith(expected["path"])
    ]


def test_every_warning_names_a_file_of_the_vault(hostile: HostileBuild) -> None:
    """A warning starts with the vault path of the file it is about (as `path[:line]: `)."""
    known = {e["path"] for e in hostile.plan["warnings"]} | set(hostile.plan["good"])
    vault = hostile.plan["vault"]
    for line in hostile.warning_lines:
        where = line.split(": warning: ", 1)[0]
        path = where.rsplit(":", 1)[0] if where.rsplit(":", 1)[-1].isdigit() else where
        assert path in known or os.path.lexists(vault / path), line


def _html_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.suffix in (".html", ".htm", ".xml", ".svg"))


def test_no_script_handler_or_javascript_url_reaches_any_page(hostile: HostileBuild) -> None:
    problems = {
        path.relative_to(hostile.out).as_posix(): found
        for path in _html_files(hostile.out)
        if path.suffix != ".xml"
        if (found := unsafe_html(path.read_text(encoding="utf-8")))
    }
    assert not problems


def test_raw_html_page_keeps_its_text(hostile: HostileBuild) -> None:
    page = hostile.page(hostile.plan["raw_html_url"]).read_text(encoding="utf-8")
    body = LexborHTMLParser(page).css_first(".note-body")
    assert body is not None
    assert not body.css("script, style, iframe[srcdoc], object, embed, form, base, meta, link")
    assert "RAW-HTML-SURVIVOR" in body.text()


def test_every_page_is_well_formed(hostile: HostileBuild) -> None:
    problems = {
        path.relative_to(hostile.out).as_posix(): found[:5]
        for path in _html_files(hostile.out)
        if path.suffix == ".html"
        if (found := structure_problems(path.read_text(encoding="utf-8")))
    }
    assert not problems


@pytest.mark.parametrize(
    ("markdown", "url"),
    [
        pytest.param(
            markdown,
            url,
            id=markdown.encode("ascii", "replace").decode(),
        )
        for markdown, url in HUB_LINKS
    ],
)
def test_odd_names_are_linked_to_their_page(hostile: HostileBuild, markdown: str, url: str) -> None:
    page = LexborHTMLParser(hostile.page("/names/hub/").read_text(encoding="utf-8"))
    items = page.css(".note-body li")
    assert len(items) == len(HUB_LINKS)
    link = items[[m for m, _ in HUB_LINKS].index(markdown)].css_first("a")
    assert link is not None, f"{markdown} is not a link"
    href = unquote(link.attributes["href"] or "")
    if url == "/attachments/":
        assert href.startswith(url)
        assert (hostile.out / href.lstrip("/")).read_bytes() == b"PNG-ODD-NAME"
    else:
        assert href == url
        assert hostile.page(href).is_file()


def test_embedding_one_note_twice_is_not_a_cycle(hostile: HostileBuild) -> None:
    page = LexborHTMLParser(hostile.page("/embeds/twice/").read_text(encoding="utf-8"))
    embeds = page.css(".note-body .markdown-embed")
    assert len(embeds) == 2
    for embed in embeds:
        assert "is-unresolved" not in (embed.attributes.get("class") or "")
        assert "TWICE-CONTENT" in embed.text()
    assert not [w for w in hostile.warning_lines if w.startswith("Embeds/Twice.md")]


def test_embed_cycles_end_in_a_placeholder(hostile: HostileBuild) -> None:
    cycle_a = hostile.body_text("/embeds/cycle-a/")
    assert "A text" in cycle_a and "B text" in cycle_a and "repeat itself" in cycle_a
    assert "repeat itself" in hostile.body_text("/embeds/self-embed/")
    # A chain deeper than the embed limit is cut, but every page of it is written.
    assert "chain 1" in hostile.body_text("/embeds/chain-0/")


@pytest.mark.parametrize(
    ("url", "rel", "deepest"),
    [
        ("/huge/deep-quotes/", "Huge/Deep Quotes.md", "deep quote"),
        ("/huge/deep-list/", "Huge/Deep List.md", "level 299"),
    ],
)
def test_deeply_nested_text_is_shown_or_reported(
    hostile: HostileBuild, url: str, rel: str, deepest: str
) -> None:
    shown = deepest in hostile.body_text(url)
    assert shown or any(w.startswith(f"{rel}:") for w in hostile.warning_lines)


def test_frontmatter_is_read_as_yaml_1_2(hostile: HostileBuild) -> None:
    """`title: 10:30` is text, as Obsidian shows it (YAML 1.1 reads 630); `yes` is no true."""
    page = LexborHTMLParser(hostile.page("/flags/sexagesimal/").read_text(encoding="utf-8"))
    title = page.css_first("h1.inline-title")
    assert title is not None and title.text().strip() == "10:30"
    assert any(w.startswith("Flags/Yes ") and "str 'yes'" in w for w in hostile.warning_lines)


def test_shared_tag_page_lists_only_the_public_note(hostile: HostileBuild) -> None:
    page = LexborHTMLParser(hostile.page("/tags/shared-tag/").read_text(encoding="utf-8"))
    main = page.css_first("main")
    assert main is not None
    hrefs = {a.attributes.get("href") for a in main.css("a")}
    assert "/shared/public-sibling/" in hrefs
    notes = {h for h in hrefs if h and not h.startswith(("/tags/", "#"))}
    assert notes == {"/shared/public-sibling/"}


def test_strict_exits_1_and_still_writes_the_site(hostile: HostileBuild, tmp_path: Path) -> None:
    out = tmp_path / "strict"
    run = run_cli("build", str(hostile.plan["vault"]), "-o", str(out), "--strict")
    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert run.stderr.count(": warning: ") == len(hostile.warning_lines)
    written = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    assert written == {p.relative_to(hostile.out) for p in hostile.out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(LONG_NAME_VAULTS))
def test_a_name_too_long_for_the_disk_does_not_stop_the_build(tmp_path: Path, case: str) -> None:
    culprit, files = LONG_NAME_VAULTS[case]
    vault = write_vault(tmp_path / "vault", {**files, "Fine.md": published("fine")})
    out = tmp_path / "out"
    run = run_cli("build", str(vault), "-o", str(out))
    assert run.returncode == 0, run.stderr[-2000:]
    assert (out / "fine" / "index.html").is_file()
    # Either the long name was cut to fit (a short hash keeps it unique), or the file that
    # could not be written is reported: never a traceback.
    capped = [p for p in out.rglob("*") if p.is_dir() and re.search(r"-[0-9a-f]{8}$", p.name)]
    named = any(line.startswith(f"{culprit}:") for line in run.stderr.splitlines())
    assert capped or named, run.stderr
    assert all(len(p.name.encode()) <= 255 for p in out.rglob("*"))


# -- An interrupted build ----------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_build_leaves_the_previous_site(tmp_path: Path, sig: signal.Signals) -> None:
    """Stop a build for certain while it writes pages: a template spins on the last one.
    With `atomic_output` (a rebuild updating the output in place is interrupted in
    `test_output_in_place.py`)."""
    vault = tmp_path / "vault"
    notes = {f"Note {i:03}.md": published(f"first {i}") for i in range(40)}
    settings = "atomic_output = true\n"
    write_vault(vault, {**notes, "zz Slow.md": published("slow"), "trellis.toml": settings})
    out = tmp_path / "out"
    assert run_cli("build", str(vault), "-o", str(out), "-q").returncode == 0
    before = snapshot(out)
    write_vault(vault, {name: published("second") for name in notes})
    write_vault(vault, {".trellis/templates/note.html": slow_template()})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = subprocess.Popen(
        [sys.executable, "build.py", "build", str(vault), "-o", str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = interrupt_when(
        build,
        # The staging folder has a name of its own (`.out.<random>.trellis-new`).
        lambda: any(tmp_path.glob(".out.*.trellis-new/note-039/index.html")),
        sig,
        "the build never reached the slow page",
    )
    assert snapshot(out) == before
    if sig == signal.SIGINT:
        assert build.returncode == 130, stderr
        assert "previous site was left in place" in stderr
        assert "Traceback" not in stderr
        assert {p.name for p in tmp_path.iterdir()} - {CACHE} == {"out", "vault"}
    else:
        assert build.returncode == -signal.SIGKILL
    # The next build replaces the site. A killed build's staging folder is named in a
    # warning, never removed: no run deletes what it did not make itself.
    (vault / ".trellis" / "templates" / "note.html").unlink()
    after = run_cli("build", str(vault), "-o", str(out))
    assert after.returncode == 0
    left = {p.name for p in tmp_path.iterdir()} - {CACHE, "out", "vault"}
    if sig == signal.SIGINT:
        assert left == set()
    else:
        (leftover,) = left
        assert leftover.startswith(".out.") and leftover.endswith(".trellis-new")
        assert f"{tmp_path / leftover} was left by an interrupted build" in after.stderr
    assert "second" in (out / "note-000" / "index.html").read_text(encoding="utf-8")


# -- The checks above can fail ------------------------------------------------------------------


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """Each check, given a page with the fault it looks for, reports it."""
    for bad in (
        '<script src="https://evil.example/x.js"></script>',
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href=" JaVa&#x09;Script:alert(1)">x</a>',
        '<a href="&#x01;java&#x0A;script:alert(1)">x</a>',
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<iframe srcdoc="&lt;script&gt;"></iframe>',
        "<style>body{}</style>",
        '<meta http-equiv="refresh" content="0;url=/">',
        "<object data=x></object>",
    ):
        assert unsafe_html(f"<!doctype html><html><body>{bad}</body></html>"), bad
    theme = (THEME_TEMPLATES / "base.html").read_text(encoding="utf-8")
    inline = theme.split("<script>", 1)[1].split("</script>", 1)[0]
    assert not unsafe_html(f"<html><head><script>{inline}</script></head></html>")
    # A control character inside the scheme makes it no scheme at all: a relative URL.
    assert not unsafe_html('<a href="java&#x04;script:alert(1)">x</a>')
    for bad in (
        "<p><div></div></p>",
        "<div><span></div></span>",
        "<ul><li>x</ul>",
        "<a><a></a></a>",
    ):
        assert structure_problems(bad), bad
    assert not structure_problems(
        "<p>a<br><img src=x></p><table><tr><td><div></div></td></tr></table>"
    )
    for number, (name, data) in enumerate(
        (
            ("a.html", b"hostile_private_12"),
            ("b.html", b"HOSTILE%2DPRIVATE-3"),
            ("c.html", b"hostile&#45;private"),
            ("hostile-private-4/index.html", b"ok"),
        )
    ):
        leaky = write_vault(tmp_path / f"leaky-{number}", {"ok.html": b"nothing", name: data})
        assert marker_hits(leaky), name
    assert not marker_hits(write_vault(tmp_path / "clean", {"ok.html": b"hostile and private"}))
