"""`Preview`: the server, the watcher and the rebuild loop wired together in one object.

Tests drive it in-process (`start`, `wait_idle`, `stop`); `run_serve` adds the terminal
and Ctrl-C. The server comes up first and shows a "building" page that reloads itself, so
the URL works at once even for a large vault; the first build then runs in the loop like
any other rebuild.

The loop is: take a settled set of changed paths, `builder.rebuild(changed)`, then either
publish the new folder (bumping the version that open tabs follow) or report the error
while the previous site stays served. Changes arriving during a rebuild wait in the queue
for the next turn, so a burst of saves costs at most one extra rebuild.

A note with an error in its source (a YAML typo in its frontmatter) is left out of the site,
as in `trellis build`, and its page is gone; but the author's tab is open on it. So the
preview remembers where each note was last published, and a good build that dropped a note
it has warnings for tells the server: that page's "not found" shows those warnings in the
error overlay, until a save brings the note back. Only notes that were published before are
named this way; a private note's problems stay on the terminal.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from trellis.config import OVERRIDES_DIR
from trellis.diagnostics import Diagnostic, FatalError
from trellis.pipeline import BuildResult
from trellis.render.templates import THEME_STATIC, THEME_TEMPLATES
from trellis.serve.builder import (
    Cancelled,
    FullRebuilder,
    IncrementalRebuilder,
    RebuildOutcome,
)
from trellis.serve.hosts import HostCheck
from trellis.serve.report import TerminalReport
from trellis.serve.server import PreviewServer, bind_server
from trellis.serve.state import SiteState
from trellis.serve.watcher import ChangeFilter, ChangeQueue, Watcher

# How long the writer must pause before the search index of edited pages is rebuilt.
SEARCH_IDLE_SECONDS = 1.0


class Preview:
    def __init__(
        self,
        vault: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        overrides: dict[str, Any] | None = None,
        report: TerminalReport | None = None,
        quiet_seconds: float = 0.05,
        theme_templates: Path | None = THEME_TEMPLATES,
        theme_static: Path | None = THEME_STATIC,
        incremental: bool = True,
        allow_hosts: Iterable[str] = (),
    ) -> None:
        """`theme_*`: the theme folders to watch (None: none; tests use their own folders).

        `incremental`: rebuild with a long-lived `SiteBuilder` (the default) instead of full
        builds: only changed notes are parsed again and only affected pages rendered.
        `allow_hosts`: more `Host` names to answer than `host`'s own (`hosts.py`).
        """
        self.vault = vault.resolve()
        self.host = host
        self.port = port
        self.overrides = overrides or {}
        self.report = report or TerminalReport()
        self.theme_templates = theme_templates
        self.theme_static = theme_static
        self.incremental = incremental
        self.allow_hosts = tuple(allow_hosts)
        self.state = SiteState()
        self.changes = ChangeQueue(quiet=quiet_seconds)
        self.builds = 0
        self.failures = 0
        self.last_outcome: RebuildOutcome | None = None
        self.workdir: Path | None = None
        self._server: PreviewServer | None = None
        self._watcher: Watcher | None = None
        self._builder: FullRebuilder | None = None
        self._threads: list[threading.Thread] = []
        # Vault path -> site path of every note published by a build so far (see the module).
        self._published: dict[str, str] = {}

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Bind the port, start watching, serve, and start the first build (in the background)."""
        if not self.vault.is_dir():
            raise FatalError(f"no such vault folder: {self.vault}")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="trellis-serve-")).resolve()
        if self.workdir.is_relative_to(self.vault):
            raise FatalError(
                f"the temporary folder {self.workdir} lies inside the vault; "
                "set TMPDIR to a folder outside it"
            )
        rebuilder = IncrementalRebuilder if self.incremental else FullRebuilder
        self._builder = rebuilder(self.vault, self.overrides, self.workdir)
        hosts = HostCheck(self.host, self.allow_hosts)
        self._server = bind_server(
            self.host, self.port, self.state, hosts, self.report.request_failed
        )
        used = self._server.server_address[1]
        if self.port and used != self.port:
            self.report.port_busy(self.port, used)

        theme = [p for p in (self.theme_templates, self.theme_static) if p is not None]
        changes = ChangeFilter(self.vault, theme, ignored=[self.workdir])
        self._watcher = Watcher([self.vault, *theme], changes, self.changes)
        self._watcher.start()
        self._spawn("trellis-serve-http", lambda: self._server.serve_forever(poll_interval=0.1))
        self._spawn("trellis-serve-rebuild", self._loop)
        self.report.serving(self.vault, self.url)

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _loop(self) -> None:
        changed: frozenset[Path] | None = frozenset()
        while changed is not None:
            try:
                self._rebuild(changed)
            except Cancelled:
                return
            except Exception as error:  # a bug here must not end the preview
                self.state.fail(f"internal error: {type(error).__name__}: {error}")
                self.report.internal_error(error)
            self._refresh_search_when_idle()
            changed = self.changes.take()

    def _refresh_search_when_idle(self) -> None:
        """After edits made in place, index the site again once no save came for a while.

        Pagefind takes about a second per 1,000 notes, so it runs only when the writer pauses,
        and it is stopped (and tried again later) as soon as a change arrives.
        """
        builder = self._builder
        if not isinstance(builder, IncrementalRebuilder) or not builder.search_stale:
            return
        if self.changes.wait_pending(SEARCH_IDLE_SECONDS):
            return
        try:
            builder.refresh_search(stop=self.changes.pending)
        except Exception as error:  # search is a nicety of the preview: never end the loop
            self.report.internal_error(error)

    def _rebuild(self, changed: frozenset[Path]) -> None:
        assert self._builder is not None
        outcome = self._builder.rebuild(changed)
        self.builds += 1
        # Keep the figures, not the whole site model, alive between builds.
        self.last_outcome = replace(outcome, result=None)
        names = sorted(self._shown_name(p) for p in changed)
        if outcome.root is not None and outcome.result is not None:
            base_path = outcome.result.settings.base_path
            # An edit in place never adds or drops a note (`trellis.edits`): the pages left
            # out stay as they were, and walking every note (tens of ms at 10,000) would
            # only delay the page.
            in_place = outcome.root == self.state.current_root
            problems = None if in_place else self._dropped_notes(outcome.result)
            old = self.state.publish(
                outcome.root, base_path, css_only=self.css_only(changed), problems=problems
            )
            if old is not None and old != outcome.root:  # (an edit in place keeps it)
                self._builder.retire(old)
            # After publishing: when the terminal says it is built, it is served.
            self.report.built(self.builds, outcome, names)
        else:
            self.failures += 1
            self.state.fail(outcome.error or "the build failed")
            self.report.failed(self.builds, outcome, names, self.state.snapshot().version > 0)

    def _dropped_notes(self, result: BuildResult) -> dict[str, dict[str, object]] | None:
        """Site path -> overlay error of each note published before, dropped now with warnings.

        None when the build did not look at the notes again (nothing changed at all).
        """
        site = result.site
        if site is None:
            return None
        published = {note.rel_path: note.url for note in site.notes}
        warned: dict[str, list[Diagnostic]] = {}
        for item in result.diagnostics.items:
            warned.setdefault(item.path, []).append(item)
        problems: dict[str, dict[str, object]] = {}
        for rel_path, url in list(self._published.items()):
            if rel_path in published:
                continue
            if rel_path not in warned:  # unpublished on purpose, or deleted
                del self._published[rel_path]
            elif url not in site.by_url:
                problems[url] = _overlay_error(warned[rel_path])
        self._published.update(published)
        return problems

    def css_only(self, changed: frozenset[Path]) -> bool:
        """True when every change is a stylesheet of the theme or of the vault's overrides."""
        styles = [p for p in (self.theme_static, self.vault / OVERRIDES_DIR / "static") if p]
        return bool(changed) and all(
            path.suffix.lower() == ".css" and any(path.is_relative_to(s) for s in styles)
            for path in changed
        )

    def _shown_name(self, path: Path) -> str:
        theme = [p.parent for p in (self.theme_templates, self.theme_static) if p is not None]
        for root in (self.vault, *theme):
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
        return str(path)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no change is pending and no rebuild runs; False on timeout."""
        return self.changes.wait_idle(timeout)

    def stop(self) -> None:
        """Stop watching, cancel any build, end every thread, remove the temporary folder."""
        self.changes.close()
        if self._builder is not None:
            self._builder.cancel()
        if self._watcher is not None:
            self._watcher.stop()
        self.state.close()
        if self._server is not None:
            if any(t.name == "trellis-serve-http" for t in self._threads):
                self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _overlay_error(warnings: list[Diagnostic]) -> dict[str, object]:
    first = warnings[0]
    return {
        "title": "Trellis: this note is left out of the site until this is fixed.",
        "file": first.path,
        "line": first.line,
        "message": "\n".join(str(item) for item in warnings),
    }
