"""What a build writes for the next: every record of the cache (`cache_records`) and the
file holding them (`dump_cache`), read back by `trellis.build.cache`.

Apart from the reading side, which decides what a file from elsewhere may hold: this side
writes only what the build made.
"""

from __future__ import annotations

import io
import pickle
from typing import Any, BinaryIO

from trellis.build.cache import CACHE_VERSION, HEAD_KEYS, ParsedEntry, Summary
from trellis.build.cache_parts import PARTS, ParsedParts, encode_parses
from trellis.build.link_cache import LinkRecord, NamePart
from trellis.build.reach import ReachRecord
from trellis.emit.graph import GRAPH_PATH, GraphFiles
from trellis.emit.output_files import FileStat
from trellis.emit.search import BUNDLE_DIR
from trellis.emit.search_shards import ShardRecord
from trellis.public.redirects import PublishedURL
from trellis.signature import SeenFile
from trellis.versions import output_versions


def cache_records(
    parsed: dict[str, ParsedEntry],
    page_keys: dict[str, str],
    page_digests: dict[str, str],
    inputs: str,
    summary: Summary,
    search_shards: list[ShardRecord],
    attachments: dict[str, str],
    urls: list[PublishedURL],
    layout: str = "",
    graph: GraphFiles | None = None,
    file_stats: dict[str, FileStat] | None = None,
    seen: dict[str, SeenFile] | None = None,
    links: dict[str, LinkRecord] | None = None,
    reach: ReachRecord | None = None,
    parts: ParsedParts | None = None,
    names: dict[str, NamePart] | None = None,
) -> dict[str, Any]:
    """Parses (without tokens, which are cheap to re-make), page keys, the last report:
    every record of the cache (`dump_cache` writes them). `parts`: the parses as read from
    the last cache file (those unchanged are written as they were read)."""
    return {  # the head's records first (`HEAD_KEYS`), then the body's
        "version": (CACHE_VERSION, output_versions()),
        "inputs": inputs,
        "summary": summary,
        "attachments": attachments,
        "seen": seen or {},
        "parsed": encode_parses(parsed, parts, _kept_entry),
        "page_keys": page_keys,
        "page_digests": page_digests,
        "search_shards": search_shards,
        "urls": urls,
        "layout": layout,
        "graph": graph,
        "file_stats": file_stats or {},
        "links": links or {},
        "reach": reach,
        "names": names or {},
    }


def _kept_entry(e: ParsedEntry) -> ParsedEntry:
    """The entry as the cache keeps it: its content without tokens, its headings and links
    as plain tuples (read back without a call each, and checked by columns)."""
    content = e.content.without_tokens()
    content.headings = list(map(tuple, content.headings))  # type: ignore[arg-type]
    # (links may be held in the spill file, `trellis.build.spill`: read back here)
    content.links = list(map(tuple, content.links))  # type: ignore[arg-type]
    return ParsedEntry(
        e.content_hash, content, e.warnings, e.file_time, e.episode, e.plain, e.quiet
    )


def dump_cache(data: dict[str, Any], file: BinaryIO) -> None:
    """Write a cache file holding `data` (every record of a cache): the head, then the body,
    each pickled into `file` as it goes (pickle flushes every 64 kB frame to a file), never
    held whole in memory."""
    parsed = data.get("parsed")
    if isinstance(parsed, dict) and not all(isinstance(v, bytes) for v in parsed.values()):
        # Records as a read cache holds them (tests write those back): parses decoded.
        data = {**data, "parsed": encode_parses(parsed, data.get(PARTS), _kept_entry)}
    data = {key: value for key, value in data.items() if key != PARTS}
    head = {key: data[key] for key in HEAD_KEYS if key in data}
    body = {key: value for key, value in data.items() if key not in HEAD_KEYS}
    pickle.dump(head, file, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump(body, file, protocol=pickle.HIGHEST_PROTOCOL)


def cache_file_bytes(data: dict[str, Any]) -> bytes:
    """The bytes of a cache file holding `data` (`dump_cache`)."""
    buffer = io.BytesIO()
    dump_cache(data, buffer)
    return buffer.getvalue()


def recorded_files(
    page_digests: dict[str, str], graph: GraphFiles | None, shards: list[ShardRecord]
) -> list[str]:
    """The output paths of every file whose digest the cache records: their stats are
    recorded too (`file_stats`), after the output is swapped in."""
    bundle = [f"{BUNDLE_DIR}/{name}" for record in shards for name in record.files]
    graph_files = [*graph.files, *([GRAPH_PATH] if graph.whole else [])] if graph else []
    return [*page_digests, *graph_files, *bundle]
