"""The link stage with a cache: where a note's links go is kept between builds.

Why: resolving every link of every note again (names, aliases, relative paths, headings,
block ids) was 2.7 s of a one-note rebuild at 10,000 notes, though one edited note changes
where almost no link goes. Where a note's links go is a function of the note's bytes (its
links as written), its path (relative links) and the table of everything a link can reach:
every published note's path, aliases and URL, its headings and block ids (`Note#Part`), and
the settings (the base path of hrefs). A note's record is kept under a key made of its
bytes, its path and that whole table's digest, so a note whose key is unchanged takes its
record: its links' hrefs and targets, and the warnings resolving them gave (an ambiguous
name, an unknown heading), replayed in place. Every kept record is checked on every build,
but made into the note's edges and hrefs only when read (`trellis.build.link_kept`): a
one-note edit reads the lists of a few notes.

A link to an attachment is kept as "an attachment": its href names the hash of the file's
bytes, so it is looked up again on every build (which also counts the file as used), and
if it no longer finds an attachment the note is resolved again. A link leading nowhere (a
private or a missing note) is kept with its warning, which reads which notes are private
and which files the vault has: both are in the table (every note's path and aliases, every
file's path). One that names a file of the vault (refused: the verdict reads its bytes) is
not kept: that note is resolved again on every build.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import attrgetter, is_, itemgetter, ne
from typing import Any

from trellis.build.cache_checks import lengths, only
from trellis.build.link_kept import ATTACHMENT, NOWHERE, KeptLinks, attachment_key, cyclic
from trellis.diagnostics import Diagnostic, Diagnostics
from trellis.model.content import NoteContent
from trellis.public.graph import LinkGraph, link_note, warn_embed_cycles
from trellis.public.private_names import PrivateNames, private_names
from trellis.public.site import (
    PublicSite,
    PublishedNote,
    ResolvedLink,
    looks_like_file,
)
from trellis.vault.records import Vault

# (hash of the note's bytes, its `names_part`)
NamePart = tuple[str, str]
# (key, ((href, target's vault path) for each link), ((message, line, code) for each warning));
# the vault path is ATTACHMENT for a link to an attachment (looked up again when replayed).
LinkRecord = tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, int | None, str], ...]]


def names_digest(site: PublicSite, vault: Vault, private: PrivateNames | None = None) -> str:
    """The digest of everything a note's links read besides the note itself (`names_table`)."""
    return names_table(site, vault, private, None)[0]


def names_table(
    site: PublicSite,
    vault: Vault,
    private: PrivateNames | None,
    kept: dict[str, NamePart] | None,
) -> tuple[str, dict[str, NamePart]]:
    """The digest of everything a note's links read besides the note itself: the settings
    (hrefs read the base path, a note's links as parsed may read others), each published
    note's path, URL, aliases, headings (text and id) and block ids, which notes are private
    (every note's path and aliases: `PrivateNames`) and which files the vault has. And each
    note's part of it (`names_part`: its headings and block ids) with its bytes' hash, by its
    path, for the next build (none without `kept`, the last build's).

    Why parts: the headings and block ids are a function of the note's parse, kept while its
    bytes hash the same; gathering every note's (~110,000 headings at 10,000 notes) was most
    of this digest's time. A part taken from `kept` (the cache file: it may be forged) only
    says whether names changed: at worst a forged one keeps a published page from being
    keyed again, as a forged page key can; a digest never reaches a page. The strings are
    gathered by C-level maps and hashed joined, with how many each note has."""
    digest = hashlib.blake2b(repr(site.settings.for_output()).encode(), digest_size=16)
    notes = site.notes
    aliases = list(map(_ALIASES, notes))
    strings = list(chain(map(_REL_PATH, notes), map(_URL, notes), chain.from_iterable(aliases)))
    text = "\0".join(strings)
    if strings and text.count("\0") != len(strings) - 1:  # a name holding NUL: no split
        text = repr(strings)
    digest.update(text.encode("utf-8", "surrogatepass"))
    digest.update(repr((len(notes), *map(len, aliases))).encode())
    parts, made = _parts(notes, kept)
    digest.update("".join(parts).encode())
    names = private.names if private is not None else private_names(vault)
    digest.update(repr(names).encode())
    digest.update(repr([attachment.rel_path for attachment in vault.attachments]).encode())
    return digest.hexdigest(), made


def _parts(
    notes: list[PublishedNote], kept: dict[str, NamePart] | None
) -> tuple[list[str], dict[str, NamePart]]:
    """Each note's `names_part`, taken from `kept` (by path) while its bytes hash as kept;
    and (hash, part) by path, of the notes that have a parse, for the next build."""
    if kept is None:
        return [names_part(note.content or _NO_CONTENT) for note in notes], {}
    paths = list(map(_REL_PATH, notes))
    hashes = list(map(_CONTENT_HASH, notes))
    found = list(map(kept.get, paths, repeat(_UNKNOWN)))
    parts = list(map(_PART, found))
    for place in list(compress(range(len(notes)), map(ne, map(_HASH, found), hashes))):
        parts[place] = names_part(notes[place].content or _NO_CONTENT)
    made = dict(zip(paths, zip(hashes, parts, strict=True), strict=True))
    for path in list(compress(paths, map(is_, map(_CONTENT, notes), repeat(None)))):
        del made[path]  # (no parse to keep the part with)
    return parts, made


def names_part(content: NoteContent) -> str:
    """The digest of what links read of a note's parse: its headings' texts and ids, and
    its block ids (`^id` and the element id each got)."""
    read = (list(map(_TEXT_AND_ID, content.headings)), content.block_ids)
    return hashlib.blake2b(repr(read).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_NO_CONTENT = NoteContent()
_ALIASES = attrgetter("aliases")
_REL_PATH = attrgetter("source.rel_path")
_CONTENT_HASH = attrgetter("source.content_hash")
_CONTENT = attrgetter("content")
_HASH, _PART = itemgetter(0), itemgetter(1)  # of a `NamePart`
_UNKNOWN = ("", "")  # (no note's bytes hash to "")
_URL = attrgetter("url")
_TEXT_AND_ID = itemgetter(1, 2)  # of a `Heading`


@dataclass
class LinkedSite:
    """The link stage's result: the graph, the records for the next build, the digest of
    the names table (`names_digest`) and the notes whose links were resolved afresh."""

    graph: LinkGraph
    records: dict[str, LinkRecord]
    table: str = ""
    afresh: set[str] = field(default_factory=set)  # vault paths
    names: dict[str, NamePart] = field(default_factory=dict)  # (`names_table`)


def link_site(
    site: PublicSite,
    diagnostics: Diagnostics,
    private_names: PrivateNames | None,
    kept: dict[str, LinkRecord],
    vault: Vault,
    kept_names: dict[str, NamePart] | None = None,
) -> LinkedSite:
    """The link graph (as `build_link_graph` makes it, warnings in the same order), taking
    each note's kept record when its key is unchanged; and the records for the next build.

    A kept record is checked here, all at once (its length, each path a published note's,
    an attachment found again, or nowhere); its note's lists are made when read
    (`trellis.build.link_kept`). `kept_names`: the last build's parts of the names table
    (`names_table`)."""
    notes = site.notes
    table, names = names_table(site, vault, private_names, kept_names or {})
    by_path = {note.rel_path: note for note in notes}
    candidates: list[tuple[PublishedNote, LinkRecord]] = []
    for note in notes:
        record = kept.get(note.rel_path)  # (records are kept by vault path)
        if record is not None and record[0] == table + note.source.content_hash:
            assert note.content is not None
            if len(record[1]) == len(note.content.links):
                candidates.append((note, record))
    hrefs: dict[tuple[str, str], str | None] = {}  # attachments found, by (path, folder)
    lazy = KeptLinks(notes, by_path, [(note, record[1]) for note, record in candidates], hrefs)
    refused = {id(candidates[number][0]) for number in lazy.strays()}
    attached = {id(candidates[n][0]): at for n, at in lazy.attached().items()}
    records: dict[str, LinkRecord] = {}
    graph = LinkGraph(private_names=private_names)  # the lists of notes linked afresh
    linked = LinkedSite(graph, records, table, names=names)
    replayed: list[Diagnostic] = []  # the warnings of notes replayed, filed in one step
    embeds: dict[PublishedNote, list[str] | None] = {}  # kept notes' embedded notes' paths
    fits = {id(note): record for note, record in candidates}
    for note in notes:
        rel_path = note.rel_path
        record = fits.get(id(note))
        if (
            record is not None
            and id(note) not in refused
            and (id(note) not in attached or _found(site, note, attached[id(note)], hrefs))
        ):
            if record[2]:
                replayed += [
                    Diagnostic(rel_path, line, text, code) for text, line, code in record[2]
                ]
            records[rel_path] = record
            embedded = _embedded(note, record)
            if embedded != []:
                embeds[note] = embedded
            continue
        embeds[note] = None  # (its edges are made: read there)
        lazy.drop(note)
        diagnostics.extend(replayed)  # (in note order)
        replayed = []
        linked.afresh.add(rel_path)
        recorder = Diagnostics()  # the warnings of this note's links, kept with its record
        site.diagnostics, saved = recorder, site.diagnostics
        graph.found = {}
        try:
            link_note(site, graph, note, recorder)
        finally:
            site.diagnostics = saved
        found, graph.found = graph.found.get(note, []), None
        diagnostics.extend(recorder.items)
        made = _record(site, graph, note, table + note.source.content_hash, recorder, found)
        if made is not None:
            records[rel_path] = made
    diagnostics.extend(replayed)
    lazy.graph(graph)
    warn_embed_cycles(graph, diagnostics, _in_cycles(graph, embeds, by_path))
    return linked


def _embedded(note: PublishedNote, record: LinkRecord) -> list[str] | None:
    """The vault paths of the notes kept `note` embeds (None: its links are held in a spill
    file, `trellis.build.spill`, and not read for this: its edges are)."""
    assert note.content is not None
    links = note.content.links
    if type(links) is not list:
        return None
    if not any(map(_EMBED, links)):
        return []
    return [
        path
        for embed, (_, path) in zip(map(_EMBED, links), record[1], strict=True)
        if embed and path not in (ATTACHMENT, NOWHERE)
    ]


def _in_cycles(
    graph: LinkGraph,
    embeds: dict[PublishedNote, list[str] | None],
    by_path: dict[str, PublishedNote],
) -> list[PublishedNote]:
    """The notes of `embeds` (in note order) with an embed that may lead back to them: in
    one strongly connected part of the embed graph (`cyclic`). Only those can get an embed
    cycle's warning, and `warn_embed_cycles` follows embeds from each embed of each note."""
    targets: dict[PublishedNote, list[PublishedNote]] = {}
    for note, paths in embeds.items():
        if paths is None:
            targets[note] = [edge.target for edge in graph.outgoing[note] if edge.embed]
        else:
            targets[note] = [by_path[path] for path in paths]
    found = cyclic(targets)
    return [note for note in embeds if note in found]


_EMBED = itemgetter(1)  # of a `LinkRef`


def _found(
    site: PublicSite,
    note: PublishedNote,
    places: list[int],
    hrefs: dict[tuple[str, str], str | None],
) -> bool:
    """Does each link of `note` at `places` (kept as an attachment's) find an attachment
    again? (Looked up on every build: the lookup counts the file as used.)"""
    assert note.content is not None
    links = note.content.links
    if type(links) is not list:  # (held in a spill file: read once)
        links = list(links)
    return all(_attachment(site, links[at][0], note, hrefs) is not None for at in places)


def _record(
    site: PublicSite,
    graph: LinkGraph,
    note: PublishedNote,
    key: str,
    warnings: Diagnostics,
    found: list[ResolvedLink | None],
) -> LinkRecord | None:
    """`note`'s record, or None when a link of it read a file's bytes (see above).

    `found`: each link's resolution as `link_note` made it (an attachment, a note, or
    nowhere), so nothing is looked up twice."""
    assert note.content is not None
    resolved = graph.resolved.get(note, [])
    links = note.content.links
    if not (len(resolved) == len(links) == len(found)):
        return None
    rel_path = note.rel_path
    if any(item.path != rel_path for item in warnings.items):
        return None
    hrefs: list[tuple[str, str]] = []
    for (target, href), link in zip(resolved, found, strict=True):
        if href is None or link is None:
            if site.names_a_file(target.partition("#")[0].strip(), note):
                return None
            hrefs.append(("", NOWHERE))
        elif link.attachment is not None:  # looked up again when replayed
            hrefs.append((href, ATTACHMENT))
        elif link.note is None or looks_like_file(target.partition("#")[0].strip()):
            return None  # a note named like a file: an attachment may take the name later
        else:
            hrefs.append((href, link.note.rel_path))
    said = tuple((item.message, item.line, item.code) for item in warnings.items)
    return key, tuple(hrefs), said


def _attachment(
    site: PublicSite, target: str, note: PublishedNote, hrefs: dict[tuple[str, str], str | None]
) -> str | None:
    """The href of the attachment the link `target` of `note` reaches, or None. `hrefs`:
    those found so far in this build, by path and folder (what `find_attachment` reads of
    the note; asking again would count a file used a second time, which changes nothing)."""
    asked = attachment_key(target, note)
    path = asked[0]
    if asked in hrefs:
        return hrefs[asked]
    found = site.find_attachment(path, note) if path and looks_like_file(path) else None
    hrefs[asked] = href = None if found is None else site.href(found.url)
    return href


def well_formed(records: Any) -> bool:
    """Is `records` (from a cache file) vault path -> `LinkRecord`? (Checked by columns,
    `trellis.build.cache_checks`: 9,000 notes' records hold ~90,000 links.)"""
    if type(records) is not dict or not only(records, str):
        return False
    values = list(records.values())
    if not (only(values, tuple) and lengths(values, 3)):
        return False
    keys, hrefs, said = (list(map(itemgetter(i), values)) for i in range(3))
    if not (only(keys, str) and only(hrefs, tuple) and only(said, tuple)):
        return False
    pairs = list(chain.from_iterable(hrefs))
    if not (only(pairs, tuple) and lengths(pairs, 2) and only(chain.from_iterable(pairs), str)):
        return False
    items = list(chain.from_iterable(said))
    return (
        only(items, tuple)
        and lengths(items, 3)
        and only(map(itemgetter(0), items), str)
        and only(map(itemgetter(1), items), int, type(None))
        and only(map(itemgetter(2), items), str)
    )


def names_well_formed(parts: Any) -> bool:
    """Is `parts` (from a cache file) vault path -> `NamePart`?"""
    if type(parts) is not dict or not only(parts, str):
        return False
    values = list(parts.values())
    return only(values, tuple) and lengths(values, 2) and only(chain.from_iterable(values), str)
