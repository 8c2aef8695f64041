"""Media embeds: images with sizes, audio, video and PDF, as Obsidian picks them by extension."""

import pytest
from helpers import render_note

FILES = {
    name: b"BYTES"
    for name in (
        "pic.png",
        "photo.JPG",
        "anim.gif",
        "vector.svg",
        "modern.webp",
        "modern.avif",
        "song.mp3",
        "voice.m4a",
        "take.ogg",
        "raw.wav",
        "lossless.flac",
        "clip.3gp",
        "movie.mp4",
        "screen.webm",
        "phone.mov",
        "film.mkv",
        "old.ogv",
        "paper.pdf",
    )
}
# An SVG is published only when it parses as an inert SVG (trellis.public.svg).
FILES["vector.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="2"/></svg>'


@pytest.mark.parametrize(
    ("markdown", "selector", "attributes"),
    [
        ("![[pic.png]]", "img", {"alt": "pic.png"}),
        ("![[pic.png|200]]", "img", {"width": "200"}),
        ("![[pic.png|200x100]]", "img", {"width": "200", "height": "100"}),
        ("![[pic.png|A caption]]", "img", {"alt": "A caption"}),
        ("![[photo.JPG]]", "img", {}),
        ("![[anim.gif]]", "img", {}),
        ("![[vector.svg]]", "img", {}),
        ("![[modern.webp]]", "img", {}),
        ("![[modern.avif]]", "img", {}),
        ("![[song.mp3]]", "audio[controls]", {}),
        ("![[voice.m4a]]", "audio[controls]", {}),
        ("![[take.ogg]]", "audio[controls]", {}),
        ("![[raw.wav]]", "audio[controls]", {}),
        ("![[lossless.flac]]", "audio[controls]", {}),
        ("![[clip.3gp]]", "audio[controls]", {}),
        ("![[movie.mp4]]", "video[controls]", {}),
        ("![[screen.webm]]", "video[controls]", {}),
        ("![[phone.mov]]", "video[controls]", {}),
        ("![[film.mkv]]", "video[controls]", {}),
        ("![[old.ogv]]", "video[controls]", {}),
        ("![[paper.pdf]]", "iframe.pdf-embed", {}),
        ("![[paper.pdf#height=400]]", "iframe.pdf-embed", {"height": "400"}),
    ],
)
def test_embed_element_by_extension(tmp_path, markdown, selector, attributes):
    body = render_note(tmp_path, markdown, FILES)
    node = body.css_first(selector)
    assert node is not None, body.html
    for name, value in attributes.items():
        assert node.attributes.get(name) == value
    src = node.attributes["src"]
    assert src.startswith("/attachments/")


def test_pdf_page_and_audio_start(tmp_path):
    body = render_note(tmp_path, "![[paper.pdf#page=3]]\n\n![[song.mp3#t=1:30]]", FILES)
    assert body.css_first("iframe.pdf-embed").attributes["src"].endswith("/paper.pdf#page=3")
    assert body.css_first("audio").attributes["src"].endswith("/song.mp3#t=90")


@pytest.mark.parametrize(
    ("markdown", "alt", "width", "height"),
    [
        ("![Cover|200](https://example.org/c.png)", "Cover", "200", None),
        ("![250](https://example.org/c.png)", "", "250", None),
        ("![Wide|300x120](https://example.org/c.png)", "Wide", "300", "120"),
        ("![Plain](https://example.org/c.png)", "Plain", None, None),
        ("![a|b](https://example.org/c.png)", "a|b", None, None),
    ],
)
def test_markdown_image_sizes(tmp_path, markdown, alt, width, height):
    img = render_note(tmp_path, markdown).css_first("img")
    assert img.attributes["src"] == "https://example.org/c.png"
    assert img.attributes["alt"] == alt
    assert img.attributes.get("width") == width
    assert img.attributes.get("height") == height


def test_missing_media_is_a_placeholder_naming_the_file(tmp_path):
    body = render_note(tmp_path, "![[gone.mp4]] ![missing](gone.png)")
    assert [n.text() for n in body.css(".is-unresolved")] == ["gone.mp4", "missing"]
    assert body.css_first("video") is None and body.css_first("img") is None
