"""Checks that a cache file's records have the types a build reads them as.

Why apart: a cache restored from elsewhere may hold data of any shape (`trellis.build.cache`
reads only plain record classes, but not what they hold); these are the checks of its
records' parts, kept out of the module that reads and writes the file.
"""

from __future__ import annotations

from typing import Any

from trellis.diagnostics import Diagnostic
from trellis.emit.graph import GraphFiles
from trellis.episodes.kept import EpisodeRecord
from trellis.episodes.model import Episode


def all_of(values: Any, kind: type | tuple[type, ...]) -> bool:
    return all(isinstance(value, kind) for value in values)


def str_map(value: Any) -> bool:
    return isinstance(value, dict) and all_of(value, str) and all_of(value.values(), str)


def episode_record(record: Any) -> bool:
    """None, or an `EpisodeRecord` of the types a build reads."""
    return record is None or (
        isinstance(record, EpisodeRecord)
        and isinstance(record.context, str)
        and isinstance(record.episode, Episode)
        and isinstance(record.heading_ids, frozenset)
        and all_of(record.heading_ids, str)
        and isinstance(record.description, str)
        and isinstance(record.warnings, list)
        and all_of(record.warnings, Diagnostic)
        and isinstance(record.episode.lookups, list)
        and all(
            isinstance(pair, tuple) and len(pair) == 2 and all_of(pair, str)
            for pair in record.episode.lookups
        )
    )


def file_stats(stats: Any) -> bool:
    """Output path -> `FileStat`."""
    return isinstance(stats, dict) and all_of(stats, str) and all(map(file_stat, stats.values()))


def file_stat(value: Any) -> bool:
    """A `FileStat`: a tuple of five integers."""
    return isinstance(value, tuple) and len(value) == 5 and all_of(value, int)


def graph_files(graph: Any) -> bool:
    """None, or a `GraphFiles` of strings."""
    return graph is None or (
        isinstance(graph, GraphFiles)
        and isinstance(graph.data, str)
        and str_map(graph.files)
        and isinstance(graph.whole, str)
    )
