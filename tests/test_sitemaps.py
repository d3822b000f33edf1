"""Sitemaps: MkDocs' sitemap.xml lists every published page and no draft; /news-sitemap.xml
follows the Google News format with the stories of the last two days."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from digest.model import Source, Story
from digest.sitemaps import NEWS_LIMIT, news_stories

SITE = "https://digest.example.org/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
TRICKY = "Q&A: \"Aid < needs\" for 'Kabul' & Herat"
STORIES = ["qa-aid-needs-kabul-herat", "border-plan", "returns-from-pakistan", "older-overview"]
DRAFT = "draft-iran-deportations"


@pytest.fixture(scope="module")
def site(feeds_site):
    return feeds_site


def news_entries(build) -> list[dict]:
    root = ET.parse(build.site / "news-sitemap.xml").getroot()
    assert root.tag == SM + "urlset"
    return [{
        "loc": url.findtext(SM + "loc"),
        "name": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name"),
        "language": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language"),
        "date": dt.datetime.fromisoformat(url.findtext(f"{NEWS}news/{NEWS}publication_date")),
        "title": url.findtext(f"{NEWS}news/{NEWS}title"),
    } for url in root.findall(SM + "url")]


def test_the_sitemap_lists_every_published_story_and_no_draft(site):
    root = ET.parse(site.site / "sitemap.xml").getroot()
    locations = {url.findtext(SM + "loc") for url in root.findall(SM + "url")}
    assert {SITE + f"stories/2024/11/{slug}/" for slug in STORIES} <= locations
    assert not any(DRAFT in loc or "/countries/ir/" in loc for loc in locations)


def test_the_news_sitemap_holds_the_last_two_days_of_stories_relative_to_the_newest(site):
    # Newest: 29 Nov 06:00 UTC; the 28 Nov story is within two days, the 25 Nov one is not,
    # and the draft of 30 Nov does not move the window.
    entries = news_entries(site)
    assert [e["loc"] for e in entries] == [SITE + "stories/2024/11/qa-aid-needs-kabul-herat/",
                                          SITE + "stories/2024/11/border-plan/"]
    assert entries[0]["title"] == TRICKY
    assert entries[0]["date"] == dt.datetime(2024, 11, 29, 6, 0, tzinfo=dt.timezone.utc)
    assert {(e["name"], e["language"]) for e in entries} == {("The Digest & Co", "en")}


def test_the_seed_news_sitemap_is_valid_xml_in_the_google_news_namespace(seed_build):
    entries = news_entries(seed_build)
    assert entries
    newest = max(e["date"] for e in entries)
    assert all(newest - e["date"] < dt.timedelta(days=2) for e in entries)
    assert {(e["name"], e["language"]) for e in entries} == {("The digest", "en")}
    assert all(e["title"] and e["loc"].startswith(SITE + "stories/") for e in entries)


def test_the_news_sitemap_holds_at_most_1000_stories_newest_first():
    start = dt.datetime(2024, 11, 29, tzinfo=dt.timezone.utc)
    stories = [
        Story(slug=f"s{i}", path=f"stories/2024/11/s{i}.md", title=f"Story {i}", summary="s",
              published=start - dt.timedelta(seconds=60 * i), edition=start.date(), tags=("t",),
              countries=(), sources=(Source("x"),), body_markdown="")
        for i in range(1500)
    ]
    chosen = news_stories(stories[::-1])
    assert len(chosen) == NEWS_LIMIT
    assert [s.slug for s in chosen] == [f"s{i}" for i in range(NEWS_LIMIT)]
