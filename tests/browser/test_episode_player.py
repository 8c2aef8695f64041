"""Headless Chromium plays episode snips: each starts at its start and stops at its end.

The audio is a WAV made here with the stdlib (a known length), the site is built for real
and served over HTTP twice: by Python's own `http.server` (no Range requests, like
`python -m http.server`, which the README suggests for looking at a build) and by the same
with single byte ranges, like every real host and `trellis serve`. Chromium only honours a
media fragment's start when it can ask for a range; the play button works on both. The
times are read in the page (`currentTime`).
"""

from __future__ import annotations

import functools
import http.server
import io
import math
import os
import re
import struct
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import CHROMIUM, build_vault
from helpers import CHROMIUM_ARGS as SHARED_ARGS

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [*SHARED_ARGS, "--autoplay-policy=no-user-gesture-required"]
TIMEOUT_MS = 20_000
RATE = 8000
SECONDS = 10

EPISODE = """\
---
dg-publish: true
---
# Test Episode

## Episode metadata
- Episode title:: Test Episode
- Show:: Test Show
- Episode publish date:: 2024-05-01

## Snips
### [00:04] First snip
[🎧 Play snip - 2s️ (00:02 - 00:04)](https://share.snipd.com/snip/first)
<audio controls>
  <source src="tone.wav#t=00:02,00:04">
</audio>

### ✨ Key takeaways
1. Jump to the end: [00:08]

---
### [00:07] Second snip
[🎧 Play snip - 2s️ (00:05 - 00:07)](https://share.snipd.com/snip/second)
<audio controls>
  <source src="tone.wav#t=0:05,0:07">
</audio>

---
"""


def tone_wav(seconds: int = SECONDS) -> bytes:
    """A 16-bit mono sine of exactly `seconds` seconds."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        samples = (
            int(8000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(RATE * seconds)
        )
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _RangeHandler(_QuietHandler):
    """Answers `Range: bytes=a-b` with 206 and that slice, as static hosts do."""

    def send_head(self):  # type: ignore[override]
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if wanted is None or not path.is_file() or not any(wanted.groups()):
            return super().send_head()
        data = path.read_bytes()
        first = int(wanted.group(1) or 0)
        last = min(int(wanted.group(2) or len(data) - 1), len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(data[first : last + 1])


@pytest.fixture(scope="module")
def episode_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The built episode vault served twice on 127.0.0.1: {"plain": url, "ranges": url}."""
    root = tmp_path_factory.mktemp("episode-browser")
    site = build_vault(root, {"Test Episode.md": EPISODE, "tone.wav": tone_wav()})
    assert site.exists("/test-episode/"), site.warnings
    servers = {}
    for kind, handler_class in (("plain", _QuietHandler), ("ranges", _RangeHandler)):
        handler = functools.partial(handler_class, directory=str(site.out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[kind] = server
    try:
        yield {
            kind: f"http://127.0.0.1:{server.server_port}/test-episode/"
            for kind, server in servers.items()
        }
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    # A missing browser is a failure, never a skip: these tests are the proof that snips play.
    assert os.access(CHROMIUM, os.X_OK), f"Chromium is required at {CHROMIUM} for browser tests"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def episode_page(chromium: object, episode_site: str) -> Iterator[object]:
    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def audio_state(page: object, selector: str) -> dict:
    return page.evaluate(  # type: ignore[attr-defined]
        """(selector) => {
            const a = document.querySelector(selector);
            return {time: a.currentTime, paused: a.paused, ended: a.ended, ready: a.readyState};
        }""",
        selector,
    )


def record_playback(page: object, selector: str) -> None:
    """Note the time at the first 'playing' event and every time the element pauses."""
    page.evaluate(  # type: ignore[attr-defined]
        """(selector) => {
            const a = document.querySelector(selector);
            window.__log = {playingAt: null, pausedAt: [], started: null};
            a.addEventListener('playing', () => {
                if (window.__log.playingAt === null) {
                    window.__log.playingAt = a.currentTime;
                    window.__log.started = performance.now();
                }
            });
            a.addEventListener('pause', () => window.__log.pausedAt.push(
                {time: a.currentTime, after: performance.now() - window.__log.started}));
        }""",
        selector,
    )


@pytest.mark.parametrize("server", ["plain", "ranges"])
def test_play_snip_starts_at_its_start_and_pauses_at_its_end(episode_page, episode_site, server):
    page = episode_page
    page.goto(episode_site[server])
    button = page.locator("#snip-1 button.snip-play")
    button.wait_for()
    record_playback(page, "#snip-1 audio")
    assert audio_state(page, "#snip-1 audio")["paused"] is True

    button.click()
    page.wait_for_function("window.__log.playingAt !== null")
    log = page.evaluate("window.__log")
    assert 1.9 <= log["playingAt"] <= 2.3, log  # started at the snip's start, not at 0
    assert page.locator("#snip-1").get_attribute("class").split().count("is-playing") == 1

    page.wait_for_function("window.__log.pausedAt.length > 0", timeout=TIMEOUT_MS)
    state = audio_state(page, "#snip-1 audio")
    log = page.evaluate("window.__log")
    assert state["paused"] is True and state["ended"] is False
    assert 3.9 <= state["time"] <= 4.15, state  # stopped at the end of its range
    assert 3.9 <= log["pausedAt"][0]["time"] <= 4.3, log
    # It played through the two seconds rather than jumping to the end.
    assert log["pausedAt"][0]["after"] >= 1500, log
    time.sleep(0.5)
    assert audio_state(page, "#snip-1 audio")["paused"] is True


def test_playing_again_restarts_the_snip_and_pauses_the_other(episode_page, episode_site):
    page = episode_page
    page.goto(episode_site["plain"])
    page.locator("#snip-2 button.snip-play").click()
    page.wait_for_function("document.querySelector('#snip-2 audio').currentTime > 5.2")
    page.locator("#snip-1 button.snip-play").click()
    page.wait_for_function("!document.querySelector('#snip-1 audio').paused")
    assert audio_state(page, "#snip-2 audio")["paused"] is True
    first = audio_state(page, "#snip-1 audio")
    assert 1.9 <= first["time"] <= 2.6, first
    page.wait_for_function("document.querySelector('#snip-1 audio').paused")
    assert 3.9 <= audio_state(page, "#snip-1 audio")["time"] <= 4.15


def test_without_the_script_the_audio_element_plays_just_the_range(episode_page, episode_site):
    """No JavaScript of ours: the normalised `#t=5,7` alone makes Chromium play 5 s to 7 s."""
    page = episode_page
    page.route("**/episode.js", lambda route: route.abort())
    page.goto(episode_site["ranges"])
    assert page.locator("button.snip-play").count() == 0
    src = page.locator("#snip-2 audio source").get_attribute("src")
    assert src.endswith("tone.wav#t=5,7")
    record_playback(page, "#snip-2 audio")
    page.evaluate("document.querySelector('#snip-2 audio').play()")  # the user presses play
    page.wait_for_function("window.__log.playingAt !== null")
    assert 4.9 <= page.evaluate("window.__log.playingAt") <= 5.3
    page.wait_for_function("window.__log.pausedAt.length > 0", timeout=TIMEOUT_MS)
    state = audio_state(page, "#snip-2 audio")
    assert state["paused"] is True and 6.8 <= state["time"] <= 7.3, state


def test_a_timestamp_seeks_the_episode_audio(episode_page, episode_site):
    page = episode_page
    page.goto(episode_site["plain"])
    link = page.locator("#snip-1 a.timestamp")
    assert link.get_attribute("data-t") == "8"
    assert link.get_attribute("href").endswith("tone.wav#t=8")
    page.locator("button.snip-play").first.wait_for()
    link.click()
    page.wait_for_function("!document.querySelector('audio.episode-audio').paused")
    state = audio_state(page, "audio.episode-audio")
    assert 7.9 <= state["time"] <= 8.6, state
    assert page.url == episode_site["plain"]  # the page stayed; only the audio moved
