"""A vault for the query conformance cases, read through the real pipeline.

The notes follow the example vault of Dataview's documentation (docs/queries/query-types.md:
Classic Cheesecake, Git Basics, League of Legends, Pillars of Eternity 2, Stardew Valley,
Dashboard, with their folders, types, tags and `started` dates), the task examples of the
same page, and a few private notes that no query may ever reveal.

`view_of(tmp, files)` writes a vault, reads it with `trellis.vault`, keeps the published
notes with `trellis.public` (exactly as a build does) and makes the `PublishedView`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from helpers import NullHooks, write_vault

from trellis.config import Settings
from trellis.diagnostics import Diagnostics
from trellis.markdown.parser import create_markdown
from trellis.public.site import build_public_site
from trellis.query import PublishedView, run_block, run_inline
from trellis.query.records import records_from_site
from trellis.query.text import format_date
from trellis.query.values import ExternalLink, Link, ListPair, js_number
from trellis.vault.scan import read_vault

# "Today" for every case: fixed, so relative dates give the same answers on any day.
NOW = datetime(2022, 11, 7, 15, 30, tzinfo=UTC)


def note(meta: dict[str, str], body: str = "", publish: bool = True) -> str:
    lines = ["---", f"dg-publish: {'true' if publish else 'false'}"]
    lines += [f"{k}: {v}" for k, v in meta.items()]
    return "\n".join([*lines, "---", body])


DOCS_VAULT: dict[str, str] = {
    "Baking/Recipes/Classic Cheesecake.md": note(
        {"type": "recipe", "tags": "[recipes]", "portions": "8"}, "A cheesecake.\n"
    ),
    "Coding/Git Basics.md": note({"type": "knowledge"}, "Git is a [[Dashboard|map]].\n"),
    "Coding/Cheatsheets/How to fix Git Cheatsheet.md": note(
        {"type": "summary"}, "See [[Git Basics]].\n"
    ),
    "Games/League of Legends.md": note(
        {"type": "game", "tags": "[games/moba]", "started": "2021-05-16", "rating": "7"},
        "A MOBA.\n",
    ),
    "Games/Pillars of Eternity 2.md": note(
        {"type": "game", "tags": "[games/crpg]", "started": "2022-04-21", "steamid": "560130"},
        "An RPG.\n\nrating:: 9\n",
    ),
    "Games/finished/Stardew Valley.md": note(
        {
            "type": "game",
            "tags": "[games/simulation]",
            "started": "2021-04-04",
            "finished": "2021-08-01",
            "steamid": "413150",
            "rating": "8",
        },
        "Farming. Links [[League of Legends]].\n",
    ),
    "Dashboard.md": note(
        {"type": "moc", "aliases": "[Home Base]"},
        "# Dashboard\n\n[[League of Legends]], [[Stardew Valley]], "
        "[[Secret Plans|a note I keep]]\n",
    ),
    "Tasks/Chores.md": note(
        {"due": "2022-09-21"},
        "## Home\n\n"
        "- [ ] clean up the house\n"
        "\t- [ ] kitchen\n"
        "\t- [x] living room\n"
        "\t- [ ] Bedroom [urgent:: true]\n"
        "- [ ] Call the insurance about the car\n"
        "- [x] Find out the transaction number\n\n"
        "## Shopping\n\n"
        "- [ ] Buy new shoes #shopping\n"
        "- [x] Buy some working pencils #shopping ✅ 2022-09-20\n"
        "- [-] Cancelled errand\n"
        "- a plain item with [mood:: calm]\n",
    ),
    "Tasks/School.md": note(
        {},
        "- [ ] Finish the math assignment\n"
        "    - [x] Finish Paper 1 [due:: 2022-08-13]\n"
        "    - [ ] Read again through chapter 3 [due:: 2022-09-01]\n"
        "- [x] Hand in physics\n",
    ),
    "Secret Plans.md": note(
        {"type": "game", "tags": "[games/secret, secretmarker]", "rating": "10"},
        "SECRETBODY links [[League of Legends]] and [[Dashboard]].\n\n- [ ] SECRETTASK take over\n",
        publish=False,
    ),
    "Private/Diary.md": note({"type": "moc", "rating": "3"}, "DIARYMARKER\n", publish=False),
    "Drafts/Idea.md": "No frontmatter at all, DRAFTMARKER, links [[Git Basics]].\n",
}

PRIVATE_MARKERS = (
    "Secret Plans",
    "secret-plans",
    "SECRETBODY",
    "SECRETTASK",
    "secretmarker",
    "games/secret",
    "Diary",
    "DIARYMARKER",
    "DRAFTMARKER",
    "Drafts",
    "Idea",
)


class PageHooks:
    """Render hooks as the build will give them: URLs of published notes, escaped text."""

    def href(self, path: str, subpath: str | None, kind: str) -> str | None:
        slug = path[:-3].lower().replace(" ", "-")
        return f"/{slug}/" + (f"#{subpath}" if subpath else "")

    def markdown(self, text: str) -> str:
        return escape(text)


def view_of(tmp: Path, files: dict[str, str], now: datetime = NOW) -> PublishedView:
    root = write_vault(tmp, files)
    diagnostics = Diagnostics()
    site = build_public_site(read_vault(root, diagnostics), Settings(), diagnostics)
    records = records_from_site(site, create_markdown(NullHooks()))  # type: ignore[arg-type]
    return PublishedView(records, now=now)


def cell_text(value: Any) -> str:
    """A result value as plain text, the way a reader sees it on the page."""
    if value is None:
        return "-"
    if isinstance(value, Link):
        return value.label()
    if isinstance(value, ListPair):
        return f"{cell_text(value.key)}: {cell_text(value.value)}"
    if isinstance(value, ExternalLink):
        return value.display or value.url
    if isinstance(value, list):
        return "[" + ", ".join(cell_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, datetime):
        return format_date(value)
    if hasattr(value, "human"):
        return value.human()
    return str(value)


def block_html(view: PublishedView, source: str, this: str | None = "Dashboard.md") -> str:
    return run_block(source, view, this, PageHooks()).html


def inline_html(view: PublishedView, expression: str, this: str | None = "Dashboard.md") -> str:
    return run_inline(expression, view, this, PageHooks()).html
