"""Story metadata for search engines and link previews: NewsArticle JSON-LD, OpenGraph, Twitter
cards and one canonical link, with every value escaped."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from html_support import parse

SITE = "https://digest.example.org/"
TRICKY = "Q&A: \"Aid < needs\" for 'Kabul' & Herat"
SUMMARY = "Aid agencies say needs > funds & the gap grows: کابل and هرات in numbers, \"so far\"."
QA = "stories/2024/11/qa-aid-needs-kabul-herat/"


class _Head:
    """What a page's head says to search engines and link previews."""

    def __init__(self, page: str) -> None:
        document = parse(page)
        self.document = document
        self.canonical = [e.get("href") for e in document.iter("link", rel="canonical")]
        self.json_ld = [e.raw_text() for e in document.iter("script", type="application/ld+json")]

    def values(self, key: str) -> list[str | None]:
        return self.document.meta(key)

    def value(self, key: str) -> str | None:
        (found,) = self.values(key)
        return found


def head(page: str) -> _Head:
    return _Head(page)


@pytest.fixture(scope="module")
def site(feeds_site):
    return feeds_site


@pytest.fixture(scope="module")
def story(site) -> _Head:
    return head(site.page(QA))


def test_a_story_has_news_article_json_ld_with_its_facts(story):
    (raw,) = story.json_ld
    article = json.loads(raw)
    url = SITE + QA
    assert article["@context"] == "https://schema.org" and article["@type"] == "NewsArticle"
    assert article["headline"] == TRICKY
    assert article["description"] == SUMMARY
    assert dt.datetime.fromisoformat(article["datePublished"]) == dt.datetime(2024, 11, 29, 6, 0, tzinfo=dt.timezone.utc)
    assert dt.datetime.fromisoformat(article["dateModified"]) == dt.datetime(2024, 11, 30, 3, 30, tzinfo=dt.timezone.utc)
    assert article["url"] == url and article["mainEntityOfPage"]["@id"] == url
    assert article["keywords"] == ["Refugees & returns", "Afghanistan"]
    assert article["publisher"]["name"] == "The Digest & Co"
    assert [(s.get("url"), s["publisher"]["name"]) for s in article["isBasedOn"]] == [
        ("https://news.example.com/report?id=1&lang=en", 'Ariana & Partners "News"'), (None, "UNHCR")]


def test_json_ld_cannot_close_its_script_element(story):
    (raw,) = story.json_ld
    assert not set("<>&") & set(raw)
    assert "\\u0026" in raw and "\\u003c" in raw


def test_a_story_has_opengraph_and_twitter_card_tags(story):
    assert story.value("og:type") == "article"
    assert story.value("og:title") == TRICKY
    assert story.value("og:description") == SUMMARY
    assert story.value("og:url") == SITE + QA
    assert dt.datetime.fromisoformat(story.value("article:published_time")) == dt.datetime(
        2024, 11, 29, 6, 0, tzinfo=dt.timezone.utc)
    assert story.values("article:tag") == ["Refugees & returns", "Afghanistan"]
    assert story.value("twitter:card") == "summary"
    assert story.value("twitter:title") == TRICKY


def test_a_story_has_exactly_one_canonical_link(story):
    assert story.canonical == [SITE + QA]


def test_other_pages_are_not_articles(site):
    home = head(site.page(""))
    assert home.json_ld == []
    assert home.value("og:type") == "website"
    assert home.value("og:url") == SITE
    assert head(site.page("topics/refugees/")).value("og:title") == "Refugees & returns"


def test_every_seed_story_carries_news_article_and_opengraph(seed_build):
    pages = sorted((seed_build.site / "stories").rglob("index.html"))
    assert pages
    for path in pages:
        page = head(path.read_text(encoding="utf-8"))
        (raw,) = page.json_ld
        article = json.loads(raw)
        url = SITE + path.parent.relative_to(seed_build.site).as_posix() + "/"
        assert article["@type"] == "NewsArticle" and article["url"] == url, path
        assert article["headline"] == page.value("og:title")
        assert page.value("og:type") == "article" and page.value("og:url") == url == page.canonical[0]
