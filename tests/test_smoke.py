from helpers import published, render_note


def test_wikilink_renders_as_internal_link(tmp_path):
    body = render_note(tmp_path, "See [[Other|the other]].", {"Other.md": published("Hi")})
    link = body.css_first("a.internal-link")
    assert link.attributes["href"] == "/other/"
    assert link.text() == "the other"
