"""What one build found out, owned in one place: its warnings, by stage and by note.

Why: the preview's fast path re-runs a few notes through some stages and must replace
exactly their warnings of those stages, keeping the rest. Before, the build kept one shared
`Diagnostics` with index marks where each phase ended, and the fast path swapped the object
`PublicSite` and `NoteRenderer` write into. Here the state files every warning under the
stage that gave it, and the objects that warn (`PublicSite.resolve`, `NoteRenderer`, the
writers) hold one `StageReport` that asks the state which stage is running.

The state also holds the attachments the build's pages use (`UsedAttachments`): rendering
registers them through the one callable `PublicSite` is given, workers ship theirs back, and
the fast path asks which were added since a mark instead of diffing copies of the site.

The report keeps a build's order: stages in order, each in the order its warnings came, the
same warning once (`Diagnostics.of`), exactly what one list filled from start to end held.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import IntEnum

from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.public.site import PublicAttachment


class Stage(IntEnum):
    """The stages whose warnings are kept apart, in the order a build runs them."""

    READ = 0  # settings, the vault's files and frontmatter, the public site
    PARSE = 1  # each published note's Markdown, episode notes
    LINK = 2  # the link graph
    WRITE = 3  # pages, feeds, graph, assets, attachments, search, the output folder


class StageReport(Diagnostics):
    """A `Diagnostics` whose warnings go to the state's running stage (see module doc)."""

    def __init__(self, state: BuildState) -> None:  # no dataclass fields of its own
        self.state = state
        self._lock = threading.Lock()

    def warn(self, path: str, message: str, line: int | None = None, code: str = "warning") -> None:
        self.state.add(self.state.stage, [Diagnostic(path, line, message, code)])

    def extend(self, items: list[Diagnostic]) -> None:
        """As `warn` for each, in one step (the link stage replays thousands)."""
        if items:
            self.state.add(self.state.stage, items)

    @property  # type: ignore[override]
    def items(self) -> list[Diagnostic]:
        return self.state.items()


class UsedAttachments:
    """The attachments published pages ask for, by vault path, in the order first asked.

    `PublicSite.find_attachment` hands each one to `use` (it never keeps a list itself), so
    a build, its workers and the preview's saves fill one registry that this state owns.
    """

    def __init__(self) -> None:
        self._by_path: dict[str, PublicAttachment] = {}

    def use(self, attachment: PublicAttachment) -> PublicAttachment:
        """Count `attachment` as used; the one registered first for its file."""
        return self._by_path.setdefault(attachment.source.rel_path, attachment)

    def use_all(self, attachments: Iterable[PublicAttachment]) -> None:
        """Take what pages rendered in a worker asked for (`trellis.build.forked`)."""
        for attachment in attachments:
            self.use(attachment)

    def mark(self) -> int:
        """A point to ask `added_since` about (the registry only grows during a build)."""
        return len(self._by_path)

    def added_since(self, mark: int) -> list[PublicAttachment]:
        """The attachments newly used since `mark` whose URL nothing used before has."""
        registered = list(self._by_path.values())
        before = {attachment.url for attachment in registered[:mark]}
        fresh = {a.url: a for a in sorted(registered[mark:], key=lambda a: a.source.rel_path)}
        return [fresh[url] for url in sorted(fresh) if url not in before]

    def all(self) -> list[PublicAttachment]:
        """The attachments to copy, once per URL (equal files of one name share it)."""
        unique = {a.url: a for a in sorted(self._by_path.values(), key=lambda a: a.source.rel_path)}
        return [unique[url] for url in sorted(unique)]

    def digests(self) -> dict[str, str]:
        """Vault path -> the hash of its bytes, for every attachment published."""
        return {path: used.digest for path, used in sorted(self._by_path.items())}


class BuildState:
    """Warnings per stage (and so per note, by their path), thread-safe like `Diagnostics`;
    and the attachments the pages use."""

    def __init__(self) -> None:
        self._stages: dict[Stage, Diagnostics] = {stage: Diagnostics() for stage in Stage}
        # Per stage, how many warnings each path has: a save drops its notes' warnings
        # without filtering (or hashing) the warnings of the other thousands of notes.
        self._paths: dict[Stage, dict[str, int]] = {stage: {} for stage in Stage}
        self.attachments = UsedAttachments()
        self.stage = Stage.READ
        self.report = StageReport(self)
        self._captures: list[list[Diagnostic]] = []

    def enter(self, stage: Stage) -> None:
        """From now on warnings given through `report` belong to `stage`."""
        self.stage = stage

    @contextmanager
    def redo(self, stage: Stage, paths: Iterable[str]) -> Iterator[None]:
        """Run `stage` again for the notes at `paths`: their old warnings of it are dropped,
        and what is warned meanwhile is filed under it (after the warnings kept)."""
        self.drop(stage, set(paths))
        previous, self.stage = self.stage, stage
        try:
            yield
        finally:
            self.stage = previous

    def add(self, stage: Stage, items: Iterable[Diagnostic]) -> None:
        kept = self._stages[stage]
        start = len(kept.items)
        kept.extend(list(items))
        added = kept.items[start:]
        paths = self._paths[stage]
        for item in added:
            paths[item.path] = paths.get(item.path, 0) + 1
        for capture in self._captures:
            capture.extend(added)

    @contextmanager
    def capture(self) -> Iterator[list[Diagnostic]]:
        """The warnings newly filed while the block runs (a worker ships a page's own)."""
        found: list[Diagnostic] = []
        self._captures.append(found)
        try:
            yield found
        finally:
            self._captures.remove(found)

    def drop(self, stage: Stage, paths: set[str]) -> None:
        counts = self._paths[stage]
        hit = {path for path in paths if path in counts}
        if not hit:
            return
        stage_items = self._stages[stage]
        kept = [d for d in stage_items.items if d.path not in hit]
        gone = {d for d in stage_items.items if d.path in hit}
        # The set keeps each warning's hash: the difference hashes only the ones dropped.
        self._stages[stage] = Diagnostics(items=kept, _seen=stage_items._seen - gone)
        for path in hit:
            del counts[path]

    def of_stage(self, stage: Stage) -> list[Diagnostic]:
        return list(self._stages[stage].items)

    def for_note(self, path: str, stage: Stage | None = None) -> list[Diagnostic]:
        """The warnings about the note (or file) at vault path `path`, of one stage or all."""
        stages = list(Stage) if stage is None else [stage]
        return [
            d
            for s in stages
            if path in self._paths[s]
            for d in self._stages[s].items
            if d.path == path
        ]

    def items(self) -> list[Diagnostic]:
        """Every warning, stage by stage, each once."""
        return self.diagnostics().items

    def diagnostics(self) -> Diagnostics:
        """The whole report as a plain `Diagnostics` (a `BuildResult` carries one).

        Each stage holds its warnings once; one held by an earlier stage too is left out.
        Set operations reuse the hashes the stages' sets keep, so the report of a preview
        save does not hash every warning of the vault again."""
        items: list[Diagnostic] = []
        seen: set[Diagnostic] = set()
        for stage in Stage:
            kept = self._stages[stage]
            again = kept._seen & seen if seen else set()
            items.extend(kept.items if not again else [d for d in kept.items if d not in again])
            seen |= kept._seen
        return Diagnostics(items=items, _seen=seen)


@contextmanager
def new_warnings(diagnostics: Diagnostics) -> Iterator[list[Diagnostic]]:
    """The warnings `diagnostics` newly took while the block runs (a `StageReport`'s from its
    state; a plain list's from its end)."""
    if isinstance(diagnostics, StageReport):
        with diagnostics.state.capture() as found:
            yield found
        return
    start = len(diagnostics.items)
    found = []
    yield found
    found.extend(diagnostics.items[start:])
