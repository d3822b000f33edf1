"""Content warnings: what deserves an editor's second look but never fails a check or a build.

A story with one source, a source URL that another story cites too, a headline close to another
of the same week, a body still holding the scaffold's TODO. Computed once over all stories:
sources are grouped by URL, and titles are compared only within one ISO week, through an index
of their rarest words, so the cost grows with the number of stories, not with its square.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from fractions import Fraction
from urllib.parse import urlsplit

from .annotations import one_line
from .model import Problem, Story

# Share of title words in common (Jaccard) from which two headlines look alike; a fraction,
# so that the prefix arithmetic below is exact.
SIMILAR_TITLES = Fraction(3, 5)
_WORD = re.compile(r"\w+")
# Words that make two unrelated headlines look alike without saying anything about the news.
_FILLER = frozenset(
    "a an and are as at be by for from has have in into is it its of on or over says said than that the "
    "their this to was were will with".split()
)
# Unicode's Default_Ignorable_Code_Point: characters that change no word a reader sees. Plain text
# refuses most of them, but keeps ZWNJ and ZWJ inside Arabic-script words (typed by some writers,
# left out by others) and variation selectors after emoji: compared without them.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def content_warnings(stories: Iterable[Story]) -> list[Problem]:
    """Every warning about `stories`; each names the story it is in and, for duplicates, the
    earlier story it resembles (the later story carries the warning: it is the one to review)."""
    ordered = sorted(stories, key=lambda s: (s.published, _file(s)))
    return [
        *_single_source(ordered),
        *_shared_source_urls(ordered),
        *_similar_titles(ordered),
    ]


def _file(story: Story) -> str:
    return story.shown_path or story.path


def _warning(story: Story, key: str, message: str, hint: str) -> Problem:
    return Problem(_file(story), story.line_of.get(key, 1), message, hint, severity="warning")


def _single_source(stories: list[Story]) -> Iterator[Problem]:
    for story in stories:
        if len(story.sources) == 1:
            yield _warning(story, "sources", "story has only one source",
                           "add a second, independent source if there is one")


def _url_key(url: str) -> str:
    """The same page whatever the scheme, `www.`, trailing slash or #fragment."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


def _shared_source_urls(stories: list[Story]) -> Iterator[Problem]:
    first_cited_by: dict[str, Story] = {}
    for story in stories:
        seen_here = set()
        for source in story.sources:
            if not source.url:
                continue
            key = _url_key(source.url)
            if key in seen_here:
                continue
            seen_here.add(key)
            earlier = first_cited_by.setdefault(key, story)
            if earlier is not story:
                # one_line: the build logs warnings unescaped, and a URL may hold a line break
                yield _warning(story, "sources", f"source URL {one_line(source.url)} is also cited by {_file(earlier)}",
                               "if both stories report the same news, merge them into one")


def _title_words(title: str) -> frozenset[str]:
    # NFKC and casefold: full-width, ligature and presentation forms, and case, make no new word.
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", _IGNORABLE.sub("", title)).casefold())
    return frozenset(w for w in _WORD.findall(text) if len(w) > 1 and w not in _FILLER)


def _similar_titles(stories: list[Story]) -> Iterator[Problem]:
    weeks: dict[tuple[int, int], list[Story]] = defaultdict(list)
    for story in stories:
        iso = story.edition.isocalendar()
        weeks[(iso.year, iso.week)].append(story)
    for week in sorted(weeks):
        yield from _similar_within(weeks[week])


def _similar_within(stories: list[Story]) -> Iterator[Problem]:
    """Each story against the earlier ones of its week. Prefix filtering: two word sets with a
    Jaccard similarity of at least t share one of the first |x| - ceil(t|x|) + 1 words of each,
    words taken rarest first; only stories sharing such a word are compared at all."""
    words = [_title_words(s.title) for s in stories]
    frequency = Counter(w for ws in words for w in ws)
    index: dict[str, list[int]] = defaultdict(list)  # word -> earlier stories with it in their prefix
    first_with: dict[frozenset[str], int] = {}  # identical word sets: compared once, not pairwise
    for i, ws in enumerate(words):
        if not ws:
            continue
        if ws in first_with:
            best, best_j = Fraction(1), first_with[ws]
        else:
            first_with[ws] = i
            prefix = sorted(ws, key=lambda w: (frequency[w], w))[: len(ws) - math.ceil(SIMILAR_TITLES * len(ws)) + 1]
            best, best_j = Fraction(0), -1
            for j in sorted({j for w in prefix for j in index[w]}):
                similarity = Fraction(len(ws & words[j]), len(ws | words[j]))
                if similarity > best:
                    best, best_j = similarity, j
            for w in prefix:
                index[w].append(i)
        if best >= SIMILAR_TITLES:
            other, shared = stories[best_j], len(ws & words[best_j])
            yield _warning(
                stories[i], "title",
                f"title is close to the title of {_file(other)} of the same week "
                f"({shared} of {len(ws | words[best_j])} words in common)",
                "if both report the same news, merge them into one; otherwise make the headlines distinct",
            )
