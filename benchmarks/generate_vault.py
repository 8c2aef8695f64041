"""Write a realistic Obsidian vault of N notes; the same seed always gives the same bytes.

Why generated: a benchmark needs vaults far larger than anyone would check in, full of the
syntax real gardens use (see ../shared/FIELD-NOTES.md for what a 634-note garden held), and
it must be regenerable instead of stored. Everything comes from one seeded `random.Random`
used in a fixed order; nothing reads the clock, the environment or the directory order.

What a vault holds:
- N notes of 4-6 KB (4,096-6,144 bytes of UTF-8) in nested folders (depth 1-4; names with
  spaces, emoji and non-Latin letters), one home note (`dg-home: true`) at the root;
- frontmatter as YAML, or (about 30%) as the Digital Garden plugin's one-line JSON between
  `---` fences with a `permalink`;
- about 10% private notes (`dg-publish: false` or no key), each carrying its own
  `PRIVATE-MARKER-<index>` in its file name (so its title and path) and its text. Public
  notes link and embed them, but always with an alias, so the marker never appears in the
  public text: any marker in a built site is a leak;
- about 3% podcast episode notes in the Snipd export format;
- a few small real PNGs in `attachments/`, some used only by private notes;
- `.trellis-bench.json` (a dot file, outside the vault for Obsidian and Trellis): the
  manifest with counts, markers, private paths and how often each syntax was written.

Usage: python benchmarks/generate_vault.py OUT_DIR --notes N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import struct
import sys
import zlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Bump when the output changes, so cached vaults are regenerated.
GENERATOR_VERSION = "1"
MANIFEST_NAME = ".trellis-bench.json"
MIN_BYTES, MAX_BYTES = 4096, 6144
# Fill to a target in this range; the last sentence may overshoot by a few hundred bytes.
_TARGET_LOW, _TARGET_HIGH = 4150, 5000
PRIVATE_SHARE = 0.10
EPISODE_SHARE = 0.03
JSON_SHARE = 0.30
MARKER = "PRIVATE-MARKER"
ATTACHMENTS = "attachments"


def _words(text: str) -> list[str]:
    return text.split()


PUBLIC_IMAGES = [f"img-{k}.png" for k in range(1, 11)] + ["garden plan 11.png"]
PRIVATE_IMAGES = [f"img-{k}.png" for k in range(12, 15)]

WORDS = _words(
    """
garden compost soil seed seedling root leaf branch tree forest meadow river stone path
light shadow water rain season spring summer autumn winter harvest bloom flower moss fern
note idea thought question answer source book article paper chapter author reader writer
memory habit practice method system pattern model theory evidence claim argument example
network link graph node edge cluster index archive map territory journey walk morning
evening night coffee kitchen table window door house city village island coast mountain
valley field fence gate bridge tower market library school workshop studio project draft
version review summary outline sketch diagram list letter message signal noise rhythm
melody voice story character scene dialogue language grammar word sentence paragraph
page margin footnote quote reference citation context frame lens view angle detail
surface depth layer texture color green blue amber golden quiet slow careful patient
simple small gentle steady open hidden early late daily weekly yearly ancient modern
local distant shared curious useful fragile durable living
growing tending pruning planting watering reading writing thinking linking sorting
learning teaching asking noticing collecting connecting revising publishing sharing
evergreen perennial annual hedge orchard vineyard greenhouse trellis vine tomato basil
mint thyme sage lavender rosemary clover nettle bramble willow oak birch maple cedar
bee butterfly beetle worm bird sparrow robin heron fox badger hedgehog owl crow wren
energy time attention focus craft skill tool routine ritual cycle feedback loop
"""
)

NON_LATIN_WORDS = {
    "bn": ["জীবনের", "কথা", "বাগান", "গাছ", "ফুল", "নদী", "বই", "আলো", "মাটি", "বৃষ্টি"],
    "ja": ["日本", "庭", "記録", "季節", "読書", "言葉", "花", "森", "雨", "道"],
    "ru": ["сад", "книга", "река", "лес", "свет", "земля", "дождь", "слово", "путь", "дом"],
    "el": ["κήπος", "βιβλίο", "λόγος", "φως", "δέντρο", "νερό", "δρόμος", "χρόνος", "σπόρος"],
    "hu": ["Bánk", "bán", "kert", "virág", "könyv", "fény", "eső", "út", "föld", "szó"],
    "ar": ["حديقة", "كتاب", "نهر", "ضوء", "شجرة", "مطر", "طريق", "كلمة", "أرض"],
}

TOP_FOLDERS = [
    "Garden",
    "Sources",
    "Reading Notes",
    "Projects",
    "Ideas 💡",
    "Zettelkasten",
    "日本語ノート",
    "জীবনের কথা",
    "Архив",
    "Journal",
]
SUB_FOLDERS = [
    "Plants",
    "Seasons",
    "Soil and Compost",
    "Books",
    "Articles",
    "🌱 Seedlings",
    "Evergreen 🌲",
    "Tools",
    "Methods",
    "People",
    "Places",
    "Meetings",
    "Drafts 2024",
    "Κήπος",
    "Λέξεις",
    "庭の記録",
    "Ideen",
    "Éléments",
    "Workshops",
    "Research",
    "Recipes 🍅",
    "Travel ✈️",
    "Old notes",
    "Maps",
    "Questions ❓",
]
PODCASTS = "Sources/🎙 Podcasts"
SNIPD = "https://share.snipd.com"
SHOWS = ["The Garden Hour", "Deep Roots", "Слушай сад", "Thinking Tools", "庭の話"]

HEADINGS = [
    "Summary",
    "Key ideas",
    "Open questions",
    "Related notes",
    "References",
    "Background",
    "How it works",
    "Examples",
    "Practice log",
    "Next steps",
    "Quotes",
    "Connections",
    "Why it matters",
    "Counterpoints",
    "Method",
    "Observations",
    "Timeline",
    "🌿 Growth",
    "📚 Reading",
    "Gotchas",
    "背景",
    "Заметки",
    "Πηγές",
    "Tools and materials",
    "What I changed",
]
SUB_HEADINGS = [
    "Details",
    "A first attempt",
    "Caveats",
    "Measurements",
    "Sources used",
    "Further reading",
    "Variations",
    "Notes to self",
    "Definitions",
    "Failure modes",
]
# Not `type/podcast` or `podcast`: a note tagged so is a podcast episode to Trellis.
TAGS = [
    "garden/seedling",
    "garden/budding",
    "garden/evergreen",
    "topic/soil",
    "topic/soil/ph",
    "topic/writing",
    "topic/pkm/linking",
    "type/book",
    "type/article",
    "idea",
    "question",
    "🌱",
    "status/🌿growing",
    "reading/2024",
    "日本",
    "проект",
]
CALLOUT_TYPES = [
    "note",
    "tip",
    "info",
    "quote",
    "abstract",
    "summary",
    "example",
    "question",
    "warning",
    "todo",
    "metadata",
    "links",
]
TASK_STATUSES = [" ", " ", "x", "x", ">", "N", "!", "-", "?", "<", "/", "*"]
FIELD_KEYS = ["status", "rating", "source", "author", "year", "type", "mood", "related", "topic"]
INLINE_MATH = ["$e^{i\\pi} + 1 = 0$", "$x_n \\to 0$", "$O(n \\log n)$"]
SPEAKERS = ["Speaker 1", "Speaker 2", "Speaker 3"]


@dataclass
class NoteSpec:
    """What other notes need to know to link here, decided before any text is written."""

    index: int
    title: str
    folder: str
    private: bool
    episode: bool = False
    home: bool = False
    json_frontmatter: bool = False
    headings: list[str] = field(default_factory=list)
    # H2 heading -> the one H3 below it, for `[[Note#H2#H3]]` links.
    subheadings: dict[str, str] = field(default_factory=dict)
    block_ids: list[str] = field(default_factory=list)
    alias: str | None = None
    tags: list[str] = field(default_factory=list)
    permalink: str | None = None

    @property
    def link_path(self) -> str:
        """The vault path without `.md`, as a full-path wikilink writes it."""
        return f"{self.folder}/{self.title}" if self.folder else self.title

    @property
    def rel_path(self) -> str:
        return self.link_path + ".md"

    @property
    def marker(self) -> str:
        return f"{MARKER}-{self.index}"


@dataclass
class Manifest:
    """What was generated: the tests and the runner read it instead of re-parsing the vault."""

    generator_version: str
    seed: int
    notes: int
    public: int
    private: int
    episodes: int
    json_frontmatter: int
    markdown_bytes: int
    attachments: list[str]
    private_only_attachments: list[str]
    private_paths: list[str]
    private_markers: list[str]
    syntax: dict[str, int]

    def write(self, root: Path) -> None:
        text = json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)
        (root / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, root: Path) -> Manifest:
        return cls(**json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8")))


def generate_vault(out: Path, notes: int, seed: int = 0) -> Manifest:
    """Write a vault of `notes` notes into `out` (created; must be empty or absent)."""
    if notes < 2:
        raise ValueError("a vault needs at least 2 notes (the home note and one more)")
    out.mkdir(parents=True, exist_ok=True)
    generator = _Generator(random.Random(seed), notes)
    total = 0
    for folder in sorted({spec.folder for spec in generator.specs}):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for spec in generator.specs:
        data = generator.note_text(spec).encode("utf-8")
        total += len(data)
        (out / spec.rel_path).write_bytes(data)
    (out / ATTACHMENTS).mkdir(exist_ok=True)
    for number, name in enumerate(PUBLIC_IMAGES + PRIVATE_IMAGES):
        (out / ATTACHMENTS / name).write_bytes(_png(16 + 4 * number, 12 + 2 * number, number))
    private = [spec for spec in generator.specs if spec.private]
    manifest = Manifest(
        generator_version=GENERATOR_VERSION,
        seed=seed,
        notes=notes,
        public=notes - len(private),
        private=len(private),
        episodes=sum(spec.episode for spec in generator.specs),
        json_frontmatter=sum(spec.json_frontmatter for spec in generator.specs),
        markdown_bytes=total,
        attachments=[f"{ATTACHMENTS}/{name}" for name in PUBLIC_IMAGES + PRIVATE_IMAGES],
        private_only_attachments=[f"{ATTACHMENTS}/{name}" for name in PRIVATE_IMAGES],
        private_paths=[spec.rel_path for spec in private],
        private_markers=[spec.marker for spec in private],
        syntax=dict(sorted(generator.counts.items())),
    )
    manifest.write(out)
    return manifest


class _Generator:
    """Plans every note first (titles, headings, block ids), then writes each note's text."""

    def __init__(self, rng: random.Random, notes: int) -> None:
        self.rng = rng
        self.counts: Counter[str] = Counter()
        self._names: set[str] = set()
        self._permalinks: set[str] = set()
        self.folders = self._plan_folders(notes)
        self.specs = self._plan_notes(notes)
        self.public_specs = [spec for spec in self.specs if not spec.private]
        self.with_blocks = [spec for spec in self.specs if spec.block_ids]

    # -- planning ----------------------------------------------------------------------------

    def _plan_folders(self, notes: int) -> list[str]:
        rng = self.rng
        folders = list(TOP_FOLDERS)
        taken = {folder.casefold() for folder in folders}
        wanted = min(400, max(14, notes // 40))
        while len(folders) < wanted:
            parent = rng.choice([f for f in folders if f.count("/") < 3])
            name = rng.choice(SUB_FOLDERS)
            path = f"{parent}/{name}"
            if path.casefold() in taken:
                path = f"{path} {rng.randint(2, 99)}"
                if path.casefold() in taken:
                    continue
            taken.add(path.casefold())
            folders.append(path)
        return folders

    def _plan_notes(self, notes: int) -> list[NoteSpec]:
        rng = self.rng
        others = list(range(1, notes))
        private = set(rng.sample(others, round(notes * PRIVATE_SHARE)))
        episodes = set(rng.sample(others, round(notes * EPISODE_SHARE)))
        specs = [
            NoteSpec(
                0,
                "Home",
                "",
                private=False,
                home=True,
                headings=["Start here", "Recently tended", "About this garden"],
                tags=["garden/evergreen"],
            )
        ]
        self._names.add("home")
        for index in range(1, notes):
            episode = index in episodes
            is_private = index in private
            title = self._title(episode)
            if is_private:
                title = f"{title} {MARKER}-{index}"
            if episode:
                show = rng.choice(SHOWS)
                folder = f"{PODCASTS}/{show}" if rng.random() < 0.7 else PODCASTS
            else:
                folder = rng.choice(self.folders)
            spec = NoteSpec(index, title, folder, private=is_private, episode=episode)
            spec.json_frontmatter = rng.random() < JSON_SHARE
            if episode:
                # Links go to `#Snips`: Trellis shows `## Episode metadata` in the page header.
                spec.headings = ["Snips"]
                spec.tags = ["type/podcast", "snipd"]
            else:
                spec.headings = rng.sample(HEADINGS, rng.randint(3, 5))
                subs = rng.sample(SUB_HEADINGS, len(spec.headings))
                spec.subheadings = {
                    h2: h3 for h2, h3 in zip(spec.headings, subs, strict=True) if rng.random() < 0.5
                }
                spec.block_ids = [
                    f"{rng.getrandbits(24):06x}" for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))
                ]
                spec.tags = rng.sample(TAGS, rng.randint(0, 3))
                if rng.random() < 0.12:
                    alias = self._unique(" ".join(rng.choices(WORDS, k=2)) + " notes")
                    spec.alias = f"{alias} {spec.marker}" if is_private else alias
            if spec.json_frontmatter:
                spec.permalink = self._permalink(title)
            specs.append(spec)
        return specs

    def _title(self, episode: bool) -> str:
        rng = self.rng
        while True:
            roll = rng.random()
            if episode:
                number = rng.randint(1, 400)
                words = " ".join(rng.choices(WORDS, k=rng.randint(2, 4))).capitalize()
                title = f"Ep {number} - {words}"
            elif roll < 0.06:
                script = rng.choice(sorted(NON_LATIN_WORDS))
                words = rng.choices(NON_LATIN_WORDS[script], k=rng.randint(2, 3))
                title = ("" if script == "ja" else " ").join(words)
            else:
                title = " ".join(rng.choices(WORDS, k=rng.randint(2, 4))).capitalize()
                if roll > 0.97:
                    title = rng.choice(["🌱 ", "🌿 ", "🌲 ", "📚 "]) + title
            if title.casefold() not in self._names:
                self._names.add(title.casefold())
                return title

    def _unique(self, name: str) -> str:
        base, number = name, 2
        while name.casefold() in self._names:
            name, number = f"{base} {number}", number + 1
        self._names.add(name.casefold())
        return name

    def _permalink(self, title: str) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in title.lower() if c.isalnum() or c == " ")
        slug = "-".join(part for part in slug.split("-") if part) or "note"
        link, number = f"/{slug}/", 2
        while link in self._permalinks:
            link, number = f"/{slug}-{number}/", number + 1
        self._permalinks.add(link)
        return link

    # -- one note ----------------------------------------------------------------------------

    def note_text(self, spec: NoteSpec) -> str:
        front = self._frontmatter(spec)
        if spec.episode:
            body = self._episode_body(spec, len(front.encode("utf-8")))
        else:
            body = self._note_body(spec, len(front.encode("utf-8")))
        return front + body

    def _frontmatter(self, spec: NoteSpec) -> str:
        rng = self.rng
        created = f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if spec.json_frontmatter:
            self.counts["frontmatter_json"] += 1
            meta: dict[str, object] = {}
            if not spec.private:
                meta["dg-publish"] = True
            elif rng.random() < 0.5:
                meta["dg-publish"] = False
            meta["permalink"] = spec.permalink
            meta["title"] = spec.title
            if spec.tags:
                meta["tags"] = spec.tags
            if spec.alias:
                meta["aliases"] = [spec.alias]
            meta["created"] = f"{created}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00"
            meta["updated"] = f"{created}T23:00:00+01:00"
            return "---\n" + json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n---\n"
        self.counts["frontmatter_yaml"] += 1
        lines = ["---"]
        if spec.home:
            lines += ["dg-publish: true", "dg-home: true"]
        elif not spec.private:
            lines.append("dg-publish: true")
        elif rng.random() < 0.5:
            lines.append("dg-publish: false")
        if rng.random() < 0.4 or spec.private:
            lines.append(f"title: {json.dumps(spec.title, ensure_ascii=False)}")
        if spec.tags:
            lines.append("tags:")
            lines += [f"  - {json.dumps(tag, ensure_ascii=False)}" for tag in spec.tags]
            self.counts["tags_frontmatter"] += len(spec.tags)
        if spec.alias:
            lines += ["aliases:", f"  - {json.dumps(spec.alias, ensure_ascii=False)}"]
        lines.append(f"created: {created}")
        if spec.episode:
            lines.append(f"episode_url: https://share.snipd.com/episode/{self._uuid()}")
        lines.append("---")
        return "\n".join(lines) + "\n"

    def _note_body(self, spec: NoteSpec, front_bytes: int) -> str:
        """Headings with feature blocks first, then prose until the size target is reached."""
        rng = self.rng
        sections: list[list[str]] = [[] for _ in range(len(spec.headings) + 1)]
        tail: list[str] = []

        def place(block: str) -> None:
            rng.choice(sections).append(block)

        if spec.home:
            sections[1].append(self._home_list())
        if spec.private:
            sections[0].append(self._paragraph(spec, 200, extra=f" ({spec.marker})"))
            place(self._paragraph(spec, 200, extra=f" Only for me: {spec.marker}."))
        for block_id in spec.block_ids:
            if rng.random() < 0.7:
                place(self._paragraph(spec, rng.randint(150, 350), extra=f" ^{block_id}"))
            else:
                place(f"- {self._sentence(spec)} ^{block_id}\n- {self._sentence(spec)}")
            self.counts["block_ids"] += 1
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2))):
            place(self._callout(spec))
        if rng.random() < 0.35:
            place(self._code())
        if rng.random() < 0.2:
            place(self._math_block())
        if rng.random() < 0.5:
            place(self._tasks(spec))
        if rng.random() < 0.3:
            place(self._table(spec))
        if rng.random() < 0.6:
            place(self._fields(spec))
        if rng.random() < 0.3:
            place(self._image(spec))
        if rng.random() < 0.4 and spec.index > 2:
            place(self._note_embed(spec))
        if rng.random() < 0.2:
            place(self._block_comment())
        if rng.random() < 0.2:
            place(self._markdown_link(spec))
        for number in range(1, rng.choice((0, 0, 1, 1, 2)) + 1):
            place(self._paragraph(spec, rng.randint(150, 300), extra=f"[^{number}]"))
            tail.append(f"[^{number}]: {self._sentence(spec)}")
            self.counts["footnotes"] += 1

        size = front_bytes + sum(len(b.encode("utf-8")) + 2 for s in sections for b in s)
        size += sum(len(h.encode("utf-8")) + 5 for h in spec.headings)
        size += sum(len(line.encode("utf-8")) + 2 for line in tail)
        size += sum(len(h.encode("utf-8")) + 6 for h in spec.subheadings.values())
        target = rng.randint(_TARGET_LOW, _TARGET_HIGH)
        while size < target:
            block = self._filler(spec, min(target - size, rng.randint(250, 700)))
            rng.choice(sections).append(block)
            size += len(block.encode("utf-8")) + 2

        blocks: list[str] = list(sections[0])
        for heading, section in zip(spec.headings, sections[1:], strict=True):
            blocks.append(f"## {heading}")
            sub = spec.subheadings.get(heading)
            if sub is not None:
                cut = rng.randint(0, len(section))
                section = [*section[:cut], f"### {sub}", *section[cut:]]
            blocks += section
        blocks += tail
        return self._fit("\n\n".join(blocks) + "\n", front_bytes, spec)

    def _fit(self, body: str, front_bytes: int, spec: NoteSpec) -> str:
        """Trim or pad with plain sentences so the file is 4-6 KB whatever the draw was."""
        size = front_bytes + len(body.encode("utf-8"))
        while size > MAX_BYTES:
            cut = body.rstrip("\n").rfind("\n\n")
            if cut <= 0:
                break
            body = body[:cut] + "\n"
            size = front_bytes + len(body.encode("utf-8"))
        while size < MIN_BYTES:
            line = "\n" + " ".join(self.rng.choices(WORDS, k=8)).capitalize() + ".\n"
            body += line
            size += len(line.encode("utf-8"))
        return body

    # -- blocks ------------------------------------------------------------------------------

    def _sentence(self, spec: NoteSpec) -> str:
        """Prose with the inline syntax real notes sprinkle: links, tags, emphasis, math."""
        rng = self.rng
        words = rng.choices(WORDS, k=rng.randint(6, 15))
        words[0] = words[0].capitalize()
        roll = rng.random()
        spot = rng.randrange(1, len(words))
        if roll < 0.16:
            words.insert(spot, self._wikilink(spec))
        elif roll < 0.22:
            words.insert(spot, "#" + rng.choice(TAGS))
            self.counts["tags_inline"] += 1
        elif roll < 0.30:
            words[spot] = f"**{words[spot]}**" if rng.random() < 0.5 else f"*{words[spot]}*"
        elif roll < 0.33:
            words[spot] = f"=={words[spot]} {rng.choice(WORDS)}=="
            self.counts["highlights"] += 1
        elif roll < 0.36:
            words.insert(spot, rng.choice(INLINE_MATH))
            self.counts["math_inline"] += 1
        elif roll < 0.38:
            words.insert(spot, f"[{rng.choice(WORDS)}](https://example.org/{rng.choice(WORDS)})")
            self.counts["external_links"] += 1
        elif roll < 0.40:
            words.insert(spot, f"%%{rng.choice(WORDS)} {rng.choice(WORDS)}%%")
            self.counts["comments"] += 1
        elif roll < 0.41:
            words.insert(spot, f"^[{rng.choice(WORDS)} {rng.choice(WORDS)}]")
            self.counts["footnotes_inline"] += 1
        return " ".join(words) + "."

    def _paragraph(self, spec: NoteSpec, budget: int, extra: str = "") -> str:
        parts: list[str] = []
        size = 0
        while size < budget:
            sentence = self._sentence(spec)
            parts.append(sentence)
            size += len(sentence.encode("utf-8")) + 1
        return " ".join(parts) + extra

    def _filler(self, spec: NoteSpec, budget: int) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.72 or budget < 150:
            return self._paragraph(spec, budget)
        items: list[str] = []
        size = 0
        while size < budget:
            items.append(self._sentence(spec))
            size += len(items[-1].encode("utf-8")) + 3
        if roll < 0.9:
            return "\n".join(f"- {item}" for item in items)
        if roll < 0.96:
            return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
        return "\n".join(f"> {item}" for item in items)

    def _target(self, spec: NoteSpec, pool: list[NoteSpec] | None = None) -> NoteSpec:
        pool = pool or self.specs
        while True:
            target = self.rng.choice(pool)
            if target is not spec or len(pool) == 1:
                return target

    def _wikilink(self, spec: NoteSpec, in_table: bool = False) -> str:
        """One of the link forms of real vaults; a link to a private note always has an alias."""
        rng = self.rng
        target = self._target(spec)
        self.counts["wikilinks"] += 1
        roll = rng.random()
        if roll < 0.08 and target.block_ids:
            path = f"{target.title}#^{rng.choice(target.block_ids)}"
            self.counts["wikilinks_block"] += 1
        elif roll < 0.25 and target.headings:
            heading = rng.choice(target.headings)
            path = f"{target.title}#{heading}"
            if heading in target.subheadings and rng.random() < 0.3:
                path += f"#{target.subheadings[heading]}"
                self.counts["wikilinks_subheading"] += 1
            self.counts["wikilinks_heading"] += 1
        elif roll < 0.35:
            path = target.link_path
            self.counts["wikilinks_path"] += 1
        elif roll < 0.38 and target.alias and not target.private:
            path = target.alias
            self.counts["wikilinks_to_alias"] += 1
        else:
            path = target.title
        alias = None
        if (target.private and not spec.private) or rng.random() < 0.3 or in_table:
            alias = " ".join(rng.choices(WORDS, k=rng.randint(1, 3)))
        if target.private:
            self.counts["links_to_private"] += 1
        if alias is None:
            return f"[[{path}]]"
        self.counts["wikilinks_alias"] += 1
        if in_table or rng.random() < 0.15:
            self.counts["wikilinks_escaped_pipe"] += 1
            return f"[[{path}\\|{alias}]]"
        return f"[[{path}|{alias}]]"

    def _home_list(self) -> str:
        rng = self.rng
        picks = rng.sample(self.public_specs[1:], min(30, len(self.public_specs) - 1))
        self.counts["wikilinks"] += len(picks)
        return "\n".join(f"- [[{spec.title}]]" for spec in picks)

    def _callout(self, spec: NoteSpec) -> str:
        rng = self.rng
        kind = rng.choice(CALLOUT_TYPES)
        fold = rng.choice(("-", "-", "+", "", ""))
        self.counts["callouts"] += 1
        self.counts["callouts_folded"] += fold == "-"
        title = " ".join(rng.choices(WORDS, k=rng.randint(1, 4))).capitalize()
        lines = [f"> [!{kind}]{fold} {title}"]
        for _ in range(rng.randint(1, 3)):
            lines.append(f"> {self._sentence(spec)}")
        if rng.random() < 0.35:
            inner = rng.choice(CALLOUT_TYPES)
            inner_fold = rng.choice(("-", ""))
            self.counts["callouts_nested"] += 1
            self.counts["callouts_folded"] += inner_fold == "-"
            lines += [">", f"> > [!{inner}]{inner_fold} {rng.choice(WORDS).capitalize()}"]
            lines.append(f"> > {self._sentence(spec)}")
            if rng.random() < 0.3:
                lines.append(f"> > - {rng.choice(FIELD_KEYS)}:: {rng.choice(WORDS)}")
                self.counts["fields"] += 1
        return "\n".join(lines)

    def _code(self) -> str:
        rng = self.rng
        name = rng.choice(WORDS)
        if rng.random() < 0.5:
            self.counts["code_python"] += 1
            return (
                "```python\n"
                f"def {name}_score(notes: list[str]) -> int:\n"
                f'    """Count the notes that mention {name}."""\n'
                f"    return sum(1 for note in notes if {name!r} in note.lower())\n"
                "```"
            )
        self.counts["code_js"] += 1
        return (
            "```js\n"
            f"const {name} = notes.filter((n) => n.tags.includes('{name}'));\n"
            f"console.log(`${{{name}.length}} notes about {name}`);\n"
            "```"
        )

    def _math_block(self) -> str:
        self.counts["math_block"] += 1
        return self.rng.choice(
            [
                "$$\n\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n$$",
                "$$\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\n$$",
                "$$\nP(A \\mid B) = \\frac{P(B \\mid A) P(A)}{P(B)}\n$$",
            ]
        )

    def _tasks(self, spec: NoteSpec) -> str:
        rng = self.rng
        lines = []
        for _ in range(rng.randint(3, 6)):
            status = rng.choice(TASK_STATUSES)
            self.counts["tasks"] += 1
            self.counts["tasks_custom"] += status not in " x"
            lines.append(f"- [{status}] {self._sentence(spec)}")
        return "\n".join(lines)

    def _table(self, spec: NoteSpec) -> str:
        rng = self.rng
        self.counts["tables"] += 1
        rows = ["| Note | Why | Rating |", "| --- | --- | ---: |"]
        for _ in range(rng.randint(2, 4)):
            why = " ".join(rng.choices(WORDS, k=rng.randint(2, 5)))
            rows.append(f"| {self._wikilink(spec, in_table=True)} | {why} | {rng.randint(1, 5)} |")
        return "\n".join(rows)

    def _fields(self, spec: NoteSpec) -> str:
        rng = self.rng
        keys = rng.sample(FIELD_KEYS, rng.randint(2, 4))
        self.counts["fields"] += len(keys)
        values = [
            self._wikilink(spec) if key in ("source", "related") else rng.choice(WORDS)
            for key in keys
        ]
        bullet = "- " if rng.random() < 0.6 else ""
        pairs = zip(keys, values, strict=True)
        return "\n".join(f"{bullet}{key}:: {value}" for key, value in pairs)

    def _image(self, spec: NoteSpec) -> str:
        rng = self.rng
        images = PRIVATE_IMAGES + PUBLIC_IMAGES if spec.private else PUBLIC_IMAGES
        name = rng.choice(images)
        self.counts["embeds_image"] += 1
        roll = rng.random()
        if roll < 0.5:
            return f"![[{name}|{rng.choice((200, 300, 480))}]]"
        if roll < 0.8:
            return f"![[{name}]]"
        return f"![{rng.choice(WORDS)}]({ATTACHMENTS}/{name.replace(' ', '%20')})"

    def _note_embed(self, spec: NoteSpec) -> str:
        """Embed an earlier note (so embeds never form a cycle), whole or one heading."""
        rng = self.rng
        target = self.specs[rng.randrange(1, spec.index)]
        if target.private:
            self.counts["embeds_private"] += 1
        if target.headings and rng.random() < 0.6:
            self.counts["embeds_heading"] += 1
            return f"![[{target.title}#{rng.choice(target.headings)}]]"
        self.counts["embeds_note"] += 1
        return f"![[{target.title}]]"

    def _block_comment(self) -> str:
        self.counts["comments"] += 1
        words = " ".join(self.rng.choices(WORDS, k=12))
        return f"%%\nDraft thought, not for the page: {words}\n%%"

    def _markdown_link(self, spec: NoteSpec) -> str:
        target = self._target(spec, self.public_specs)
        self.counts["markdown_links"] += 1
        path = target.rel_path.replace(" ", "%20")
        return f"See also [{self.rng.choice(WORDS)}]({path}) for more."

    # -- episodes (Snipd) --------------------------------------------------------------------

    def _episode_body(self, spec: NoteSpec, front_bytes: int) -> str:
        rng = self.rng
        show = spec.folder.rsplit("/", 1)[-1] if spec.folder != PODCASTS else rng.choice(SHOWS)
        head = [
            f"# {spec.title}",
            f"![Cover|200](https://example.org/covers/{spec.index}.jpg)",
            "## Episode metadata",
            "\n".join(
                [
                    f"- Episode title:: {spec.title}",
                    f"- Show:: {show}",
                    f"- Owner / Host:: {rng.choice(WORDS).capitalize()} Media",
                    f"- Episode link:: [open in Snipd]({SNIPD}/episode/{self._uuid()})",
                    f"- Episode publish date:: 2024-{rng.randint(1, 12):02d}"
                    f"-{rng.randint(1, 28):02d}",
                ]
            ),
            "## Snips",
        ]
        self.counts["fields"] += 5
        if spec.private:
            head.insert(2, f"Listened on a walk, {spec.marker}.")
        audio = f"https://example.org/podcasts/ep-{spec.index}.mp3"
        long_episode = rng.random() < 0.05
        starts = sorted(rng.sample(range(60, (5400 if long_episode else 3500)), rng.randint(2, 3)))
        snips = []
        for start in starts:
            end = start + rng.randint(30, 170)
            snips.append(
                {
                    "start": start,
                    "end": end,
                    "title": " ".join(rng.choices(WORDS, k=rng.randint(3, 6))).capitalize(),
                    "takeaways": [self._sentence(spec) for _ in range(rng.randint(2, 3))],
                    "turns": [],
                }
            )
        target = rng.randint(_TARGET_LOW, _TARGET_HIGH)
        while True:
            body = self._episode_text(head, snips, audio)
            size = front_bytes + len(body.encode("utf-8"))
            if size >= target:
                break
            snip = rng.choice(snips)
            speaker = SPEAKERS[len(snip["turns"]) % 2 if rng.random() < 0.9 else 2]
            words = self._paragraph(spec, min(target - size, rng.randint(120, 400)))
            snip["turns"].append(f"**{speaker}**: {words}")
        self.counts["episodes"] += 1
        self.counts["snips"] += len(snips)
        self.counts["audio"] += len(snips)
        return self._fit(body, front_bytes, spec)

    def _episode_text(self, head: list[str], snips: list[dict], audio: str) -> str:
        parts = list(head)
        for number, snip in enumerate(snips):
            start, end = _clock(snip["start"]), _clock(snip["end"])
            minutes = max(1, round((snip["end"] - snip["start"]) / 60))
            if number:
                parts.append("---")
            parts.append(f"### [{_clock(snip['end'] - 2)}] {snip['title']}")
            parts.append(
                f"[🎧 Play snip - {minutes}min\ufe0f ({start} - {end})]"
                f"(https://share.snipd.com/snip/{snip['start']:08x}-{snip['end']:04x})"
            )
            parts.append(f'<audio controls> <source src="{audio}#t={start},{end}"> </audio>')
            parts.append("### ✨ Key takeaways")
            parts.append("\n".join(f"{n}. {t}" for n, t in enumerate(snip["takeaways"], 1)))
            parts.append("#### 📚 Transcript")
            turns = snip["turns"] or [f"**{SPEAKERS[0]}**: {snip['title']}."]
            parts.append("> [!quote]- Transcript\n" + "\n>\n".join(f"> {t}" for t in turns))
        return "\n\n".join(parts) + "\n"

    def _uuid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"


def _clock(seconds: int) -> str:
    """`m:ss`, or `h:mm:ss` past an hour, as Snipd writes times."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _png(width: int, height: int, tint: int) -> bytes:
    """A small real RGB PNG (a gradient), different for every `tint`, byte-stable."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes(((x * 16 + tint * 37) % 256, (y * 20 + tint * 11) % 256, tint * 17 % 256))
        rows.append(bytes(row))

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a realistic Obsidian vault for benchmarks.")
    parser.add_argument("out", type=Path, help="folder to write (absent, empty, or a former vault)")
    parser.add_argument("--notes", type=int, required=True, help="number of notes")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST_NAME).is_file():
            print(f"generate_vault: {out} is not empty and not a generated vault", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    manifest = generate_vault(out, args.notes, args.seed)
    print(
        f"{manifest.notes} notes ({manifest.private} private, {manifest.episodes} episodes), "
        f"{manifest.markdown_bytes / 1e6:.1f} MB of Markdown -> {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
