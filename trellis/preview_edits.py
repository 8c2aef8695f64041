"""The preview's in-place updates of a `SiteBuilder`'s last output, and its search refresh.

Why apart from `trellis.pipeline`: a whole build and an update in place share the builder's
records of the last build, not their steps; this mixin holds the second kind of step, so
each module reads as one story (and stays under 400 lines). Its attributes are the
builder's (set by `SiteBuilder.__init__` and each build).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from trellis.build.cache import ParsedEntry, Summary
from trellis.build.result import BuildResult, fewer_collections
from trellis.build.search_index import SearchIndexState
from trellis.diagnostics import Diagnostics
from trellis.edits import LiveSite, apply_edits, apply_static_edits, plan_edits
from trellis.emit.search import searchable_pages
from trellis.emit.search_refresh import refresh_search_bundle


class PreviewEdits:
    """`apply_edits` and `refresh_search` of a long-lived `SiteBuilder` (`serve`)."""

    _live: LiveSite | None
    _summary: Summary | None
    _inputs: str
    _parsed: dict[str, ParsedEntry]
    _page_keys: dict[str, str]
    _page_digests: dict[str, str]
    _search: SearchIndexState
    _last: BuildResult | None

    def apply_edits(self, changed: Iterable[Path]) -> BuildResult | None:
        """Update the last output in place for notes saved with their body or frontmatter
        changed but not their URL, title or aliases, or for changed theme assets.

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
        with fewer_collections():
            edits = plan_edits(live, changed)
            if edits is None:
                return None
            self._live = None  # half-updated until `apply_edits` succeeds
            applied = apply_edits(live, edits, self._page_keys, self._page_digests)
            if applied is None:
                return None
        self._live = live
        self._parsed.update(applied.parses)
        if applied.written:  # the index shows the pages as they were
            self._search = replace(self._search, stale=True)
            self._inputs = ""
        return self._report_edits(
            live, started, applied.rendered, applied.attachments_added, applied.pages_delta
        )

    def _report_edits(
        self,
        live: LiveSite,
        started: float,
        rendered: int,
        attachments_added: int = 0,
        pages_delta: int = 0,
    ) -> BuildResult:
        """The report of a build for edits made in place: the last one's, updated."""
        assert self._summary is not None
        diagnostics = live.state.diagnostics()
        self._summary = summary = replace(
            self._summary,
            pages=self._summary.pages + pages_delta,
            attachments=self._summary.attachments + attachments_added,
            warnings=list(diagnostics.items),
        )
        result = BuildResult(settings=live.site.settings, diagnostics=diagnostics)
        result.notes_published, result.pages_written = summary.notes, summary.pages
        result.attachments_copied = summary.attachments
        result.pages_rendered = rendered
        result.site, result.graph = live.site, live.graph
        result.seconds = time.perf_counter() - started
        result.phases["edit"] = result.seconds
        self._last = result
        return result

    @property
    def search_stale(self) -> bool:
        """True after `apply_edits`: the search index shows the pages as they were."""
        return self._live is not None and self._search.stale

    def refresh_search(self, stop: Callable[[], bool]) -> bool:
        """Index the site `apply_edits` updated again; False if stopped or Pagefind failed.

        `stop` is polled while Pagefind runs; when it says so, Pagefind is killed and the
        index stays as it was (still stale), to be refreshed later.
        """
        live = self._live
        if live is None or not self._search.stale:
            return False
        records, digests = self._search.records, self._page_digests
        index = refresh_search_bundle(live.site, live.out, Diagnostics(), stop, digests, records)
        if index is None:
            return False
        searchable = frozenset(searchable_pages(live.site))
        self._search = SearchIndexState(index.records, False, searchable)
        return True
