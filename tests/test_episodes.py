"""Episode pages: Snipd exports built for real, read back from the HTML.

Every test builds a vault with `build_vault` and looks at the DOM: the header, one section
per snip with a real `<audio>` whose `#t=` is in seconds, time ranges, durations, takeaways,
folded transcripts, timestamp links, the episodes index, and what happens to broken input.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PUBLISHED, build_vault, published

from trellis.markdown.plugins.timestamps import (
    clock_text,
    duration_text,
    find_timestamps,
    normalise_fragment,
    parse_clock,
    parse_range,
    parse_time,
)

ROOT = Path(__file__).resolve().parent.parent
MP3 = "https://cdn.example.org/shows/slow/episode-12.mp3"

SNIPD = f"""\
---
dg-publish: true
---
> [!multi-column]
>
>> [!metadata]- Meta
>> **up**:: [[Podcasts]]
>> **type**:: #📥/🎙
>> **status**:: #📥/🟥
>> **tags**:: #soil
>
>> [!metadata]- Podcast Info
>> **Author**:: Mara Field
>> **Title**:: Why compost is slow
>> **URL**:: https://example.org/ep12
>> **Reviewed Date**:: 2024-04-02
>> **Finished Year**:: 2024

# Why compost is slow

![Cover|200](https://img.example.org/cover.jpg)

## Episode metadata
- Episode title:: Why compost is slow
- Show:: The Slow Garden
- Owner / Host:: Mara Field
- Episode link:: [Open in Snipd](https://share.snipd.com/episode/abc)
- Episode publish date:: 2024-03-14

<details>
<summary>Show notes</summary>
Mara on the heap (1:02:03).<br/><br/>Chapters:<br/>1 00:00 Welcome<br/>2 05:12 Why slow<br/>
Meet us at 10:30 on Sunday.
</details>
<br/>

## Snips
### [27:34] The pile needs air
[🎧 Play snip - 1min️ (26:22 - 27:36)](https://share.snipd.com/snip/one)
<audio controls>
  <source src="{MP3}#t=26:22,27:36">
</audio>

### ✨ Key takeaways
1. Turn it weekly. Break: [12:16]
2. Read [[Compost]] and [[Secret Plans]].

#### 📚 Transcript
> [!quote]- Transcript
> **Speaker 1**
> Hello there.
>
> **Speaker 2**
> Hi, see `12:00` in code and [a link at 13:00](https://example.org/x).

---
### [1:02:10] Winter does the work
[🎧 Play snip - 1min️ (1:01:05 - 1:02:10)](https://share.snipd.com/snip/two)
<audio controls>
  <source src="{MP3}#t=1:01:05,1:02:10">
</audio>

### ✨ Key takeaways
- Cover the heap.

#### 📚 Transcript
> > [!transcript]-
> > **Speaker 1**
> > Nothing, patiently.

---

## My notes
- 00:00 the intro is skippable
- See [06:01] for the chapter I liked (and (1:02:03) too).
"""

COMPOST = published("Compost is slow.\n")
SECRET = "---\ndg-publish: false\n---\nSECRET-EPISODE-TEXT\n"


@pytest.fixture(scope="module")
def snipd(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("snipd")
    return build_vault(
        root,
        {
            "Sources/🎙 Podcasts/Why compost is slow.md": SNIPD,
            "Garden/Compost.md": COMPOST,
            "Private/Secret Plans.md": SECRET,
        },
    )


URL = "/sources/podcasts/why-compost-is-slow/"


def text(node) -> str:
    return " ".join((node.text() if node is not None else "").split())


def episode_of(site, rel_path: str):
    return next(n for n in site.result.site.notes if n.rel_path == rel_path).episode


# -- the header ----------------------------------------------------------------------------


def test_the_page_is_an_episode_page_with_its_header(snipd):
    page = snipd.page(URL)
    assert page.css_first("article.episode") is not None
    header = page.css_first(".episode-header")
    assert header.css_first("img.episode-cover").attributes["src"] == (
        "https://img.example.org/cover.jpg"
    )
    assert text(header.css_first(".episode-show")) == "🎙 The Slow Garden"
    assert text(header.css_first("h1.episode-title")) == "Why compost is slow"
    assert text(header.css_first(".episode-host")) == "Mara Field"
    date = header.css_first("time.episode-date")
    assert date.attributes["datetime"] == "2024-03-14"
    assert text(date) == "14 March 2024"
    assert header.css_first("a.episode-link").attributes["href"] == (
        "https://share.snipd.com/episode/abc"
    )
    assert text(header.css_first(".episode-snip-count")) == "2 snips"
    whole = header.css_first("audio.episode-audio")
    assert whole.attributes["src"] == MP3


def test_what_the_header_shows_leaves_the_body(snipd):
    body = snipd.body(URL)
    assert body.css("h1") == []  # `# Title` is the header's h1 now
    assert "Episode metadata" not in body.text()
    assert "Owner / Host" not in body.text()
    assert body.css_first("img") is None  # the cover is in the header
    # What the header does not show stays: the folded Meta / Podcast Info callouts.
    assert [text(s) for s in body.css("details.callout[data-callout=metadata] > summary")] == [
        "Meta",
        "Podcast Info",
    ]
    toc = [text(a) for a in snipd.page(URL).css(".episode-snips-nav a")]
    assert toc == ["The pile needs air", "Winter does the work"]


def test_show_notes_are_folded(snipd):
    notes = snipd.body(URL).css_first("details.episode-show-notes")
    assert notes is not None and "open" not in notes.attributes
    assert text(notes.css_first("summary")) == "Show notes"
    assert "Mara on the heap" in notes.text()


# -- snips ---------------------------------------------------------------------------------


def test_each_snip_is_a_section_with_a_real_player(snipd):
    sections = snipd.body(URL).css("section.snip")
    assert [s.attributes["id"] for s in sections] == ["snip-1", "snip-2"]
    first, second = sections
    assert text(first.css_first("h3.snip-title")) == "The pile needs air"
    assert (first.attributes["data-start"], first.attributes["data-end"]) == ("1582", "1656")
    sources = first.css("audio.snip-audio > source")
    assert [s.attributes["src"] for s in sources] == [f"{MP3}#t=1582,1656"]
    assert "controls" in first.css_first("audio.snip-audio").attributes
    assert text(first.css_first(".snip-range")) == "26:22 – 27:36"
    assert [t.attributes["datetime"] for t in first.css(".snip-range time")] == [
        "PT26M22S",
        "PT27M36S",
    ]
    assert text(first.css_first(".snip-duration")) == "1 min 14 s"
    assert first.css_first("a.snip-link").attributes["href"] == "https://share.snipd.com/snip/one"
    # h:mm:ss times work the same way.
    assert second.css_first("source").attributes["src"] == f"{MP3}#t=3665,3730"
    assert text(second.css_first(".snip-range")) == "1:01:05 – 1:02:10"
    assert text(second.css_first(".snip-duration")) == "1 min 5 s"


def test_snipd_play_links_and_raw_players_are_replaced(snipd):
    body = snipd.body(URL)
    assert "Play snip" not in body.text()
    assert "[27:34]" not in body.text()
    assert len(body.css("audio")) == 2  # one per snip, none left over from the raw HTML
    assert all("snip-audio" in a.attributes.get("class", "") for a in body.css("audio"))
    assert body.css("hr") == []  # the `---` between snips: sections are framed already
    html = snipd.html(URL)
    assert "#t=26:22" not in html and '27:36"' not in html


def test_takeaways_and_their_links(snipd):
    first = snipd.body(URL).css_first("#snip-1")
    items = first.css("ol > li")
    assert [text(li) for li in items] == [
        "Turn it weekly. Break: 12:16",
        "Read Compost and Secret Plans.",
    ]
    compost = items[1].css_first("a.internal-link")
    assert compost.attributes["href"] == "/garden/compost/"
    unresolved = items[1].css_first(".internal-link.is-unresolved")
    assert text(unresolved) == "Secret Plans" and unresolved.tag == "span"
    episode = episode_of(snipd, "Sources/🎙 Podcasts/Why compost is slow.md")
    assert episode.snips[0].takeaways == [
        "Turn it weekly. Break: [12:16]",
        "Read Compost and Secret Plans.",
    ]
    assert episode.snips[1].takeaways == ["Cover the heap."]


def test_transcripts_are_folded(snipd):
    first, second = snipd.body(URL).css("section.snip")
    quote = first.css_first("details.callout[data-callout=quote]")
    assert quote is not None and "open" not in quote.attributes
    assert text(quote.css_first("summary")) == "Transcript"
    assert "Hello there." in quote.text()
    nested = second.css_first("blockquote details.callout[data-callout=transcript]")
    assert nested is not None and "open" not in nested.attributes
    episode = episode_of(snipd, "Sources/🎙 Podcasts/Why compost is slow.md")
    assert [s.has_transcript for s in episode.snips] == [True, True]


def test_notes_after_the_snips_stay_as_written(snipd):
    body = snipd.body(URL)
    heading = body.css_first("h2#my-notes")
    assert heading is not None and heading.parent.tag != "section"
    assert "the intro is skippable" in body.text()


# -- timestamps ----------------------------------------------------------------------------


def test_timestamps_become_links_that_seek_the_episode(snipd):
    body = snipd.body(URL)
    links = {
        (text(a), a.attributes["data-t"], a.attributes["href"]) for a in body.css("a.timestamp")
    }
    expected = {
        ("1:02:03", "3723"),  # `(1:02:03)` in the raw HTML show notes
        ("00:00", "0"),  # chapter lines
        ("05:12", "312"),
        ("12:16", "736"),  # `Break: [12:16]`
        ("06:01", "361"),  # `[06:01]` in a list
    }
    assert {(t, s) for t, s, _ in links} == expected
    assert all(href == f"{MP3}#t={s}" for _, s, href in links)
    # Brackets are a marker and go; parentheses belong to the sentence and stay.
    assert "Break: 12:16" in text(body) and "(1:02:03)" in text(body)


def test_times_that_are_not_timestamps_stay_text(snipd):
    body = snipd.body(URL)
    stamps = [text(a) for a in body.css("a.timestamp")]
    assert "10:30" not in stamps  # a time in a sentence
    assert "12:00" not in stamps  # in code
    assert "13:00" not in stamps  # inside a link's text
    assert body.css_first("code").text() == "12:00"
    assert "Meet us at 10:30 on Sunday." in body.text()


def test_without_audio_timestamps_stay_plain_text(tmp_path):
    note = PUBLISHED.replace("---\n", "---\ntype: podcast\n", 1) + (
        "Chapters:\n\n1 00:00 Welcome\n\nSee [06:01].\n"
    )
    site = build_vault(tmp_path, {"Episode.md": note})
    body = site.body("/episode/")
    assert site.page("/episode/").css_first("article.episode") is not None
    assert body.css("a.timestamp") == []
    assert "1 00:00 Welcome" in body.text() and "[06:01]" in body.text()
    assert site.page("/episode/").css_first("audio") is None


def test_ordinary_notes_are_not_episode_pages(tmp_path):
    files = {
        "Meeting.md": published("Chapters\n\n1 00:00 Welcome\n\nAt [06:01] we met.\n"),
        "Show.md": published("A TV episode.\n", tags="[tv/episode]"),
    }
    site = build_vault(tmp_path, files)
    for url in ("/meeting/", "/show/"):
        assert site.page(url).css_first("article.episode") is None
        assert site.body(url).css("a.timestamp") == []
    assert not site.exists("/episodes/")


# -- audio embeds --------------------------------------------------------------------------


def test_audio_embeds_in_an_episode_get_seconds_and_are_its_audio(tmp_path):
    note = (
        PUBLISHED.replace("---\n", "---\ntype: episode\n", 1)
        + "![[talk.wav#t=0:30]]\n\n![[talk.wav#t=1:00,1:30]]\n\nSkip to [02:00].\n"
    )
    site = build_vault(tmp_path, {"Talk.md": note, "talk.wav": b"RIFF0000WAVE"})
    body = site.body("/talk/")
    sources = [a.attributes["src"] for a in body.css(".audio-embed audio")]
    assert [s.split("/")[-1] for s in sources] == ["talk.wav#t=30", "talk.wav#t=60,90"]
    audio = site.page("/talk/").css_first("audio.episode-audio").attributes["src"]
    assert audio.endswith("/talk.wav")
    link = body.css_first("a.timestamp")
    assert (link.attributes["data-t"], link.attributes["href"]) == ("120", f"{audio}#t=120")


def test_only_snipds_own_play_link_and_player_are_taken_out(tmp_path):
    note = PUBLISHED.replace("---\n", "---\ntype: podcast\n", 1) + (
        "## Snips\n### [0:10] One\n"
        "[🎧 Play snip - 10s (0:00 - 0:10)](https://share.snipd.com/snip/x)\n"
        f'<audio controls><source src="{MP3}#t=0:00,0:10"></audio>\n\n'
        "- A [🎧 related episode](https://example.org/other) worth hearing.\n\n"
        "![[clip.wav#t=0:05]]\n\n"
        "## Pictures\n![A photo](https://img.example.org/photo.jpg)\n"
    )
    site = build_vault(tmp_path, {"One.md": note, "clip.wav": b"RIFF"})
    body = site.body("/one/")
    related = body.css_first("#snip-1 li a")
    assert related.attributes["href"] == "https://example.org/other"
    assert body.css_first(".audio-embed audio").attributes["src"].endswith("clip.wav#t=5")
    page = site.page("/one/")
    assert page.css_first("audio.episode-audio").attributes["src"] == MP3
    assert page.css_first("img.episode-cover") is None  # a picture further down is no cover
    assert body.css_first("img").attributes["src"] == "https://img.example.org/photo.jpg"


def test_audio_embeds_in_any_note_get_seconds(tmp_path):
    site = build_vault(
        tmp_path, {"Note.md": published("![[talk.wav#t=1:00,1:30]]\n"), "talk.wav": b"RIFF"}
    )
    src = site.body("/note/").css_first("audio").attributes["src"]
    assert src.endswith("talk.wav#t=60,90")


# -- the episodes index --------------------------------------------------------------------


def _episode(show: str, date: str, snips: int, title: str) -> str:
    parts = [
        "---\ndg-publish: true\n---\n",
        f"## Episode metadata\n- Episode title:: {title}\n- Show:: {show}\n",
        f"- Episode publish date:: {date}\n\n## Snips\n",
    ]
    for number in range(snips):
        parts.append(
            f"### [0:{10 + number}] Snip {number}\n"
            f'<audio controls><source src="{MP3}#t=0:0{number},0:0{number + 1}"></audio>\n\n'
        )
    return "".join(parts)


def test_the_episodes_index_groups_by_show_newest_first(tmp_path):
    files = {
        "A1.md": _episode("Alpha Cast", "2023-01-05", 2, "Alpha one"),
        "A2.md": _episode("Alpha Cast", "2024-06-01", 1, "Alpha two"),
        "B1.md": _episode("Beta Radio", "March 3, 2024", 3, "Beta one"),
        "Hidden.md": _episode("Beta Radio", "2024-09-09", 1, "Hidden one").replace(
            "dg-publish: true", "dg-publish: true\ndg-hide: true"
        ),
        "Private.md": _episode("Gamma Private Show", "2024-09-09", 1, "Private one").replace(
            "dg-publish: true", "dg-publish: false"
        ),
        "Plain.md": published("Not an episode.\n"),
    }
    site = build_vault(tmp_path, files)
    index = site.page("/episodes/")
    groups = index.css("section.episode-show-group")
    assert [text(g.css_first("h2")) for g in groups] == ["Alpha Cast", "Beta Radio"]
    assert [g.attributes["id"] for g in groups] == ["show-alpha-cast", "show-beta-radio"]
    alpha = groups[0].css("li.episode-item")
    assert [text(i.css_first("a")) for i in alpha] == ["Alpha two", "Alpha one"]
    assert [text(i.css_first(".snip-count")) for i in alpha] == ["1 snip", "2 snips"]
    assert alpha[0].css_first("a").attributes["href"] == "/a2/"
    beta = groups[1].css("li.episode-item")
    assert [text(i.css_first("a")) for i in beta] == ["Beta one"]
    assert beta[0].css_first("time").attributes["datetime"] == "2024-03-03"
    assert text(index.css_first(".episode-index-summary")) == "3 episodes · 6 snips"
    html = site.html("/episodes/")
    assert "Hidden one" not in html and "Private" not in html and "Gamma" not in html
    # The episode page's show links to its group on the index.
    show_link = site.page("/b1/").css_first(".episode-show a").attributes["href"]
    assert show_link == "/episodes/#show-beta-radio"


def test_no_episodes_no_index(tmp_path):
    site = build_vault(tmp_path, {"Plain.md": published("Text.\n")})
    assert not site.exists("/episodes/")


# -- what goes wrong -----------------------------------------------------------------------

BROKEN = f"""\
---
dg-publish: true
type: podcast
---
## Snips
### [26:10] No audio at all
[🎧 Play snip - 1min️ (25:00 - 26:10)](https://share.snipd.com/snip/a)

### [27:34] Malformed start
<audio controls>
  <source src="{MP3}#t=26:7x,27:36">
</audio>

### [27:34] Malformed, rescued by the play link
[🎧 Play snip - 1min️ (26:22 - 27:36)](https://share.snipd.com/snip/c)
<audio controls>
  <source src="{MP3}#t=26:22,27:3x">
</audio>

### [12:00] Ends before it starts
<audio controls><source src="{MP3}#t=12:00,11:00"></audio>

### [3:00] Odd whitespace
<audio
   controls   >

   <source   src = '{MP3}#t=2:00,3:00'  type="audio/mpeg" >

</audio >

### [5:00] Several sources
<audio controls>
<source src="{MP3}#t=4:00,5:00" type="audio/mpeg">
<source src="https://cdn.example.org/ep.ogg#t=4:00,5:00" type="audio/ogg">
</audio>

### [6:00] Unsafe and missing sources
<audio controls>
<source src="javascript:alert(1)#t=5:00,6:00">
<source src="missing.mp3#t=5:00,6:00">
</audio>
"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory):
    return build_vault(tmp_path_factory.mktemp("broken"), {"Broken.md": BROKEN})


def snip(site, number: int):
    return site.body("/broken/").css_first(f"#snip-{number}")


def test_broken_snips_never_stop_the_build(broken):
    assert broken.exists("/broken/")
    assert len(broken.body("/broken/").css("section.snip")) == 7


def test_a_snip_without_audio_renders_without_a_player(broken):
    first = snip(broken, 1)
    assert text(first.css_first(".snip-title")) == "No audio at all"
    assert first.css_first("audio") is None
    assert text(first.css_first(".snip-range")) == "25:00 – 26:10"
    assert first.css_first("a.snip-link").attributes["href"] == "https://share.snipd.com/snip/a"
    assert broken.warned("Broken.md:6", "has no audio")


def test_a_malformed_time_is_reported_and_the_file_plays(broken):
    second = snip(broken, 2)
    assert second.css_first("source").attributes["src"] == MP3  # no range left to honour
    assert second.css_first(".snip-range") is None
    assert "data-start" not in second.attributes
    assert broken.warned("Broken.md:11", "cannot read the time '26:7x'")
    third = snip(broken, 3)  # the play link knows the range the fragment garbled
    assert third.css_first("source").attributes["src"] == f"{MP3}#t=1582,1656"
    assert broken.warned("Broken.md:17", "cannot read the time '27:3x'")


def test_an_end_before_the_start_is_dropped(broken):
    fourth = snip(broken, 4)
    assert fourth.css_first("source").attributes["src"] == f"{MP3}#t=720"
    assert text(fourth.css_first(".snip-range")) == "from 12:00"
    assert fourth.css_first(".snip-duration") is None
    assert broken.warned("Broken.md:21", "ends (11:00) before it starts (12:00)")


def test_odd_whitespace_in_the_player_is_read(broken):
    fifth = snip(broken, 5)
    source = fifth.css_first("source")
    assert source.attributes["src"] == f"{MP3}#t=120,180"
    assert source.attributes["type"] == "audio/mpeg"
    assert "audio" not in text(fifth)  # no stray tag text left behind


def test_several_sources_are_all_kept(broken):
    sixth = snip(broken, 6)
    assert [(s.attributes["src"], s.attributes["type"]) for s in sixth.css("source")] == [
        (f"{MP3}#t=240,300", "audio/mpeg"),
        ("https://cdn.example.org/ep.ogg#t=240,300", "audio/ogg"),
    ]


def test_unsafe_and_missing_sources_are_left_out(broken):
    seventh = snip(broken, 7)
    assert seventh.css_first("audio") is None
    assert "javascript" not in broken.html("/broken/")
    assert broken.warned("Broken.md", "not an http(s) address")
    assert broken.warned("Broken.md", "'missing.mp3' was not found")


def test_the_episode_model_is_plain_data(broken):
    episode = episode_of(broken, "Broken.md")
    assert [s.title for s in episode.snips][:2] == ["No audio at all", "Malformed start"]
    first = episode.snips[0]
    assert (first.start, first.end, first.duration, first.marker) == (1500, 1570, 70, 1570)
    assert first.fragment == "#t=1500,1570" and first.has_audio is False
    assert episode.snips[3].fragment == "#t=720" and episode.snips[3].duration is None


def test_a_local_audio_file_is_published_with_the_note(tmp_path):
    note = PUBLISHED + (
        "## Snips\n### [0:05] Local\n"
        '<audio controls><source src="../audio/ep%20one.wav#t=0:02,0:05"></audio>\n'
    )
    site = build_vault(
        tmp_path,
        {
            "Notes/Local.md": note.replace("---\n", "---\ntype: podcast\n", 1),
            "audio/ep one.wav": b"RIFF0000WAVE",
        },
    )
    src = site.body("/notes/local/").css_first("source").attributes["src"]
    assert src.startswith("/attachments/")
    assert src.endswith(("/ep%20one.wav#t=2,5", "/ep one.wav#t=2,5"))
    copied = site.out / src.split("#")[0].lstrip("/").replace("%20", " ")
    assert copied.read_bytes() == b"RIFF0000WAVE"
    assert "audio/ep one.wav" not in site.html("/notes/local/")  # no vault path


def test_rebuilding_gives_the_same_episode_page(tmp_path):
    files = {"Ep.md": SNIPD, "Compost.md": COMPOST}
    first = build_vault(tmp_path, files).page("/ep/").css_first("article.episode").html
    second = build_vault(tmp_path, files)  # may reuse the first build's parses
    assert second.page("/ep/").css_first("article.episode").html == first
    assert len(second.body("/ep/").css("section.snip")) == 2


def test_reading_an_episode_leaves_its_parse_untouched(tmp_path):
    """Builds may keep a parse for the next build (`serve`): reading it twice must be safe."""
    from helpers import write_vault

    from trellis.config import load_settings
    from trellis.diagnostics import Diagnostics
    from trellis.episodes import attach_episodes
    from trellis.public.site import build_public_site
    from trellis.render.notes import NoteRenderer
    from trellis.vault.scan import read_vault

    vault = write_vault(tmp_path / "vault", {"Ep.md": SNIPD, "Compost.md": COMPOST})
    diagnostics = Diagnostics()
    site = build_public_site(
        read_vault(vault, diagnostics), load_settings(vault, {}, diagnostics), diagnostics
    )
    NoteRenderer(site, diagnostics).parse_all()
    note = next(n for n in site.notes if n.rel_path == "Ep.md")
    parse = note.content
    tokens = [t.as_dict() for t in parse.tokens]
    headings = list(parse.headings)

    assert attach_episodes(site, diagnostics) == 1
    first = note.content
    assert first is not parse and note.episode is not None
    assert [t.as_dict() for t in parse.tokens] == tokens and parse.headings == headings

    note.content, note.episode = parse, None  # the next build starts from the kept parse
    attach_episodes(site, diagnostics)
    assert [t.as_dict() for t in note.content.tokens] == [t.as_dict() for t in first.tokens]
    assert len(note.episode.snips) == 2


def test_private_notes_leave_no_trace_through_episodes(snipd):
    for path in snipd.out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-EPISODE-TEXT" not in data, path
            assert b"/private/" not in data, path


# -- the sample garden ---------------------------------------------------------------------


def test_the_sample_garden_has_playable_episodes(tmp_path):
    from trellis.pipeline import build

    out = tmp_path / "public"
    build(ROOT / "site_src", out)
    page = (out / "sources/podcasts/the-slow-garden-episode-12/index.html").read_text("utf-8")
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(page)
    sources = [s.attributes["src"] for s in tree.css("section.snip audio source")]
    assert [s.rsplit("/", 1)[-1] for s in sources] == [
        "slow-garden-12.wav#t=4,11",
        "slow-garden-12.wav#t=13,19",
        "slow-garden-12.wav#t=22,29",
    ]
    assert (out / sources[0].split("#")[0].lstrip("/")).stat().st_size < 300_000
    index = LexborHTMLParser((out / "episodes/index.html").read_text("utf-8"))
    assert [text(h) for h in index.css(".episode-show-group h2")] == [
        "The Slow Garden",
        "Roots and Rain",
    ]
    home = LexborHTMLParser((out / "index.html").read_text("utf-8"))
    assert any(a.attributes.get("href") == "episodes/" for a in home.css("a"))


# -- times as written ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("0:04", 4), ("26:22", 1582), ("1:02:03", 3723), ("00:00:30", 30), ("90:00", 5400)],
)
def test_clock_times_read_as_seconds(written, seconds):
    assert parse_clock(written) == seconds


@pytest.mark.parametrize("written", ["26:7x", "1:60", "1:61:00", "", "12", "1:2:3:4", "ab:cd"])
def test_malformed_clock_times_are_refused(written):
    assert parse_clock(written) is None


@pytest.mark.parametrize(
    ("fragment", "normalised"),
    [
        ("t=26:22,27:36", "#t=1582,1656"),
        ("t=0:30", "#t=30"),
        ("t=npt:1:00:00,1:00:30", "#t=3600,3630"),
        ("t=90.5", "#t=90.5"),
        ("t=,45", "#t=,45"),
        ("t=26:7x,27:36", "#t=,1656"),
        ("t=2:00,1:00", "#t=120"),
        ("page=3", "#page=3"),
        ("", ""),
    ],
)
def test_fragments_are_normalised_to_seconds(fragment, normalised):
    assert normalise_fragment(fragment) == normalised


def test_ranges_say_what_was_wrong():
    assert parse_range("26:22", "27:36").problem == ""
    assert "cannot read the time '26:7x'" in parse_range("26:7x", "27:36").problem
    assert "before it starts" in parse_range("2:00", "1:00").problem
    assert parse_time("npt:10") == 10


def test_times_are_shown_for_people():
    assert [clock_text(s) for s in (4, 1582, 3723)] == ["0:04", "26:22", "1:02:03"]
    assert [duration_text(s) for s in (45, 60, 74, 3720)] == [
        "45 s",
        "1 min",
        "1 min 14 s",
        "1 h 2 min",
    ]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("Break: [12:16]", [("12:16", 736)]),
        ("Bonus (1:02:03) here", [("1:02:03", 3723)]),
        ("1 00:00 Welcome", [("00:00", 0)]),
        ("- 05:12 — Why slow", [("05:12", 312)]),
        ("Meet at 10:30 on Sunday", []),
        ("[26:7x] broken", []),
        ("Ratio 1:2:3:4 stays", []),
    ],
)
def test_linkable_timestamps(line, found):
    assert [(m.label, m.seconds) for m in find_timestamps(line)] == found
