"""The change filter and the debouncing queue, with real threads and the real clock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from trellis.serve.livereload import error_payload, inject
from trellis.serve.state import Snapshot
from trellis.serve.watcher import ChangeFilter, ChangeQueue

VAULT = Path("/v")
THEME = Path("/theme/templates")


def test_filter_keeps_vault_theme_and_overrides():
    wanted = ChangeFilter(VAULT, [THEME], ignored=[Path("/tmp/out")]).wanted
    assert wanted(VAULT / "Note.md")
    assert wanted(VAULT / "Folder" / "pic.png")
    assert wanted(VAULT / "trellis.toml")
    assert wanted(VAULT / ".trellis" / "templates" / "note.html")
    assert wanted(VAULT / ".trellis")
    assert wanted(THEME / "base.html")
    assert not wanted(VAULT / ".obsidian" / "workspace.json")
    assert not wanted(VAULT / ".git" / "HEAD")
    assert not wanted(VAULT / ".trash" / "Old.md")
    assert not wanted(VAULT / "Folder" / ".hidden" / "x.md")
    assert not wanted(VAULT / ".trellis" / "static" / ".DS_Store")
    for name in ("Note.md.swp", "Note.md~", ".#Note.md", "4913", "x.swx", "a.md___jb_tmp___"):
        assert not wanted(VAULT / name), name
    assert not wanted(Path("/tmp/out/site-1/index.html"))
    assert not wanted(Path("/elsewhere/file.md"))


def test_queue_waits_for_quiet_and_coalesces():
    queue = ChangeQueue(quiet=0.1)
    taken: list[frozenset[Path]] = []
    consumer = threading.Thread(target=lambda: taken.append(queue.take()))
    consumer.start()
    for number in range(10):
        queue.add([Path(f"/v/{number % 3}.md")])
        time.sleep(0.01)
    consumer.join(10)
    assert taken == [frozenset(Path(f"/v/{n}.md") for n in range(3))]
    queue.close()


def test_changes_during_a_rebuild_cause_exactly_one_more():
    queue = ChangeQueue(quiet=0.05)
    rebuilding = threading.Event()
    release = threading.Event()
    sets: list[frozenset[Path]] = []

    def consumer() -> None:
        while (changed := queue.take()) is not None:
            sets.append(changed)
            if len(sets) == 1:
                rebuilding.set()
                release.wait(10)  # a long rebuild

    thread = threading.Thread(target=consumer)
    thread.start()
    queue.add([Path("/v/a.md")])
    assert rebuilding.wait(10)
    for number in range(20):  # saves while the first rebuild runs
        queue.add([Path(f"/v/b{number}.md")])
    release.set()
    assert queue.wait_idle(10)
    time.sleep(0.2)
    queue.close()
    thread.join(10)
    assert sets == [
        frozenset({Path("/v/a.md")}),
        frozenset(Path(f"/v/b{n}.md") for n in range(20)),
    ]


def test_queue_hands_out_a_busy_stream_after_max_wait():
    queue = ChangeQueue(quiet=0.2, max_wait=0.3)
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            queue.add([Path("/v/log.md")])
            time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert queue.take() == frozenset({Path("/v/log.md")})
    finally:
        stop.set()
        thread.join()
        queue.close()
    assert queue.take() is None


# A quiet time no test waits for: a set handed out before it passed was settled early.
NEVER_QUIET = 600.0


def _take_soon(queue: ChangeQueue, within: float = 10.0) -> list[frozenset[Path] | None]:
    """What `take` returned within `within` seconds ([] if it still waits)."""
    taken: list[frozenset[Path] | None] = []
    consumer = threading.Thread(target=lambda: taken.append(queue.take()), daemon=True)
    consumer.start()
    consumer.join(within)
    return taken


def test_a_save_that_is_over_goes_out_without_the_quiet_time():
    queue = ChangeQueue(quiet=NEVER_QUIET, settle=0.0)
    note, gone, moved_in = Path("/v/a.md"), Path("/v/old.md"), Path("/v/b.md")
    queue.add([note])
    queue.closed(note)  # written in place and closed
    assert _take_soon(queue) == [frozenset({note})]
    queue.close()

    queue = ChangeQueue(quiet=NEVER_QUIET, settle=0.0)
    queue.add([gone], over=True)  # deleted
    queue.add([Path("/v/b.md.tmp")])  # a temp file written...
    assert _take_soon(queue, within=0.3) == []  # ...may still be renamed: the set waits
    queue.close()

    queue = ChangeQueue(quiet=NEVER_QUIET, settle=0.0)
    queue.add([Path("/v/b.md.tmp")])
    queue.add([Path("/v/b.md.tmp"), moved_in], over=True)  # ...renamed over the note
    assert _take_soon(queue) == [frozenset({Path("/v/b.md.tmp"), moved_in})]
    queue.close()


def test_a_close_alone_changes_nothing():
    queue = ChangeQueue(quiet=NEVER_QUIET, settle=0.0)
    queue.closed(Path("/v/a.md"))  # opened for writing and closed unchanged (`touch`)
    assert _take_soon(queue, within=0.3) == []
    queue.close()


def test_saves_right_after_a_set_wait_for_quiet():
    """Saves one after another (a script, a sync) are a burst, not one rebuild each."""
    queue = ChangeQueue(quiet=NEVER_QUIET, settle=0.0)
    first, second = Path("/v/a.md"), Path("/v/b.md")
    queue.add([first])
    queue.closed(first)
    assert _take_soon(queue) == [frozenset({first})]
    queue.add([second])
    queue.closed(second)
    assert _take_soon(queue, within=0.3) == []
    queue.close()


def test_inject_puts_the_script_before_the_body_end():
    snapshot = Snapshot(3, 2, None, "abc")
    html = inject(b"<html><body><p>x</p></BODY></html>", snapshot)
    assert html.startswith(b'<html><body><p>x</p><script id="trellis-livereload">')
    assert html.endswith(b"</script></BODY></html>")
    assert b'"version": 3' in html
    assert inject(b"<p>fragment</p>", snapshot).startswith(b"<p>fragment</p><script")


def test_error_payload_names_file_and_line():
    payload = error_payload("/vault/.trellis/templates/note.html:3: template error: oops")
    assert payload == {
        "message": "/vault/.trellis/templates/note.html:3: template error: oops",
        "file": "/vault/.trellis/templates/note.html",
        "line": 3,
    }
    assert error_payload("no place given")["file"] == ""
    assert error_payload(None) is None
