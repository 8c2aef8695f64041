"""A YAML typo in the note being edited, through the real `trellis serve`.

The note must leave the site (its frontmatter cannot say it is published), and its open tab
must say why, with file and line, instead of a bare "Page not found"; the next good save
brings it back. The terminal prints only what changed in the warnings. A private note's
typo is never named to the browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import published, write_vault
from security.sec_serve_cli import ServeProcess

BODY = "ALPHA-BODY-TEXT"
TYPO = f"---\ndg-publish: true\ntitle: [unclosed\n---\n{BODY} while broken.\n"
FIXED = published(f"{BODY} fixed again.")
OLD_WARNINGS = [f"Beta.md:4: warning: link target 'Gone {n}'" for n in range(6)]


def _boot(html: str) -> dict[str, object]:
    """The live-reload script's start-up data in a served page."""
    match = re.search(r'<script id="trellis-livereload">.*?var boot = (\{.*?\});', html, re.S)
    assert match, "no live-reload script"
    return json.loads(match[1])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeProcess]:
    files: dict[str, str | bytes] = {
        "Alpha.md": published(f"{BODY}."),
        "Beta.md": published(
            "Beta links [[Alpha]] and " + " ".join(f"[[Gone {n}]]" for n in range(6))
        ),
        "Secret.md": "---\ndg-publish: false\n---\nSECRET-NOTE-TEXT\n",
    }
    process = ServeProcess(write_vault(tmp_path / "vault", files), tmp_path / "tmp")
    process.wait_build(1)
    yield process
    assert process.stop() == 0, process.errors


def test_the_open_tab_shows_the_typo_and_recovers(serve: ServeProcess) -> None:
    vault = Path(serve.proc.args[4])  # type: ignore[index]
    assert BODY in serve.request("/alpha/").text
    err_mark = len(serve.err)

    line = serve.save(vault / "Alpha.md", TYPO).decode()
    assert "(2 new)" in line  # the typo, and Beta's link to Alpha that now leads nowhere

    # The tab open on /alpha/ reloads into a 404 that carries the error for the overlay.
    page = serve.request("/alpha/")
    assert page.status == 404
    problem = _boot(page.text).get("problem")
    assert isinstance(problem, dict)
    assert problem["file"] == "Alpha.md"
    assert problem["line"] == 3
    assert "invalid frontmatter" in str(problem["message"])
    assert "Alpha.md:3: warning: invalid frontmatter" in str(problem["message"])
    # The note itself stays out of the site: no page, no link, nothing in the feeds.
    for path in ("/alpha/", "/beta/", "/", "/feed.xml", "/rss.xml"):
        assert BODY not in serve.request(path).text, path
    assert 'href="/alpha/"' not in serve.request("/beta/").text
    # Other pages are not told about it.
    assert _boot(serve.request("/beta/").text)["problem"] is None
    assert _boot(serve.request("/no/such/page/").text)["problem"] is None

    # The terminal showed the new warning only, not the six it had shown already.
    err = serve.quiet_stderr_since(err_mark).decode()
    assert "Alpha.md:3: warning: invalid frontmatter" in err
    assert "Beta.md:4: warning: [[Alpha]] links to a private note" in err
    assert not any(old in err for old in OLD_WARNINGS), err

    err_mark = len(serve.err)
    line = serve.save(vault / "Alpha.md", FIXED).decode()
    assert "(2 resolved)" in line
    page = serve.request("/alpha/")
    assert page.status == 200
    assert f"{BODY} fixed again." in page.text
    assert _boot(page.text)["problem"] is None
    assert 'href="/alpha/"' in serve.request("/beta/").text
    assert serve.quiet_stderr_since(err_mark) == b""


def test_a_private_notes_typo_is_never_named_to_the_browser(serve: ServeProcess) -> None:
    vault = Path(serve.proc.args[4])  # type: ignore[index]
    serve.save(vault / "Secret.md", "---\ndg-publish: [false\n---\nSECRET-NOTE-TEXT\n")
    for path in ("/secret/", "/", "/beta/"):
        page = serve.request(path)
        assert "Secret" not in page.text and "SECRET-NOTE-TEXT" not in page.text, path
        assert _boot(page.text).get("problem") is None
    assert "Secret.md:2: warning: invalid frontmatter" in serve.quiet_stderr_since(0).decode()
