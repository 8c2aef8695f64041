"""Checks that a cache file's records have the types a build reads them as.

Why apart: a cache restored from elsewhere may hold data of any shape (`trellis.build.cache`
reads only plain record classes, but not what they hold); these are the checks of its
records' parts, kept out of the module that reads and writes the file.

Why by columns: a 10,000-note cache holds hundreds of thousands of values; a Python test
per value was most of the time a one-note rebuild spent checking it. `only` asks for the
exact type of a whole column at once (`map(type, ...)` into a set runs in C). Exact types
are stricter than `isinstance` and fit: the unpickler makes no subclass of a builtin.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from operator import attrgetter
from typing import Any

from trellis.diagnostics import Diagnostic
from trellis.emit.graph import GraphFiles
from trellis.episodes.kept import EpisodeRecord
from trellis.episodes.model import Episode

_NONE = type(None)


def all_of(values: Any, kind: type | tuple[type, ...]) -> bool:
    return all(isinstance(value, kind) for value in values)


def only(values: Iterable[Any], *kinds: type) -> bool:
    """Is every one of `values` exactly of one of `kinds`?"""
    return set(map(type, values)) <= set(kinds)


def column(records: Iterable[Any], name: str) -> list[Any]:
    """The attribute `name` of each of `records`."""
    return list(map(attrgetter(name), records))


def fields_of(records: list[Any], kinds: dict[str, tuple[type, ...]]) -> bool:
    """Is each attribute of each of `records` of the kinds given for its name?"""
    return all(only(map(attrgetter(name), records), *types) for name, types in kinds.items())


def lengths(values: Iterable[Any], length: int) -> bool:
    """Has every one of `values` (sized) the length `length`?"""
    return set(map(len, values)) <= {length}


def str_map(value: Any) -> bool:
    return type(value) is dict and only(value, str) and only(value.values(), str)


def diagnostics(items: Iterable[Any]) -> bool:
    """Are `items` all `Diagnostic`s of the types a build reads?"""
    items = list(items)
    return only(items, Diagnostic) and fields_of(
        items, {"path": (str,), "line": (int, _NONE), "message": (str,), "code": (str,)}
    )


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
    if type(stats) is not dict or not only(stats, str):
        return False
    return stat_values(list(stats.values()))


def stat_values(values: list[Any]) -> bool:
    """Is every one of `values` a `FileStat` (a tuple of five integers)?"""
    return only(values, tuple) and lengths(values, 5) and only(chain.from_iterable(values), int)


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


def sound_contents(contents: list[Any]) -> bool:
    """Are `contents` (kept parses' `NoteContent`s) made of the types a build reads, down
    to each heading, link, tag and block id? (The unpickler builds the record classes
    from whatever values the file gives them.) Headings and links are tuples: plain ones,
    as the file keeps them (`cache_dump._kept_entry`), or the record classes. One pass per
    content, each tuple's values read together: faster than by columns here (~140,000
    tuples at 10,000 notes, a few values each)."""
    from trellis.model.content import Heading, LinkRef, NoteContent

    facts = []
    for content in contents:
        if type(content) is not NoteContent:
            return False
        headings, links, tags, features = (
            content.headings,
            content.links,
            content.tags,
            content.features,
        )
        block_ids = content.block_ids
        if not (
            type(headings) is list
            and type(links) is list
            and type(tags) is list
            and type(features) in (set, frozenset)
            and type(block_ids) is dict
            and type(content.description) is str
            and type(content.queries) is tuple
        ):
            return False
        for link in links:
            if not (
                (type(link) is tuple or type(link) is LinkRef)
                and len(link) == 6
                and type(link[0]) is str  # target
                and type(link[1]) is bool  # embed
                and type(link[2]) is int  # line
                and type(link[3]) is bool  # markdown
                and type(link[4]) is str  # context
                and type(link[5]) is bool  # html
            ):
                return False
        for heading in headings:
            if not (
                (type(heading) is tuple or type(heading) is Heading)
                and len(heading) == 4
                and type(heading[0]) is int  # level
                and type(heading[1]) is str  # text
                and type(heading[2]) is str  # id
                and type(heading[3]) is int  # line
            ):
                return False
        if not (only(tags, str) and only(features, str)):
            return False
        if block_ids and not (only(block_ids, str) and only(block_ids.values(), str)):
            return False
        if content.query_facts is not None or content.queries:
            facts.append(content)
    return not facts or _sound_facts(facts)


def _pairs(values: Iterable[Any]) -> bool:
    """Is every one of `values` a tuple of (str, str) pairs?"""
    values = list(values)
    if not only(values, tuple):
        return False
    pairs = list(chain.from_iterable(values))
    return only(pairs, tuple) and lengths(pairs, 2) and only(chain.from_iterable(pairs), str)


def _sound_facts(contents: list[Any]) -> bool:
    """The query facts and query blocks of `contents` (`trellis.query`), where they are."""
    from trellis.query.facts import QueryBlock
    from trellis.query.view import ItemFacts, PageFacts

    blocks = list(chain.from_iterable(column(contents, "queries")))
    if not (only(blocks, QueryBlock) and fields_of(blocks, _QUERY)):
        return False
    facts = [f for f in column(contents, "query_facts") if f is not None]
    if not (only(facts, PageFacts) and _pairs(column(facts, "fields"))):
        return False
    items = column(facts, "items")
    if not only(items, tuple):
        return False
    items = list(chain.from_iterable(items))
    return (
        only(items, ItemFacts)
        and fields_of(items, _ITEM)
        and only(chain.from_iterable(column(items, "tags")), str)
        and only(chain.from_iterable(column(items, "links")), str)
        and _pairs(column(items, "fields"))
    )


_QUERY = {"language": (str,), "source": (str,), "line": (int,)}
_ITEM = {
    "line": (int,),
    "text": (str,),
    "status": (str, _NONE),
    "parent": (int, _NONE),
    "line_count": (int,),
    "list_line": (int,),
    "section": (str, _NONE),
    "block_id": (str, _NONE),
    "symbol": (str,),
    "tags": (tuple,),
    "links": (tuple,),
    "fields": (tuple,),
}
