"""`PublicSite`: the published notes, their URLs, and every lookup a page may make.

Built once per build from the whole vault; the private notes are dropped here and never
handed on. Link resolution runs against published notes only (so a link to a private note
resolves exactly like a link to a missing one), and an attachment becomes public only when
a published note asks for it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.model.content import NoteContent
from trellis.model.index import PathIndex
from trellis.model.tags import frontmatter_tags, note_tags
from trellis.public.attachments import AttachmentCheck
from trellis.public.display import NoteDisplay, note_display
from trellis.public.urls import (
    clean_permalink,
    href,
    output_file,
    path_slug,
    publication_problem,
    unreserved,
)
from trellis.vault.records import Attachment, SourceNote, Vault

# The inline tags of a note not parsed yet.
_NO_TAGS: tuple[str, ...] = ()
_REL_PATH = attrgetter("rel_path")


@dataclass(eq=False)
class PublishedNote:
    source: SourceNote
    url: str  # site path: "/a/b/" (the base path is added when writing links)
    title: str
    is_home: bool = False
    aliases: tuple[str, ...] = ()
    content: NoteContent | None = None
    display: NoteDisplay = field(default_factory=NoteDisplay)
    # Set for podcast episode notes (trellis.episodes): rendered with templates/episode.html.
    episode: Any = None
    # (source, inline tag list, its length, the tags) when `tags` last worked them out.
    _tags: tuple[SourceNote, Sequence[str], int, tuple[str, ...]] | None = field(
        default=None, init=False, repr=False
    )

    @property
    def rel_path(self) -> str:
        return self.source.rel_path

    @property
    def meta(self) -> dict[str, Any]:
        return self.source.meta

    @property
    def output_path(self) -> str:
        return output_file(self.url)

    @property
    def tree_folder(self) -> str:
        """The folder this note sits in on the site: `dg-path`'s folder, else its vault folder."""
        dg_path = self.meta.get("dg-path")
        if isinstance(dg_path, str) and dg_path.strip():
            return posixpath.dirname(dg_path.strip().replace("\\", "/").strip("/"))
        return self.source.folder

    @property
    def tags(self) -> list[str]:
        """Frontmatter tags, then inline ones, without `#`, once each (case-insensitive).

        Worked out once per source and parse (an edit replaces either), not on every call:
        cards, pages, feeds, the tag index and episode detection each ask for it."""
        inline = self.content.tags if self.content is not None else _NO_TAGS
        kept = self._tags
        if (
            kept is None
            or kept[0] is not self.source
            or kept[1] is not inline
            or kept[2] != len(inline)
        ):
            kept = self._tags = (
                self.source,
                inline,
                len(inline),
                note_tags(self.source.tags, inline),
            )
        return list(kept[3])

    def know_tags(self, tags: tuple[str, ...]) -> None:
        """Take `tags` as what `tags` works out for the current source and parse: the last
        build's, for a note whose bytes a build's plan found unchanged (`build.reach`)."""
        inline = self.content.tags if self.content is not None else _NO_TAGS
        self._tags = (self.source, inline, len(inline), tags)


@dataclass(frozen=True)
class PublicAttachment:
    source: Attachment
    url: str  # "/attachments/<hash of its bytes>/<name>"
    digest: str  # the hash of the bytes that were checked: the copy must have it too

    @property
    def output_path(self) -> str:
        return self.url.lstrip("/")


@dataclass(frozen=True)
class ResolvedLink:
    """Where a link goes. Only published notes and used attachments ever appear here."""

    href: str
    note: PublishedNote | None = None
    attachment: PublicAttachment | None = None
    fragment: str = ""


@dataclass
class PublicSite:
    settings: Settings
    diagnostics: Diagnostics
    notes: list[PublishedNote] = field(default_factory=list)
    home: PublishedNote | None = None
    _notes: PathIndex[PublishedNote] = field(default_factory=PathIndex)
    _files: PathIndex[Attachment] = field(default_factory=lambda: PathIndex(strip_md=False))
    # Where an attachment a page asks for is registered (the build's state owns the list;
    # `trellis.build.state.UsedAttachments.use`); it returns the one to link to.
    use_attachment: Callable[[PublicAttachment], PublicAttachment] = lambda attachment: attachment
    checks: AttachmentCheck | None = None
    by_url: dict[str, PublishedNote] = field(default_factory=dict)
    snippets: list[str] = field(default_factory=list)  # CSS snippet names (emit/snippets.py)

    # -- lookups used while parsing and rendering -------------------------------------------

    def href(self, site_path: str, fragment: str = "") -> str:
        return href(self.settings.base_path, site_path, fragment)

    def find_note(
        self, target: str, source: PublishedNote | None, line: int | None = None, warn: bool = False
    ) -> PublishedNote | None:
        """The published note a link target (without `#...`) names, or None."""
        if not target.strip():
            return source
        match = self._notes.resolve(target, source.rel_path.rpartition("/")[0] if source else "")
        if match is None:
            return None
        if match.also and source is not None and warn:
            others = ", ".join(match.also)
            self.diagnostics.warn(
                source.rel_path,
                f"[[{target}]] fits several notes; using {match.item.rel_path} (also: {others})",
                line,
            )
        return match.item

    def find_attachment(self, target: str, source: PublishedNote | None) -> PublicAttachment | None:
        """The attachment a published note names; from then on it will be copied.

        None when there is no such file, or when it may not be published
        (`attachment_problem` says why).
        """
        match = self._files.resolve(
            export_path(target), source.rel_path.rpartition("/")[0] if source else ""
        )
        if match is None:
            return None
        attachment = match.item
        verdict = self._checks().verdict(attachment)  # decided once per file and build
        if verdict.problem is not None:
            return None
        url = f"/attachments/{verdict.digest}/{attachment.name}"
        return self.use_attachment(PublicAttachment(attachment, url, verdict.digest))

    def attachment_problem(self, target: str, source: PublishedNote | None) -> str | None:
        """Why the file `target` names is not published (its kind, unsafe content), or None."""
        match = self._files.resolve(
            export_path(target), source.rel_path.rpartition("/")[0] if source else ""
        )
        return None if match is None else self._checks().verdict(match.item).problem

    def names_a_file(self, target: str, source: PublishedNote | None) -> bool:
        """Whether `target` names a file of the vault, published or not (a link cache keeps
        a link leading nowhere only while none: `attachment_problem` reads the file)."""
        folder = source.rel_path.rpartition("/")[0] if source else ""
        return self._files.resolve(export_path(target), folder) is not None

    def _checks(self) -> AttachmentCheck:
        if self.checks is None:
            self.checks = AttachmentCheck(self.settings)
        return self.checks

    def resolve(
        self, target: str, source: PublishedNote | None, line: int | None = None, warn: bool = False
    ) -> ResolvedLink | None:
        """A wikilink or note-link target (`Note`, `Note#Head`, `Note#^id`, `#Head`, `pic.png`).

        With `warn`, ambiguous names and unknown headings or blocks are reported.
        """
        path, _, subpath = target.partition("#")
        path = path.strip()
        if path and looks_like_file(path):
            attachment = self.find_attachment(path, source)
            if attachment is not None:
                return ResolvedLink(self.href(attachment.url), attachment=attachment)
        note = self.find_note(path, source, line, warn)
        if note is None:
            return None
        fragment = self.fragment(note, subpath, source if warn else None, line) if subpath else ""
        return ResolvedLink(self.href(note.url, fragment), note=note, fragment=fragment)

    def fragment(
        self, note: PublishedNote, subpath: str, source: PublishedNote | None, line: int | None
    ) -> str:
        """The element id on `note`'s page for `Heading#Sub` or `^block`, or "" if unknown."""
        parts = [part.strip() for part in subpath.split("#") if part.strip()]
        if not parts or note.content is None:
            return ""
        if parts[-1].startswith("^"):
            found = note.content.block_ids.get(parts[-1][1:].lower())
        else:
            found = note.content.heading_id(parts)
        if found is None and source is not None:
            self.diagnostics.warn(
                source.rel_path,
                f"no '#{'#'.join(parts)}' in {note.rel_path}; linking to the page",
                line,
            )
        return found or ""


def export_path(target: str) -> str:
    """`/img/user/Folder/pic.png` (where the Digital Garden export points at an image) is
    the vault's `Folder/pic.png`; any other target as it is."""
    return target[len("/img/user/") :] if target.startswith("/img/user/") else target


def looks_like_file(path: str) -> bool:
    """`pic.png` names an attachment; `Note`, `Note.md` and `v1.2 notes` name notes."""
    suffix = posixpath.splitext(path)[1].lower()
    return (
        bool(suffix)
        and suffix != ".md"
        and suffix[1:].isalnum()
        and len(suffix) <= 6
        and not suffix[1:].isdigit()
    )


def _title(note: SourceNote) -> str:
    title = note.meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    if title is not None and not isinstance(title, dict | list) and str(title).strip():
        return str(title).strip()
    return note.stem


def note_aliases(note: SourceNote) -> tuple[str, ...]:
    """Frontmatter `aliases` (or `alias`), as a list or a comma-separated string."""
    value = note.meta.get("aliases", note.meta.get("alias"))
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list):
        return ()
    return tuple(
        str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()
    )


def _site_path(note: SourceNote, settings: Settings, diagnostics: Diagnostics) -> str:
    for key in ("dg-permalink", "permalink"):
        value = note.meta.get(key)
        if isinstance(value, str) and value.strip():
            cleaned, changed = clean_permalink(value)
            if changed:
                diagnostics.warn(note.rel_path, f"{key} {value!r} cleaned to {cleaned!r}")
            if cleaned != "/":
                return cleaned
            diagnostics.warn(
                note.rel_path, f"{key} {value!r} is empty once cleaned; using the path"
            )
    dg_path = note.meta.get("dg-path")
    if isinstance(dg_path, str) and dg_path.strip():
        return path_slug(dg_path.strip())
    return path_slug(note.rel_path)


def _is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def claims_home(meta: dict[str, Any]) -> bool:
    """`dg-home: true`, or the tag `gardenEntry` the Digital Garden plugin's export turns
    `dg-home` into (its Eleventy template's home page is the note with that tag)."""
    return _is_true(meta.get("dg-home")) or any(
        tag.lower() == "gardenentry" for tag in frontmatter_tags(meta)
    )


def _claims_home(note: SourceNote) -> bool:
    """`claims_home` of the note's frontmatter, from its tags as worked out once
    (`SourceNote.tags`), and those only when its `tags` (or `tag`) may name `gardenEntry`:
    working out every note's tags was most of this test's time, and a one-note rebuild
    takes the other notes' tags from the last build (`trellis.build.reach`)."""
    meta = note.meta
    if _is_true(meta.get("dg-home")):
        return True
    return _may_name_garden_entry(meta.get("tags", meta.get("tag"))) and any(
        tag.lower() == "gardenentry" for tag in note.tags
    )


def _may_name_garden_entry(value: object) -> bool:
    """False when no tag `frontmatter_tags` reads from `value` can be `gardenEntry`: each
    such tag is part of a string item (or of the string), and lowering a text lowers each
    character alone (only a final sigma depends on its neighbours), so a tag lowered to
    `gardenentry` leaves that word in the items joined and lowered."""
    if isinstance(value, str):
        return "gardenentry" in value.lower()
    if not isinstance(value, list):
        return False
    try:
        return "gardenentry" in "\0".join(value).lower()
    except TypeError:  # (an item that is no string: the tags decide)
        return True


def build_public_site(
    vault: Vault,
    settings: Settings,
    diagnostics: Diagnostics,
    use_attachment: Callable[[PublicAttachment], PublicAttachment] | None = None,
) -> PublicSite:
    """Select the published notes, give each its URL, index names; drop everything else.

    `use_attachment` registers each attachment a page asks for (a build's state keeps them).
    """
    site = PublicSite(settings=settings, diagnostics=diagnostics)
    if use_attachment is not None:
        site.use_attachment = use_attachment
    site.checks = AttachmentCheck(settings, vault.note_files)
    chosen = []
    for note in sorted(vault.notes, key=_REL_PATH):
        if not note.frontmatter_ok:
            continue
        published, problem = publication_problem(note.meta, settings)
        if problem:
            line = note.meta_lines.get(settings.publish_flag)
            diagnostics.warn(note.rel_path, problem, line or (1 if note.body_line > 1 else None))
        if published:
            chosen.append(note)
    # Without a note claiming the home page, a Quartz content folder's `index.md` is it
    # (that name exactly, as Quartz has it: an `Index.md` note of a vault keeps its page).
    claims = [_claims_home(note) for note in chosen]
    quartz_home = not any(claims)
    display = note_display({}, settings)
    for note, claimed in zip(chosen, claims, strict=True):
        url = _site_path(note, settings, diagnostics)
        is_home = claimed or (quartz_home and note.rel_path == "index.md")
        if is_home:
            if site.home is None:
                url = "/"
            else:
                diagnostics.warn(
                    note.rel_path,
                    f"the home page is already {site.home.rel_path}; dg-home ignored here",
                )
                is_home = False
        moved = unreserved(url)
        if moved != url and not is_home:
            diagnostics.warn(note.rel_path, f"URL {url} is reserved for Trellis; using {moved}")
            url = moved
        if url == "/" and not is_home:
            diagnostics.warn(note.rel_path, "URL / belongs to the home page; note not published")
            continue
        if url in site.by_url:
            diagnostics.warn(
                note.rel_path,
                f"URL {url} is already taken by {site.by_url[url].rel_path}; note not published",
            )
            continue
        published_note = PublishedNote(
            source=note,
            url=url,
            title=_title(note),
            is_home=is_home,
            aliases=note_aliases(note),
            display=note_display(note.meta, settings, display),
        )
        site.by_url[url] = published_note
        site.notes.append(published_note)
        if is_home:
            site.home = published_note
    for published_note in site.notes:
        site._notes.add(published_note.rel_path, published_note, published_note.aliases)
    site._notes.finish()
    for attachment in vault.attachments:
        site._files.add(attachment.rel_path, attachment)
    site._files.finish()
    return site
