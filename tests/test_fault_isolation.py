"""A bug in one plugin costs one note its text, never the rest of the site."""

from helpers import build_vault, published

from trellis.markdown.plugins import wikilinks


def test_a_crashing_render_rule_is_contained(tmp_path, monkeypatch):
    original = wikilinks.display_text

    def explode(target):
        if target == "Boom":
            raise RuntimeError("plugin bug")
        return original(target)

    monkeypatch.setattr(wikilinks, "display_text", explode)
    site = build_vault(
        tmp_path,
        {"Bad.md": published("before [[Boom]] after"), "Good.md": published("fine [[Bad]]")},
    )
    assert site.exists("/good/") and site.exists("/bad/")
    assert "fine" in site.body("/good/").text()
    assert site.warned("Bad.md", "could not parse this note", "RuntimeError: plugin bug")
