"""What a build with workers keeps out of memory (issue 17, 50,000 notes): packed tokens and
note texts in an unnamed spill file, and each worker's link graph cut to its share."""

from __future__ import annotations

import os
import pickle

import pytest
from helpers import snapshot
from test_parallel import _generate, kept, processes, warnings

import trellis.build.budget as costs
import trellis.build.forked as forked
import trellis.build.spill as spill_module
import trellis.build.wire as wire
from trellis.build.aside import Aside
from trellis.build.cache import ParsedEntry
from trellis.build.cache_dump import _kept_entry
from trellis.build.spill import Compressed, Spill, Spilled, contents
from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.emit.writer import cache_path
from trellis.model.content import LinkRef, NoteContent
from trellis.pipeline import build
from trellis.public.graph import build_link_graph
from trellis.public.site import build_public_site
from trellis.render.notes import NoteRenderer
from trellis.vault.records import SourceNote, Vault
from trellis.vault.scan import read_vault


def test_spilled_bytes_read_back_leave_no_file_and_survive_a_fork(tmp_path):
    spill = Spill(tmp_path)
    first, second = spill.keep(b"first " * 1000), spill.keep(b"second")
    assert isinstance(first, Spilled) and isinstance(second, Spilled)
    assert contents(first) == b"first " * 1000 and contents(second) == b"second"
    assert list(tmp_path.iterdir()) == []  # no name anywhere, in or out of the folder
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker: reads what was spilled before the fork, spills to a file of its own
        try:
            mine = spill.keep(b"the child's")
            ok = contents(first) == b"first " * 1000 and contents(mine) == b"the child's"
            os.write(write, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 2) == b"ok"
    os.waitpid(pid, 0)
    assert contents(second) == b"second"  # the child's writes went elsewhere
    assert contents(spill.keep(b"after")) == b"after"


def test_without_a_writable_folder_bytes_stay_in_memory(tmp_path):
    assert Spill(None).keep(b"kept") == b"kept"
    gone = Spill(tmp_path / "missing")
    assert gone.keep(b"kept") == b"kept" and gone.folder is None


def test_a_spilled_text_reads_as_the_same_characters(tmp_path):
    text = "# Title 🌱\n\nA line with an emoji and a lone \udc80 surrogate.\n"
    ascii_only = "plain\n" * 100
    sources = []
    for body in (text, ascii_only):
        path = tmp_path / "a.md"
        sources.append(SourceNote(rel_path="a.md", abs_path=path, meta={}, body=body, body_line=1))
    spill_module.spill_bodies(sources, Spill(tmp_path))
    for source, body in zip(sources, (text, ascii_only), strict=True):
        assert not isinstance(source.__dict__["_body_stored"], (bytes, str))
        assert source.body == body


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    return _generate(tmp_path_factory.mktemp("memory") / "vault", 200)


def test_a_worker_is_sent_only_what_its_pages_read(generated):
    """The graph a worker decodes: every edge, the texts around links only on edges into
    its share, resolved links only for the notes its pages show, and of those only the text
    page keys read; reading any other note's resolved links is an error, never "no links"."""
    diagnostics = Diagnostics()
    settings = Settings()
    source = read_vault(generated, diagnostics)
    site = build_public_site(source, settings, diagnostics)
    NoteRenderer(site, diagnostics).parse_all()
    graph = build_link_graph(site, diagnostics)
    notes = site.notes
    share = set(range(0, len(notes), 2))
    reached = graph.embeds_reached(notes[i] for i in share)
    shown = share | {notes.index(note) for note in reached}
    assert shown - share, "the generated vault embeds across shares"
    whole = wire.decode_graph(site, wire.encode_graph(site, graph))
    cut = wire.decode_graph(site, wire.encode_graph(site, graph, share, shown))
    into_share = 0
    for at, note in enumerate(notes):
        edges, all_edges = cut.outgoing[note], whole.outgoing[note]
        assert [(e.target.url, e.embed, e.line) for e in edges] == [
            (e.target.url, e.embed, e.line) for e in all_edges
        ]
        for edge, full in zip(edges, all_edges, strict=True):
            inside = notes.index(full.target) in share
            into_share += inside and bool(full.context)
            assert edge.context == (full.context if inside else "")
        if at in shown:  # as the page keys read them: their text, and nothing else
            assert repr(cut.resolved[note]) == repr(whole.resolved[note])
            assert isinstance(cut.resolved[note], wire.KeyedLinks)
            with pytest.raises(LookupError):
                list(cut.resolved[note])
        else:
            with pytest.raises(LookupError):
                repr(cut.resolved[note])
    assert into_share > 0
    assert sum(len(cut.incoming[n]) for n in notes) == sum(len(whole.incoming[n]) for n in notes)


def test_workers_with_everything_spilled_write_what_one_process_writes(
    tmp_path, generated, monkeypatch
):
    """Every token packed (the budget at 50,000 notes) and spilled, the texts moved to the
    spill file, each worker's graph cut to its share: the same pages, warnings and cache
    as one process; and the texts and tokens were read back from the file."""
    read_back: list[int] = []
    original = Spilled.read

    def counted(self: Spilled) -> bytes:
        read_back.append(len(self))
        return original(self)

    monkeypatch.setattr(Spilled, "read", counted)
    monkeypatch.setattr(costs, "token_budget", lambda notes, count, target: 0)
    one = build(generated, tmp_path / "one", processes(1))
    assert read_back == []  # one process moves nothing out of memory
    for jobs in (2, 3):
        many = build(generated, tmp_path / f"many{jobs}", processes(jobs))
        assert snapshot(tmp_path / "one") == snapshot(tmp_path / f"many{jobs}")
        assert warnings(one) == warnings(many)
        assert kept(tmp_path / "one") == kept(tmp_path / f"many{jobs}")
    assert len(read_back) > one.notes_published  # in this process alone: texts and tokens
    outputs = {"one", "many2", "many3"}
    caches = {f".{name}.trellis-cache" for name in outputs}
    # No staging folder, no spill file left beside the outputs (nor in them: the snapshots).
    assert {p.name for p in tmp_path.iterdir()} == outputs | caches


def test_texts_are_moved_out_before_the_fork(tmp_path, generated, monkeypatch):
    sites: list[object] = []
    seen: list[set[type]] = []
    make_parallel, make_workers = forked.ParallelNotes.__init__, forked.Workers.__init__

    def parallel_spy(self, site, *args, **kwargs):  # type: ignore[no-untyped-def]
        sites.append(site)
        make_parallel(self, site, *args, **kwargs)

    def workers_spy(self, count, main):  # type: ignore[no-untyped-def]
        # What each note's text is at the moment the workers are forked.
        seen.append({type(n.source.__dict__["_body_stored"]) for n in sites[-1].notes})
        make_workers(self, count, main)

    monkeypatch.setattr(forked.ParallelNotes, "__init__", parallel_spy)
    monkeypatch.setattr(forked.Workers, "__init__", workers_spy)
    build(generated, tmp_path / "two", processes(2), use_cache=False)
    assert seen == [{Spilled}]


def test_packed_links_read_back_as_the_list_they_were(tmp_path):
    links = [
        LinkRef("Other note#Part", False, 3, context="the text 🌱 around it"),
        LinkRef("picture.png", True, 5),
        LinkRef("../up.md", False, 7, markdown=True, context="a \udc80 surrogate"),
    ]
    sent, empty = NoteContent(links=list(links)), NoteContent()
    spill_module.pack_links(sent, Spill(None))  # a worker's: pickled, in memory, sent
    spill_module.pack_links(empty, Spill(None))
    assert empty.links == [] and isinstance(sent.links, spill_module.SpilledLinks)
    # Pickled (sent to the build) as the bytes; the build moves them to its spill file.
    taken = pickle.loads(pickle.dumps(sent, pickle.HIGHEST_PROTOCOL))
    spill_module.pack_links(taken, Spill(tmp_path))
    for content in (sent, taken):
        assert len(content.links) == 3 and list(content.links) == links
        assert content.links[1] == links[1] and content.links[-2:] == links[-2:]
    assert list(tmp_path.iterdir()) == []
    # The cache writes the bytes the list itself pickles to.
    whole = ParsedEntry("hash", NoteContent(links=links), [], 1.0)
    for content in (sent, taken):
        entry = ParsedEntry("hash", content, [], 1.0)
        assert pickle.dumps(_kept_entry(entry)) == pickle.dumps(_kept_entry(whole))


def test_the_build_holds_no_links_while_pages_are_written(tmp_path, generated, monkeypatch):
    """The build's own process keeps every parse for the cache; their links, read by the
    link stage and the cache alone, wait in its spill file (pickled as each note was
    parsed, here or in a worker), and the output and cache are one process's."""
    held: list[int] = []
    moved: list[int] = []
    render = forked.ParallelNotes.render

    def spy(self, keys, writer, advance):  # type: ignore[no-untyped-def]
        for note in self.site.notes:
            links = note.content.links
            (held if type(links) is list and links else moved).append(len(links))
        return render(self, keys, writer, advance)

    monkeypatch.setattr(forked.ParallelNotes, "render", spy)
    one = build(generated, tmp_path / "one", processes(1))
    two = build(generated, tmp_path / "two", processes(2))
    assert held == [] and sum(moved) > len(moved) > 100
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert warnings(one) == warnings(two)
    assert kept(tmp_path / "one") == kept(tmp_path / "two")


class _Records(dict):  # type: ignore[type-arg]
    """The link stage's records, in a dict one can hold a weak reference to."""


def test_past_the_plan_the_build_keeps_resolved_links_as_key_text(tmp_path, generated, monkeypatch):
    """While pages are written, the build's own process holds a note's resolved links only
    as the text page keys read (its own pages and the notes they embed), none of the other
    notes', and the link records (read again by the cache alone) only packed; the output
    and cache are one process's."""
    import weakref

    import trellis.pipeline as pipeline

    found: list[dict[str, int]] = []
    records: list[weakref.ref[_Records]] = []
    render, link_site = forked.ParallelNotes.render, pipeline.link_site

    def link_spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        linked = link_site(*args, **kwargs)
        linked.records = _Records(linked.records)
        records.append(weakref.ref(linked.records))
        return linked

    def spy(self, keys, writer, advance):  # type: ignore[no-untyped-def]
        assert records[-1]() is None  # packed
        graph, notes = self._graph, self.site.notes
        share = [notes[index] for index in self.shares[0]]
        shown = set(share) | graph.embeds_reached(share)
        kinds = {"keyed": 0, "not sent": 0, "list": 0}
        for note, links in graph.resolved.items():
            if isinstance(links, wire.KeyedLinks):
                assert note in shown
                kinds["keyed"] += 1
            elif isinstance(links, wire.NotSent):
                assert note not in shown
                kinds["not sent"] += 1
            else:
                kinds["list"] += 1
        found.append(kinds)
        return render(self, keys, writer, advance)

    monkeypatch.setattr(forked.ParallelNotes, "render", spy)
    monkeypatch.setattr(pipeline, "link_site", link_spy)
    one = build(generated, tmp_path / "one", processes(1))
    two = build(generated, tmp_path / "two", processes(2))
    [kinds] = found
    assert kinds["list"] == 0 and kinds["keyed"] > 50 and kinds["not sent"] > 50
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert warnings(one) == warnings(two)
    assert kept(tmp_path / "one") == kept(tmp_path / "two")


def test_what_only_the_cache_reads_is_packed_before_the_fork(tmp_path, generated, monkeypatch):
    """When the workers are forked, the build holds neither the scan's `seen` nor the
    frontmatter memo (the blocks of every note, private ones too) as objects, and private
    notes' texts only compressed: all in memory (`Aside`), never written anywhere; the
    cache and the builder's records after the build are one process's."""
    import weakref

    import trellis.pipeline as pipeline

    memos: list[weakref.ref[object]] = []
    builders: list[pipeline.SiteBuilder] = []
    at_fork: list[tuple[bool, int]] = []
    texts: list[list[type]] = []  # how each note's text is held at the fork
    vaults: list[Vault] = []

    class Memo(pipeline.FrontmatterMemo):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            memos.append(weakref.ref(self))

    make_workers, run_build = forked.Workers.__init__, pipeline.SiteBuilder.build

    def workers_spy(self, count, main):  # type: ignore[no-untyped-def]
        at_fork.append((memos[-1]() is None, len(builders[-1]._seen)))
        texts.append([type(n.__dict__["_body_stored"]) for n in vaults[-1].notes])
        make_workers(self, count, main)

    def read_spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        vaults.append(read_vault(*args, **kwargs))
        return vaults[-1]

    def build_spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        builders.append(self)
        return run_build(self, *args, **kwargs)

    monkeypatch.setattr(pipeline, "FrontmatterMemo", Memo)
    monkeypatch.setattr(forked.Workers, "__init__", workers_spy)
    monkeypatch.setattr(pipeline.SiteBuilder, "build", build_spy)
    monkeypatch.setattr(pipeline, "read_vault", read_spy)
    one = pipeline.SiteBuilder(generated, tmp_path / "one", processes(1))
    two = pipeline.SiteBuilder(generated, tmp_path / "two", processes(2))
    one.build()
    published = two.build().notes_published
    assert at_fork == [(True, 0)]
    [held] = texts
    assert held.count(Spilled) == published and held.count(Compressed) == len(held) - published
    assert published < len(held)  # private notes: their texts compressed, in memory
    assert kept(tmp_path / "one") == kept(tmp_path / "two")
    # The seen files as the cache's head holds them (the two builds' differ: which files
    # were seen depends on their age when read, and a file just written is not).
    for builder in (one, two):
        assert builder.out is not None
        with cache_path(builder.out).open("rb") as head:
            assert builder._seen == pickle.load(head)["seen"]
    assert len(two._seen) > 200
    assert one._frontmatter == two._frontmatter
    outputs = {"one", "two", ".one.trellis-cache", ".two.trellis-cache"}
    assert {p.name for p in tmp_path.iterdir()} == outputs  # nothing else written


def test_an_aside_gives_back_what_it_packed():
    value = ({"a.md": ((1, 2, 3.5), "hash")}, {"key": ({"title": "🌱 x"}, {"title": 2}, True, [])})
    aside = Aside(value)
    aside.pack()
    assert aside._value is None and aside._packed
    assert aside.value == value and aside.value is aside.value
