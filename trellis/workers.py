"""Worker processes: forked, spoken to over pipes, never left behind.

Why `os.fork` by hand, and not `multiprocessing.Pool` or `ProcessPoolExecutor`:

- a worker needs the whole vault model (the `PublicSite`, settings, cached parses, the
  Markdown parser and templates); a forked child has it as it is, nothing pickled, while
  the spawn and forkserver start methods would pickle it for every worker;
- a build is a conversation, not a map over items: each worker parses its share and keeps
  the tokens (as many as its memory budget allows), is told about the other notes once,
  then renders its share; a pool ships every
  task's arguments and results through queues fed by helper threads in the parent;
- a child ends with `os._exit`: no exit handlers run and no standard stream it inherited is
  flushed, so nothing the parent had buffered is written twice and no lock held by another
  thread of the parent at fork time (the terminal's progress bar) is ever waited on. A
  `multiprocessing.Process` child flushes its standard streams on the way out.

Messages are pickles over `multiprocessing.connection.Pipe` (length-prefixed frames), and
`multiprocessing.connection.wait` watches every worker at once. A worker that raises sends
its traceback and exits; one that dies silently is noticed by its pipe closing. Workers ignore
Ctrl-C (the terminal sends it to every process of the group): the parent decides, kills
them and reaps them, so none is left running or as a zombie. A worker whose parent died
sees its pipe closed and ends too.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from trellis.diagnostics import FatalError


class WorkerError(Exception):
    """A worker process failed: a bug (its traceback is in the message) or it was killed."""


class Channel:
    """A worker's end of its pipe to the parent."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def send(self, message: Any) -> None:
        self._send_frame(("message", message))

    def receive(self) -> Any:
        """The parent's next message; ends the worker quietly if the parent has gone."""
        try:
            return pickle.loads(self._connection.recv_bytes())
        except EOFError:
            os._exit(1)

    def _send_frame(self, frame: tuple[Any, ...]) -> None:
        self._connection.send_bytes(pickle.dumps(frame, pickle.HIGHEST_PROTOCOL))


@dataclass
class _Worker:
    pid: int
    connection: Connection
    finished: bool = False  # sent its last frame: the process is ending on its own
    reaped: bool = False


class Workers:
    """`count` forked processes, each running `main(index, channel)` once, then exiting.

    `close` (or leaving the `with` block) kills whatever still runs and reaps every child;
    the owner calls it on every way out, Ctrl-C included.
    """

    def __init__(self, count: int, main: Callable[[int, Channel], None]) -> None:
        self._workers: list[_Worker] = []
        # Objects made so far are never scanned by the children's garbage collector, so the
        # memory pages holding them stay shared instead of being copied on the first scan.
        # (Unless the caller froze objects itself: unfreezing would undo that too.)
        freezing = gc.get_freeze_count() == 0
        if freezing:
            gc.freeze()
        give_back_free_memory()
        try:
            for index in range(count):
                self._workers.append(self._fork(index, main))
        except BaseException:
            self.close()
            raise
        finally:
            if freezing:
                gc.unfreeze()

    def _fork(self, index: int, main: Callable[[int, Channel], None]) -> _Worker:
        parent_end, child_end = Pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _fresh_standard_streams()
                parent_end.close()
                for earlier in self._workers:  # so that each worker sees its parent leave
                    earlier.connection.close()
                channel = Channel(child_end)
                try:
                    main(index, channel)
                    channel._send_frame(("exit",))
                    code = 0
                except FatalError as error:
                    channel._send_frame(("fatal", str(error)))
                except BaseException:
                    channel._send_frame(("error", traceback.format_exc()))
            finally:
                os._exit(code)
        child_end.close()
        return _Worker(pid, parent_end)

    def __len__(self) -> int:
        return len(self._workers)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, index: int, message: Any) -> None:
        self._workers[index].connection.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    def receive_until(
        self, done: Callable[[Any], bool], skip: Collection[int] = ()
    ) -> Iterator[tuple[int, Any]]:
        """(worker index, message) as they come, until each worker sent one `done` holds for
        (those in `skip` did already).

        Raises `FatalError` as a worker raised it, `WorkerError` for anything else.
        """
        remaining = {w.connection: i for i, w in enumerate(self._workers) if i not in skip}
        while remaining:
            for connection in wait(list(remaining)):
                index = remaining[connection]  # type: ignore[index]
                kind, *rest = self._read(index)
                if kind != "message":
                    raise WorkerError(f"worker {index} ended before it was done")
                yield index, rest[0]
                if done(rest[0]):
                    del remaining[connection]  # type: ignore[arg-type]

    def ready(self, skip: Collection[int] = ()) -> Iterator[tuple[int, Any]]:
        """(worker index, message) of the messages sent already, without waiting (but those
        of the workers in `skip`): the build reads them between pages it renders itself, so
        that no worker waits on a full pipe."""
        waiting = {w.connection: i for i, w in enumerate(self._workers) if i not in skip}
        for connection in wait(list(waiting), timeout=0) if waiting else []:
            index = waiting[connection]  # type: ignore[index]
            kind, *rest = self._read(index)
            if kind != "message":
                raise WorkerError(f"worker {index} ended before it was done")
            yield index, rest[0]

    def _read(self, index: int) -> tuple[Any, ...]:
        worker = self._workers[index]
        try:
            frame: tuple[Any, ...] = pickle.loads(worker.connection.recv_bytes())
        except (EOFError, OSError):
            worker.finished = True
            ended = self._reap(index)
            raise WorkerError(f"worker {index} stopped unexpectedly ({ended})") from None
        if frame[0] in ("fatal", "error"):
            worker.finished = True
        if frame[0] == "fatal":
            raise FatalError(frame[1])
        if frame[0] == "error":
            raise WorkerError(f"worker {index} failed:\n{frame[1]}")
        return frame

    def join(self) -> None:
        """Wait until every worker has sent its last frame, and reap them."""
        for index, worker in enumerate(self._workers):
            if not worker.finished:
                if self._read(index)[0] != "exit":
                    raise WorkerError(f"worker {index} sent a message after its last one")
                worker.finished = True
        self.close()

    def close(self) -> None:
        """Kill the workers still running (none after `join`) and reap every one."""
        for worker in self._workers:
            worker.connection.close()
            if not worker.finished and not worker.reaped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
        for index in range(len(self._workers)):
            self._reap(index)

    def _reap(self, index: int) -> str:
        """Wait for worker `index` to exit; how it ended, in words."""
        worker = self._workers[index]
        if worker.reaped:
            return "already ended"
        try:
            _, status = os.waitpid(worker.pid, 0)
        except ChildProcessError:
            status = 0
        worker.reaped = True
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"


# Pages written between two returns of freed memory to the system (`give_back_free_memory`).
TRIM_EVERY = 200


def give_back_free_memory() -> None:
    """Return to the system the memory the C allocator holds freed (glibc `malloc_trim`,
    about a millisecond). Before forking: each child would count it in its resident memory
    as much as the parent (measured at 10,000 notes, with the texts of the notes moved to a
    file just before, `trellis.build.spill`: 147 MiB resident, 105 once trimmed; 12 MiB of
    it without moving them). While pages are written: each page's HTML and tokens are
    freed, in holes later pages do not fill (4,000 notes, every token packed: the build's
    process 150 MiB after its pages, 140 trimmed; its worker 118, 104)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return
    trim(0)


def _fresh_standard_streams() -> None:
    """New `sys.stdout` and `sys.stderr` objects over the same files, in a forked child.

    The inherited ones come with the locks they had at fork time: if another thread of the
    parent (the terminal's progress bar) was writing just then, the first warning a worker
    printed would wait for ever. Fresh objects have fresh locks.
    """
    for name, descriptor in (("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        try:
            fresh = open(  # noqa: SIM115 (open as long as the process lives)
                os.dup(descriptor),
                "w",
                encoding=getattr(old, "encoding", None) or "utf-8",
                errors="backslashreplace",
                buffering=1,
            )
        except OSError:  # no such descriptor: leave it be
            continue
        setattr(sys, name, fresh)
