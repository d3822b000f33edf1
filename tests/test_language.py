"""The site's language: every interface string from one catalogue per language, dates and
country names from CLDR, lang and dir on the page, the layout's tab for the page's section, the
footer and the subscribe page; a Dari (fa-AF, right-to-left) site built end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urljoin

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import FIXTURES, ROOT, build_site, mkdocs_config
from digest import i18n
from html_support import parse

PACKAGE = ROOT / "site_plugins" / "digest"
STORY = "stories/2024/11/security-story-7/"  # fixtures/site: about Afghanistan


def _extracted() -> set:
    """Every message in the code, found as `make messages` finds it (with locales/babel.cfg)."""
    with (PACKAGE / "locales" / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map,
                                                 directory_filter=_package_folders):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _package_folders(dirpath: str) -> bool:
    """Walk only what leads to the package (not the tests' sites, .venv or site/)."""
    relative = Path(os.path.relpath(dirpath, ROOT)).as_posix()
    return "site_plugins/digest/".startswith(relative + "/") or relative.startswith("site_plugins/digest/")


def _catalogue(path: Path) -> dict:
    with path.open("rb") as po:
        catalog = read_po(po)
    return {message.id: message for message in catalog if message.id}


# -- the catalogues ---------------------------------------------------------------------------------

def test_the_template_catalogue_holds_every_message_in_the_code():
    """`make messages` was run after the last change of wording (so translators see it)."""
    assert _extracted() == set(_catalogue(PACKAGE / "locales" / "digest.pot"))


@pytest.mark.parametrize("po", sorted((PACKAGE / "locales").glob("*/LC_MESSAGES/digest.po")), ids=lambda p: p.parts[-3])
def test_every_message_is_translated_in_every_shipped_language(po):
    messages = _catalogue(po)
    assert set(messages) == _extracted()
    for key, message in messages.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, key
        wanted = set(re.findall(r"%\((\w+)\)s", key if isinstance(key, str) else key[1]))
        assert all(set(re.findall(r"%\((\w+)\)s", s)) == wanted for s in strings), key


# -- words, dates and numbers -----------------------------------------------------------------------

def test_english_dates_read_as_before():
    words = i18n.Words("en")
    assert words.long_date(dt.date(2024, 11, 29)) == "Friday 29 November 2024"
    assert words.short_date(dt.date(2024, 9, 3)) == "3 Sep 2024"
    assert words.month_name((2024, 3)) == "March 2024"
    assert words.ngettext("%(num)s story", "%(num)s stories", 1) == "1 story"
    assert words.script_strings() == ""  # English pages carry no translations for search.js


def test_dari_dates_months_and_digits_come_from_cldr():
    words = i18n.Words("fa-AF")
    # CLDR's Gregorian calendar with Dari month names (نومبر, not Iranian نوامبر), in the
    # Extended Arabic-Indic digits that are fa-AF's default numbering system.
    assert words.long_date(dt.date(2024, 11, 29)) == "جمعه ۲۹ نومبر ۲۰۲۴"
    assert words.month_name((2024, 3)) == "مارچ ۲۰۲۴"
    assert words.ngettext("%(num)s story", "%(num)s stories", 3) == "۳ خبر"
    assert i18n.direction("fa-AF") == "rtl" and i18n.direction("en") == "ltr"


def test_search_script_strings_cover_its_messages_and_plural_categories():
    data = json.loads(i18n.Words("fa-AF").script_strings())
    assert data["digits"] == "۰۱۲۳۴۵۶۷۸۹"
    assert data["messages"]["Show fewer"] == "نمایش کمتر"
    assert data["messages"]["%(num)s story%(what)s"] == {"one": "%(num)s خبر%(what)s", "other": "%(num)s خبر%(what)s"}
    assert set(data["messages"]) == {m if isinstance(m, str) else m[0] for m in i18n._script_messages()}


def test_dari_names_sort_in_the_dari_alphabet_not_in_unicode_order():
    names = ["یمن", "چین", "پاکستان", "سویدن", "آلمان", "افغانستان", "کانادا", "گرجستان", "بنگله\u200cدیش", "ژاپن"]
    # Unicode puts the Persian letters پ چ ژ ک گ ی after every Arabic one; آ is a letter before ا.
    assert sorted(names, key=i18n.sort_key("fa-AF")) == [
        "آلمان", "افغانستان", "بنگله\u200cدیش", "پاکستان", "چین", "ژاپن", "سویدن", "کانادا", "گرجستان", "یمن"]
    # Arabic letter forms and diacritics sort as the Persian letters they are read as.
    assert sorted(["كابل", "کابل", "کابلِ", "کاپیسا"], key=i18n.sort_key("fa")) == ["كابل", "کابل", "کابلِ", "کاپیسا"]
    assert sorted(["kosovo", "Zambia", "Chad"], key=i18n.sort_key("en")) == ["Chad", "kosovo", "Zambia"]


def test_list_separators_are_cldr_s():
    assert i18n.Words("fa-AF").list_separator() == "\u060c\u200f "  # Arabic comma, right-to-left mark
    assert i18n.Words("en").list_separator() == ", "


def test_an_unknown_language_falls_back_to_english_words():
    words = i18n.Words("xx-YY")
    assert words.gettext("Sources") == "Sources" and words.long_date(dt.date(2024, 1, 5)) == "Friday 5 January 2024"


# -- an English site --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(fixture_build):
    build = fixture_build("site", page_size=3)
    assert build.returncode == 0, build.output
    return build


def _links_to(page: str, target: str) -> int:
    return sum(1 for a in parse(page).iter("a") if (a.get("href") or "").endswith(target))


@pytest.mark.parametrize("url", ["", STORY, "topics/refugees/", "countries/af/", "archive/", "search/", "about/",
                                 "editions/2024-11-27/", "subscribe/"])
def test_every_page_has_one_subscribe_link_and_a_footer_with_publisher_about_and_licence(site, url):
    page = site.page(url)
    assert _links_to(page, "subscribe/") == 1
    footer = next(parse(page).iter("div", class_="dg-footer"))
    assert footer.text().startswith("The digest · About · Subscribe © The digest. All rights reserved.")
    base = "https://digest.example.org/" + url
    assert [urljoin(base, a.get("href")) for a in footer.iter("a")][:2] == [
        "https://digest.example.org/about/", "https://digest.example.org/subscribe/"]


def test_the_subscribe_page_explains_feeds_with_the_three_formats(site):
    page = parse(site.page("subscribe/"))
    main = next(page.iter("article"))
    links = {a.text(): a.get("href") for a in main.iter("a")}
    assert links["RSS"] == "../feed.xml" and links["Atom"] == "../atom.xml" and links["JSON Feed"] == "../feed.json"
    assert links["topic"] == "../topics/" and links["country"] == "../countries/"
    # The email edition is on by default: the page points to the editions feed for email services.
    assert "feed reader" in main.text() and "By email" in main.text()
    assert links["the editions feed"] == "../editions/feed.xml"


def test_the_home_page_words(site):
    header = next(parse(site.page("")).iter("header", class_="dg-page-header"))
    assert header.text() == "Latest edition Saturday 30 November 2024 1 story · Link to this edition"


def test_a_licence_in_extra_is_linked_in_the_footer(tmp_path):
    config = mkdocs_config()
    config["extra"] = {"licence": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}}
    build = build_site(FIXTURES / "site", tmp_path, config=config)
    assert build.returncode == 0, build.output
    footer = next(parse(build.page("")).iter("div", class_="dg-footer"))
    assert "© The digest. Published under CC BY 4.0." in footer.text()
    licence = [a for a in footer.iter("a") if a.get("rel") == "license"]
    assert [a.get("href") for a in licence] == ["https://creativecommons.org/licenses/by/4.0/"]


def _active_tab(page: str) -> list[str]:
    return [item.text() for item in parse(page).iter("li", class_="md-tabs__item--active")]


@pytest.mark.parametrize(("url", "tab"), [(STORY, "Home"), ("topics/refugees/", "Topics"), ("countries/af/", "Countries"),
                                          ("archive/2024/11/", "Archive"), ("editions/2024-11-27/", "Archive")])
def test_the_tab_of_the_page_section_is_shown_as_current(site, url, tab):
    assert _active_tab(site.page(url)) == [tab]


def test_pages_in_no_section_light_no_tab_and_tabs_of_sections_light_their_own(site):
    assert _active_tab(site.page("search/")) == [] and _active_tab(site.page("subscribe/")) == []
    assert _active_tab(site.page("topics/")) == ["Topics"]


# -- a Dari site ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dari(tmp_path_factory):
    config = mkdocs_config(page_size=3)
    config["theme"]["language"] = "fa-AF"
    return build_site(FIXTURES / "site", tmp_path_factory.mktemp("dari"), config=config)


def test_a_dari_site_reads_right_to_left_with_dari_words_dates_and_country_names(dari):
    assert dari.returncode == 0, dari.output
    home = parse(dari.page(""))
    html = next(home.iter("html"))
    assert html.get("lang") == "fa-AF" and next(home.iter("body")).get("dir") == "rtl"
    header = next(home.iter("header", class_="dg-page-header"))
    assert header.text() == "تازه‌ترین شماره شنبه ۳۰ نومبر ۲۰۲۴ ۱ خبر · پیوند این شماره"
    assert [t.text() for t in home.iter("a", class_="md-tabs__link")][:4] == ["خانه", "موضوع‌ها", "کشورها", "آرشیف"]
    footer = next(home.iter("div", class_="dg-footer"))
    assert "اشتراک" in footer.text() and "همهٔ حقوق محفوظ است" in footer.text()
    story = parse(dari.page(STORY))
    assert next(story.iter("p", class_="dg-kicker")).text() == "چهارشنبه ۲۷ نومبر ۲۰۲۴ · 🇦🇫 افغانستان"
    assert next(story.iter("h2", id="dg-sources-heading")).text() == "منابع"
    assert _active_tab(dari.page(STORY)) == ["خانه"]
    strings = json.loads(next(s for s in home.iter("script") if "data-dg-strings" in s.attrs).raw_text())
    assert strings["messages"]["Type to search every story"] == "برای جستجو در همهٔ خبرها بنویسید"
    assert "<language>fa-AF</language>" in (dari.site / "feed.xml").read_text(encoding="utf-8")
    # The English interface is gone from every page kind (story text stays as its authors wrote it).
    for url in ("", STORY, "topics/refugees/", "archive/", "archive/2024/11/", "subscribe/", "search/"):
        main = next(parse(dari.page(url)).iter("article")).text()
        for english in ("Latest edition", "Sources", "Related stories", "Subscribe", "stories", "Archive", "Topic",
                        "Search every story", "Previous", "Next"):
            assert english not in main, (url, english)


def test_pagefind_indexes_the_dari_site_in_its_language(dari):
    assert dari.returncode == 0, dari.output
    entries = [json.loads(p.read_text()) for p in (dari.site / "pagefind").rglob("pagefind-entry.json")]
    assert entries and all(set(entry["languages"]) == {"fa-AF"} for entry in entries), entries


def test_the_dari_site_emails_its_editions_in_dari(dari):
    assert dari.returncode == 0, dari.output
    emails = sorted((dari.site / "editions").glob("*/email.eml"))
    assert emails
    newest = emails[-1].parent  # fixtures/site: the newest edition is of Saturday 30 November 2024
    message = message_from_bytes(emails[-1].read_bytes(), policy=policy.default)
    assert message["Subject"] == "The digest — شنبه ۳۰ نومبر ۲۰۲۴" and message["Content-Language"] == "fa-AF"
    html = parse((newest / "email.html").read_text(encoding="utf-8"))
    assert next(html.iter("html")).get("dir") == "rtl" and next(html.iter("table")).get("dir") == "rtl"
    assert next(html.iter("p", class_="dateline")).text() == "شنبه ۳۰ نومبر ۲۰۲۴ · ۱ خبر"
    assert [a.text() for a in html.iter("a")][-3:] == ["ادامهٔ خبر", "این شماره را در وب‌سایت بخوانید", "لغو اشتراک"]
    text = (newest / "email.txt").read_text(encoding="utf-8")
    assert "شنبه ۳۰ نومبر ۲۰۲۴ · ۱ خبر" in text and "\nپیوندها:\n[1] https://" in text
    assert not re.search(r"Read more|Unsubscribe|Links|1 story|Saturday|November", text + html.text())
    editions = (dari.site / "editions" / "feed.xml").read_text(encoding="utf-8")
    assert "<title>The digest: شماره‌ها</title>" in editions
    assert "<title>The digest — شنبه ۳۰ نومبر ۲۰۲۴</title>" in editions


def test_the_dari_countries_page_lists_countries_in_dari_alphabetical_order(dari):
    assert dari.returncode == 0, dari.output
    main = next(parse(dari.page("countries/")).iter("article"))
    names = [tile.text() for tile in main.iter("strong")]
    assert names == ["افغانستان", "پاکستان", "سویدن", "ناروی"]  # Unicode order would put پاکستان last


def test_a_dari_story_separates_its_countries_with_the_arabic_comma(dari):
    kicker = next(parse(dari.page("stories/2024/11/norway-and-sweden-agree/")).iter("p", class_="dg-kicker"))
    assert kicker.text() == "چهارشنبه ۲۷ نومبر ۲۰۲۴ · 🇳🇴 ناروی،\u200f 🇸🇪 سویدن"


def test_labels_that_only_screen_readers_say_are_in_dari_too(dari):
    assert dari.returncode == 0, dari.output
    # mkdocs.yml's own words (the site's name, the palette toggle's names) are the site's to translate;
    # the head's feed links are named by format (RSS, Atom, JSON Feed), as everywhere.
    config = {"The digest", "Switch to dark mode", "Switch to light mode"}
    for url in ("", STORY, "topics/refugees/", "countries/", "archive/2024/11/", "search/", "subscribe/"):
        for element in next(parse(dari.page(url)).iter("body")).iter():
            for name in ("aria-label", "title", "placeholder", "alt"):
                value = element.get(name) or ""
                # Dari words around a name written in English ("صفحه‌های Refugees") are fine.
                assert value in config or re.search("[\u0600-\u06ff]", value) or not re.search("[A-Za-z]{3}", value), \
                    (url, name, value)


def test_an_english_story_on_the_dari_site_keeps_its_own_direction(dari):
    story = parse(dari.page(STORY))
    # dir="auto": the browser takes the direction from the story's first letters (English: left to
    # right), for its lists and quotes too, which CSS unicode-bidi alone leaves right to left.
    assert next(story.iter("div", class_="dg-body")).get("dir") == "auto"
    assert [li.get("dir") for li in next(story.iter("section", class_="dg-sources")).iter("li")] == ["auto"]
