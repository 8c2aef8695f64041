"""The link stage with a cache: where a note's links go is kept between builds.

Why: resolving every link of every note again (names, aliases, relative paths, headings,
block ids) was 2.7 s of a one-note rebuild at 10,000 notes, though one edited note changes
where almost no link goes. Where a note's links go is a function of the note's bytes (its
links as written), its path (relative links) and the table of everything a link can reach:
every published note's path, aliases and URL, its headings and block ids (`Note#Part`), and
the settings (the base path of hrefs). A note's record is kept under a key made of its
bytes, its path and that whole table's digest, so a note whose key is unchanged takes its
record: its links' hrefs and targets, and the warnings resolving them gave (an ambiguous
name, an unknown heading), replayed in place.

Only notes whose every link reached a published note are kept: a link to an attachment,
a private or a missing note reads more than the table (the attachment's bytes, which
notes are private), so such a note is resolved again on every build.
"""

from __future__ import annotations

import hashlib
from typing import Any

from trellis.diagnostics import Diagnostics
from trellis.public.graph import Edge, LinkGraph, link_note, warn_embed_cycles
from trellis.public.private_names import PrivateNames
from trellis.public.site import PublicSite, PublishedNote, looks_like_file

# (key, ((href, target's vault path) for each link), ((message, line, code) for each warning))
LinkRecord = tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, int | None, str], ...]]


def names_digest(site: PublicSite) -> str:
    """The digest of everything a link to a published note reads besides its own note."""
    # The settings: hrefs read the base path, and a note's links as parsed may read others.
    digest = hashlib.blake2b(repr(site.settings.for_output()).encode(), digest_size=16)
    for note in site.notes:
        content = note.content
        headings = [(h.text, h.id) for h in content.headings] if content else []
        blocks = sorted(content.block_ids.items()) if content else []
        digest.update(repr((note.rel_path, note.url, note.aliases, headings, blocks)).encode())
    return digest.hexdigest()


def link_site(
    site: PublicSite,
    diagnostics: Diagnostics,
    private_names: PrivateNames | None,
    kept: dict[str, LinkRecord],
) -> tuple[LinkGraph, dict[str, LinkRecord]]:
    """The link graph (as `build_link_graph` makes it, warnings in the same order), taking
    each note's kept record when its key is unchanged; and the records for the next build."""
    graph = LinkGraph(private_names=private_names)
    for note in site.notes:
        graph.outgoing[note] = []
        graph.incoming.setdefault(note, [])
    table = names_digest(site)
    by_path = {note.rel_path: note for note in site.notes}
    records: dict[str, LinkRecord] = {}
    for note in site.notes:
        key = hashlib.blake2b(
            repr((table, note.rel_path, note.source.content_hash)).encode(), digest_size=16
        ).hexdigest()
        record = kept.get(note.rel_path)
        if record is not None and record[0] == key and _replay(graph, note, record, by_path):
            for message, line, code in record[2]:
                diagnostics.warn(note.rel_path, message, line, code)
            records[note.rel_path] = record
            continue
        recorder = Diagnostics()  # the warnings of this note's links, kept with its record
        site.diagnostics, saved = recorder, site.diagnostics
        try:
            link_note(site, graph, note, recorder)
        finally:
            site.diagnostics = saved
        diagnostics.extend(recorder.items)
        made = _record(graph, note, key, recorder)
        if made is not None:
            records[note.rel_path] = made
    warn_embed_cycles(graph, diagnostics, site.notes)
    return graph, records


def _record(
    graph: LinkGraph, note: PublishedNote, key: str, warnings: Diagnostics
) -> LinkRecord | None:
    """`note`'s record, or None when a link of it went elsewhere than a published note."""
    assert note.content is not None
    resolved, edges = graph.resolved.get(note, []), graph.outgoing.get(note, [])
    links = note.content.links
    if len(edges) != len(links) or any(
        href is None or looks_like_file(target.partition("#")[0].strip())
        for target, href in resolved
    ):
        return None
    if any(item.path != note.rel_path for item in warnings.items):
        return None
    pairs = zip(resolved, edges, strict=True)
    hrefs = tuple((href or "", edge.target.rel_path) for (_, href), edge in pairs)
    said = tuple((item.message, item.line, item.code) for item in warnings.items)
    return key, hrefs, said


def _replay(
    graph: LinkGraph,
    note: PublishedNote,
    record: LinkRecord,
    by_path: dict[str, PublishedNote],
) -> bool:
    """Put `note`'s kept links into `graph`; False (nothing put) if the record does not fit."""
    assert note.content is not None
    links = note.content.links
    targets = [by_path.get(path) for _, path in record[1]]
    if len(targets) != len(links) or None in targets:
        return False
    resolutions = graph.resolved[note] = []
    outgoing = graph.outgoing[note]
    for link, (href, _), target in zip(links, record[1], targets, strict=True):
        assert target is not None
        resolutions.append((link.target, href))
        edge = Edge(note, target, link.embed, link.context, link.line)
        outgoing.append(edge)
        graph.incoming.setdefault(target, []).append(edge)
    return True


def well_formed(records: Any) -> bool:
    """Is `records` (from a cache file) vault path -> `LinkRecord`?"""
    if not isinstance(records, dict):
        return False
    for path, record in records.items():
        if not (isinstance(path, str) and isinstance(record, tuple) and len(record) == 3):
            return False
        key, hrefs, said = record
        if not (isinstance(key, str) and isinstance(hrefs, tuple) and isinstance(said, tuple)):
            return False
        for pair in hrefs:
            if not (isinstance(pair, tuple) and len(pair) == 2 and _all_str(pair)):
                return False
        for item in said:
            if not (
                isinstance(item, tuple)
                and len(item) == 3
                and isinstance(item[0], str)
                and (item[1] is None or isinstance(item[1], int))
                and isinstance(item[2], str)
            ):
                return False
    return True


def _all_str(values: tuple[Any, ...]) -> bool:
    return all(isinstance(value, str) for value in values)
