# ruff: noqa: E501  (the spec's sample.canvas is kept byte for byte, long lines included)
"""Canvases for the tests: the JSON Canvas spec's own sample, a board of every feature, and
boards written to break the reader."""

from __future__ import annotations

import json

# jsoncanvas.org's sample.canvas (obsidianmd/jsoncanvas), as published with the spec.
SPEC_SAMPLE = """{
\t"nodes":[
\t\t{"id":"754a8ef995f366bc","type":"group","x":-300,"y":-460,"width":610,"height":200,"label":"JSON Canvas"},
\t\t{"id":"8132d4d894c80022","type":"file","file":"readme.md","x":-280,"y":-200,"width":570,"height":560,"color":"6"},
\t\t{"id":"7efdbbe0c4742315","type":"file","file":"_site/logo.svg","x":-280,"y":-440,"width":217,"height":80},
\t\t{"id":"59e896bc8da20699","type":"text","text":"Learn more:\\n\\n- [Apps](/docs/apps.md)\\n- [Spec](spec/1.0.md)\\n- [Github](https://github.com/obsidianmd/jsoncanvas)","x":40,"y":-440,"width":250,"height":160},
\t\t{"id":"0ba565e7f30e0652","type":"file","file":"spec/1.0.md","x":360,"y":-400,"width":400,"height":400}
\t],
\t"edges":[
\t\t{"id":"6fa11ab87f90b8af","fromNode":"7efdbbe0c4742315","fromSide":"right","toNode":"59e896bc8da20699","toSide":"left"}
\t]
}"""


def board(**extra: object) -> str:
    data = {
        "nodes": [
            {
                "id": "g",
                "type": "group",
                "x": 0,
                "y": 0,
                "width": 900,
                "height": 500,
                "label": "Reading",
                "color": "4",
                "background": "bg.png",
                "backgroundStyle": "ratio",
            },
            {
                "id": "t",
                "type": "text",
                "x": 40,
                "y": 40,
                "width": 300,
                "height": 120,
                "text": "# Plan\n\nRead **[[Dune]]** first.",
                "color": "#ff8800",
            },
            {
                "id": "f",
                "type": "file",
                "x": 400,
                "y": 40,
                "width": 300,
                "height": 200,
                "file": "Books/Dune.md",
                "subpath": "#Themes",
            },
            {
                "id": "p",
                "type": "file",
                "x": 400,
                "y": 300,
                "width": 300,
                "height": 150,
                "file": "Private/Secret Plans.md",
            },
            {
                "id": "l",
                "type": "link",
                "x": 40,
                "y": 300,
                "width": 300,
                "height": 100,
                "url": "https://jsoncanvas.org/",
            },
        ],
        "edges": [
            {"id": "e1", "fromNode": "t", "toNode": "f", "label": "then", "color": "1"},
            {
                "id": "e2",
                "fromNode": "t",
                "fromSide": "bottom",
                "toNode": "l",
                "toSide": "top",
                "fromEnd": "arrow",
                "toEnd": "none",
            },
            {"id": "e3", "fromNode": "f", "toNode": "p", "label": "SECRET EDGE? no: fine"},
        ],
        **extra,
    }
    return json.dumps(data)
