"""Building a site: gather everything, then render and write; again and again, incrementally.

`SiteBuilder` runs the stages in order: settings, the vault's notes, the `PublicSite` (the
only view of the vault that rendering gets), every published note parsed once, the link
graph, then pages written through the one `OutputWriter`. Kept alive (as `serve` keeps it)
or reloaded from its cache file (as the command line does), it reuses what did not change:

- a note whose bytes are unchanged keeps its parse (tokens are re-made only if needed);
- every page has a key, a digest of everything its HTML depends on (its note, the hrefs of
  its links, the notes it embeds, its backlinks, the templates, the settings, Trellis's
  version); a page whose key is unchanged is not rendered but linked from the last output;
- when nothing at all changed (every note's bytes, the bytes of every attachment it
  published, the templates, assets and settings: `trellis.signature`, never sizes and
  times alone), the last output is kept as it is.

`build()` is the one-shot form: one builder, its cache kept beside the output folder.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trellis.config import SETTINGS_FILE, Settings, load_settings
from trellis.diagnostics import Diagnostic, Diagnostics, FatalError
from trellis.edits import LiveSite, apply_edits, apply_static_edits, plan_edits
from trellis.emit.assets import emit_static
from trellis.emit.attachments import emit_attachments
from trellis.emit.canvas import emit_canvases
from trellis.emit.episodes import emit_episodes
from trellis.emit.feeds import emit_feeds
from trellis.emit.folders import emit_folder_pages
from trellis.emit.graph import emit_graph
from trellis.emit.hosting import emit_hosting
from trellis.emit.pages import PageKeys, digest, emit_note_pages, emit_site_pages
from trellis.emit.search import (
    BUNDLE_DIR,
    emit_search,
    refresh_search_bundle,
    searchable_pages,
)
from trellis.emit.snippets import emit_snippets, find_snippets
from trellis.emit.tags import emit_tag_pages
from trellis.emit.writer import MARKER, OutputWriter, cache_path
from trellis.episodes import attach_episodes
from trellis.model.content import NoteContent
from trellis.parallel import ParallelNotes, RenderSetup, worker_count
from trellis.public.graph import LinkGraph, build_link_graph
from trellis.public.private_names import PrivateNames
from trellis.public.redirects import PublishedURL, plan_redirects, published_urls
from trellis.public.site import PublicSite, build_public_site
from trellis.public.urls import output_file
from trellis.render.notes import NoteRenderer
from trellis.render.pages import PageRenderer
from trellis.render.queries import may_have_queries, prepare_queries
from trellis.render.templates import (
    checked,
    create_environment,
    static_dirs,
    template_dirs,
    theme_files,
)
from trellis.signature import input_signature
from trellis.vault.history import head_commit
from trellis.vault.scan import read_vault
from trellis.versions import output_versions

CACHE_VERSION = 2


class Progress:
    """Told about phases and steps; the command line shows them, tests ignore them."""

    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class BuildResult:
    settings: Settings
    diagnostics: Diagnostics
    notes_published: int = 0
    pages_written: int = 0
    pages_rendered: int = 0  # pages whose HTML was made this time (the rest were reused)
    attachments_copied: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    site: PublicSite | None = None
    graph: LinkGraph | None = None
    unchanged: bool = False  # nothing changed since the last build: its output was kept


@dataclass
class _Parsed:
    content_hash: str
    content: NoteContent
    warnings: list[Diagnostic]


class SiteBuilder:
    """Builds one vault into one output folder, as often as asked, redoing only what changed."""

    def __init__(self, vault: Path, out: Path, overrides: dict[str, Any] | None = None) -> None:
        self.vault = vault
        self.out = out
        self.overrides = dict(overrides or {})
        self._parsed: dict[str, _Parsed] = {}
        self._page_keys: dict[str, str] = {}
        self._inputs = ""
        # The attachments the last build published (vault path -> hash of their bytes).
        self._published_attachments: dict[str, str] = {}
        self._last: BuildResult | None = None
        self._last_out: Path | None = None
        # What the last build reported: (notes, pages, attachments, warnings).
        self._summary: tuple[int, int, int, list[Diagnostic]] | None = None
        self._search_key = ""
        # The URLs the last build published, kept working as redirects (trellis.public.redirects).
        self._published_urls: list[PublishedURL] = []
        # Write the cache file into the output (the command line); `serve` keeps it in memory.
        self.keep_cache = True
        # Keep the whole model of the last build for `apply_edits` (`serve` does).
        self.keep_live = False
        # Reuse the last search index while pages were only added or changed, marking it
        # stale for `refresh_search` (`serve` does: Pagefind is most of a rebuild).
        self.defer_search = False
        self._searchable: frozenset[str] = frozenset()
        self._live: LiveSite | None = None

    # -- the cache file used between command-line runs ----------------------------------

    def load_cache(self) -> None:
        """Take up the parses and page keys the last build left in the output folder."""
        settings = load_settings(self.vault, self.overrides, Diagnostics())
        try:
            with cache_path(self.out, settings.cache_folder(self.vault)).open("rb") as handle:
                data = pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
            return
        if not isinstance(data, dict) or data.get("version") != (CACHE_VERSION, output_versions()):
            return
        self._parsed = data["parsed"]
        self._page_keys = data["page_keys"]
        self._published_urls = data.get("urls", [])
        if (self.out / MARKER).is_file():
            self._last_out = self.out
            self._inputs = data["inputs"]
            self._published_attachments = data["attachments"]
            self._summary = data["summary"]
            self._search_key = data.get("search_key", "")

    def _cache_bytes(
        self,
        page_keys: dict[str, str],
        inputs: str,
        summary: tuple[int, int, int, list[Diagnostic]],
        search_key: str,
        attachments: dict[str, str],
        urls: list[PublishedURL],
    ) -> bytes:
        """Parses (without tokens, which are cheap to re-make), page keys, the last report.

        It names link targets as written, private ones too, and warnings about private
        notes: it is kept beside the output folder, never inside it, so it is never deployed.
        """
        parsed = {
            rel_path: _Parsed(entry.content_hash, entry.content.without_tokens(), entry.warnings)
            for rel_path, entry in self._parsed.items()
        }
        data = {
            "version": (CACHE_VERSION, output_versions()),
            "parsed": parsed,
            "page_keys": page_keys,
            "inputs": inputs,
            "summary": summary,
            "search_key": search_key,
            "attachments": attachments,
            "urls": urls,
        }
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

    # -- one build ----------------------------------------------------------------------

    def build(self, progress: Progress | None = None, out: Path | None = None) -> BuildResult:
        """Build into `out` (default: the builder's output folder), reusing the last output.

        Raises `FatalError` only when nothing can be written.
        """
        with _fewer_collections():
            return self._build(progress, out)

    def _build(self, progress: Progress | None, out: Path | None) -> BuildResult:
        started = time.perf_counter()
        out = out or self.out
        progress = progress or Progress()
        diagnostics = Diagnostics()
        if not self.vault.is_dir():
            raise FatalError(f"no such vault folder: {self.vault}")
        settings = load_settings(self.vault, self.overrides, diagnostics)
        result = BuildResult(settings=settings, diagnostics=diagnostics)
        clock = _PhaseClock(result.phases)
        cache_file = cache_path(out, settings.cache_folder(self.vault))
        writer = OutputWriter(out, self.vault, diagnostics, cache_file)

        progress.phase("Reading the vault")
        with clock("scan"):
            inputs, published_same = self._input_signature(settings, writer.own_paths)
            if (
                inputs == self._inputs
                and published_same
                and self._summary is not None
                and self._last_out == out
                and (out / MARKER).is_file()
            ):
                return self._unchanged(result, started)
            source = read_vault(
                self.vault, diagnostics, exclude=writer.own_paths, git_dates=settings.git_dates
            )
            site = build_public_site(source, settings, diagnostics)
            site.snippets = list(find_snippets(self.vault, settings, diagnostics))
        marks = [len(diagnostics.items)]  # where each phase's warnings end (see `LiveSite`)
        result.site = site
        result.notes_published = len(site.notes)
        templates = checked(lambda: create_environment(self.vault, diagnostics))
        theme = _theme_signature(self.vault)
        keys = PageKeys(self._page_keys, self._last_out, theme)

        writer.previous = self._last_out if self._last_out and self._last_out.is_dir() else None
        writer.start()
        workers: ParallelNotes | None = None
        try:
            progress.phase("Parsing notes", len(site.notes))
            with clock("parse"):
                notes = NoteRenderer(site, diagnostics)
                # Queries read every note in one view: such a vault renders in this process.
                workers = None
                if not may_have_queries(site, source.attachments):
                    workers = self._parse_in_workers(
                        site, notes, diagnostics, progress, RenderSetup(templates, keys, writer)
                    )
                if workers is None:
                    self._parse(site, notes, diagnostics, progress)
                    attach_episodes(site, diagnostics)
            marks.append(len(diagnostics.items))
            with clock("link"):
                if workers is not None:
                    workers.share_parses()
                graph = build_link_graph(site, diagnostics, PrivateNames(source, site))
                if workers is not None:
                    workers.start_rendering(graph)
            with clock("queries"):
                notes.queries = prepare_queries(site, notes, diagnostics, source.attachments)
            marks.append(len(diagnostics.items))
            result.graph = graph
            pages = PageRenderer(site, templates, graph)

            progress.phase("Writing pages", len(site.notes))
            with clock("render+write"):
                if workers is None:
                    written = checked(
                        lambda: emit_note_pages(
                            site, notes, pages, graph, writer, keys, progress.advance
                        )
                    )
                else:
                    written = workers.render(keys, writer, progress.advance)
                    written.pages += checked(lambda: emit_site_pages(site, pages, writer))
                result.pages_written, result.pages_rendered = written.pages, written.rendered
                result.pages_written += checked(lambda: emit_tag_pages(site, pages, writer))
                result.pages_written += checked(lambda: emit_folder_pages(pages, writer))
                result.pages_written += checked(lambda: emit_episodes(site, pages, writer))
                result.pages_written += emit_canvases(notes.queries, pages, writer)
            with clock("graph+feeds"):
                emit_graph(site, graph, writer)
                emit_feeds(site, pages, writer)
            with clock("assets"):
                emit_static(theme_files(static_dirs(self.vault), self.vault, diagnostics), writer)
                emit_snippets(find_snippets(self.vault, settings, Diagnostics()), writer)
                result.attachments_copied = emit_attachments(site, writer)
                redirects = plan_redirects(
                    self._published_urls,
                    source,
                    site,
                    lambda url: output_file(url) in writer.written,
                    diagnostics,
                )
                emit_hosting(site, redirects, writer)
            with clock("search"):
                # The index reads note pages only: unchanged pages, unchanged index.
                search_key = digest(sorted(keys.current.items()))
                searchable = frozenset(searchable_pages(site))
                if search_key == self._search_key and writer.previous is not None:
                    reused = writer.reuse_tree(BUNDLE_DIR, writer.previous)
                elif self.defer_search and writer.previous is not None:
                    # Serve: keep the last index (stale) and let the preview index again when
                    # the writer pauses; only while no page left the index, so a stale index
                    # can hold old text of published pages, never an unpublished one.
                    reused = searchable >= self._searchable and writer.reuse_tree(
                        BUNDLE_DIR, writer.previous
                    )
                    search_key = "" if reused else search_key
                else:
                    reused = False
                if not reused:
                    emit_search(site, writer, diagnostics)
            summary = (
                result.notes_published,
                result.pages_written,
                result.attachments_copied,
                list(diagnostics.items),
            )
            with clock("swap"):
                writer.commit()
                urls = published_urls(site, redirects)
                if self.keep_cache:
                    cache = self._cache_bytes(
                        keys.current,
                        inputs,
                        summary,
                        search_key,
                        site.published_attachments,
                        urls,
                    )
                    writer.write_cache(cache)
        except BaseException:
            if workers is not None:
                workers.close()
            writer.abort()
            raise
        self._page_keys, self._inputs, self._summary = keys.current, inputs, summary
        self._published_attachments = site.published_attachments
        self._search_key, self._searchable = search_key, searchable
        self._published_urls = urls
        self._last_out = out
        if self.keep_live:
            items = diagnostics.items
            bounds = zip([0, *marks], [*marks, len(items)], strict=True)
            self._live = LiveSite(
                vault=self.vault.resolve(),
                out=out,
                site=site,
                graph=graph,
                notes=notes,
                pages=pages,
                theme=theme,
                note_paths=frozenset(n.rel_path for n in source.notes),
                warnings=[items[start:end] for start, end in bounds],
            )
        result.seconds = time.perf_counter() - started
        self._last = result
        return result

    def apply_edits(self, changed: Iterable[Path]) -> BuildResult | None:
        """Update the last output in place for notes saved with only their body changed,
        or for changed theme assets (stylesheets, scripts, icons).

        None when `changed` is more than that (see `trellis.edits`): run `build` then.
        """
        live, changed = self._live, list(changed)
        if not changed or live is None or self._summary is None or not live.out.is_dir():
            return None
        started = time.perf_counter()
        assets = apply_static_edits(live, changed)
        if assets is not None:
            self._inputs = ""
            return self._report_edits(live, started, rendered=0)
        with _fewer_collections():
            edits = plan_edits(live, changed)
            if edits is None:
                return None
            self._live = None  # half-updated until `apply_edits` succeeds
            applied = apply_edits(live, edits, self._page_keys)
            if applied is None:
                return None
        self._live = live
        for rel_path, (content_hash, content, warnings) in applied.parses.items():
            self._parsed[rel_path] = _Parsed(content_hash, content, warnings)
        if applied.written:
            self._search_key = ""  # the index shows the pages as they were
            self._inputs = ""
        return self._report_edits(live, started, applied.rendered, applied.attachments_added)

    def _report_edits(
        self, live: LiveSite, started: float, rendered: int, attachments_added: int = 0
    ) -> BuildResult:
        """The report of a build for edits made in place: the last one's, updated."""
        assert self._summary is not None
        notes, pages, attachments, _ = self._summary
        attachments += attachments_added
        diagnostics = Diagnostics.of(live.all_warnings)
        self._summary = (notes, pages, attachments, list(diagnostics.items))
        result = BuildResult(settings=live.site.settings, diagnostics=diagnostics)
        result.notes_published, result.pages_written = notes, pages
        result.attachments_copied = attachments
        result.pages_rendered = rendered
        result.site, result.graph = live.site, live.graph
        result.seconds = time.perf_counter() - started
        result.phases["edit"] = result.seconds
        self._last = result
        return result

    @property
    def search_stale(self) -> bool:
        """True after `apply_edits`: the search index shows the pages as they were."""
        return self._live is not None and not self._search_key

    def refresh_search(self, stop: Callable[[], bool]) -> bool:
        """Index the site `apply_edits` updated again; False if stopped or Pagefind failed.

        `stop` is polled while Pagefind runs; when it says so, Pagefind is killed and the
        index stays as it was (still stale), to be refreshed later.
        """
        live = self._live
        if live is None or self._search_key:
            return False
        key = digest(sorted(self._page_keys.items()))
        if not refresh_search_bundle(live.site, live.out, Diagnostics(), stop):
            return False
        self._search_key = key
        return True

    def _unchanged(self, result: BuildResult, started: float) -> BuildResult:
        """The last build's report, for a build that found nothing to do."""
        assert self._summary is not None
        notes, pages, attachments, warnings = self._summary
        result.notes_published, result.pages_written = notes, pages
        result.attachments_copied = attachments
        result.diagnostics.extend(warnings)
        if self._last is not None:
            result.site, result.graph = self._last.site, self._last.graph
        result.unchanged = True
        result.seconds = time.perf_counter() - started
        return result

    def _input_signature(self, settings: Settings, own_paths: list[Path]) -> tuple[str, bool]:
        """The inputs' digest (equal: nothing changed) and whether the attachments the last
        build published still have their bytes (`trellis.signature`).

        The number of worker processes is left out: it never changes what is written.
        """
        head = head_commit(self.vault) if settings.git_dates else ""
        context = repr((output_versions(), replace(settings, jobs=1), head))
        return input_signature(self.vault, context, own_paths, self._published_attachments)

    def _parse(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        diagnostics: Diagnostics,
        progress: Progress,
    ) -> None:
        """Parse each published note, or take its parse from the last build if unchanged."""
        fresh: dict[str, _Parsed] = {}
        for note in site.notes:
            key = note.source.content_hash
            cached = self._parsed.get(note.rel_path)
            if cached is not None and cached.content_hash == key:
                note.content = cached.content
                if note.content.has_tokens:
                    note.content.env["note"] = note
                else:
                    note.content.loader = notes.token_loader(note)
                diagnostics.extend(cached.warnings)
                fresh[note.rel_path] = cached
            else:
                local = Diagnostics()
                notes.parse(note, local)
                diagnostics.extend(local.items)
                assert note.content is not None
                fresh[note.rel_path] = _Parsed(key, note.content, local.items)
            progress.advance()
        self._parsed = fresh

    def _parse_in_workers(
        self,
        site: PublicSite,
        notes: NoteRenderer,
        diagnostics: Diagnostics,
        progress: Progress,
        setup: RenderSetup,
    ) -> ParallelNotes | None:
        """Parse (and read episodes) in worker processes, which then render the note pages.

        None, having done nothing, when too few notes changed for workers to pay off, or
        when the model is kept for `apply_edits`, which needs the tokens in this process.
        """
        if self.keep_live:
            return None
        to_parse = set()
        for index, note in enumerate(site.notes):
            cached = self._parsed.get(note.rel_path)
            if cached is None or cached.content_hash != note.source.content_hash:
                to_parse.add(index)
        count = worker_count(site.settings.jobs, len(to_parse))
        if not count:
            return None
        for index, note in enumerate(site.notes):
            if index not in to_parse:  # the workers make its tokens again if they need them
                note.content = self._parsed[note.rel_path].content
                note.content.loader = notes.token_loader(note)
        workers = ParallelNotes(site, notes, to_parse, count, setup)
        try:
            parsed, episodes = workers.parse(progress.advance)
        except BaseException:
            workers.close()
            raise
        fresh: dict[str, _Parsed] = {}
        for index, note in enumerate(site.notes):
            if index in to_parse:
                note.content, warnings = parsed[index]
                entry = _Parsed(note.source.content_hash, note.content, warnings)
            else:
                entry = self._parsed[note.rel_path]
            diagnostics.extend(entry.warnings)
            fresh[note.rel_path] = entry
        self._parsed = fresh
        for index, content, episode, warnings in episodes:
            diagnostics.extend(warnings)
            if content is not None:
                site.notes[index].content = content
                site.notes[index].episode = episode
        return workers


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A build makes millions of small objects that live until it ends (tokens): with the
    default thresholds the cycle collector rescans them over and over. Measured on 1,000
    notes: parsing 15% faster. The thresholds are put back afterwards (serve runs long)."""
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _theme_signature(vault: Path) -> str:
    """Templates are part of every page: their contents go into each page's key."""
    digest = hashlib.blake2b(digest_size=16)
    for name, file in sorted(theme_files(template_dirs(vault), vault, Diagnostics()).items()):
        try:
            digest.update(os.fsencode(name) + b"\0" + file.read())
        except OSError as error:
            digest.update(os.fsencode(name) + f"\0unreadable {error.errno}".encode())
    settings_file = vault / SETTINGS_FILE
    if settings_file.is_file():
        digest.update(settings_file.read_bytes())
    return digest.hexdigest()


def build(
    vault: Path,
    out: Path,
    overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Build `vault` into `out` once; with `use_cache`, reuse what the last build left."""
    builder = SiteBuilder(vault, out, overrides)
    builder.keep_cache = use_cache
    if use_cache:
        builder.load_cache()
    return builder.build(progress)


class _PhaseClock:
    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start
