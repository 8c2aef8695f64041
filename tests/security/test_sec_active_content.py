"""Active content: only the attachment kinds the README lists are copied (images, audio,
video, PDF), an SVG only when a real XML parser finds it inert; `.html` and other kinds
only when the owner lists them in `extra_attachment_extensions`. An SVG or HTML file opened
on its own runs its scripts on the site's origin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import build_vault, published, write_vault
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parents[2]
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'
HOSTILE_SVGS = {
    "script": SVG.format("<script>alert(document.domain)</script>"),
    "cdata-script": SVG.format("<script><![CDATA[alert(1)]]></script>"),
    "html-script": SVG.format(
        '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
    ),
    "onload": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="2"/></svg>',
    "onclick-mixed-case": SVG.format('<circle r="2" OnClick="alert(1)"/>'),
    "js-href": SVG.format('<a href="javascript:alert(1)"><text>x</text></a>'),
    "js-xlink-entity": SVG.format('<a xlink:href="java&#x09;script:alert(1)"><text>x</text></a>'),
    "data-html": SVG.format('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>'),
    "foreign-object": SVG.format(
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
    ),
    "animate-href": SVG.format(
        '<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'
    ),
    "entity": '<!DOCTYPE svg [<!ENTITY e "&#60;script&#62;alert(1)&#60;/script&#62;">]>'
    '<svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
    "xslt": '<?xml-stylesheet type="text/xsl" href="x.xsl"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "xhtml-root": '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "not-xml": "<svg><script>alert(1)</script>",
}
BENIGN_SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    + SVG.format(
        '<style>circle { fill: teal }</style><circle r="4"/>'
        '<image xlink:href="data:image/png;base64,iVBORw0KGgo="/>'
        '<a href="https://example.org/"><text>link</text></a>'
    )
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


@pytest.mark.parametrize("case", sorted(HOSTILE_SVGS))
def test_an_svg_with_active_content_is_not_copied(tmp_path: Path, case: str) -> None:
    site = build_vault(
        tmp_path,
        {f"{case}.svg": HOSTILE_SVGS[case], "Public.md": published(f"\n![[{case}.svg]]\n")},
    )
    assert not (site.out / "attachments").exists()
    assert site.body("/public/").css_first("img") is None
    (warning,) = site.result.diagnostics.for_path("Public.md")
    assert warning.line == 5 and warning.message.startswith(f"'{case}.svg' not published: ")


def test_an_inert_svg_is_copied_byte_for_byte(tmp_path: Path) -> None:
    site = build_vault(tmp_path, {"fine.svg": BENIGN_SVG, "Public.md": published("![[fine.svg]]")})
    (copied,) = (site.out / "attachments").rglob("fine.svg")
    assert copied.read_text() == BENIGN_SVG
    assert site.warnings == []


def test_html_and_other_kinds_are_not_copied(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "evil.html": "<script>alert(document.cookie)</script>",
            "tool.js": "alert(1)",
            "Public.md": published("[[evil.html]] and [page](evil.html) and [[tool.js]]"),
        },
    )
    out = tmp_path / "out"
    result = run("build", str(vault), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert not (out / "attachments").exists()
    page = LexborHTMLParser((out / "public" / "index.html").read_text())
    body = page.css_first(".note-body")
    assert body is not None
    assert [a.attributes["href"] for a in body.css("a")] == ["evil.html"]  # a dead relative link
    assert [s.text() for s in body.css(".is-unresolved")] == ["evil.html", "tool.js"]
    assert "Public.md:4: warning: 'evil.html' not published: files of kind .html" in result.stderr
    assert "Public.md:4: warning: 'tool.js' not published: files of kind .js" in result.stderr
    strict = run("build", str(vault), "-o", str(out), "--strict")
    assert strict.returncode == 1


def test_extra_attachment_extensions_publish_other_kinds_on_purpose(tmp_path: Path) -> None:
    site = build_vault(
        tmp_path,
        {
            "trellis.toml": 'extra_attachment_extensions = ["html", ".ZIP"]\n',
            "page.html": "<p>kept as it is</p>",
            "bundle.zip": b"PK\x03\x04zip",
            "Public.md": published("[[page.html]] [[bundle.zip]]"),
        },
    )
    assert site.warnings == []
    (html,) = (site.out / "attachments").rglob("page.html")
    assert html.read_text() == "<p>kept as it is</p>"
    assert len(list((site.out / "attachments").rglob("bundle.zip"))) == 1


def test_a_hard_link_to_a_note_is_not_an_attachment(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path / "vault",
        {
            "Private/Diary.md": "---\ndg-publish: false\n---\nHARDLINKED-SECRET\n",
            "Public.md": published("![[cover.png]]"),
        },
    )
    os.link(vault / "Private" / "Diary.md", vault / "cover.png")
    from trellis.pipeline import build

    result = build(vault, tmp_path / "out")
    assert not (tmp_path / "out" / "attachments").exists()
    (warning,) = result.diagnostics.for_path("Public.md")
    assert "also a note of the vault (a hard link)" in warning.message
