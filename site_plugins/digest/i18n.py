"""The site's language (`theme.language`): interface strings from one gettext catalogue per language
(`locales/<ll_TT>/LC_MESSAGES/digest.po`, read with Babel), dates and digits from CLDR through Babel.

English needs no catalogue: the messages in the templates, `pages.py` and `search.js` are English.
The `.po` files are read as they are at build time (no compiled `.mo` to keep in step with them).
Templates in `templates/` call `_()`/`ngettext()` the new-style way (`_("… %(x)s", x=…)`, values
escaped); the theme partials, in MkDocs' environment, call them old-style (`_("… %(x)s")|format(x=…)`),
which also works while MkDocs' own null translations are installed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "digest"
LOCALES = Path(__file__).parent / "locales"
SCRIPT = Path(__file__).parent / "assets" / "search.js"
# The digits of CLDR's numbering systems that the shipped languages use by default (CLDR
# numberingSystems.xml); Babel formats every number with Latin digits.
_ZERO = {"arab": 0x0660, "arabext": 0x06F0}


def locale(language: str) -> Locale:
    """`fa-AF`, `fa_AF`, `en` -> a Babel locale (English if CLDR does not know it)."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def catalogue(language: str) -> Path | None:
    """The catalogue for `language`: `fa_AF` first, then `fa`; None for English or no catalogue."""
    found = locale(language)
    for name in (str(found), found.language):
        path = LOCALES / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The interface strings of `language` (fuzzy and untranslated entries fall back to English)."""
    path = catalogue(language)
    if path is None:
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=str(locale(language)), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def install(env, language: str) -> None:
    """Give MkDocs' Jinja environment (theme partials) the site's strings, old-style (see above)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_translations(translations(language), newstyle=False)


@lru_cache(maxsize=1)
def _script_messages() -> list:
    """The messages search.js asks for, found in it as `make messages` finds them."""
    return [message for _, message, _, _ in extract_from_file("javascript", str(SCRIPT))]


# Alphabetical order where Unicode's differs from the language's (Python has no ICU collation, and
# Babel none). Persian-script languages: the Persian (and Dari) alphabet, whose پ چ ژ ک گ ی come
# after every Arabic letter in Unicode, with آ a letter of its own before ا as in dictionaries and
# CLDR's `fa` collation; Arabic forms count as the Persian letter they are read as (ي ى ئ as ی, ك
# as ک, ة ۀ as ه, أ إ as ا, ؤ as و), so that only they and the diacritics, ignored at first, break
# ties. An approximation of CLDR's collation (which also places Pashto's letters in fa-AF);
# browsers, which have ICU, sort the search filters with Intl.Collator (search.js).
_PERSIAN = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_AS_PERSIAN = {"أ": "ا", "إ": "ا", "ٱ": "ا", "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ؤ": "و"}
_ALPHABETS = {"fa": {letter: rank for rank, letter in enumerate(_PERSIAN, 1)}}
_IGNORED = {"\u200c", "\u200d", "\u200e", "\u200f", "\u0640"}  # joiners, bidi marks, tatweel


def sort_key(language: str):
    """A key that sorts names (countries, topics) alphabetically in `language`: by the alphabet's
    order for Persian-script languages (see above), casefolded for the others."""
    ranks = _ALPHABETS.get(locale(language).language)
    if ranks is None:
        return str.casefold

    def key(text: str) -> tuple:
        primary, secondary = [], []
        for char in unicodedata.normalize("NFC", text.casefold()):
            if char in _IGNORED or unicodedata.category(char) == "Mn":  # harakat, hamza above
                secondary.append(ord(char))
                continue
            letter = _AS_PERSIAN.get(char, char)
            # Spaces first (word by word), then the alphabet, then digits and any other script.
            primary.append((0, 0) if char.isspace() else (1, ranks[letter]) if letter in ranks else (2, ord(char)))
            secondary.append(ord(char))
        return primary, secondary

    return key


def direction(language: str) -> str:
    return "rtl" if locale(language).text_direction == "rtl" else "ltr"


class Words:
    """Everything a page says in the site's language: messages, dates, numbers."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self.locale = locale(language)
        self.translations = translations(language)
        zero = _ZERO.get(self.locale.default_numbering_system or "latn")
        self._digits = {ord("0") + i: chr(zero + i) for i in range(10)} if zero else {}

    def gettext(self, message: str, **values) -> str:
        return self.translations.gettext(message) % values if values else self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int, **values) -> str:
        return self.translations.ngettext(singular, plural, count) % {"num": self.number(count), **values}

    def list_separator(self) -> str:
        """What separates the items of a list without "and" (a story's countries): CLDR's, ", " in
        English, "،\u200f " (Arabic comma, right-to-left mark) in Dari."""
        patterns = self.locale.list_patterns
        # Babel's data lacks the inherited parts of some styles (fa's standard-narrow has no "middle").
        for style in ("standard-narrow", "standard"):
            if style in patterns and "middle" in patterns[style]:
                return patterns[style]["middle"].format("", "")
        return ", "

    def number(self, value: int) -> str:
        """A number in the language's digits (no grouping: "1234", "۱۲۳۴")."""
        return str(value).translate(self._digits)

    def digits(self, text: str) -> str:
        return text.translate(self._digits)

    # The CLDR date patterns are messages too: each language orders its dates its own way.
    def _date(self, day: dt.date, pattern: str) -> str:
        return self.digits(format_date(day, pattern, locale=self.locale))

    def long_date(self, day: dt.date) -> str:
        """A date as readers say it: Friday 29 November 2024, جمعه ۲۹ نومبر ۲۰۲۴."""
        # Translators: a CLDR date pattern (EEEE weekday, d day, MMMM month, y year), not words.
        return self._date(day, self.gettext("EEEE d MMMM y"))

    def short_date(self, day: dt.date) -> str:
        # Translators: a CLDR date pattern (d day, MMM short month, y year), not words.
        return self._date(day, self.gettext("d MMM y"))

    def month_name(self, year_month: tuple[int, int]) -> str:
        # Translators: a CLDR date pattern for a month on its own (LLLL month, y year), not words.
        return self._date(dt.date(year_month[0], year_month[1], 1), self.gettext("LLLL y"))

    def script_strings(self) -> str:
        """search.js's messages in this language, as JSON for the page ("" in English): each
        message's translation, and plural messages by CLDR plural category, which the browser's
        `Intl.PluralRules` picks."""
        if catalogue(self.language) is None:
            return ""
        samples: dict[str, int] = {}  # a number of each CLDR plural category of the language
        for n in range(0, 200):
            samples.setdefault(self.locale.plural_form(n), n)
        messages: dict = {}
        for message in _script_messages():
            if isinstance(message, tuple):
                messages[message[0]] = {category: self.translations.ngettext(message[0], message[1], n)
                                        for category, n in sorted(samples.items())}
            else:
                messages[message] = self.translations.gettext(message)
        data = {"messages": messages, "digits": "".join(self.number(i) for i in range(10))}
        # Safe inside <script type="application/json">: no "</" can close it.
        return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
