"""Building a site: gather everything, then render and write; again and again, incrementally.

`SiteBuilder` runs the stages in order: settings, the vault's notes, the `PublicSite` (the
only view of the vault that rendering gets), every published note parsed once, the link
graph, then pages written through the one `OutputWriter`. Kept alive (as `serve` keeps it)
or reloaded from its cache file (as the command line does), it reuses what did not change:

- a note whose bytes are unchanged keeps its parse (tokens are re-made only if needed);
- every page has a key, a digest of everything its HTML depends on (its note, the hrefs of
  its links, the notes it embeds, its backlinks, the templates, the settings, Trellis's
  version); a page whose key is unchanged is not rendered but linked from the last output,
  when its file there still hashes as recorded (a restored copy of the output is checked);
- when nothing at all changed (every note's bytes, the bytes of every attachment it
  published, the templates, assets and settings: `trellis.signature`, never sizes and
  times alone), the last output is kept as it is.

`build()` is the one-shot form: one builder, its cache kept beside the output folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from trellis.build.aside import Aside
from trellis.build.cache import ParsedEntry, Summary, keep_file_times
from trellis.build.cache_dump import cache_records, dump_cache, recorded_files
from trellis.build.cache_load import CacheFileLoad
from trellis.build.emitters import EmitContext, run_emitters
from trellis.build.forked import ParallelNotes, RenderSetup
from trellis.build.held import TokensHere
from trellis.build.link_cache import LinkRecord, NamePart, link_site
from trellis.build.options import BuildOptions
from trellis.build.plan import may_hold_queries, plan_build
from trellis.build.reach import ReachRecord, global_key, plan_reach
from trellis.build.result import BuildResult, PhaseClock, Progress, fewer_collections, uncollected
from trellis.build.search_index import SearchIndexState, SearchStage, begin_index, start_index
from trellis.build.stages import parse_in_process, parse_in_workers
from trellis.build.state import BuildState, Stage
from trellis.config import load_settings
from trellis.diagnostics import FatalError
from trellis.edits import LiveSite
from trellis.emit.build_lock import build_lock
from trellis.emit.canvas import emit_canvases
from trellis.emit.folders import EXPLORER_FILE
from trellis.emit.graph import GraphFiles, local_graphs_made_here
from trellis.emit.output_files import FileStat
from trellis.emit.pages import PageKeys, digest
from trellis.emit.site_update import choose_writer
from trellis.emit.snippets import find_snippets
from trellis.emit.writer import OutputWriter, cache_path, site_finished
from trellis.preview_edits import PreviewEdits
from trellis.public.private_names import PrivateNames
from trellis.public.redirects import PublishedURL, published_urls
from trellis.public.site import build_public_site
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer
from trellis.render.templates import checked, create_environment, theme_signature
from trellis.signature import SeenFile, build_inputs
from trellis.vault.frontmatter import FrontmatterMemo, KeptBlock
from trellis.vault.scan import read_vault


class SiteBuilder(PreviewEdits, CacheFileLoad):
    """Builds one vault into one output folder, as often as asked, redoing only what changed."""

    def __init__(
        self,
        vault: Path,
        out: Path | None,  # None: each `build` names its folder (the preview's are new each time)
        overrides: dict[str, Any] | None = None,
        options: BuildOptions | None = None,
    ) -> None:
        self.vault = vault
        self.out = out
        self.overrides = dict(overrides or {})
        self.options = options or BuildOptions()
        self._parsed: dict[str, ParsedEntry] = {}
        self._links: dict[str, LinkRecord] = {}  # where each note's links went (`link_cache`)
        # The blocks the last scan parsed with YAML, kept in memory only: the cache file
        # gives none, a forged one would decide which notes are published.
        self._frontmatter: dict[str, KeptBlock] = {}
        self._page_keys: dict[str, str] = {}
        self._page_digests: dict[str, str] = {}  # output path -> hash of the page's bytes
        self._inputs = ""
        # The attachments the last build published (vault path -> hash of their bytes).
        self._published_attachments: dict[str, str] = {}
        self._last: BuildResult | None = None
        self._last_out: Path | None = None
        # What the last build reported.
        self._summary: Summary | None = None
        self._search = SearchIndexState()
        self._layout = ""  # what every page of the last output read (`PageKeys.layout`)
        # The URLs the last build published, kept working as redirects (trellis.public.redirects).
        self._published_urls: list[PublishedURL] = []
        self._live: LiveSite | None = None
        self._graph_files: GraphFiles | None = None  # the last output's graph files
        self._file_stats: dict[str, FileStat] = {}  # its recorded files' stats, after the swap
        self._cache_problem = ""  # why the cache file was rejected (said by the next build)
        self._seen: dict[str, SeenFile] = {}  # the files the last scan read, with their stats
        self._reach: ReachRecord | None = None  # what an edit can reach (`build.reach`)
        self._names: dict[str, NamePart] = {}  # each note's part of the names table

    # -- one build ----------------------------------------------------------------------

    def build(self, progress: Progress | None = None, out: Path | None = None) -> BuildResult:
        """Build into `out` (default: the builder's output folder), reusing the last output.

        Raises `FatalError` only when nothing can be written.
        """
        with fewer_collections():
            return self._build(progress, out)

    def _build(self, progress: Progress | None, out: Path | None) -> BuildResult:
        started = time.perf_counter()
        out = out or self.out
        if out is None:
            raise ValueError("this builder has no output folder: give `build` one")
        out = out.absolute()  # `-o public` is relative: the last output is kept as it is compared
        progress = progress or Progress()
        state = BuildState()
        diagnostics = state.report  # files each warning under the running stage
        if not self.vault.is_dir():
            raise FatalError(f"no such vault folder: {self.vault}")
        settings = load_settings(self.vault, self.overrides, diagnostics)
        result = BuildResult(settings=settings, diagnostics=diagnostics)
        clock = PhaseClock(result.phases)
        cache_file = cache_path(out, settings.cache_folder(self.vault))
        writer = OutputWriter(out, self.vault, diagnostics, cache_file)

        progress.phase("Reading the vault")
        with clock("scan"), uncollected():
            signature = build_inputs(
                self.vault, settings, writer.own_paths, self._published_attachments, self._seen
            )
            inputs, self._seen = signature.digest, signature.seen
            if (
                inputs == self._inputs
                and signature.attachments_same
                and self._summary is not None
                and self._last_out == out
                and site_finished(out)
            ):
                self.keep_seen(writer, signature.seen)
                return self._unchanged(result, started, state)
            self._take_rest()
            frontmatter = FrontmatterMemo(self._frontmatter)
            source = read_vault(
                self.vault,
                diagnostics,
                writer.own_paths,
                settings.git_dates,
                frontmatter,
                already_read=signature.notes_read,
                walked=signature.walked,
            )
            # The walk's file records go with it: not held through the build (and the fork).
            attachments_same = signature.attachments_same
            del signature
            result.cache_problem, self._cache_problem = self._cache_problem, ""
            keep_file_times(source.notes, self._parsed)
            site = build_public_site(source, settings, diagnostics, state.attachments.use)
            site.snippets = list(find_snippets(self.vault, settings, diagnostics))
            # Read again only for the cache: packed before any worker is forked (`Aside`);
            # `_seen` is back at the end (after a failed build, the next reads every file).
            blocks = frontmatter.published(note.rel_path for note in site.notes)
            aside = Aside((self._seen, blocks), source.notes)
            self._seen = {}
            del frontmatter, blocks
        result.site = site
        result.notes_published = len(site.notes)
        templates = checked(lambda: create_environment(self.vault, diagnostics))
        theme = theme_signature(self.vault)
        # Nothing is taken over from an output an update in place left midway.
        last = self._last_out if self._last_out and site_finished(self._last_out) else None
        keys = PageKeys(self._page_keys, last, theme, previous_digests=self._page_digests)
        keys.layout, keys.previous_layout = digest(theme, settings.for_output()), self._layout

        writer.previous = last
        writer.previous_stats = self._file_stats if writer.previous is not None else {}
        # The last output itself, updated in place (`trellis.emit.site_update`), or staged.
        writer = choose_writer(writer, settings.atomic_output)
        writer.start()
        workers: ParallelNotes | None = None
        held: TokensHere | None = None
        afresh: set[str] | None = None  # notes whose episode was read afresh (None: unknown)
        searching: SearchStage | None = None
        try:
            progress.phase("Parsing notes", len(site.notes))
            state.enter(Stage.PARSE)
            with clock("parse"), uncollected():  # parses live to the end: frozen, never walked
                notes = NoteRenderer(site, diagnostics)
                notes.query_facts = may_hold_queries(site, source.attachments, self._parsed)
                plan = plan_build(site, self._parsed, self.options, keys)
                # Queries read every note in one view: such a vault renders in this process.
                if plan.workers and not notes.query_facts:
                    setup = RenderSetup(templates, keys, writer, state.attachments)
                    self._parsed, workers = parse_in_workers(
                        plan, site, notes, self._parsed, diagnostics, progress, setup, aside
                    )
                    result.worker_processes = plan.workers
                else:
                    self._parsed, held, afresh = parse_in_process(
                        plan, site, notes, self._parsed, diagnostics, progress
                    )
            state.enter(Stage.LINK)
            with clock("link"), uncollected():
                if workers is not None:
                    workers.share_parses()
                private = PrivateNames(source, site)
                linked = link_site(site, diagnostics, private, self._links, source, self._names)
                graph, link_records, names = linked.graph, Aside(linked.records), linked.names
                if workers is not None:
                    made_here = local_graphs_made_here(self._graph_files, writer)
                    workers.start_rendering(graph, local_graphs=made_here)
            if workers is None:  # the edited notes' shards walked while the pages are made
                with clock("search"):  # (not beside parse and link: they ran 1.5-2x slower)
                    changed = (site.notes[index].output_path for index in plan.to_parse)
                    searching = begin_index(site, writer, changed, self.options.defer_search)
            with clock("queries"):
                notes.queries = None
                if notes.query_facts:  # (the same test, made before parsing)
                    from trellis.render.queries import prepare_queries  # the engine: only here

                    notes.queries = prepare_queries(site, notes, diagnostics, source.attachments)
            state.enter(Stage.WRITE)
            result.graph = graph
            pages = PageRenderer(site, templates, graph)
            with clock("plan"):  # the pages an edit can reach; the others keep their keys
                site_wide = global_key(site, pages, keys, linked.table)
                if afresh is not None and attachments_same and notes.queries is None:
                    afresh |= linked.afresh
                else:  # an attachment changed, or a query may show any note: keys all
                    afresh = None
                reach = plan_reach(site, graph, pages, keys, self._reach, site_wide, afresh)
                keys.reach, keys.given = reach.pages, {EXPLORER_FILE: reach.explorer_key}

            progress.phase("Writing pages", len(site.notes))
            with clock("render+write"):
                if workers is not None:
                    if not self.options.keep_live:  # (a live site may render any page again)
                        workers.forget_other_contexts()
                        del linked  # its records: packed, read again by the cache alone
                        link_records.pack()
                    written = workers.render(keys, writer, progress.advance)
                else:
                    assert held is not None
                    written = held.write_pages(pages, graph, writer, keys, progress.advance)
                result.pages_written, result.pages_rendered = written.pages, written.rendered
            with clock("search"):  # Pagefind reads note pages only: it runs while the rest is made
                searching = start_index(
                    site, writer, diagnostics, keys.current_digests, self._search,
                    self.options.defer_search, searching, keys.taken,
                )  # fmt: skip
            emitting = EmitContext(
                site, pages, graph, writer, diagnostics, self.vault, state.attachments, source
            )
            emitting.previous_urls = self._published_urls
            emitting.keys = keys
            emitting.graph_kept, emitting.graph_same = self.options.keep_live, reach.graph_same
            emitting.tag_index = reach.tag_index
            emitting.previous_graph = self._graph_files
            if workers is not None:  # the local graph files made with the pages
                emitting.local_graphs_made = workers.local_graph_files
            emitted = run_emitters(emitting, clock, result, track=self.options.keep_live)
            redirects = emitting.redirects
            result.pages_written += emit_canvases(notes.queries, pages, writer)
            if not self.options.keep_live:
                emitting.let_go()
            with clock("search"):
                search, index = searching.finish()
                result.search_shards_indexed = index.indexed
                result.search_shards_reused = index.reused
                result.cache_problem = "; ".join([result.cache_problem, *index.rejected]).strip(
                    "; "
                )
            summary = Summary(
                result.notes_published,
                result.pages_written,
                result.attachments_copied,
                state.items(),
            )
            with clock("swap"):
                writer.commit()
                stats = writer.stats_of(
                    recorded_files(keys.current_digests, emitting.graph_files, search.records)
                )
                urls = published_urls(site, redirects)
                seen, kept_blocks = aside.value
                links = link_records.value
                if self.options.keep_cache:
                    records = cache_records(
                        self._parsed, keys.current, keys.current_digests, inputs, summary,
                        search.records, state.attachments.digests(), urls, keys.layout,
                        emitting.graph_files, stats, seen, links,
                        reach.record, self._parsed_parts, names,
                    )  # fmt: skip
                    writer.write_cache(partial(dump_cache, records))
        except BaseException:
            if workers is not None:
                workers.close()
            if searching is not None:
                searching.cancel()
            writer.abort()
            raise
        self._page_keys, self._inputs, self._summary = keys.current, inputs, summary
        self._links, self._frontmatter, self._reach = links, kept_blocks, reach.record
        self._names = names
        self._seen = seen
        self._page_digests, self._file_stats = keys.current_digests, stats
        self._layout, self._graph_files = keys.layout, emitting.graph_files
        self._published_attachments = state.attachments.digests()
        self._search = search
        self._published_urls = urls
        self._last_out = out
        if self.options.keep_live:
            self._live = LiveSite(
                vault=self.vault.resolve(),
                out=out,
                site=site,
                graph=graph,
                notes=notes,
                pages=pages,
                theme=theme,
                note_paths=frozenset(n.rel_path for n in source.notes),
                state=state,
                emitted=emitted,
                tag_index=emitting.tag_index,
                graph_json=emitting.graph_json,
            )
        result.diagnostics = state.diagnostics()
        result.seconds = time.perf_counter() - started
        self._last = result
        return result

    def _unchanged(self, result: BuildResult, started: float, state: BuildState) -> BuildResult:
        """The last build's report, for a build that found nothing to do."""
        assert self._summary is not None
        summary = self._summary
        result.notes_published, result.pages_written = summary.notes, summary.pages
        result.attachments_copied = summary.attachments
        state.add(Stage.READ, summary.warnings)
        result.diagnostics = state.diagnostics()
        if self._last is not None:
            result.site, result.graph = self._last.site, self._last.graph
        result.unchanged = True
        result.seconds = time.perf_counter() - started
        return result


def build(
    vault: Path,
    out: Path,
    overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
    waiting: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build `vault` into `out` once; with `use_cache`, reuse what the last build left.
    One build at a time writes into `out`: `waiting` is told when this one waits."""
    with build_lock(out, waiting):
        builder = SiteBuilder(vault, out, overrides, BuildOptions(keep_cache=use_cache))
        if use_cache:
            builder.load_cache()
        return builder.build(progress)
