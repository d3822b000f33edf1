"""The digest's indexes, computed once from the stories: editions, topics, countries,
related stories, neighbours in time, archive. Templates and feeds only read them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .countries import country as lookup_country
from .i18n import sort_key
from .model import Content, Country, Story, Term, Topic

TAG_WEIGHT = 1.0
COUNTRY_WEIGHT = 0.6
# Related stories are looked for among this many neighbours in time on each side, per shared
# topic or country: bounded work per story, and a digest's related stories should be recent.
RELATED_WINDOW = 30


@dataclass(slots=True)
class Edition:
    date: dt.date
    stories: list[Story]

    @property
    def url(self) -> str:
        return f"editions/{self.date.isoformat()}/"


TermT = TypeVar("TermT", bound=Term)


@dataclass(slots=True)
class Listing(Generic[TermT]):
    """A topic's or a country's stories, newest first."""

    term: TermT
    stories: list[Story]

    @property
    def key(self) -> str:
        return self.term.key

    @property
    def url(self) -> str:
        return self.term.url

    @property
    def title(self) -> str:
        return self.term.title

    # The kind, for templates: `{% if listing.country %}`, `listing.topic.description`.
    @property
    def topic(self) -> Topic | None:
        return self.term if isinstance(self.term, Topic) else None

    @property
    def country(self) -> Country | None:
        return self.term if isinstance(self.term, Country) else None


@dataclass(slots=True)
class Digest:
    stories: list[Story]  # newest first
    editions: list[Edition]  # newest first
    topics: dict[str, Listing[Topic]]  # every declared topic, even without stories; by title
    countries: dict[str, Listing[Country]]  # only countries with stories; by name
    related: dict[Story, list[Story]] = field(default_factory=dict)
    _chronological: list[Story] = field(default_factory=list)
    _position: dict[Story, int] = field(default_factory=dict)
    _edition_position: dict[dt.date, int] = field(default_factory=dict)

    def terms(self, story: Story) -> list[Term]:
        """The story's topics, then its countries: what its feed entries and its page name it by."""
        topics: list[Term] = [self.topics[tag].term for tag in story.tags if tag in self.topics]
        return topics + [self.countries[code].term for code in story.countries if code in self.countries]

    def related_to(self, story: Story) -> list[Story]:
        return self.related.get(story, [])

    def older(self, story: Story) -> Story | None:
        i = self._position[story]
        return self._chronological[i - 1] if i > 0 else None

    def newer(self, story: Story) -> Story | None:
        i = self._position[story]
        return self._chronological[i + 1] if i + 1 < len(self._chronological) else None

    def neighbours(self, edition: Edition) -> tuple[Edition | None, Edition | None]:
        """(older, newer) editions."""
        i = self._edition_position[edition.date]
        older = self.editions[i + 1] if i + 1 < len(self.editions) else None
        return older, (self.editions[i - 1] if i > 0 else None)

    def archive(self) -> list[tuple[int, list[tuple[int, list[Edition]]]]]:
        """[(year, [(month, editions newest first)])], newest first."""
        years: dict[int, dict[int, list[Edition]]] = defaultdict(lambda: defaultdict(list))
        for edition in self.editions:
            years[edition.date.year][edition.date.month].append(edition)
        return [(y, list(months.items())) for y, months in years.items()]


def _newest_first(story: Story) -> tuple:
    return (-story.published.timestamp(), story.slug)


@dataclass
class RelatedCache:
    """Related stories of an earlier build, by slug, and what they were computed from: reused
    while no story's date, slug, topics or countries change (a body or title edit, say)."""

    skeleton: tuple = ()
    slugs: dict[str, list[str]] = field(default_factory=dict)


def build_digest(content: Content, related_count: int = 5, cache: RelatedCache | None = None,
                 language: str = "en") -> Digest:
    """`language` names the countries (CLDR, through countries.py)."""
    stories = sorted(content.stories, key=_newest_first)
    by_date: dict[dt.date, list[Story]] = defaultdict(list)
    topic_stories: dict[str, list[Story]] = defaultdict(list)
    country_stories: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_date[story.edition].append(story)
        for tag in story.tags:
            topic_stories[tag].append(story)
        for code in story.countries:
            country_stories[code].append(story)
    editions = [
        Edition(day, sorted(day_stories, key=lambda s: (s.weight, *_newest_first(s))))
        for day, day_stories in sorted(by_date.items(), reverse=True)
    ]
    alphabetical = sort_key(language)  # the language's alphabetical order (Dari: پ after ب, not after ی)
    topics = {
        tag: Listing(topic, topic_stories.get(tag, []))
        for tag, topic in sorted(content.topics.items(), key=lambda item: alphabetical(item[1].title))
    }
    countries: dict[str, Listing[Country]] = {}
    for code in sorted(country_stories, key=lambda c: alphabetical(lookup_country(c, language).name)):
        found = lookup_country(code, language)
        intro = content.country_intros.get(code, "")
        countries[code] = Listing(Country(found.code, found.name, found.flag, intro), country_stories[code])
    chronological = stories[::-1]
    digest = Digest(
        stories, editions, topics, countries,
        _chronological=chronological,
        _position={s: i for i, s in enumerate(chronological)},
        _edition_position={e.date: i for i, e in enumerate(editions)},
    )
    skeleton = (related_count, [(s.slug, s.published, s.tags, s.countries) for s in chronological])
    if cache is not None and cache.skeleton == skeleton:
        by_slug = {s.slug: s for s in chronological}
        digest.related = {by_slug[slug]: [by_slug[r] for r in found] for slug, found in cache.slugs.items()}
    else:
        digest.related = _related(chronological, topic_stories, country_stories, related_count)
        if cache is not None:
            cache.skeleton = skeleton
            cache.slugs = {s.slug: [r.slug for r in found] for s, found in digest.related.items()}
    return digest


def _related(chronological: list[Story], topic_stories: dict[str, list[Story]],
             country_stories: dict[str, list[Story]], count: int) -> dict[Story, list[Story]]:
    """Up to `count` related stories each, through an inverted index (term -> stories in time
    order): shared rare terms weigh more (idf), ties go to the story closest in time."""
    if count <= 0:
        return {}
    position = {s: i for i, s in enumerate(chronological)}
    total = len(chronological)
    postings: dict[tuple[str, str], tuple[list[int], float]] = {}
    for kind, index, weight in (("tag", topic_stories, TAG_WEIGHT), ("cc", country_stories, COUNTRY_WEIGHT)):
        for term, members in index.items():
            positions = sorted(position[s] for s in members)
            postings[(kind, term)] = (positions, weight * math.log(1 + total / len(positions)))
    related: dict[Story, list[Story]] = {}
    for i, story in enumerate(chronological):
        scores: dict[int, float] = defaultdict(float)
        terms = [("tag", t) for t in story.tags] + [("cc", c) for c in story.countries]
        for term in terms:
            positions, weight = postings[term]
            at = bisect_left(positions, i)
            for j in positions[max(0, at - RELATED_WINDOW): at + RELATED_WINDOW + 1]:
                if j != i:
                    scores[j] += weight
        best = heapq.nsmallest(count, [(-score, abs(j - i), -j) for j, score in scores.items()])
        related[story] = [chronological[-minus_j] for _, _, minus_j in best]
    return related
