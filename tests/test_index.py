"""The digest's indexes, computed in-process: editions, topic and country listings, neighbours in
time, the archive, and related stories reused from an earlier build only while still right."""

from __future__ import annotations

import datetime as dt

from digest.index import RelatedCache, build_digest
from digest.model import Content, Source, Story, Topic

UTC = dt.timezone.utc


def story(slug: str, when: dt.datetime, tags=("refugees",), countries=(), weight: int = 0) -> Story:
    return Story(slug=slug, path=f"stories/{when:%Y/%m}/{slug}.md", title=slug, summary="s", published=when,
                 edition=when.date(), tags=tuple(tags), countries=tuple(countries), sources=(Source("A"),),
                 body_markdown="", weight=weight)


TOPICS = {"refugees": Topic("refugees", "refugees", "R"), "borders": Topic("borders", "Borders", "B"),
          "aid": Topic("aid", "Aid", "A")}


def digest_of(stories, **options):
    return build_digest(Content(stories, TOPICS, {"pk": "Pakistan's intro."}, "", []), **options)


def at(day: int, hour: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=UTC)


STORIES = [
    story("b-same-moment", at(29, 8)), story("a-same-moment", at(29, 8)), story("heavy-first", at(29, 7), weight=-1),
    story("evening", at(29, 20), countries=("pk", "af")), story("earlier-day", at(27), countries=("af",)),
    story("last-month", at(30, month=10), tags=("borders",)), story("last-year", dt.datetime(2023, 12, 31, tzinfo=UTC)),
]


def test_stories_are_newest_first_and_a_tie_goes_by_slug():
    assert [s.slug for s in digest_of(STORIES).stories] == [
        "evening", "a-same-moment", "b-same-moment", "heavy-first", "earlier-day", "last-month", "last-year"]


def test_an_edition_orders_its_stories_by_weight_then_newest_first():
    digest = digest_of(STORIES)
    assert [(e.date.isoformat(), e.url) for e in digest.editions][:2] == [
        ("2024-11-29", "editions/2024-11-29/"), ("2024-11-27", "editions/2024-11-27/")]
    assert [s.slug for s in digest.editions[0].stories] == ["heavy-first", "evening", "a-same-moment", "b-same-moment"]


def test_every_declared_topic_is_listed_by_title_and_countries_only_with_stories_by_name():
    digest = digest_of(STORIES)
    assert list(digest.topics) == ["aid", "borders", "refugees"]  # Aid, Borders, refugees (case set aside)
    assert digest.topics["aid"].stories == []
    assert [s.slug for s in digest.topics["borders"].stories] == ["last-month"]
    refugees = digest.topics["refugees"]
    assert (refugees.url, refugees.title, refugees.key) == ("topics/refugees/", "refugees", "refugees")
    assert list(digest.countries) == ["af", "pk"]  # Afghanistan, Pakistan
    pakistan = digest.countries["pk"]
    assert (pakistan.url, pakistan.title, pakistan.country.name, pakistan.country.flag) == (
        "countries/pk/", "Pakistan", "Pakistan", "\U0001F1F5\U0001F1F0")
    assert pakistan.country.intro_markdown == "Pakistan's intro." and digest.countries["af"].country.intro_markdown == ""
    assert [s.slug for s in digest.countries["af"].stories] == ["evening", "earlier-day"]


def test_a_topic_and_a_country_listing_answer_through_one_term():
    digest = digest_of(STORIES)
    listings = [digest.topics["borders"], digest.countries["pk"]]
    assert [(x.term.key, x.term.title, x.term.url, x.term.index_url, x.term.intro_markdown) for x in listings] == [
        ("borders", "Borders", "topics/borders/", "topics/", ""),
        ("pk", "Pakistan", "countries/pk/", "countries/", "Pakistan's intro.")]
    assert [(x.key, x.title, x.url) for x in listings] == [(x.term.key, x.term.title, x.term.url) for x in listings]
    # The kind, as the templates ask for it.
    assert (listings[0].topic, listings[0].country, listings[1].topic) == (TOPICS["borders"], None, None)
    assert listings[1].country is listings[1].term


def test_a_story_is_named_by_its_topics_then_its_countries_and_only_those_the_site_lists():
    evening = story("evening", at(29, 20), tags=("refugees", "aid", "unknown"), countries=("pk", "af"))
    digest = digest_of([evening])
    assert [term.title for term in digest.terms(evening)] == ["refugees", "Aid", "Pakistan", "Afghanistan"]
    assert [term.index_url for term in digest.terms(evening)] == ["topics/", "topics/", "countries/", "countries/"]


def test_two_stories_with_the_same_fields_stay_two_keys():
    # Story compares by identity (eq=False): dictionaries keyed on stories never hash a body, and
    # two files that happen to say the same thing are still two stories.
    first = story("twin", at(29))
    second = story("twin", at(29))
    digest = digest_of([first, second])
    assert first != second
    assert digest.related_to(first) == [second] and digest.related_to(second) == [first]


def test_older_and_newer_stories_follow_time_across_editions():
    digest = digest_of(STORIES)
    by_slug = {s.slug: s for s in STORIES}
    assert digest.older(by_slug["last-year"]) is None and digest.newer(by_slug["evening"]) is None
    assert digest.older(by_slug["evening"]).slug == "a-same-moment"
    assert digest.newer(by_slug["last-year"]).slug == "last-month"
    assert digest.newer(by_slug["earlier-day"]).slug == "heavy-first"


def test_edition_neighbours_and_the_archive_by_year_and_month():
    digest = digest_of(STORIES)
    newest, middle, *_, oldest = digest.editions
    assert digest.neighbours(newest) == (middle, None)
    assert digest.neighbours(middle) == (digest.editions[2], newest)
    assert digest.neighbours(oldest) == (None, digest.editions[-2])
    archive = [(year, [(month, [e.date.day for e in editions]) for month, editions in months])
               for year, months in digest.archive()]
    assert archive == [(2024, [(11, [29, 27]), (10, [30])]), (2023, [(12, [31])])]


def test_related_stories_are_reused_while_what_they_come_from_is_unchanged():
    cache = RelatedCache()
    first = digest_of(STORIES, cache=cache)
    expected = {s.slug: [r.slug for r in first.related_to(s)] for s in first.stories}
    assert cache.slugs == expected and cache.skeleton
    again = digest_of(STORIES, cache=cache)
    assert {s.slug: [r.slug for r in again.related_to(s)] for s in again.stories} == expected
    # a new story changes what the others are related to: computed again, and remembered
    newer = [*STORIES, story("newest", at(30), countries=("af",))]
    third = digest_of(newer, cache=cache)
    assert [r.slug for r in third.related_to(newer[-1])][:1] == ["evening"]
    assert "newest" in cache.slugs
    # a different related_count is a different skeleton
    assert all(len(r) <= 1 for r in digest_of(newer, cache=cache, related_count=1).related.values())


def test_listings_are_ordered_by_what_readers_read_not_by_slug_or_code():
    topics = {"zz-first": Topic("zz-first", "alpha", "A"), "aa-last": Topic("aa-last", "Zulu", "Z"),
              "mm": Topic("mm", "Mike", "M")}
    stories = [story("s", at(29), tags=("mm",), countries=("de", "fr", "ci"))]
    digest = build_digest(Content(stories, topics, {}, "", []))
    assert list(digest.topics) == ["zz-first", "mm", "aa-last"]  # alpha, Mike, Zulu
    assert [(c, digest.countries[c].title) for c in digest.countries] == [
        ("ci", "Côte d’Ivoire"), ("fr", "France"), ("de", "Germany")]
