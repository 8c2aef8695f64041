"""A vault that puts markup into every place Markdown lets an author write text or a URL.

Why: Trellis cleans a note with nh3 only when the page holds HTML it did not write itself
(`NoteRenderer._needs_cleaning`); everything else must already be escaped by the renderer,
in nh3's exact form. `tests/test_sanitize_skip.py` builds this vault with and without
`sanitize_every_note` and compares every byte. No note here may need raw HTML to be
hostile except those named `Raw ...`: the point is what the Markdown path writes.
"""

from __future__ import annotations

import json
from pathlib import Path

PUBLISHED = "---\ndg-publish: true\n---\n"
# Markup an attacker would like to see unescaped, in each quoting context at once: as it
# is where Markdown reads no HTML (frontmatter, code, URLs, titles, aliases) ...
EVIL = "<script>alert(1)</script> \" ' & &amp; <b onmouseover=x>b</b> \u00a0nbsp"
# ... and escaped where it would be raw HTML (`\<` is a literal `<`, as are entities).
EVIL_TEXT = "\\<script>alert(1)\\</script> \" ' & &amp; &lt;b onmouseover=x&gt; \u00a0nbsp"
# A link title holding every quote: in single quotes, its own escaped.
TITLE = "'title " + EVIL.replace("'", "\\'") + "'"
TWO_SPACES = "  "  # a hard line break
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

# Every construct whose text or attributes Trellis writes itself, with hostile text: no
# raw HTML and only plain URLs, so this page is not cleaned (the test checks it).
ESCAPED = f"""\
# Heading {EVIL_TEXT}

## Second "heading" & \\<i>more\\</i>

Text {EVIL_TEXT}, entities &lt;script&gt; &quot;q&quot; &#60;b&#62; &#0; &#x0D; &#xA0; &copy;.
Control\x01chars\x0b and\x7fdel, RTL \u202e override, astral \U0001f600, CR &#13; here.
Hard break with two spaces{TWO_SPACES}
and a backslash\\
end.

*em {EVIL_TEXT}* **strong "x"** ~~del \\<s>~~ ==mark \\<u> "m"== `code {EVIL}`

[text {EVIL_TEXT}](https://example.org/a?b=1&c="2" {TITLE})
[no scheme](page.html?x=<y>) [fragment](#"onmouseover=x) [root](/a/b) [proto](//evil.example/x)
[mail](mailto:a@example.org?subject="x") [tel](tel:+1-555) [upper](HTTPS://EXAMPLE.ORG/)
[port](http://example.org:8080/) [unicode path](https://example.org/ä"<>)
[js](javascript:alert(1)) [vb](vbscript:msgbox(1)) [file](file:///etc/passwd)

![alt {EVIL_TEXT}](https://example.org/p.png {TITLE})
![sized|100x200](https://example.org/p.png) ![bad size|100x"x](pic.png)
![local "q"](pic.png) ![missing \\<b>](missing.png) ![js image](javascript:alert(1))

<https://example.org/auto?a=1&b=2> <mailto:me@example.org> <x@example.org>
Linkified https://example.org/path?q="x"&r=y and www.example.org and me@example.org.

[[Target|alias {EVIL_TEXT}]] [[Target#Heading "x" <y>]] [[Target#^blockid|block]]
[[Quote "Q" & <Co>]] [[<b>alias</b>]] [[Missing {EVIL_TEXT}]] [[Target|]]

![[Target]]
![[Quote "Q" & <Co>]]
![[Target#Heading "x" <y>]]
![[pic.png|alt {EVIL_TEXT}]] ![[pic.png|100x<b>]] ![[pic.png|"onerror=alert(1) x]]
![[sound.mp3#t=1,2"x]] ![[sound.mp3]] ![[movie.mp4|320x240]]
![[doc.pdf#page=2&height=400]] ![[doc.pdf#page="x<y>]] ![[missing {EVIL_TEXT}.png]]

#tag"x #tag&g #tag/"nested" #ok-tag

[key "k" &lt;b&gt;:: value {EVIL_TEXT}] and (inline"x:: paren \\<i>)
field&:: line value "v" \\<i>

$a < b & "c" > d$ and $$x < y$$

$$
\\text{{{EVIL}}} < 1
$$

- [ ] task {EVIL_TEXT}
- [x] done "x" & \\<y>
- [?] custom \\<b>
- [/] half

1. first
2. second \\<li>

> [!note] Callout title {EVIL_TEXT}
> body "x" & \\<y>

> [!"x" onmouseover=alert(1)]- Folded "title" &amp;
> hidden

> [!tip|meta "x" <y>]+ Open
> text

> plain quote {EVIL_TEXT}

| left "a" | center \\<b> | right & |
|:---|:---:|---:|
| {EVIL_TEXT} | `|` pipe | [[Target\\|alias "x"]] |

Footnote ref[^a"b] and inline^[note {EVIL_TEXT}] and [^second].

[^a"b]: The footnote {EVIL_TEXT}
[^second]: Second "one" & \\<two>

%% hidden comment {EVIL_TEXT} %%

```py"onload=x
print("quoted" + 'single' + "<tag>" + "&amp;" + "\u00a0")
```

```python
s = "double"; t = 'single'; u = "<b>&"  # comment "x" \u00a0
```

```<b>
not a language {EVIL}
```

```mermaid
graph TD; A["<script>alert(1)</script>"] --> B;
```

    indented code {EVIL}

Block with id {EVIL_TEXT} ^blockid

---

Last line {EVIL_TEXT}
"""

# URLs that nh3 drops or might read otherwise than a browser: the page is cleaned.
URLS = """\
[data](data:text/html;base64,PHNjcmlwdD4=) [img data](data:image/png;base64,AAAA)
![data image](data:image/png;base64,AAAA)
[ftp](ftp://files.example/x) <ftp://files.example/> [obsidian](obsidian://open?vault=x)
[ip](http://192.168.0.1/) [bad ip](http://999.1.1.1/) [five](http://1.2.3.4.5/)
[puny](http://xn--zz.example/) [bad port](http://example.org:99999/) [empty](https://)
[userinfo](http://user:pw@example.org/) [angle](<https://example.org/a b>)
[spaced](<java script:alert(1)>) [tab](<java\tscript:alert(1)>) [host](https://exämple.org/)
[rel colon](a:b) [drive](C:\\x) Linkified http://1.2.3.4.5/ and https://xn--zz.example/.
"""

TARGET = f"""\
---
dg-publish: true
title: {json.dumps("Target " + EVIL)}
aliases: {json.dumps(["<b>alias</b>", 'Alias "quoted" & <x>'])}
tags: {json.dumps(["<i>tag</i>", 'x"y'])}
---
# Heading "x" \\<y>

Target text {EVIL_TEXT}.

Block here ^blockid
"""

QUOTED = """\
---
dg-publish: true
title: "Carriage\\rreturn\\r\\nand \\"quotes\\" & <angle>"
---
Quoted note & \\<body>.
"""

RAW_HTML = """\
Raw: <b onclick="alert(1)">bold</b> <a href="javascript:alert(1)">js</a>

<div class="x" onmouseover="alert(1)">
<script>alert(1)</script>
[[Target]]
</div>
"""


def write_sanitize_corpus(root: Path) -> Path:
    """Write the vault under `root` (created); return it."""
    files: dict[str, str | bytes] = {
        "Escaped.md": PUBLISHED + ESCAPED,
        "URLs.md": PUBLISHED + URLS,
        "Target.md": TARGET,
        'Quote "Q" & <Co>.md': QUOTED,
        "Raw HTML.md": PUBLISHED + RAW_HTML,
        "Raw Embedder.md": PUBLISHED + "Embeds raw HTML:\n\n![[Raw HTML]]\n\nand text & <x>.\n",
        "Embed Chain.md": PUBLISHED + '![[Escaped]]\n\n![[Target#Heading "x" <y>]]\n',
        "Query.md": PUBLISHED + 'Inline query: `= this.file.name` and `= "<b>"`.\n',
        "pic.png": PNG,
        "sound.mp3": b"ID3" + bytes(64),
        "movie.mp4": bytes(64),
        "doc.pdf": b"%PDF-1.4\n%%EOF\n",
    }
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
