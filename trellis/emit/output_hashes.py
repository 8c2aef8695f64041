"""`OutputHashes`: the files of a restored output hashed ahead, in a process of their own.

Why: after the output folder and its cache were copied (a CI job restoring both: every file
has a new inode and times), no kept file has the stat the cache recorded, so each is read
and hashed before it is taken over (`SiteUpdate.reuse`): at 10,000 notes 27,876 files, 408
MB, ~0.65 CPU s in the build's own process, which a one-note rebuild otherwise spends
parsing, linking and planning on one core while the other is idle. When the update starts
and the output looks restored (most of a sample of its recorded files have another stat),
a small Python process (standard library only, `-I -S`) hashes every recorded file whose
stat is not the recorded one, and sends back each file's stat (taken from the descriptor
before reading), hash and, for a search fragment, the URL it names, in the order the build
needs them (pages, the search bundle, the graph files). Where the build gets to a file
before the helper, it reads the file itself; as its own work per page is more than the
helper's, the helper soon runs ahead again. A helper that cannot start, fails or lags
costs the build nothing but the reads it then does itself (and, on a busy machine, the
other core's time).

Nothing here is trusted more than the build's own reading: a hash counts only for a file
whose `lstat` when it is taken over is exactly the stat the helper read it with (as a
stat recorded after a build counts); any other file, or one the helper has not reached,
the build reads itself. The helper reads only below the output folder, which the update
has cleared of symlinks, and never follows one (`O_NOFOLLOW`); it is killed when the
update commits or aborts.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import zlib
from urllib.parse import unquote

# Only the standard library: the helper runs this file as a script, with no site packages.
# (device, inode, size, modification ns, change ns): `trellis.emit.output_files.FileStat`.
FileStat = tuple[int, int, int, int, int]

# How many recorded files' stats are compared to decide the output is a restored copy.
SAMPLE = 16


def _needed(name: str) -> int:
    """When the build checks the file `name`: pages first, then the search bundle (planned
    right after the note pages), then the graph files (with the other emitters)."""
    if not name.startswith("_trellis/"):
        return 0
    return 1 if name.startswith("_trellis/pagefind/") else 2


def looks_restored(root: str, recorded: dict[str, FileStat]) -> bool:
    """Do most of a sample of the recorded files have another stat (a copied output)?"""
    names = list(recorded)
    if len(names) < SAMPLE:
        return False
    step = len(names) // SAMPLE
    other = 0
    for name in names[::step][:SAMPLE]:
        try:
            info = os.lstat(root + name)
            found = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        except (OSError, ValueError):
            found = None
        other += found != recorded[name]
    return other > SAMPLE // 2


class OutputHashes:
    """The helper process hashing the files of `root` (a folder path ending in "/") whose
    stat is not the `recorded` one; `get` answers from what it has sent so far."""

    def __init__(self, root: str, recorded: dict[str, FileStat]) -> None:
        self._hashes: dict[str, tuple[FileStat, str, str | None]] = {}
        self._pending = b""
        files = sorted(recorded.items(), key=lambda item: _needed(item[0]))
        job = {"root": root, "files": [[name, found] for name, found in files]}
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-I", "-S", os.path.abspath(__file__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        os.set_blocking(self._process.stdout.fileno(), False)
        # The job is ~1.5 MB at 10,000 notes, more than a pipe holds: written beside the build.
        data = json.dumps(job).encode("utf-8")
        self._feeder = threading.Thread(target=_feed, args=(self._process.stdin, data), daemon=True)
        self._feeder.start()

    def get(self, name: str) -> tuple[FileStat, str, str | None] | None:
        """(stat the helper read `name` with, its hash, the URL if it is a search
        fragment), if it has sent them yet."""
        found = self._hashes.get(name)
        if found is None and self._process is not None:
            self._take()
            found = self._hashes.get(name)
        return found

    def wait(self) -> None:
        """Wait until the helper has sent everything (tests: a build never waits for it)."""
        while self._process is not None:
            self._take()
            if self._process is not None:
                self._process.wait()

    def _take(self) -> None:
        """Take in every whole line the helper has sent so far (never waiting)."""
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        chunks = [self._pending]
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:  # it has finished
                self.close()
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        cut = data.rfind(b"\n") + 1
        self._pending = data[cut:]
        for line in data[:cut].splitlines():
            try:
                name, seen, digest, url = json.loads(line)
                self._hashes[name] = (tuple(seen), digest, url)  # type: ignore[assignment]
            except (ValueError, TypeError):
                continue

    def close(self) -> None:
        """Stop the helper (if it is still at work) and let go of its pipes."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        self._feeder.join(timeout=5)  # its write fails once the helper is gone
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def _feed(pipe: object, data: bytes) -> None:
    """Write the job into the helper's input and close it (a helper gone early: ignored)."""
    try:
        pipe.write(data)  # type: ignore[attr-defined]
        pipe.close()  # type: ignore[attr-defined]
    except (OSError, ValueError):
        pass


_URL_FIRST = 'pagefind_dcd{"url":"'


def fragment_url(data: bytes) -> str | None:
    """The URL a Pagefind fragment (gzip JSON after `pagefind_dcd`) names; None if it is
    not one. Pagefind writes the URL first: only the first 512 bytes are unpacked then."""
    try:
        head = zlib.decompressobj(wbits=31).decompress(data, 512)
        text = codecs.getincrementaldecoder("utf-8")().decode(head)  # (a cut character waits)
        if text.startswith(_URL_FIRST):
            return unquote(json.decoder.scanstring(text, len(_URL_FIRST))[0])
    except (zlib.error, ValueError):
        pass  # read whole below (a URL longer than the head, another layout)
    try:
        page = json.loads(gzip.decompress(data).decode("utf-8").removeprefix("pagefind_dcd"))
        return unquote(page["url"])
    except (OSError, EOFError, ValueError, KeyError, TypeError, gzip.BadGzipFile):
        return None


def is_fragment(name: str) -> bool:
    """Is `name` (a path in the output) where Pagefind writes a page's fragment?"""
    return name.endswith(".pf_fragment") and "/fragment/" in f"/{name}"


# (Without `O_NOFOLLOW`, as on Windows, a file read through a link has the target's stat,
# never the link's `lstat`: its hash is never used.)
_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
_READ |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _helper() -> None:
    """The helper process: read the job, send one line per file hashed (see above)."""
    job = json.loads(sys.stdin.buffer.read())
    root, out = job["root"], sys.stdout
    for count, (name, recorded) in enumerate(job["files"]):
        path = root + name
        try:
            found = os.lstat(path)
            if [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns,
                    found.st_ctime_ns] == recorded:  # fmt: skip
                continue
            fd = os.open(path, _READ)
        except (OSError, ValueError):
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                continue
            data = os.read(fd, info.st_size + 1)
            while len(data) > info.st_size and (more := os.read(fd, 1 << 20)):
                data += more
        except OSError:
            continue
        finally:
            os.close(fd)
        digest = hashlib.blake2b(data, digest_size=8).hexdigest()
        seen = [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
        url = fragment_url(data) if is_fragment(name) else None
        out.write(json.dumps([name, seen, digest, url]) + "\n")
        if count % 64 == 63:  # (a flush per file costs more than the hash of most)
            out.flush()


if __name__ == "__main__":
    _helper()
