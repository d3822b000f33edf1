"""Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the site, every topic and every country;
autodiscovery links and visible subscribe links; identical bytes from two builds."""

from __future__ import annotations

import datetime as dt
import html
import json
from urllib.parse import urljoin

import feedparser
import pytest

from conftest import FEEDS_OPTIONS as OPTIONS, FIXTURES, ROOT, build_site, mkdocs_config
from html_support import parse
from digest.index import build_digest
from digest.loader import load_content

SITE = "https://digest.example.org/"
TRICKY = "Q&A: \"Aid < needs\" for 'Kabul' & Herat"
CYRILLIC_AND_PERSIAN = "Граница: план ОДКБ — مرز تاجیکستان"
QA = "stories/2024/11/qa-aid-needs-kabul-herat/"
BORDER = "stories/2024/11/border-plan/"
RETURNS = "stories/2024/11/returns-from-pakistan/"
OLDER = "stories/2024/11/older-overview/"
DRAFT = "stories/2024/11/draft-iran-deportations/"
# Each feed folder and the stories it must hold, newest first (feed_size 3 cuts the site's four).
EXPECTED = {
    "": [QA, BORDER, RETURNS],
    "topics/refugees/": [QA, RETURNS, OLDER],
    "topics/security/": [BORDER, OLDER],
    "topics/quiet/": [],
    "countries/af/": [QA, BORDER, OLDER],
    "countries/tj/": [BORDER],
    "countries/pk/": [RETURNS, OLDER],
}
XML_FORMATS = {"feed.xml": "rss20", "atom.xml": "atom10"}
FEED_FILES = ("feed.xml", "atom.xml", "feed.json")


@pytest.fixture(scope="module")
def site(feeds_site):
    return feeds_site


def parsed(build, path: str):
    feed = feedparser.parse((build.site / path).read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    return feed


def json_feed(build, path: str) -> dict:
    return json.loads((build.site / path).read_text(encoding="utf-8"))


def rfc3339(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text} has no time zone"
    return moment


def html_text(markup: str) -> tuple[str, list[str]]:
    """The text a reader sees (whitespace collapsed) and the links, of an entry's HTML."""
    document = parse(markup)
    return document.text(), document.hrefs()


def entry(feed, url: str):
    return next(e for e in feed.entries if e.id == SITE + url)


# -- every feed, every format ------------------------------------------------------------------

@pytest.mark.parametrize("folder", EXPECTED)
@pytest.mark.parametrize("name", XML_FORMATS)
def test_each_xml_feed_parses_and_holds_exactly_its_stories_newest_first(site, folder, name):
    feed = parsed(site, folder + name)
    assert feed.version == XML_FORMATS[name]
    assert [e.id for e in feed.entries] == [SITE + url for url in EXPECTED[folder]]
    assert [e.link for e in feed.entries] == [SITE + url for url in EXPECTED[folder]]


@pytest.mark.parametrize("folder", EXPECTED)
def test_each_json_feed_has_the_required_fields_and_exactly_its_stories(site, folder):
    # feedparser 6 does not read JSON Feed: the JSON Feed 1.1 rules are checked here.
    feed = json_feed(site, folder + "feed.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"]
    assert feed["home_page_url"] == SITE + folder
    assert feed["feed_url"] == SITE + folder + "feed.json"
    assert [item["id"] for item in feed["items"]] == [SITE + url for url in EXPECTED[folder]]
    for item in feed["items"]:
        assert item["url"] == item["id"]
        assert item["content_html"] and item["title"] and item["summary"]
        assert rfc3339(item["date_modified"]) >= rfc3339(item["date_published"])


def test_feed_titles_name_their_topic_or_country_and_link_to_themselves(site):
    for folder, title in (("", "The digest"), ("topics/refugees/", "The digest: Refugees & returns"),
                          ("countries/af/", "The digest: Afghanistan")):
        for name in XML_FORMATS:
            feed = parsed(site, folder + name).feed
            assert feed.title == title
            assert feed.link == SITE + folder
            assert {l.href for l in feed.links if l.rel == "self"} == {SITE + folder + name}
        assert json_feed(site, folder + "feed.json")["title"] == title


def test_no_feed_holds_a_draft_and_a_draft_only_country_has_no_feeds(site):
    for path in site.site.rglob("feed.*"):
        assert DRAFT not in path.read_text(encoding="utf-8"), path
    assert not (site.site / "countries/ir").exists()


# -- what an entry carries -------------------------------------------------------------------

def test_contributor_text_round_trips_through_every_format(site):
    summary = "Aid agencies say needs > funds & the gap grows: کابل and هرات in numbers, \"so far\"."
    rss, atom, jsonf = parsed(site, "feed.xml"), parsed(site, "atom.xml"), json_feed(site, "feed.json")
    for feed in (rss, atom):
        assert entry(feed, QA).title == TRICKY
        assert entry(feed, BORDER).title == CYRILLIC_AND_PERSIAN
    assert [i["title"] for i in jsonf["items"][:2]] == [TRICKY, CYRILLIC_AND_PERSIAN]
    assert entry(atom, QA).summary == summary
    assert html.unescape(entry(rss, QA).summary) == summary  # RSS description is HTML
    assert jsonf["items"][0]["summary"] == summary
    assert parsed(site, "topics/refugees/atom.xml").feed.title == "The digest: Refugees & returns"


def test_entries_carry_dates_with_time_zone_categories_and_sources(site):
    published = dt.datetime(2024, 11, 29, 6, 0, tzinfo=dt.timezone.utc)  # 10:30 in Kabul
    updated = dt.datetime(2024, 11, 30, 3, 30, tzinfo=dt.timezone.utc)
    source = "https://news.example.com/report?id=1&lang=en"
    rss, atom = entry(parsed(site, "feed.xml"), QA), entry(parsed(site, "atom.xml"), QA)
    item = json_feed(site, "feed.json")["items"][0]
    for e in (rss, atom):
        assert dt.datetime(*e.published_parsed[:6], tzinfo=dt.timezone.utc) == published
        assert dt.datetime(*e.updated_parsed[:6], tzinfo=dt.timezone.utc) == updated
        text, hrefs = html_text(e.content[0].value)
        assert "Agencies in Kabul and Herat" in text and "alert" not in text
        assert "Sources Ariana & Partners \"News\": Aid < needs: 'a report' (2024-11-28) UNHCR" in text
        assert source in hrefs
    assert [t.term for t in rss.tags] == ["Refugees & returns", "Afghanistan"]
    assert [(t.term, t.label) for t in atom.tags] == [("refugees", "Refugees & returns"), ("af", "Afghanistan")]
    assert [l.href for l in atom.links if l.rel == "related"] == [source]
    assert rfc3339(item["date_published"]) == published and rfc3339(item["date_modified"]) == updated
    assert item["tags"] == ["Refugees & returns", "Afghanistan"]
    assert item["_digest"]["sources"][0] == {
        "name": 'Ariana & Partners "News"', "url": source, "title": "Aid < needs: 'a report'", "date": "2024-11-28"}
    assert html_text(item["content_html"]) == html_text(atom.content[0].value)


def test_links_in_story_bodies_lead_to_the_site_from_a_feed_reader(site):
    # A reader has no base URL and shows many entries on one page: links are absolute, and
    # ids (which would collide) are gone, so footnote links lead to the story page.
    content = json_feed(site, "feed.json")["items"][0]["content_html"]
    _, hrefs = html_text(content)
    assert SITE + BORDER in hrefs and SITE + QA + "#fn:1" in hrefs
    assert " id=" not in content and " class=" not in content


def test_a_feed_is_as_new_as_its_newest_story_and_an_empty_one_takes_source_date_epoch(site):
    assert parsed(site, "atom.xml").feed.updated == "2024-11-30T03:30:00+00:00"
    assert parsed(site, "topics/security/atom.xml").feed.updated == "2024-11-28T00:00:00+00:00"
    assert parsed(site, "topics/quiet/atom.xml").feed.updated == "2024-12-01T00:00:00+00:00"  # conftest's epoch
    assert parsed(site, "topics/quiet/feed.xml").feed.updated == "Sun, 01 Dec 2024 00:00:00 +0000"


def test_two_builds_write_the_same_bytes(site, tmp_path):
    again = build_site(FIXTURES / "feeds", tmp_path, config=mkdocs_config(**OPTIONS))
    assert again.returncode == 0, again.output
    written = sorted(p.relative_to(site.site) for p in site.site.rglob("*") if p.name in (*FEED_FILES, "news-sitemap.xml"))
    assert len(written) == 3 * len(EXPECTED) + 3 + 1  # and the editions feed (tests/test_newsletter.py)
    for path in written:
        assert (again.site / path).read_bytes() == (site.site / path).read_bytes(), path


def test_the_build_fails_with_a_clear_message_without_site_url(tmp_path):
    config = mkdocs_config()
    del config["site_url"]
    build = build_site(FIXTURES / "feeds", tmp_path, config=config)
    assert build.returncode != 0
    assert "set `site_url` in mkdocs.yml" in build.output


# -- autodiscovery and subscribe links ---------------------------------------------------------

class _Head:
    def __init__(self, page: str) -> None:
        document = parse(page)
        self.alternates = [(e.get("type"), e.get("href")) for e in document.iter("link", rel="alternate")
                           if (e.get("type") or "").endswith(("xml", "json"))]  # (type, href)
        self.anchors = [a.get("href") for a in document.iter("a") if a.get("href")]


def head(page: str) -> _Head:
    return _Head(page)


def feed_set(folder: str) -> set[tuple[str, str]]:
    return {("application/rss+xml", SITE + folder + "feed.xml"), ("application/atom+xml", SITE + folder + "atom.xml"),
            ("application/feed+json", SITE + folder + "feed.json")}


@pytest.mark.parametrize("url", ["", QA, "editions/2024-11-29/", "archive/", "topics/", "countries/", "search/", "about/"])
def test_every_page_links_the_site_feeds(site, url):
    assert set(head(site.page(url)).alternates) == feed_set("")


@pytest.mark.parametrize("folder", ["topics/refugees/", "topics/quiet/", "countries/af/"])
def test_topic_and_country_pages_link_and_show_their_own_feeds(site, folder):
    page = head(site.page(folder))
    assert set(page.alternates) == feed_set("") | feed_set(folder)
    # One visible link, to the RSS feed every reader takes; the subscribe page explains the formats.
    shown = {urljoin(SITE + folder, href) for href in page.anchors}
    assert SITE + folder + "feed.xml" in shown and SITE + "subscribe/" in shown
    for _, href in feed_set(folder):
        assert (site.site / href.removeprefix(SITE)).is_file()


# -- the seed digest -----------------------------------------------------------------------------

def test_every_seed_feed_is_read_by_a_feed_parser_with_every_story(seed_build):
    digest = build_digest(load_content(ROOT / "content"))
    folders = {"": digest.stories} | {l.url: l.stories for l in (*digest.topics.values(), *digest.countries.values())}
    assert len(folders) > 10
    for folder, stories in folders.items():
        expected = [SITE + s.url for s in stories[:50]]
        for name, version in XML_FORMATS.items():
            feed = parsed(seed_build, folder + name)
            assert feed.version == version
            assert [e.id for e in feed.entries] == expected, folder + name
        assert [i["id"] for i in json_feed(seed_build, folder + "feed.json")["items"]] == expected
    assert len(parsed(seed_build, "atom.xml").entries) == min(50, len(digest.stories)) > 0


def test_a_moment_in_a_zone_whose_offset_had_seconds_is_written_in_utc():
    """Africa/Monrovia was -00:44:30 until 1972: RFC 3339 and RFC 822 offsets have no seconds."""
    import datetime as dt
    import email.utils
    import zoneinfo

    from digest.formats import rfc3339, rfc822

    moment = dt.datetime(1950, 6, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Monrovia"))
    assert rfc3339(moment) == "1950-06-01T08:44:30+00:00"
    assert email.utils.parsedate_to_datetime(rfc822(moment)) == moment
    kabul = dt.datetime(2024, 11, 29, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kabul"))
    assert rfc3339(kabul) == "2024-11-29T08:00:00+04:30"  # whole minutes: kept as they are
