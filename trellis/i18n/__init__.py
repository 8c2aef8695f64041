"""The theme's words in the reader's language: message catalogues, dates and text direction.

Templates write every UI string as `_("Linked from")` (or `ngettext` for counts); the page's
language (the `language` setting, or a note's `lang` frontmatter) picks the catalogue. The
catalogues are the `.po` files beside this module, read with Babel and compiled in memory
once per build, so the wheel carries no stale `.mo` and editing a `.po` takes effect at once.
A language without a catalogue reads English; dates use Babel's CLDR data for any locale.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUES = Path(__file__).parent
SHIPPED = ("en", "de", "fr", "es", "pt", "ja", "zh")
RTL = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})


def primary(tag: str) -> str:
    """`pt-BR` -> `pt`, `zh_Hant` -> `zh`: the part that names a catalogue."""
    return tag.replace("_", "-").split("-")[0].strip().lower()


def direction(tag: str) -> str:
    """`rtl` for right-to-left scripts (Arabic, Hebrew, ...), else `ltr`."""
    return "rtl" if primary(tag) in RTL else "ltr"


def note_language(meta: dict[str, Any]) -> str:
    """A note's own `lang` (or `language`) frontmatter: a BCP 47 tag such as `ja` or `pt-BR`."""
    for key in ("lang", "language"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip().replace("-", "").replace("_", "").isalnum():
            return value.strip()
    return ""


def catalogue_path(language: str) -> Path:
    return CATALOGUES / f"{primary(language)}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of `language`, or pass-through English."""
    path = catalogue_path(language)
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as file:
        catalog = read_po(file, locale=primary(language))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def template_functions(language: str) -> dict[str, Callable[..., str]]:
    """`_`, `gettext` and `ngettext` for a template, formatting `%(name)s` from keywords."""
    catalogue = translations(language)

    def _gettext(message: str, **values: Any) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    def _ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
        text = catalogue.ngettext(singular, plural, count)
        return text % {"num": count, **values}

    return {"_": _gettext, "gettext": _gettext, "ngettext": _ngettext}


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def long_date(value: date, language: str) -> str:
    """`20 November 2026`, `2026年11月20日`, `20. November 2026`: CLDR's long form."""
    return format_date(value, format="long", locale=_locale(language))
