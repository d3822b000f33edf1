"""Content warnings across the whole content: one source only, a source URL cited by two
stories, near-identical headlines in one week. Each names both files; none fails a check."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest

from digest.lint import SIMILAR_TITLES, content_warnings
from digest.loader import load_content

from conftest import FIXTURES
from synthetic_stories import synthetic

ROOT = "tests/fixtures/contrib_duplicates"
P = ROOT + "/stories/2024/11/"


@pytest.fixture(scope="module")
def duplicates():
    return load_content(FIXTURES / "contrib_duplicates", shown_root=ROOT)


@pytest.fixture(scope="module")
def warnings(duplicates):
    return [str(w) for w in duplicates.warnings]


def test_warnings_are_not_errors(duplicates):
    assert duplicates.errors == []
    assert len(duplicates.stories) == 6


def test_a_source_url_cited_by_two_stories_names_both_files(warnings):
    # same page, written differently: http/https, www., trailing slash, #fragment
    assert (P + "pakistan-extends-deadline-for-afghans.md:8: note: source URL http://dawn.com/news/1877001/#top "
            "is also cited by " + P + "dawn-tallies-afghan-returns.md") in "\n".join(warnings)


def test_a_close_title_in_the_same_week_names_both_files(warnings):
    (similar,) = [w for w in warnings if "title is close" in w]
    assert similar.startswith(P + "islamabad-deadline-extended-again.md:2: note: title is close to the title of "
                              + P + "pakistan-extends-deadline-for-afghans.md of the same week (7 of 8 words")


def test_the_same_title_in_another_week_is_not_flagged(warnings):
    assert not any("pakistan-extends-deadline-once-more.md" in w for w in warnings)


def test_a_story_with_one_source_is_flagged_at_its_sources_line(warnings):
    assert P + "iran-deports-migrants.md:8: note: story has only one source (hint: add a second" in "\n".join(warnings)


def test_nothing_else_is_flagged(warnings):
    # stories of the same week on the same subject, with different sources, are not duplicates
    assert len(warnings) == 3, warnings


def test_stories_with_their_own_sources_and_headlines_raise_no_warning():
    assert load_content(FIXTURES / "contrib").warnings == []


# --- many stories: the cost stays linear ---------------------------------------------------------



# How fast these are (comparing every pair of 20,000 stories would take minutes) is measured by
# scripts/bench_content.py, not asserted here.

def test_twenty_thousand_stories_with_their_own_sources_raise_no_source_warning():
    found = content_warnings(synthetic(20_000))
    assert not any("source" in w.message for w in found)  # every URL is its own


def test_a_week_of_identical_headlines_is_reported_without_comparing_every_pair():
    stories = synthetic(3_000)
    for story in stories:
        story.title = "Daily briefing"
        story.edition = dt.date(2024, 11, 25)
    found = [w for w in content_warnings(stories) if "title is close" in w.message]
    assert len(found) == 2_999  # every story but the first, each naming one earlier story


def test_the_index_finds_every_close_pair_that_comparing_all_pairs_finds():
    # 400 headlines in one week, variations on 20 stories: words dropped, added, replaced
    rng = random.Random(7)
    bases = [[f"w{rng.randrange(60)}" for _ in range(rng.randint(3, 8))] for _ in range(20)]
    stories = synthetic(400)
    for story in stories:
        words = list(rng.choice(bases))
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.5 or len(words) == 1:
                words.insert(rng.randrange(len(words) + 1), f"w{rng.randrange(60)}")
            else:
                words.pop(rng.randrange(len(words)))
        story.title = " ".join(words)
        story.edition = dt.date(2024, 11, 25)

    def words(story):
        return set(story.title.split())

    flagged = {w.path for w in content_warnings(stories) if "title is close" in w.message}
    in_order = sorted(stories, key=lambda s: (s.published, s.shown_path))  # earlier ones are named
    by_pairs = {s.shown_path for i, s in enumerate(in_order) if any(
        Fraction(len(words(s) & words(o)), len(words(s) | words(o))) >= SIMILAR_TITLES for o in in_order[:i])}
    assert 50 < len(by_pairs) < 400  # the case is not trivial either way
    assert flagged == by_pairs


# --- headlines compared as readers see them ---------------------------------------------------

@pytest.mark.parametrize("earlier, later", [
    # Dari: the same words, typed with and without the zero-width non-joiner inside mi-konad
    ("\u067e\u0627\u06a9\u0633\u062a\u0627\u0646 \u0645\u0647\u0644\u062a \u0631\u0627 \u062a\u0645\u062f\u06cc\u062f "
     "\u0645\u06cc\u200c\u06a9\u0646\u062f",
     "\u067e\u0627\u06a9\u0633\u062a\u0627\u0646 \u0645\u0647\u0644\u062a \u0631\u0627 \u062a\u0645\u062f\u06cc\u062f "
     "\u0645\u06cc\u06a9\u0646\u062f"),
    # full-width letters and a ligature (NFKC), and a zero-width space from code that skipped the check
    ("Pakistan extends deadline for Afghans", "\uff30\uff41\uff4b\uff49\uff53\uff54\uff41\uff4e extends deadline for Afghans"),
    ("Final deadline for Afghans in Pakistan", "\ufb01nal deadline for Afghans in Paki\u200bstan"),
], ids=["dari-zwnj", "full-width", "ligature-and-zero-width"])
def test_headlines_that_differ_only_in_characters_nobody_sees_are_close(earlier, later):
    stories = synthetic(2)  # the same day
    stories[0].title, stories[1].title = earlier, later
    (warning,) = [w for w in content_warnings(stories) if "title is close" in w.message]
    assert str(warning).startswith("content/stories/s1.md:2: note: title is close to the title of "
                                   "content/stories/s0.md of the same week (")
    shared, total = warning.message.rsplit("(", 1)[1].split(" words")[0].split(" of ")
    assert shared == total  # every word in common, once the invisible and compatibility forms are set aside
