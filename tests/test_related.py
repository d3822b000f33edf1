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
