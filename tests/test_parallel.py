"""Worker processes (`jobs`): the same site, byte for byte, and no process left behind."""

from __future__ import annotations

import importlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import published, snapshot, write_vault

import trellis.build.budget as costs
import trellis.build.forked as forked
import trellis.build.wire as wire
import trellis.build.worker_job as worker_job
import trellis.workers as workers
from trellis.config import Settings
from trellis.diagnostics import FatalError
from trellis.emit.pages import BodyKeys, NotePageWriter
from trellis.emit.writer import cache_path
from trellis.pipeline import BuildResult, build
from trellis.public.site import PublishedNote
from trellis.render.notes import NoteRenderer
from trellis.workers import WorkerError, Workers

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "site_src"


def _generate(out: Path, notes: int, seed: int = 3) -> Path:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    importlib.import_module("benchmarks.generate_vault").generate_vault(out, notes, seed=seed)
    return out


def kept(out: Path) -> dict[str, object]:
    """What the build cache beside `out` holds; of the output files' stats only their names
    (each output folder's files have stats of their own)."""
    with cache_path(out).open("rb") as handle:
        data = pickle.load(handle)  # the head, then the body (`trellis.build.cache`)
        data.update(pickle.load(handle))
    data["file_stats"] = sorted(data["file_stats"])
    # Each parse is pickled alone (`trellis.build.cache_parts`): compared as entries, since
    # equal entries may pickle differently (a string shared or not within one).
    data["parsed"] = {path: pickle.loads(blob) for path, blob in data["parsed"].items()}
    # The scan's files with their stats (serve16's `seen`): a record of the run, not of the
    # parses or pages (left to its own tests; the two builds' differ, see the report).
    data.pop("seen", None)
    return data


def kept_in(folder: Path, name: str) -> dict[str, object]:
    """What the build cache of output folder `name` in cache folder `folder` holds."""
    with (folder / f"{name}.trellis-cache").open("rb") as handle:
        data = pickle.load(handle)  # the head, then the body
        data.update(pickle.load(handle))
    # Each parse is pickled alone (`trellis.build.cache_parts`): compared as entries, since
    # equal entries may pickle differently (a string shared or not within one).
    data["parsed"] = {path: pickle.loads(blob) for path, blob in data["parsed"].items()}
    return data


def warnings(result: BuildResult) -> list[str]:
    return [str(item) for item in result.diagnostics.items]


def processes(jobs: int, workers_from: int = 1) -> dict[str, int]:
    """Settings for `jobs` processes, forked even for tiny vaults (`workers_from`)."""
    return {"jobs": jobs, "workers_from": workers_from}


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lists the pid of every worker started."""
    started: list[int] = []
    original = Workers._fork

    def spy(self: Workers, index: int, main: object) -> object:
        worker = original(self, index, main)  # type: ignore[arg-type]
        started.append(worker.pid)
        return worker

    monkeypatch.setattr(Workers, "_fork", spy)
    return started


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 200 notes with every syntax the generator writes: embeds, episodes, blocks."""
    return _generate(tmp_path_factory.mktemp("parallel") / "vault", 200)


def gone(pid: int) -> bool:
    """Neither running nor a zombie: the process was reaped."""
    return not Path(f"/proc/{pid}").exists()


def test_sample_vault_is_the_same_with_one_or_two_processes(tmp_path, forks):
    # Without its queries, bases and canvas: a vault with those is built in one process.
    sample = tmp_path / "sample"
    shutil.copytree(SAMPLE, sample)
    shutil.rmtree(sample / "Library")
    (sample / "Garden Plan.canvas").unlink()
    one = build(sample, tmp_path / "one", processes(1), use_cache=False)
    assert forks == []
    two = build(sample, tmp_path / "two", processes(2), use_cache=False)
    assert len(forks) == 1 and all(gone(pid) for pid in forks)  # this process renders too
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert warnings(one) == warnings(two)
    assert (one.pages_written, one.pages_rendered, one.attachments_copied) == (
        two.pages_written,
        two.pages_rendered,
        two.attachments_copied,
    )


@pytest.mark.parametrize("jobs", [2, 3])
def test_generated_vault_is_the_same_with_one_or_more_processes(tmp_path, generated, forks, jobs):
    one = build(generated, tmp_path / "one", processes(1))
    many = build(generated, tmp_path / "many", processes(jobs))
    assert len(forks) == jobs - 1
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "many")
    assert warnings(one) == warnings(many)
    # The build caches too: same parses, same page keys (so the next build reuses the same).
    assert kept(tmp_path / "one") == kept(tmp_path / "many")
    assert one.pages_rendered == many.pages_rendered == one.notes_published
    assert many.attachments_copied == one.attachments_copied > 0


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_builds_own_process_renders_a_share(tmp_path, generated, forks, monkeypatch, jobs):
    """One fork less (issue 17, memory): this process parses and writes the pages of a share
    as a worker does, with warnings, keys and cache the same as one process's."""
    written_here: list[str] = []
    parent, original = os.getpid(), NotePageWriter.write

    def counted(self: NotePageWriter, note: PublishedNote) -> bool:
        if os.getpid() == parent:
            written_here.append(note.rel_path)
        return original(self, note)

    vault = _episode_readers(generated, tmp_path / "vault", 6)
    one = build(vault, tmp_path / "one", processes(1))
    written_here.clear()
    monkeypatch.setattr(NotePageWriter, "write", counted)
    many = build(vault, tmp_path / "many", processes(jobs))
    assert len(forks) == jobs - 1
    share = forked.note_shares(many.site.notes, jobs)[0]
    assert written_here == [many.site.notes[index].rel_path for index in share]
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "many")
    assert warnings(one) == warnings(many)
    assert kept(tmp_path / "one") == kept(tmp_path / "many")


@pytest.mark.parametrize("shipped", [True, False], ids=["tokens shipped", "tokens parsed again"])
def test_embeds_across_shares_episodes_too(tmp_path, forks, monkeypatch, shipped):
    """A page embedding a note another worker parsed (an episode note, whose page tokens
    are rewritten, or a section of it) shows exactly what one process shows."""
    from test_episodes import SNIPD

    files = {f"Podcasts/Episode {i}.md": SNIPD for i in range(2)}
    for i in range(8):
        embeds = f"![[Episode {i % 2}]]\n\n![[Episode {(i + 1) % 2}#My notes]]\n\n![[Plain {i}]]"
        files[f"Notes/Reader {i}.md"] = published(f"Reader {i}.\n\n{embeds}\n")
        files[f"Notes/Plain {i}.md"] = published(f"Plain {i} embeds ![[Episode {i % 2}#Snips]]")
    vault = write_vault(tmp_path / "vault", files)
    if not shipped:
        monkeypatch.setattr(forked, "embeds_reached", lambda graph, notes: set())
    one = build(vault, tmp_path / "one", processes(1), use_cache=False)
    two = build(vault, tmp_path / "two", processes(2), use_cache=False)
    assert len(forks) == 1
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert warnings(one) == warnings(two)
    reader = (tmp_path / "two" / "notes" / "reader-0" / "index.html").read_text()
    assert "Turn it weekly" in reader and "the intro is skippable" in reader


@pytest.mark.parametrize("budget", [0, 1_500_000], ids=["all packed", "a few kept"])
def test_a_tiny_token_budget_changes_nothing(tmp_path, generated, forks, monkeypatch, budget):
    """Workers that keep few or no tokens as they are unpack them, or parse unchanged notes
    again, for each page that needs them (embeds across shares and episode pages too): the
    same bytes, warnings and cache, in a first build and in one reusing its cache."""
    vault = _episode_readers(generated, tmp_path / "vault", 6)
    log = tmp_path / "made again"  # the workers' loaders write here: one line per use

    def logged(kind: str, make: object) -> object:
        def factory(*args: object) -> object:
            load = make(*args)  # type: ignore[operator]
            note = next(a for a in args if isinstance(a, PublishedNote))

            def logging_load() -> object:
                with log.open("a") as handle:
                    handle.write(f"{kind} {note.rel_path}\n")
                return load()

            return logging_load

        return factory

    def uses(kind: str) -> list[str]:
        return [line.split(" ", 1)[1] for line in log.read_text().splitlines() if kind in line]

    monkeypatch.setattr(NoteRenderer, "token_loader", logged("parse", NoteRenderer.token_loader))
    monkeypatch.setattr(wire, "unpacking_loader", logged("unpack", wire.unpacking_loader))
    monkeypatch.setattr(costs, "token_budget", lambda notes, count, target: budget)

    def same_as_one_process(jobs: int, one: Path) -> BuildResult:
        forks.clear()
        log.write_text("")
        many = build(vault, tmp_path / f"many{jobs}", processes(jobs))
        assert len(forks) == jobs - 1
        clean = build(vault, one, processes(1))  # a new folder: nothing to reuse
        assert snapshot(one) == snapshot(tmp_path / f"many{jobs}")
        assert warnings(clean) == warnings(many)
        assert kept(one) == kept(tmp_path / f"many{jobs}")
        return many

    for jobs in (2, 3):
        many = same_as_one_process(jobs, tmp_path / f"one{jobs}")
        reader = (tmp_path / f"many{jobs}" / "notes" / "reader-0" / "index.html").read_text()
        assert "Turn it weekly" in reader and "the intro is skippable" in reader
        unpacked = uses("unpack")
        assert len(set(unpacked)) > (0.9 if budget == 0 else 0.6) * many.notes_published
        assert not uses("parse")  # every note was parsed in this build: none again
        if budget == 0:
            assert unpacked.count("Podcasts/Episode 0.md") > 3  # its page and its embeds
    notes = sorted(vault.rglob("*.md"))
    for path in notes[::3]:  # a third changes: the rest come from the cache, without tokens
        path.write_text(path.read_text() + "\nOne more line. [[Reader 1]] ![[Plain 2]]\n")
    again = same_as_one_process(2, tmp_path / "one again")
    assert 0 < again.pages_rendered < again.notes_published
    assert uses("parse") and uses("unpack")


def test_page_keys_do_not_depend_on_which_notes_were_keyed_before(tmp_path):
    """A worker keys only its share of the notes: each key must come out as if it had keyed
    them all, or a one-process rebuild would render again pages that did not change."""
    # Each note embeds the one before it, deeper than a key follows embeds.
    chain = {f"N{i:02}.md": published(f"Note {i} ![[N{i - 1:02}]]") for i in range(1, 13)}
    vault = write_vault(tmp_path / "vault", {**chain, "N00.md": published("The start.")})
    result = build(vault, tmp_path / "out", processes(1))
    assert result.site is not None and result.graph is not None
    in_order = BodyKeys(result.graph, result.settings)
    keyed_in_order = [in_order.of(note) for note in result.site.notes]
    alone = [BodyKeys(result.graph, result.settings).of(note) for note in result.site.notes]
    assert keyed_in_order == alone


def test_the_build_cache_works_across_process_counts(tmp_path, generated, forks):
    """A cache written by workers serves a one-process build and the other way round."""
    vault = tmp_path / "vault"
    shutil.copytree(generated, vault)
    build(vault, tmp_path / "out", processes(2))
    notes = sorted(vault.rglob("*.md"))
    for path in notes[::7]:  # a seventh of the notes changes: still worth forking here
        path.write_text(path.read_text() + "\nOne more line. [[" + notes[0].stem + "]]\n")
    forks.clear()
    again = build(vault, tmp_path / "out", processes(2))
    assert len(forks) == 1
    assert 0 < again.pages_rendered < again.notes_published
    clean = build(vault, tmp_path / "clean", processes(1), use_cache=False)
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")
    assert warnings(again) == warnings(clean)

    forks.clear()
    for path in notes[1::5]:
        path.write_text(path.read_text() + "\nAnd another.\n")
    single = build(vault, tmp_path / "out", processes(1))
    assert forks == []
    clean = build(vault, tmp_path / "clean", processes(1), use_cache=False)
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")
    assert warnings(single) == warnings(clean)
    assert build(vault, tmp_path / "out", processes(2)).unchanged


def test_a_failing_worker_stops_the_build_and_keeps_the_old_site(
    tmp_path, generated, forks, monkeypatch
):
    build(generated, tmp_path / "out", processes(1))
    before = snapshot(tmp_path / "out")
    original = NotePageWriter.write
    parent = os.getpid()

    def explode(self: NotePageWriter, note: object) -> bool:
        if os.getpid() != parent:
            raise ValueError("a bug while writing a page")
        return original(self, note)  # type: ignore[arg-type]

    monkeypatch.setattr(NotePageWriter, "write", explode)
    with pytest.raises(WorkerError, match="ValueError: a bug while writing a page"):
        build(generated, tmp_path / "out", processes(2), use_cache=False)
    assert len(forks) == 1 and all(gone(pid) for pid in forks)
    assert snapshot(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.trellis-cache", "out"]


def test_a_worker_that_dies_is_reported(tmp_path, generated, forks, monkeypatch):
    parent = os.getpid()
    original = NotePageWriter.write

    def die(self: NotePageWriter, note: object) -> bool:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, note)  # type: ignore[arg-type]

    monkeypatch.setattr(NotePageWriter, "write", die)
    with pytest.raises(WorkerError, match=r"stopped unexpectedly \(killed by signal 9\)"):
        build(generated, tmp_path / "out", processes(2), use_cache=False)
    assert all(gone(pid) for pid in forks)
    assert not (tmp_path / "out").exists() and not any(tmp_path.glob(".out.*trellis-new"))


def test_a_broken_template_is_the_same_fatal_error_in_a_worker(tmp_path, forks):
    vault = write_vault(
        tmp_path / "vault",
        {
            **{f"N{i}.md": published(f"Note {i}") for i in range(4)},
            ".trellis/templates/note.html": "{% if %}",
        },
    )
    errors = []
    for jobs in (1, 2):
        with pytest.raises(FatalError) as caught:
            build(vault, tmp_path / f"out{jobs}", processes(jobs), use_cache=False)
        errors.append(str(caught.value))
    assert len(forks) == 1 and all(gone(pid) for pid in forks)
    assert errors[0] == errors[1] and "template error" in errors[0]


def test_interrupting_the_parent_kills_and_reaps_every_worker(tmp_path, generated, forks):
    from trellis.pipeline import Progress

    class Interrupt(Progress):
        pages = 0

        def advance(self) -> None:
            self.pages += 1
            if self.pages == 50:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(generated, tmp_path / "out", processes(2), Interrupt(), use_cache=False)
    assert len(forks) == 1 and all(gone(pid) for pid in forks)
    assert not any(tmp_path.glob(".out.*trellis-new"))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_ctrl_c_on_the_command_line_leaves_no_process(tmp_path):
    vault = _generate(tmp_path / "vault", 600)
    command = [sys.executable, "-m", "trellis", "build", str(vault), "-o", str(tmp_path / "out")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [*command, "--jobs", "3"],  # two workers beside the build's own process
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would make it
    )
    deadline = time.monotonic() + 60
    children: list[int] = []
    while len(children) < 2 and time.monotonic() < deadline and process.poll() is None:
        children = _children(process.pid)
        time.sleep(0.02)
    assert len(children) == 2, "the build never started its workers"
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group gets it
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted; the previous site was left in place" in stderr
    assert all(gone(pid) for pid in children)
    assert not (tmp_path / "out").exists() and not any(tmp_path.glob(".out.*trellis-new"))


@pytest.mark.parametrize("budget", [0, 1_500_000], ids=["all packed", "a few kept"])
def test_one_process_holds_tokens_within_its_budget(tmp_path, generated, monkeypatch, budget):
    """A one-process build (`jobs: 1`, `serve`) packs the tokens its budget cannot hold and
    lets go of every token once the note pages are written (before the other pages and
    Pagefind): the same bytes, warnings and cache as with every token kept, episode pages
    and embeds of episodes included, in a first build and in one reusing its cache."""
    vault = _episode_readers(generated, tmp_path / "vault", 4)
    unlimited = build(vault, tmp_path / "all kept", processes(1))
    monkeypatch.setattr(costs, "token_budget_here", lambda notes, target: budget)
    for round_number in range(2):
        if round_number:  # an edit: the rest of the parses come from the cache
            (vault / "Notes" / "Plain 1.md").write_text(published("Plain 1, edited ![[Plain 2]]"))
            unlimited = build(vault, tmp_path / "all kept", processes(1), use_cache=False)
        result = build(vault, tmp_path / "out", processes(1))
        assert result.site is not None
        assert not [n.rel_path for n in result.site.notes if n.content and n.content.has_tokens]
        assert snapshot(tmp_path / "out") == snapshot(tmp_path / "all kept")
        assert warnings(result) == warnings(unlimited)
    reader = (tmp_path / "out" / "notes" / "reader-0" / "index.html").read_text()
    assert "Turn it weekly" in reader and "the intro is skippable" in reader


def test_when_workers_are_worth_it(monkeypatch):
    assert costs.worker_count(1, 10_000, 100) == 0
    assert costs.worker_count(4, 99, 100) == 0
    assert costs.worker_count(4, 100, 100) == 2
    assert costs.worker_count(2, 10_000, 100) == 2
    assert costs.worker_count(8, 10_000, 100) == 8
    from_thread: list[int] = []
    thread = threading.Thread(target=lambda: from_thread.append(costs.worker_count(2, 10_000, 1)))
    thread.start()
    thread.join()
    assert from_thread == [0]  # serve builds in a thread: it never forks


def test_the_token_budget_is_what_the_rest_leaves(monkeypatch):
    """Measured on generated vaults: 3,000 notes (2,700 published, about 110 MiB at the
    fork) keep every token; 10,000 notes (143 MiB at the fork) keep some of a share's, not
    all (2,362 MiB with every token kept); no budget goes negative."""

    def share_tokens(published: int, processes: int) -> int:
        notes = published // processes
        return notes * (4500 * costs.TOKEN_BYTES_PER_CHAR + costs.TOKEN_BYTES_PER_NOTE)

    monkeypatch.setattr(costs, "_resident_bytes", lambda: 110 << 20)
    target = Settings().memory_target_mib << 20
    assert costs.token_budget(2700, 2, target) > share_tokens(2700, 2)
    monkeypatch.setattr(costs, "_resident_bytes", lambda: 143 << 20)
    assert 50 << 20 < costs.token_budget(9000, 2, target) < share_tokens(9000, 2) // 2
    assert costs.token_budget(9000, 8, target) == 0 == costs.token_budget(50_000, 2, target)
    assert costs.token_budget(2700, 2, 3 * target) > 3 * costs.token_budget(9000, 2, target)


def test_shares_are_balanced_and_cover_every_note(generated):
    from trellis.config import load_settings
    from trellis.diagnostics import Diagnostics
    from trellis.public.site import build_public_site
    from trellis.vault.scan import read_vault

    diagnostics = Diagnostics()
    site = build_public_site(
        read_vault(generated, diagnostics), load_settings(generated, {}, diagnostics), diagnostics
    )
    shares = forked.note_shares(site.notes, 3)
    assert sorted(i for share in shares for i in share) == list(range(len(site.notes)))
    sizes = [sum(len(site.notes[i].source.body) for i in share) for share in shares]
    assert max(sizes) < 1.1 * min(sizes)
    assert all(share == sorted(share) for share in shares)


def _echo(index: int, channel: workers.Channel) -> None:
    channel.send(("hello", index))
    for number in channel.receive():
        channel.send(("done", number * 10 + index))


def test_workers_talk_and_end():
    with Workers(3, _echo) as pool:
        hellos = sorted(m for _, m in pool.receive_until(lambda m: m[0] == "hello"))
        assert hellos == [("hello", 0), ("hello", 1), ("hello", 2)]
        for index in range(3):
            pool.send(index, [index])
        done = sorted(m[1] for _, m in pool.receive_until(lambda m: m[0] == "done"))
        assert done == [0, 11, 22]
        pool.join()
        assert all(gone(w.pid) for w in pool._workers)


def _fatal(index: int, channel: workers.Channel) -> None:
    if index == 1:
        raise FatalError("cannot write output folder /x: No space left on device")
    channel.receive()  # waits for ever: the parent must kill it


def test_a_fatal_error_in_a_worker_is_raised_as_is_and_the_others_are_killed():
    pool = Workers(2, _fatal)
    with pytest.raises(FatalError, match="No space left on device"):
        list(pool.receive_until(lambda m: True))
    pool.close()
    assert all(gone(w.pid) for w in pool._workers)


def test_a_vault_with_queries_is_built_in_one_process(tmp_path, forks):
    built = build(SAMPLE, tmp_path / "out", processes(2), use_cache=False)
    assert forks == []  # queries read every note: they run, and pages render, in one process
    page = tmp_path / "out" / "library" / "reading-list" / "index.html"
    assert "table-view-table" in page.read_text()
    assert built.notes_published > 20


def test_workers_are_sized_by_the_pages_to_render(tmp_path, generated, forks):
    """A restored cache and no last output (a CI job): nothing to parse, every page to
    render, in workers; a small edit with the last output there renders in one process."""
    vault = tmp_path / "vault"
    shutil.copytree(generated, vault)
    settings = {**processes(2, workers_from=20), "cache_dir": str(tmp_path / "cache")}
    build(vault, tmp_path / "first" / "site", settings)
    forks.clear()
    restored = build(vault, tmp_path / "ci" / "site", settings)  # the cache, no output
    assert len(forks) == 1
    assert restored.pages_rendered == restored.notes_published
    assert restored.phases.get("parse", 0) > 0
    assert snapshot(tmp_path / "ci" / "site") == snapshot(tmp_path / "first" / "site")
    assert kept_in(tmp_path / "cache", "site")["parsed"].keys() == {
        note.rel_path for note in restored.site.notes
    }

    forks.clear()
    importlib.import_module("benchmarks.scenarios").edit_one_note(vault, 1)  # a published one
    again = build(vault, tmp_path / "ci" / "site", settings)
    assert forks == []  # one note to parse, its page and a few others to render
    assert 0 < again.pages_rendered < 20
    clean = tmp_path / "clean"
    build(vault, clean, processes(1), use_cache=False)
    assert snapshot(tmp_path / "ci" / "site") == snapshot(clean)


def test_the_plan_counts_pages_no_last_output_can_give(tmp_path, generated):
    from trellis.build.options import BuildOptions
    from trellis.build.plan import plan_build
    from trellis.emit.pages import PageKeys

    result = build(generated, tmp_path / "out", processes(2, workers_from=20))
    site = result.site
    assert site is not None
    digests = {note.output_path: "d" for note in site.notes}
    parsed = {}  # nothing kept: every note is parsed
    cold = plan_build(site, parsed, BuildOptions(), PageKeys())
    assert (len(cold.to_parse), cold.to_render, cold.workers) == (len(site.notes),) * 2 + (2,)
    from trellis.build.cache import ParsedEntry

    assert site.notes[0].content is not None
    parsed = {
        n.rel_path: ParsedEntry(n.source.content_hash, site.notes[0].content, [])
        for n in site.notes
    }
    no_output = plan_build(site, parsed, BuildOptions(), PageKeys(previous_digests=digests))
    assert (len(no_output.to_parse), no_output.to_render, no_output.workers) == (
        0,
        len(site.notes),
        2,
    )
    last = PageKeys(previous_out=tmp_path / "out", previous_digests=digests)
    same = plan_build(site, parsed, BuildOptions(), last)
    assert (same.to_render, same.workers) == (0, 0)
    last.layout = "new templates"
    assert plan_build(site, parsed, BuildOptions(), last).workers == 2
    preview = plan_build(site, parsed, BuildOptions.for_preview(), PageKeys())
    assert (preview.to_render, preview.workers) == (len(site.notes), 0)


def _episode_readers(generated: Path, vault: Path, readers: int) -> Path:
    """The generated vault plus two episodes and `readers` notes embedding them whole, by
    section and through a plain note: tokens crossing shares and episode pages."""
    from test_episodes import SNIPD

    shutil.copytree(generated, vault)
    files = {f"Podcasts/Episode {i}.md": SNIPD for i in range(2)}
    for i in range(readers):
        embeds = f"![[Episode {i % 2}]]\n\n![[Episode {(i + 1) % 2}#My notes]]\n\n![[Plain {i}]]"
        files[f"Notes/Reader {i}.md"] = published(f"Reader {i}.\n\n{embeds}\n")
        files[f"Notes/Plain {i}.md"] = published(f"Plain {i} embeds ![[Episode {i % 2}#Snips]]")
    write_vault(vault, files)
    return vault


def test_a_cold_build_makes_the_local_graphs_in_every_process(tmp_path, generated, monkeypatch):
    """Each process writing pages also writes its notes' local graph files (one core used
    to make them all after the pages); together they are every file, each made once, and
    the cache records each file's hash as a one-process build does."""
    made_by = tmp_path / "made-by"
    made_by.mkdir()
    original = worker_job.write_local_graphs

    def spy(data, writer, centers=None):  # type: ignore[no-untyped-def]
        files = original(data, writer, centers)
        (made_by / str(os.getpid())).write_text("\n".join(files))  # one call a process
        return files

    monkeypatch.setattr(forked, "write_local_graphs", spy)
    monkeypatch.setattr(worker_job, "write_local_graphs", spy)
    build(generated, tmp_path / "one", {"jobs": 1})
    build(generated, tmp_path / "two", processes(2))
    written = {p.name: p.read_text().split("\n") for p in made_by.iterdir()}
    assert len(written) == 2, written.keys()  # the build's own process and the worker
    every = [path for files in written.values() for path in files]
    graph_files = sorted(
        f"_trellis/graph/{p.name}" for p in (tmp_path / "two" / "_trellis" / "graph").iterdir()
    )
    assert sorted(every) == graph_files
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert kept(tmp_path / "one")["graph"] == kept(tmp_path / "two")["graph"]
