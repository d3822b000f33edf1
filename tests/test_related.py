"""Related stories: shared topics and countries, rare ones weighing more, closest in time first."""

from __future__ import annotations

import datetime as dt

from digest.index import build_digest
from digest.model import Content, Source, Story, Topic


def story(slug: str, day: int, tags: tuple[str, ...], countries: tuple[str, ...] = ()) -> Story:
    when = dt.datetime(2024, 11, day, tzinfo=dt.timezone.utc)
    return Story(slug=slug, path=f"stories/2024/11/{slug}.md", title=slug, summary="s", published=when,
                 edition=when.date(), tags=tags, countries=countries, sources=(Source("A"),), body_markdown="")


def related_slugs(stories: list[Story], slug: str, count: int = 5) -> list[str]:
    topics = {t: Topic(t, t, t) for s in stories for t in s.tags}
    digest = build_digest(Content(stories, topics, {}, "", []), related_count=count)
    target = next(s for s in stories if s.slug == slug)
    return [s.slug for s in digest.related_to(target)]


def test_a_shared_rare_topic_outranks_a_shared_common_one():
    stories = [story("target", 10, ("news", "narcotics"))]
    stories += [story(f"common-{i}", 1 + i, ("news",)) for i in range(8)]
    stories.append(story("rare", 20, ("narcotics",)))
    assert related_slugs(stories, "target")[0] == "rare"


def test_more_shared_terms_rank_higher_and_ties_go_to_the_nearest_in_time():
    stories = [
        story("target", 15, ("diplomacy",), ("af",)),
        story("both", 2, ("diplomacy",), ("af",)),
        story("near", 14, ("diplomacy",)),
        story("far", 3, ("diplomacy",)),
        story("unrelated", 16, ("sport",)),
    ]
    assert related_slugs(stories, "target") == ["both", "near", "far"]


def test_a_story_is_never_its_own_relation_and_the_count_is_bounded():
    stories = [story(f"s{i}", 1 + i, ("refugees",)) for i in range(20)]
    related = related_slugs(stories, "s10", count=5)
    assert len(related) == 5 and "s10" not in related
    assert related == ["s11", "s9", "s12", "s8", "s13"]  # nearest first; between equals, the newer


# --- each weight decides an order -----------------------------------------------------------------

def test_rarity_beats_nearness_in_time():
    # Without the rare-topic weighting, "near" (one shared common topic, next to the target) and
    # "rare" (one shared rare topic, far away) would tie, and nearness would pick "near".
    stories = [story("target", 10, ("news", "narcotics")), story("near", 11, ("news",)), story("rare", 28, ("narcotics",))]
    stories += [story(f"common-{i}", 1 + i, ("news",)) for i in range(8)]
    stories += [story(f"filler-{i}", 12 + i, ("sport",)) for i in range(15)]
    assert related_slugs(stories, "target", count=2) == ["rare", "near"]


def test_a_shared_country_weighs_less_than_a_shared_topic_as_rare():
    # "country" shares af (in 2 stories), "topic" shares diplomacy (in 2 stories): equally rare,
    # so only the weights differ, and "country" is nearer in time.
    stories = [story("target", 10, ("diplomacy",), ("af",)), story("country", 11, ("sport",), ("af",)),
               story("topic", 20, ("diplomacy",))]
    assert related_slugs(stories, "target") == ["topic", "country"]


def test_two_shared_countries_outweigh_one_shared_topic():
    stories = [story("target", 10, ("diplomacy",), ("af", "pk")), story("countries", 20, ("sport",), ("af", "pk")),
               story("topic", 11, ("diplomacy",))]
    assert related_slugs(stories, "target") == ["countries", "topic"]


def test_related_stories_are_looked_for_thirty_neighbours_each_side():
    stories = [story(f"s{i:02d}", 1, ("refugees",)) for i in range(71)]  # one day: order by slug
    for i, s in enumerate(stories):
        s.published += dt.timedelta(minutes=i)  # s00 oldest ... s70 newest
    related = related_slugs(stories, "s35", count=100)
    assert sorted(related) == [f"s{i:02d}" for i in range(5, 66) if i != 35]
    assert related_slugs(stories, "s70", count=100) == [f"s{i:02d}" for i in range(69, 39, -1)]


def test_related_count_bounds_the_list_and_five_is_the_default():
    stories = [story(f"s{i}", 1 + i, ("refugees",)) for i in range(20)]
    topics = {"refugees": Topic("refugees", "refugees", "refugees")}
    content = Content(stories, topics, {}, "", [])
    assert [len(build_digest(content, related_count=n).related_to(stories[10])) for n in (0, 1, 7)] == [0, 1, 7]
    assert len(build_digest(content).related_to(stories[10])) == 5
    assert build_digest(content, related_count=0).related == {}


def test_a_story_sharing_nothing_has_no_related_stories():
    stories = [story("alone", 5, ("sport",)), story("a", 6, ("refugees",)), story("b", 7, ("refugees",))]
    assert related_slugs(stories, "alone") == []
    assert related_slugs(stories, "a") == ["b"]
