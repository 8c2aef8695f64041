"""The raw-HTML sanitiser: one `nh3.Cleaner` for the process, cleaning as `nh3.clean` does."""

from __future__ import annotations

import nh3
import pytest
from hostile_vault import RAW_HTML

from trellis.markdown import sanitize

SAMPLES = [
    *RAW_HTML.splitlines(),
    RAW_HTML,
    '<details open><summary class="s">Sum</summary><mark>kept</mark></details>',
    '<audio controls src="a.mp3"><source src="a.ogg" type="audio/ogg"></audio>',
    '<iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe>',
    '<span style="color: red; position: fixed; font-weight: bold">styled</span>',
    '<a href="https://example.com" data-x="1" rel="nofollow">link</a><!-- comment -->',
    '<svg viewBox="0 0 10 10"><path d="M0 0L10 10" fill="red"/></svg>',
    "<p>unclosed <em>emphasis <div>block</p>",
]


def test_one_cleaner_is_reused_rather_than_settings_built_per_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`nh3.clean` rebuilds every allow-list on each call; a built `Cleaner` does not."""

    def rebuilt(*args: object, **kwargs: object) -> str:
        raise AssertionError("nh3.clean called: the settings are built again for every note")

    monkeypatch.setattr(nh3, "clean", rebuilt)
    assert isinstance(sanitize._CLEANER, nh3.Cleaner)
    assert sanitize.sanitize_html("<b>bold</b><script>x</script>") == "<b>bold</b>"


@pytest.mark.parametrize("html", SAMPLES)
def test_the_cleaner_writes_what_nh3_clean_with_the_same_options_writes(html: str) -> None:
    assert sanitize.sanitize_html(html) == nh3.clean(html, **sanitize.OPTIONS)


@pytest.mark.parametrize(
    ("style", "kept"),
    [
        pytest.param(
            "display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 1rem",
            "display:grid;grid-template-columns:repeat(auto-fit, minmax(180px, 1fr));gap:1rem",
            id="nested-functions-whole",
        ),
        pytest.param(
            "border: 1px solid var(--background-modifier-border); border-radius: 8px",
            "border:1px solid var(--background-modifier-border);border-radius:8px",
            id="variables",
        ),
        pytest.param("width: calc(100% - min(2px, 1vw))", "width:calc(100% - min(2px, 1vw))"),
        pytest.param("position: fixed; top: 0; z-index: 9; opacity: 0", None, id="moves-or-hides"),
        pytest.param("background: url(javascript:alert(1))", None, id="url"),
        pytest.param("background: URL( 'https://x.org/t.png' )", None, id="url-upper"),
        pytest.param("color: expression(alert(1))", None, id="expression"),
        pytest.param("color: red\\;position:fixed", None, id="escape"),
        pytest.param("color: red /* x */", None, id="comment"),
        pytest.param("width: calc(1px", None, id="unbalanced"),
    ],
)
def test_inline_styles_are_read_whole_and_filtered(style: str, kept: str | None) -> None:
    """nh3's own style filter cut `repeat(auto-fit, minmax(180px, 1fr))` after `minmax(`."""
    html = sanitize.sanitize_html(f'<div style="{style}">x</div>')
    assert html == (f'<div style="{kept}">x</div>' if kept else "<div>x</div>")
