"""A vault written to break Trellis: broken files, odd names, symlinks, leaks and raw HTML.

`write_hostile_vault(root)` writes it and returns what a correct build must do with it, so
any test (the hostile build, benchmarks, the serve tests) can reuse the same vault. Every
private thing carries a marker `HOSTILE-PRIVATE-<n>`: in its title, its file or folder name,
its text and its tags, and in the names and bytes of the attachments only private notes use.
No marker may reach any output byte, in any spelling.

Files the vault points at from outside (symlink targets) are written to a sibling folder
`<root>.outside/`, which also holds markers: following such a link would leak them.
`hostile_expectations()` gives the same description without writing (to parametrize tests).

The second half of the module holds the checks on output the hostile and property tests
share: markers in any spelling, script that could run, and badly nested markup.
"""

from __future__ import annotations

import html
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser

MARKER = "HOSTILE-PRIVATE-{}"


class Expected(TypedDict):
    """One warning a correct build prints: the file it names, its line, and a fragment."""

    path: str
    line: int | None
    fragment: str


class HostileVault(TypedDict):
    """What a correct build of the hostile vault does; paths are vault-relative POSIX."""

    vault: Path
    outside: Path
    # Notes that must be published: vault path -> site URL.
    good: dict[str, str]
    # Notes, attachments and links that must stay private: vault path (as Trellis names it,
    # undecodable bytes as U+FFFD) -> its marker.
    private: dict[str, str]
    markers: list[str]
    warnings: list[Expected]
    # Vault paths of notes that embed a note which embeds them back (or themselves).
    cycles: list[str]
    # Text that must reach the page of a note: URL -> fragments of its `.note-body` text.
    texts: dict[str, list[str]]
    # The URL of the note full of raw HTML that must not run (`RAW_HTML`).
    raw_html_url: str


def _front(**meta: Any) -> str:
    lines = ["---", *(f"{key}: {value}" for key, value in meta.items()), "---"]
    return "\n".join(lines) + "\n"


PUBLISHED = _front(**{"dg-publish": "true"})

# Raw HTML that must never run; each line is also checked by attribute in the tests.
RAW_HTML = """\
<script>alert("script-tag")</script>
<img src=x onerror=alert(1)>
<a href="javascript:alert(1)">js link</a>
<a href="JaVaScRiPt:alert(1)">mixed case js link</a>
<a href="java&#x09;script:alert(1)">entity js link</a>
<a href=" javascript:alert(1)">leading space js link</a>
<iframe src="javascript:alert(1)"></iframe>
<iframe srcdoc="<script>alert(1)</script>"></iframe>
<svg onload=alert(1)><circle r="4"></circle></svg>
<svg><a xlink:href="javascript:alert(1)"><text>svg link</text></a></svg>
<svg><script>alert("svg-script")</script></svg>
<math><mi xlink:href="javascript:alert(1)">m</mi></math>
<style>body { display: none }</style>
<div style="background:url(javascript:alert(1))">styled</div>
<details open ontoggle=alert(1)><summary>s</summary>d</details>
<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>
<object data="javascript:alert(1)"></object>
<embed src="javascript:alert(1)">
<meta http-equiv="refresh" content="0;url=javascript:alert(1)">
<base href="javascript:alert(1)//">
<link rel="stylesheet" href="javascript:alert(1)">
<body onload=alert(1)>
<video poster="javascript:alert(1)" src="x.mp4"></video>
<input autofocus onfocus=alert(1)>
<img src="data:text/html,<script>alert(1)</script>">
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>
<scr<script>ipt>alert(1)</script>
"""

RAW_HTML_MARKDOWN = """\

[md js link](javascript:alert(1))
[md vbscript link](vbscript:msgbox(1))
[[javascript:alert(1)]]
![[javascript:alert(1).png]]
<https://example.org/"onmouseover="alert(1)>

RAW-HTML-SURVIVOR
"""


def _outside_of(root: Path) -> Path:
    return root.with_name(root.name + ".outside")


class _Builder:
    """Collects files and expectations while the cases are written one by one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outside = _outside_of(root)
        self.files: dict[str, bytes] = {}
        self.good: dict[str, str] = {}
        self.private: dict[str, str] = {}
        self.markers: list[str] = []
        self.warnings: list[Expected] = []
        self.cycles: list[str] = []
        self.texts: dict[str, list[str]] = {}
        # Files outside the vault (symlink targets): path under `outside` -> content.
        self.outside_files: dict[str, str | bytes] = {}
        # Symlinks (vault path, target as written) and named pipes (vault paths).
        self.links: list[tuple[str, str]] = []
        self.pipes: list[str] = []

    def marker(self) -> str:
        marker = MARKER.format(len(self.markers) + 1)
        self.markers.append(marker)
        return marker

    def add(self, rel: str, content: str | bytes) -> None:
        self.files[rel] = content if isinstance(content, bytes) else content.encode()

    def public(self, rel: str, url: str, content: str | bytes, *texts: str) -> None:
        self.add(rel, content)
        self.good[rel] = url
        if texts:
            self.texts.setdefault(url, []).extend(texts)

    def secret(self, rel: str, marker: str, content: str | bytes) -> None:
        self.add(rel, content)
        self.private[rel] = marker

    def warn(self, path: str, fragment: str, line: int | None = None) -> None:
        self.warnings.append(Expected(path=path, line=line, fragment=fragment))

    def write(self) -> None:
        # Names with lone surrogates (surrogateescape) are written as their raw bytes.
        for base, files in ((self.root, self.files), (self.outside, self.outside_files)):
            for rel, data in files.items():
                path = base / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data if isinstance(data, bytes) else data.encode())
        for rel, target in self.links:
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, path)
        for rel in self.pipes:
            os.mkfifo(self.root / rel)

    def describe(self, raw_html_url: str) -> HostileVault:
        return HostileVault(
            vault=self.root,
            outside=self.outside,
            good=self.good,
            private=self.private,
            markers=self.markers,
            warnings=self.warnings,
            cycles=self.cycles,
            texts=self.texts,
            raw_html_url=raw_html_url,
        )


def _private_note(marker: str, front: str, extra: str = "") -> str:
    """A private note carrying `marker` in its title, tags and text (`front` sets the rest)."""
    return (
        f"---\n{front}title: Title {marker}\ntags: [{marker}, shared-tag]\n---\n"
        f"# Heading {marker}\n\nBody text {marker} #{marker}-inline\n{extra}"
    )


def _broken_frontmatter(b: _Builder) -> None:
    """Frontmatter that cannot be read keeps the note private, even if it says dg-publish."""
    # The folder holds only private notes, so its name is private too.
    folder = f"Broken {b.marker()}"
    m = b.marker()
    rel = f"{folder}/Invalid YAML {m}.md"
    b.secret(rel, m, f"---\ndg-publish: true\ntitle: Title {m}\ntags: [{m}, one\n---\n{m}\n")
    b.warn(rel, "invalid frontmatter", 4)
    m = b.marker()
    rel = f"{folder}/Unclosed {m}.md"
    b.secret(rel, m, f"---\ndg-publish: true\ntitle: Title {m}\n\nbody {m} #{m}\n")
    b.warn(rel, "never closed", 1)
    m = b.marker()
    rel = f"{folder}/Not A Mapping {m}.md"
    b.secret(rel, m, f"---\n- dg-publish: true\n- {m}\n---\nbody {m}\n")
    b.warn(rel, "not a mapping", 2)
    m = b.marker()
    rel = f"{folder}/Tab Indent {m}.md"
    b.secret(rel, m, f"---\ndg-publish: true\n\ttitle: {m}\n---\nbody {m}\n")
    b.warn(rel, "invalid frontmatter", 3)
    m = b.marker()
    rel = f"{folder}/Yaml Bomb {m}.md"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    b.secret(rel, m, f"---\n{bomb}dg-publish: true\ntitle: {m}\n---\nbody {m}\n")
    b.warn(rel, "invalid frontmatter", None)
    m = b.marker()
    rel = f"{folder}/Deep Flow {m}.md"
    b.secret(rel, m, "---\ndg-publish: true\nx: " + "[" * 3000 + "]" * 3000 + f"\n---\n{m}\n")
    b.warn(rel, "nested more than", None)
    # Deep enough to crash libyaml's C parser (a segfault, not an exception) if it got there.
    m = b.marker()
    rel = f"{folder}/Deeper Flow {m}.md"
    nested = "[" * 200_000 + "]" * 200_000
    b.secret(rel, m, f"---\ndg-publish: true\ntitle: {m}\nx: {nested}\n---\n{m}\n")
    b.warn(rel, "nested more than", None)
    m = b.marker()
    rel = f"{folder}/Deep Block {m}.md"
    block = "".join("  " * i + f"k{i}:\n" for i in range(1000))
    b.secret(rel, m, f"---\ndg-publish: true\ntitle: {m}\n{block}---\n{m}\n")
    b.warn(rel, "nested more than", None)


def _publish_flag_values(b: _Builder) -> None:
    """`dg-publish` values that are not the boolean true keep the note private, with a warning."""
    values = {
        "String True": '"true"',
        "Yes": "yes",
        "On": "on",
        "Y": "y",
        "Number": "1",
        "List": "[true]",
        "Mapping": "{value: true}",
        "Date": "2024-01-01",
    }
    for name, value in values.items():
        m = b.marker()
        rel = f"Flags/{name} {m}.md"
        b.secret(rel, m, _private_note(m, f"dg-publish: {value}\n"))
        b.warn(rel, "not the boolean true", 2)
    m = b.marker()
    rel = f"Flags/False {m}.md"
    b.secret(rel, m, _private_note(m, "dg-publish: false\ndg-home: true\npermalink: /claimed/\n"))
    m = b.marker()
    rel = f"Flags/Null {m}.md"
    b.secret(rel, m, _private_note(m, "dg-publish:\n"))
    m = b.marker()
    rel = f"Flags/Duplicate Key {m}.md"
    b.secret(rel, m, _private_note(m, "dg-publish: false\ndg-publish: true\n"))
    b.warn(rel, "duplicate key", 3)
    b.public("Flags/Capital True.md", "/flags/capital-true/", "---\ndg-publish: True\n---\nok\n")
    # YAML 1.1 would make this title the number 630 (base 60); Obsidian shows "10:30".
    b.public(
        "Flags/Sexagesimal.md",
        "/flags/sexagesimal/",
        "---\ndg-publish: true\ntitle: 10:30\n---\nhalf past ten\n",
    )
    b.public(
        "Claimed.md", "/claimed/", PUBLISHED.replace("---\n", "---\npermalink: /claimed/\n", 1)
    )


def _encodings(b: _Builder) -> None:
    b.public(
        "Encoding/Latin1.md",
        "/encoding/latin1/",
        PUBLISHED.encode() + b"first line\ncaf\xe9 au lait\n",
        "caf\ufffd au lait",
    )
    b.warn("Encoding/Latin1.md", "not valid UTF-8", 5)
    b.public(
        "Encoding/Nul Bytes.md",
        "/encoding/nul-bytes/",
        PUBLISHED.encode() + b"line one\nnul\x00here and\x00there\n" + b"text " * 100,
        "nulhere andthere",
    )
    b.warn("Encoding/Nul Bytes.md", "NUL", 5)
    windows = "---\r\ndg-publish: true\r\ntitle: Windows Note\r\n---\r\n# Head\r\nline two\r\n"
    b.public(
        "Encoding/Windows.md", "/encoding/windows/", b"\xef\xbb\xbf" + windows.encode(), "Head"
    )
    b.public(
        "Encoding/Old Mac.md",
        "/encoding/old-mac/",
        b"---\rdg-publish: true\r---\rclassic mac line endings\r",
        "classic mac line endings",
    )
    b.public(
        "Encoding/UTF-16.md",
        "/encoding/utf-16/",
        ("\ufeff" + PUBLISHED + "sixteen bits wide\n").encode("utf-16-le"),
        "sixteen bits wide",
    )
    m = b.marker()
    rel = f"Encoding/Latin1 Private {m}.md"
    b.secret(rel, m, _private_note(m, "dg-publish: false\n").encode() + b"\xff\xfe priv\xe9\n")
    b.warn(rel, "not valid UTF-8", None)
    m = b.marker()
    b.secret(f"Encoding/Empty {m}.md", m, b"")
    b.public("Encoding/Empty Body.md", "/encoding/empty-body/", PUBLISHED)
    b.public(
        "Encoding/Only Frontmatter No Newline.md",
        "/encoding/only-frontmatter-no-newline/",
        "---\ndg-publish: true\n---",
    )
    m = b.marker()
    rel = f"Encoding/Binary {m}.md"
    noise = random.Random(9).randbytes(4096)
    data = PUBLISHED.encode() + noise[:2048] + f" {m} ".encode() + b"\x00" * 512 + noise[2048:]
    b.secret(rel, m, data)
    b.warn(rel, "binary", None)
    m = b.marker()
    rel = f"Encoding/Image Named Md {m}.md"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8 + m.encode()
    b.secret(rel, m, png)
    b.warn(rel, "binary", None)


def _huge(b: _Builder) -> None:
    line = ("word " * 400_000).strip() + " HUGE-LINE-END"
    b.public("Huge/Huge Line.md", "/huge/huge-line/", PUBLISHED + line + "\n", "HUGE-LINE-END")
    quotes = ">" * 200 + " deep quote\n"
    b.public("Huge/Deep Quotes.md", "/huge/deep-quotes/", PUBLISHED + quotes)
    items = "".join("  " * i + f"- level {i}\n" for i in range(300))
    b.public("Huge/Deep List.md", "/huge/deep-list/", PUBLISHED + items, "level 0")
    brackets = "[" * 5000 + "x" + "]" * 5000 + "\n\n" + "*" * 5000 + "\n\n" + "[[" * 3000 + "\n"
    b.public("Huge/Brackets.md", "/huge/brackets/", PUBLISHED + brackets)
    callouts = "".join("> " * i + f"[!note]- level {i}\n" for i in range(1, 60))
    b.public("Huge/Deep Callouts.md", "/huge/deep-callouts/", PUBLISHED + callouts)
    m = b.marker()
    rel = f"Huge/Too Big {m}.md"
    b.secret(rel, m, PUBLISHED + f"# {m}\n\n" + f"{m} padding text\n" * 400_000)
    b.warn(rel, "more than 10 MB", None)
    table = "| a | b |\n|---|---|\n" + "| x \\| y | z |\n" * 5000
    b.public("Huge/Long Table.md", "/huge/long-table/", PUBLISHED + table)


def _embeds(b: _Builder) -> None:
    b.public("Embeds/Cycle A.md", "/embeds/cycle-a/", PUBLISHED + "A text\n\n![[Cycle B]]\n")
    b.public("Embeds/Cycle B.md", "/embeds/cycle-b/", PUBLISHED + "B text\n\n![[Cycle A]]\n")
    b.public("Embeds/Self Embed.md", "/embeds/self-embed/", PUBLISHED + "me\n\n![[Self Embed]]\n")
    b.cycles += ["Embeds/Cycle A.md", "Embeds/Cycle B.md", "Embeds/Self Embed.md"]
    for rel in b.cycles:
        b.warn(rel, "cycle", 6)
    b.public("Embeds/Embedded Once.md", "/embeds/embedded-once/", PUBLISHED + "TWICE-CONTENT\n")
    b.public(
        "Embeds/Twice.md",
        "/embeds/twice/",
        PUBLISHED + "![[Embedded Once]]\n\nbetween\n\n![[Embedded Once]]\n",
    )
    chain = [f"Embeds/Chain {i}.md" for i in range(12)]
    for i, rel in enumerate(chain):
        nxt = f"\n![[Chain {i + 1}]]\n" if i + 1 < len(chain) else ""
        b.public(rel, f"/embeds/chain-{i}/", PUBLISHED + f"chain {i}\n{nxt}")
    b.public(
        "Embeds/Missing.md",
        "/embeds/missing/",
        PUBLISHED + "text\n\n[[Nowhere Note]]\n\n![[nowhere-image.png]]\n\n![[Nowhere Embed]]\n"
        "\n[[missing.pdf|a pdf]]\n",
    )
    b.warn("Embeds/Missing.md", "Nowhere Note", 6)
    b.warn("Embeds/Missing.md", "nowhere-image.png", 8)
    b.warn("Embeds/Missing.md", "Nowhere Embed", 10)
    b.warn("Embeds/Missing.md", "missing.pdf", 12)


def _urls(b: _Builder) -> None:
    b.public(
        "URLs/Escape.md",
        "/escape-attempt/",
        _front(**{"dg-publish": "true", "dg-permalink": '"../../../escape-attempt"'}) + "esc\n",
    )
    b.warn("URLs/Escape.md", "cleaned", None)
    b.public(
        "URLs/Windows Path.md",
        "/Windows/System32/evil/",
        _front(**{"dg-publish": "true", "permalink": "'C:\\Windows\\System32\\evil'"}) + "w\n",
    )
    b.warn("URLs/Windows Path.md", "cleaned", None)
    b.public(
        "URLs/Encoded Dots.md",
        "/encoded-escape/",
        _front(**{"dg-publish": "true", "permalink": "'%2e%2e/%2e%2e/encoded-escape'"}) + "e\n",
    )
    b.warn("URLs/Encoded Dots.md", "cleaned", None)
    b.public(
        "URLs/Same 1.md", "/same-url/", _front(**{"dg-publish": "true", "permalink": "/same-url/"})
    )
    b.add("URLs/Same 2.md", _front(**{"dg-publish": "true", "permalink": "/same-url"}) + "two\n")
    b.warn("URLs/Same 2.md", "already taken", None)


# Published notes whose names are hard to carry through URLs and links: name -> URL.
ODD_NAMES = {
    "Odd #hash.md": "/names/odd-hash/",
    "Odd ?question.md": "/names/odd-question/",
    "Odd 100% done.md": "/names/odd-100-done/",
    "Odd 🌱 emoji.md": "/names/odd-emoji/",
    "Odd  many   spaces.md": "/names/odd-many-spaces/",
    "Odd %2e%2e.md": "/names/odd-2e-2e/",
    "Odd <img src=x onerror=alert(1)>.md": "/names/odd-img-srcx-onerroralert-1/",
    'Odd "quote" & amp.md': "/names/odd-quote-amp/",
    "Cafe\u0301 NFD.md": "/names/café-nfd/",
    "Odd\nnewline.md": "/names/odd-newline/",
    "Upper.MD": "/names/upper/",
    "Weird.md/Inner.md": "/names/weird-md/inner/",
    "CASE.md": "/names/case/",
}
# How the hub note links to them: (Markdown as written, the URL it must lead to).
HUB_LINKS = [
    ("[hash](Odd%20%23hash.md)", "/names/odd-hash/"),
    ("[[Odd ?question]]", "/names/odd-question/"),
    ("[[Odd 100% done]]", "/names/odd-100-done/"),
    ("[[Odd 🌱 emoji]]", "/names/odd-emoji/"),
    ("[[Odd  many   spaces]]", "/names/odd-many-spaces/"),
    ("[encoded](Odd%20%252e%252e.md)", "/names/odd-2e-2e/"),
    ("[[Odd %2e%2e|encoded wikilink]]", "/names/odd-2e-2e/"),
    ("[[Odd <img src=x onerror=alert(1)>]]", "/names/odd-img-srcx-onerroralert-1/"),
    ('[[Odd "quote" & amp]]', "/names/odd-quote-amp/"),
    ("[[Café NFD]]", "/names/café-nfd/"),
    ("[[Upper]]", "/names/upper/"),
    ("[[Weird.md/Inner]]", "/names/weird-md/inner/"),
    ("[[caf\ufffd latin1 name]]", "/names/caf-latin1-name/"),
    ("[[my pic 100% (1).png|odd picture]]", "/attachments/"),
]


def _names(b: _Builder) -> None:
    for name, url in ODD_NAMES.items():
        b.public(f"Names/{name}", url, PUBLISHED + f"odd page {url}\n", f"odd page {url}")
    # Two names that differ only in case want one URL: the first by path wins.
    b.add("Names/case.md", PUBLISHED + "lower\n")
    b.warn("Names/case.md", "already taken", None)
    # A name that is not UTF-8 (written through surrogateescape) is read as the owner sees it.
    b.files["Names/caf\udce9 latin1 name.md"] = PUBLISHED.encode() + b"latin1 name\n"
    b.good["Names/caf\ufffd latin1 name.md"] = "/names/caf-latin1-name/"
    b.warn("Names/caf\ufffd latin1 name.md", "file name is not valid UTF-8", None)
    m = b.marker()
    b.files[f"Names/{m} \udcff.md"] = _private_note(m, "dg-publish: false\n").encode()
    b.private[f"Names/{m} \ufffd.md"] = m  # named as Trellis shows it
    b.warn(f"Names/{m} \ufffd.md", "file name is not valid UTF-8", None)
    b.add("Names/my pic 100% (1).png", b"PNG-ODD-NAME")
    b.public(
        "Names/Hub.md",
        "/names/hub/",
        PUBLISHED + "".join(f"- {markdown}\n" for markdown, _ in HUB_LINKS),
    )


def _symlinks(b: _Builder) -> None:
    """Symlinks out of the vault, into dot folders, in loops, and one to a note inside."""
    links = b.links
    m = b.marker()
    outside_note = f"Outside Note {m}.md"
    b.outside_files[outside_note] = PUBLISHED + f"# Outside {m}\n\ntext {m} #{m}\n"
    rel = f"Links/Outside {m}.md"
    links.append((rel, str(b.outside / outside_note)))
    b.private[rel] = m
    b.warn(rel, "outside the vault", None)
    m = b.marker()
    b.outside_files[f"Folder {m}/Inside {m}.md"] = PUBLISHED + f"text {m}\n"
    b.outside_files[f"Folder {m}/picture {m}.png"] = f"PNG {m}".encode()
    rel = f"Links/Folder {m}"
    links.append((rel, str(b.outside / f"Folder {m}")))
    b.private[rel] = m
    b.warn(rel, "symlinked folder not followed", None)
    # The public note names the picture, so only its bytes are private.
    m = b.marker()
    b.outside_files["outside-photo.png"] = f"PNG outside {m}".encode()
    rel = "Links/outside-photo.png"
    links.append((rel, str(b.outside / "outside-photo.png")))
    b.private[rel] = m
    b.warn(rel, "outside the vault", None)
    b.public(
        "Links/Uses Outside Photo.md",
        "/links/uses-outside-photo/",
        PUBLISHED + "![[outside-photo.png|outside photo]]\n",
    )
    b.warn("Links/Uses Outside Photo.md", "outside-photo.png", 4)
    # Inside the vault a symlinked note is read under its own name (Obsidian lists it too).
    links.append(("Links/Symlink Inside.md", "Target Inside.md"))
    b.public("Links/Target Inside.md", "/links/target-inside/", PUBLISHED + "SYMLINKED-TEXT\n")
    b.good["Links/Symlink Inside.md"] = "/links/symlink-inside/"
    b.texts["/links/symlink-inside/"] = ["SYMLINKED-TEXT"]
    # ... but not when it points into a dot folder, which is not part of the vault.
    m = b.marker()
    b.secret(f".hidden/Dot Target {m}.md", m, PUBLISHED + f"text {m}\n")
    rel = f"Links/Into Dot {m}.md"
    links.append((rel, f"../.hidden/Dot Target {m}.md"))
    b.private[rel] = m
    b.warn(rel, "dot folder", None)
    links.append(("Links/Loop.md", "Loop.md"))
    b.warn("Links/Loop.md", "broken symlink", None)
    links.append(("Links/Dangling.md", "Nowhere.md"))
    b.warn("Links/Dangling.md", "broken symlink", None)


def _dot_folders(b: _Builder) -> None:
    for folder in (".obsidian", ".trash", ".git", "Notes/.sub", ".trellis"):
        m = b.marker()
        b.secret(f"{folder}/Published {m}.md", m, _private_note(m, "dg-publish: true\n"))
    m = b.marker()
    b.secret(f"Notes/.Hidden {m}.md", m, _private_note(m, "dg-publish: true\n"))


def _leaks(b: _Builder) -> None:
    """Private notes next to public ones, linking both ways, sharing folders and tags."""
    b.public(
        "Shared/Public Sibling.md",
        "/shared/public-sibling/",
        PUBLISHED.replace("---\n", "---\ntags: [shared-tag]\n", 1) + "# Public\n\n#shared-tag\n",
    )
    photo = b.marker()
    b.secret(f"Shared/Private Photo {photo}.png", photo, f"PNG bytes {photo}".encode())
    b.secret(f"Private {photo}/scan {photo}.pdf", photo, f"%PDF {photo}".encode())
    m = b.marker()
    b.secret(
        f"Shared/Private Sibling {m}.md",
        m,
        _private_note(
            m,
            "dg-publish: false\n",
            f"[[Public Sibling]] ![[Public Sibling]] ![[Private Photo {photo}.png]]\n"
            f"[[scan {photo}.pdf]]\n",
        ),
    )
    target = b.marker()
    b.secret(
        f"Shared/Private Target {target}.md",
        target,
        f"---\ndg-publish: false\ntitle: Title {target}\naliases: [Alias {target}]\n"
        f"permalink: /secret-{target}/\ntags: [{target}]\n---\n"
        f"# Top {target}\n\n## Section {target}\n\nblock {target} ^block-{target.lower()}\n",
    )
    folder = b.marker()
    b.secret(
        f"Hidden {folder}/Collide.md",
        folder,
        _private_note(folder, "dg-publish: false\n"),
    )
    b.public("Shared/Collide.md", "/shared/collide/", PUBLISHED + "the public collide\n")
    b.public(
        "Shared/Public Linker.md",
        "/shared/public-linker/",
        PUBLISHED + f"- [[Private Target {target}|alias one]]\n"
        f"- [[Shared/Private Target {target}#Section {target}|alias two]]\n"
        f"- [[Private Target {target}#^block-{target.lower()}|alias three]]\n"
        f"- [[Alias {target}|alias four]]\n"
        f"- [md link](Private%20Target%20{target}.md)\n"
        f"- [md link 2](<Shared/Private Target {target}.md#Section {target}>)\n"
        f"- [[Collide]]\n\n"
        f"![[Private Target {target}]]\n\n"
        f"![[Private Target {target}#Section {target}]]\n\n"
        f"![[Private Target {target}#^block-{target.lower()}]]\n\n"
        f"![[Alias {target}]]\n\n"
        f"Inline: see ![[Private Target {target}]] here.\n",
        "alias one",
        "alias four",
        "md link",
    )
    for line in (4, 5, 6, 7, 8, 9, 12, 14, 16, 18, 20):
        b.warn("Shared/Public Linker.md", "links to a private note", line)


def _raw_html(b: _Builder) -> str:
    b.public(
        "Raw HTML.md",
        "/raw-html/",
        PUBLISHED + RAW_HTML + RAW_HTML_MARKDOWN,
        "RAW-HTML-SURVIVOR",
        "js link",
    )
    return "/raw-html/"


def _special_files(b: _Builder) -> None:
    """Named pipes: reading one would block the build forever."""
    b.public(
        "Special/Uses Pipe.md",
        "/special/uses-pipe/",
        PUBLISHED + "![[pipe.png]]\n\nstill here\n",
        "still here",
    )
    b.warn("Special/Pipe.md", "not a regular file", None)
    b.warn("Special/pipe.png", "not a regular file", None)
    b.pipes += ["Special/Pipe.md", "Special/pipe.png"]


def _plan(root: Path) -> tuple[_Builder, str]:
    b = _Builder(root)
    _broken_frontmatter(b)
    _publish_flag_values(b)
    _encodings(b)
    _huge(b)
    _embeds(b)
    _urls(b)
    _names(b)
    _dot_folders(b)
    _leaks(b)
    raw_html_url = _raw_html(b)
    _symlinks(b)
    _special_files(b)
    return b, raw_html_url


def hostile_expectations() -> HostileVault:
    """What `write_hostile_vault` would return, without writing (to parametrize tests)."""
    b, raw_html_url = _plan(Path("vault"))
    return b.describe(raw_html_url)


def write_hostile_vault(root: Path) -> HostileVault:
    """Write the hostile vault at `root` (and `<root>.outside/`); describe what must happen."""
    b, raw_html_url = _plan(root)
    b.write()
    return b.describe(raw_html_url)


# Names that become too long for the disk once made into an output path (a segment over 255
# bytes). Kept out of the main vault because today each one stops the whole build; every
# vault here also holds `Fine.md`, which must be published. Case -> (offending file, files).
LONG_NAME_VAULTS: dict[str, tuple[str, dict[str, str]]] = {
    "emoji file name": ("🌱" * 63 + ".md", {"🌱" * 63 + ".md": PUBLISHED + "spelled out\n"}),
    "long permalink": (
        "Long.md",
        {"Long.md": "---\ndg-publish: true\npermalink: /" + "a" * 300 + "/\n---\nx\n"},
    ),
    "long tag": ("Tagged.md", {"Tagged.md": PUBLISHED + "x #" + "t" * 300 + "\n"}),
}


# -- Checks on output, shared by the hostile and the property tests ---------------------------

THEME_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
THEME_STATIC = THEME_TEMPLATES.parent / "static"
# A marker in any spelling: HOSTILE-PRIVATE-1, hostile_private_1, hostile%20private%201...
_MARKER_FORMS = re.compile(r"hostile(?:[^a-z0-9]|%[0-9a-f]{2}){0,3}private", re.IGNORECASE)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
# Elements a browser closes an open <p> for (so `<p><div>` is not what it looks like).
_CLOSES_P = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    }
)
_FORBIDDEN_ELEMENTS = frozenset({"object", "embed", "base", "frame", "frameset", "applet"})
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "background"}
)
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def marker_hits(out: Path) -> list[str]:
    """Every output file whose path or bytes hold a marker, in any case or encoding.

    Files under `static/` that are byte for byte the theme's own are skipped: they come from
    Trellis, not the vault (and the vendored scripts are megabytes).
    """
    hits = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        forms = [rel]
        if path.is_file() and not _is_theme_file(out, path):
            text = path.read_bytes().decode("utf-8", errors="replace")
            forms.append(text)
            if "%" in text:
                forms.append(unquote(text))
            if "&" in text:
                forms += [html.unescape(text), unquote(html.unescape(text))]
        for form in forms:
            found = _MARKER_FORMS.search(form)
            if found:
                start = max(0, found.start() - 60)
                hits.append(f"{rel}: ...{form[start : found.end() + 20]!r}...")
                break
    return hits


def _is_theme_file(out: Path, path: Path) -> bool:
    rel = path.relative_to(out)
    if rel.parts[0] != "static":
        return False
    theme = THEME_STATIC.joinpath(*rel.parts[1:])
    return (
        theme.is_file()
        and theme.stat().st_size == path.stat().st_size
        and theme.read_bytes() == path.read_bytes()
    )


def theme_inline_code() -> list[re.Pattern[str]]:
    """The theme's own inline `<script>` and `<style>` bodies (Jinja expressions as `.*`)."""
    patterns = []
    for template in sorted(THEME_TEMPLATES.glob("*.html")):
        source = template.read_text(encoding="utf-8")
        for body in re.findall(
            r"<(?:script|style)(?:\s[^>]*)?>(.*?)</(?:script|style)>", source, re.S
        ):
            if not body.strip():
                continue
            parts = re.split(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}\n?", body, flags=re.S)
            patterns.append(re.compile(".*?".join(re.escape(p) for p in parts), re.S))
    return patterns


def unsafe_html(page: str, base_path: str = "/") -> list[str]:
    """What in `page` could run script: foreign `<script>`, `on*=`, `javascript:` URLs, ..."""
    problems = []
    inline = theme_inline_code()
    tree = LexborHTMLParser(page)
    for node in tree.css("*"):
        tag = node.tag
        attributes = node.attributes
        if tag in ("script", "style"):
            src = attributes.get("src")
            body = node.text(deep=True)
            if src is not None:
                if not (src or "").startswith(base_path + "static/") or body.strip():
                    problems.append(f"<{tag} src={src!r}> is not the theme's")
            elif not any(p.fullmatch(body) for p in inline):
                problems.append(f"inline <{tag}> is not the theme's: {body[:80]!r}")
        if tag in _FORBIDDEN_ELEMENTS:
            problems.append(f"<{tag}> element")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
        for name, value in attributes.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"<{tag} {name}=...> event handler")
            if lowered == "srcdoc":
                problems.append(f"<{tag} srcdoc>")
            is_url = lowered in _URL_ATTRIBUTES or lowered.endswith(":href") or lowered == "srcset"
            if is_url and _url_scheme_is_bad(value or ""):
                problems.append(f"<{tag} {name}={value!r}>")
            if lowered == "style" and re.search(r"url\s*\(|expression\s*\(", value or "", re.I):
                problems.append(f"<{tag} style={value!r}>")
    return problems


def _url_scheme_is_bad(url: str) -> bool:
    """Would a browser run `url`? As its URL parser reads it: C0 controls and spaces trimmed
    at both ends, tab and newlines removed anywhere (so `java&#x09;script:` is javascript:)."""
    trimmed = url.strip("".join(map(chr, range(0x21))))
    squeezed = "".join(c for c in trimmed if c not in "\t\n\r").lower()
    return squeezed.startswith(_BAD_SCHEMES)


class _Structure(HTMLParser):
    """Checks that every element is closed, in order, and that no `<p>` holds a block."""

    # Elements whose content a browser reads as text up to their end tag, as this parser must.
    CDATA_CONTENT_ELEMENTS = (
        "script",
        "style",
        "iframe",
        "noembed",
        "noframes",
        "xmp",
        "textarea",
        "title",
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CLOSES_P and "p" in self.stack and not _crosses_scope(self.stack):
            self.problems.append(f"<{tag}> inside <p> at {self.getpos()}")
        if tag == "a" and "a" in self.stack:
            self.problems.append(f"<a> inside <a> at {self.getpos()}")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-3:]}")
            if tag in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]
            return
        self.stack.pop()


def _crosses_scope(stack: list[str]) -> bool:
    """Is the innermost `<p>` outside a button-scope boundary (then a block does not close it)?"""
    innermost_p = len(stack) - 1 - stack[::-1].index("p")
    boundaries = {"table", "td", "th", "caption", "button", "svg", "math", "template", "object"}
    return any(tag in boundaries for tag in stack[innermost_p + 1 :])


def structure_problems(markup: str) -> list[str]:
    """Unclosed, misnested or mis-placed elements in `markup` (a page or a fragment)."""
    checker = _Structure()
    checker.feed(markup)
    checker.close()
    return checker.problems + [f"<{tag}> never closed" for tag in checker.stack]
