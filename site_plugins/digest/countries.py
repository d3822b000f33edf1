"""Countries as reference data: ISO 3166-1 alpha-2 codes (pycountry), the names readers use
(CLDR through Babel: "Russia", "Iran", not ISO's "Russian Federation"), flags, and what a
contributor who wrote a name instead of a code probably meant. Used by loading and indexing alike.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .model import Country


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@lru_cache(maxsize=None)
def country(code: str, language: str = "en") -> Country | None:
    """The country for an ISO 3166-1 alpha-2 code in any case, named in `language`, or None."""
    if not re.fullmatch(r"[A-Za-z]{2}", code):
        return None
    record = pycountry.countries.get(alpha_2=code.upper())
    if record is None:
        return None
    name = _locale(language).territories.get(record.alpha_2) or getattr(record, "common_name", None) or record.name
    flag = "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in record.alpha_2)
    return Country(code=record.alpha_2.lower(), name=name, flag=flag)


def _key(text: str) -> str:
    """Names compared without case, accents, punctuation or a leading "the"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@lru_cache(maxsize=None)
def _names(language: str) -> dict[str, str]:
    """Every name of every country we know (CLDR in English and `language`, ISO's name, common
    and official names) -> its code in lower case."""
    names: dict[str, str] = {}

    def add(name: str | None, code: str) -> None:
        # "Myanmar (Burma)", "Iran, Islamic Republic of": the whole name and each of its parts
        for part in [name or "", *re.split(r"[(),]", name or "")]:
            key = _key(part)
            if key and not key.endswith(" of"):  # not "Republic of", "Islamic Republic of"
                names.setdefault(key, code)

    for record in pycountry.countries:
        for name in (record.name, getattr(record, "common_name", None), getattr(record, "official_name", None)):
            add(name, record.alpha_2.lower())
    for locale in {_locale("en"), _locale(language)}:
        for code, name in locale.territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                add(name, code.lower())
    return names


def suggest(text: str, language: str = "en") -> str | None:
    """The code a contributor most likely meant by `text` (`Pakistan` -> pk, `uk` -> gb,
    `Russia` -> ru, an alpha-3 code such as `AFG` -> af), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text.strip()
    aliases = get_global("territory_aliases")  # CLDR: UK -> GB, and retired codes
    if raw.upper() in aliases and len(aliases[raw.upper()]) == 1 and country(aliases[raw.upper()][0]):
        return aliases[raw.upper()][0].lower()
    if len(raw) == 3 and raw.isalpha() and (record := pycountry.countries.get(alpha_3=raw.upper())):
        return record.alpha_2.lower()
    names = _names(language)
    key = _key(raw)
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
    return names[close[0]] if close else None
