"""The generated pages as data (pages.SitePages), in-process: which pages exist, their addresses,
titles and descriptions, pagination, the home page's editions, and what a page's fingerprint
covers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from digest.index import build_digest
from digest.model import Content, Source, Story, Topic
from digest.pages import SitePages, long_date, month_name, month_url, relative_url, short_date
from digest.render import MarkdownRenderer
from html_support import parse

UTC = dt.timezone.utc
TOPICS = {"refugees": Topic("refugees", "Refugees", "Who leaves.", "Refugees *intro*."),
          "quiet": Topic("quiet", "Quiet", "Nothing yet.")}


def story(n: int, day: dt.date, tags=("refugees",), countries=("af",)) -> Story:
    when = dt.datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return Story(slug=f"s{n}", path=f"stories/{day:%Y/%m}/s{n}.md", title=f"Story {n}", summary=f"Summary {n}.",
                 published=when, edition=day, tags=tags, countries=countries, sources=(Source("A"),),
                 body_markdown=f"Body {n}.", fingerprint=f"f{n}")


def site(days: int, *, per_day: int = 1, **options) -> SitePages:
    """Stories on `days` consecutive days ending 29 Nov 2024 (crossing into October)."""
    last = dt.date(2024, 11, 29)
    stories = [story(d * per_day + k, last - dt.timedelta(days=d)) for d in range(days) for k in range(per_day)]
    digest = build_digest(Content(stories, TOPICS, {"af": "Afghanistan *intro*."}, "", []))
    return SitePages(digest, MarkdownRenderer(), site_name="The digest", **options)


def test_the_home_page_shows_the_latest_edition_and_as_many_earlier_ones_as_configured():
    pages = site(14, home_editions=3)
    home = pages.specs["index.md"]
    assert home.context["latest"].date == dt.date(2024, 11, 29)
    assert [e.date.day for e in home.context["earlier"]] == [28, 27, 26]
    assert home.context["more_editions"] is True
    html = parse(pages.render(home))
    earlier = html.find(class_="dg-earlier")
    assert [a.text() for a in earlier.iter("h3")] == [
        "Thursday 28 November 2024 1 story", "Wednesday 27 November 2024 1 story", "Tuesday 26 November 2024 1 story"]
    assert earlier.find("a", href="archive/") is not None


def test_the_home_page_has_no_archive_link_when_every_edition_is_shown():
    assert site(4, home_editions=3).specs["index.md"].context["more_editions"] is False
    assert site(5, home_editions=3).specs["index.md"].context["more_editions"] is True
    default = site(14).specs["index.md"].context
    assert len(default["earlier"]) == 10 and default["more_editions"] is True  # ten by default


def test_every_kind_of_page_is_generated_with_its_address_title_and_description():
    specs = site(2).specs
    expected = {
        "index.md": ("home", "", "Home", "The latest edition of The digest.", ""),
        "stories/2024/11/s0.md": ("story", "stories/2024/11/s0/", "Story 0", "Summary 0.", ""),
        "stories/2024/11/s1.md": ("story", "stories/2024/11/s1/", "Story 1", "Summary 1.", ""),
        "editions/2024-11-29.md": ("edition", "editions/2024-11-29/", "Edition of Friday 29 November 2024",
                                   "1 story of Friday 29 November 2024.", ""),
        "editions/2024-11-28.md": ("edition", "editions/2024-11-28/", "Edition of Thursday 28 November 2024",
                                   "1 story of Thursday 28 November 2024.", ""),
        "archive/index.md": ("archive", "archive/", "Archive", "Every edition, by year and month.", ""),
        "archive/2024/11/index.md": ("archive-month", "archive/2024/11/", "Archive: November 2024",
                                     "The editions of November 2024, with their headlines.", ""),
        "topics/index.md": ("topics", "topics/", "Topics", "Every topic of the digest.", ""),
        "countries/index.md": ("countries", "countries/", "Countries", "Every country in the digest's stories.", ""),
        "topics/quiet.md": ("topic", "topics/quiet/", "Quiet", "Nothing yet.", "topics/quiet/"),
        "topics/refugees.md": ("topic", "topics/refugees/", "Refugees", "Who leaves.", "topics/refugees/"),
        "countries/af.md": ("country", "countries/af/", "Afghanistan", "Stories about Afghanistan.", "countries/af/"),
        "search/index.md": ("search", "search/", "Search", "Search every story.", ""),
    }
    # pages of other features (subscribe, say) may come on top of these
    assert {src: (s.kind.name, s.url, s.title, s.description, s.feeds) for src, s in specs.items() if src in expected} \
        == expected
    assert not any(src.startswith(("stories/", "editions/", "topics/", "countries/", "archive/"))
                   for src in specs.keys() - expected.keys())
    assert specs["stories/2024/11/s0.md"].story.slug == "s0"
    assert specs["index.md"].template == "home.html" and specs["index.md"].in_nav
    assert specs["search/index.md"].searchable is False and specs["stories/2024/11/s0.md"].searchable


def test_a_site_without_a_name_has_no_home_description():
    digest = build_digest(Content([], TOPICS, {}, "", []))
    home = SitePages(digest, MarkdownRenderer()).specs["index.md"]
    assert home.description == "" and home.context["latest"] is None and home.context["earlier"] == []


def test_a_long_listing_is_paginated_with_links_between_its_pages():
    specs = site(7, page_size=3).specs
    first, second, third = (specs["topics/refugees.md"], specs["topics/refugees/page/2/index.md"],
                            specs["topics/refugees/page/3/index.md"])
    assert [(p.kind.name, p.url, p.title) for p in (first, second, third)] == [
        ("topic", "topics/refugees/", "Refugees"), ("topic-page", "topics/refugees/page/2/", "Refugees (page 2)"),
        ("topic-page", "topics/refugees/page/3/", "Refugees (page 3)")]
    assert [[s.slug for s in p.context["stories"]] for p in (first, second, third)] == [
        ["s0", "s1", "s2"], ["s3", "s4", "s5"], ["s6"]]
    assert [(p.context["number"], p.context["pages"], p.context["newer_url"], p.context["older_url"])
            for p in (first, second, third)] == [
        (1, 3, None, "topics/refugees/page/2/"), (2, 3, "topics/refugees/", "topics/refugees/page/3/"),
        (3, 3, "topics/refugees/page/2/", None)]
    assert first.context["intro"] == "Refugees *intro*." and second.context["intro"] == ""
    assert specs["countries/af/page/3/index.md"].title == "Afghanistan (page 3)"
    assert specs["countries/af.md"].context["intro"] == "Afghanistan *intro*."
    assert "topics/refugees/page/4/index.md" not in specs
    assert specs["topics/quiet.md"].context["stories"] == [] and specs["topics/quiet.md"].context["pages"] == 1


def test_archive_months_link_to_the_month_before_and_after():
    specs = site(31).specs  # 30 Oct .. 29 Nov
    november, october = specs["archive/2024/11/index.md"], specs["archive/2024/10/index.md"]
    assert (november.context["newer"], november.context["older"]) == (None, (2024, 10))
    assert (october.context["newer"], october.context["older"]) == ((2024, 11), None)
    assert october.context["name"] == "October 2024" and len(october.context["editions"]) == 2
    archive = specs["archive/index.md"]
    assert [(y, [m for m, _ in months]) for y, months in archive.context["years"]] == [(2024, [11, 10])]


def test_edition_pages_link_to_the_editions_before_and_after():
    specs = site(3).specs
    middle = specs["editions/2024-11-28.md"].context
    assert (middle["older"].date.day, middle["newer"].date.day) == (27, 29)
    assert specs["editions/2024-11-29.md"].context["newer"] is None
    assert specs["editions/2024-11-27.md"].context["older"] is None


def test_a_story_page_knows_its_related_older_and_newer_stories():
    context = site(3).specs["stories/2024/11/s1.md"].context
    assert (context["older"].slug, context["newer"].slug) == ("s2", "s0")
    assert [s.slug for s in context["related"]] == ["s0", "s2"]


def test_a_fingerprint_changes_with_what_the_page_shows_and_nothing_else():
    before, again = site(3), site(3)
    key = "site-key"
    assert before.specs["index.md"].fingerprint(key) == again.specs["index.md"].fingerprint(key)
    assert before.specs["index.md"].fingerprint(key) != before.specs["index.md"].fingerprint("other-key")
    # a story whose file changed: its page, its edition and the home page change; another edition does not
    changed = site(3)
    s0 = next(s for s in changed.digest.stories if s.slug == "s0")
    changed = SitePages(build_digest(Content(
        [dataclasses.replace(s, fingerprint="new") if s is s0 else s for s in changed.digest.stories],
        TOPICS, {}, "", [])), MarkdownRenderer(), site_name="The digest")
    for src, moved in (("stories/2024/11/s0.md", True), ("editions/2024-11-29.md", True), ("index.md", True),
                       ("editions/2024-11-27.md", False)):
        assert (changed.specs[src].fingerprint(key) != before.specs[src].fingerprint(key)) is moved, src
    assert changed.search_key(changed.specs["stories/2024/11/s0.md"], key) != \
        before.search_key(before.specs["stories/2024/11/s0.md"], key)
    assert changed.search_key(changed.specs["stories/2024/11/s2.md"], key) == \
        before.search_key(before.specs["stories/2024/11/s2.md"], key)


def test_a_card_is_rendered_once_per_folder_depth():
    pages = site(2)
    s0 = pages.specs["stories/2024/11/s0.md"].story
    top, deep = pages.card(s0, ""), pages.card(s0, "topics/refugees/")
    assert pages.card(s0, "editions/2024-11-29/") is deep  # same depth: the same card
    assert 'href="stories/2024/11/s0/"' in top and 'href="../../stories/2024/11/s0/"' in deep
    assert pages.card_key(None) is None and pages.card_key(s0) == ("f0", ("Refugees",))


def test_a_story_page_renders_its_article_then_what_comes_after():
    pages = site(3)
    spec = pages.specs["stories/2024/11/s1.md"]
    article = pages.search_document(spec)
    assert pages.search_document(spec) is article  # kept until the page renders
    full = pages.render(spec)
    assert full.startswith(article) and len(full) > len(article)
    assert "Body 1." in article and "Story 0" not in article and "Story 0" in full
    assert pages.search_document(spec) == article  # rendered again once the page is done


@pytest.mark.parametrize("target, base, link", [
    ("topics/x/", "", "topics/x/"), ("", "", "./"), ("", "topics/x/", "../../"),
    ("archive/", "topics/x/page/2/", "../../../../archive/"), ("a/", "/b//c/", "../../a/"),
])
def test_relative_links_climb_one_level_per_folder(target, base, link):
    assert relative_url(target, base) == link


def test_dates_as_readers_say_them():
    day = dt.date(2024, 11, 1)
    assert (long_date(day), short_date(day)) == ("Friday 1 November 2024", "1 Nov 2024")
    assert (month_url((2024, 3)), month_name((2024, 3))) == ("archive/2024/03/", "March 2024")
    assert month_url((987, 11)) == "archive/0987/11/"


def test_every_page_renders_its_title_cards_and_intro():
    pages = site(4, page_size=3)
    for src, spec in pages.specs.items():
        html = parse(pages.render(spec))
        assert html.find("h1") is not None, src
    topic = parse(pages.render(pages.specs["topics/refugees.md"]))
    assert topic.find("h1").text().startswith("Refugees")
    assert topic.find("em").text() == "intro"  # the intro's Markdown, rendered
    assert [a.get("href") for a in topic.iter("a") if (a.get("href") or "").startswith("../../stories/")][:1] == [
        "../../stories/2024/11/s0/"]  # cards, linked from the page's depth
    second = parse(pages.render(pages.specs["topics/refugees/page/2/index.md"]))
    assert second.find("em") is None  # the intro is on the first page only


def test_fingerprints_and_search_keys_take_any_text():
    pages = site(1)
    spec = pages.specs["stories/2024/11/s0.md"]
    lone = dataclasses.replace(spec, title="half a pair \ud800")  # YAML's "\ud800" escape can make one
    assert lone.fingerprint("k") != spec.fingerprint("k")
    assert pages.search_key(lone, "k") != pages.search_key(spec, "k")


def test_contributor_text_is_escaped_and_times_say_what_the_file_gave():
    timed = dataclasses.replace(story(0, dt.date(2024, 11, 29)), title="A <b>bold</b> & co", date_only=False)
    dated = story(1, dt.date(2024, 11, 28))
    digest = build_digest(Content([timed, dated], TOPICS, {}, "", []))
    pages = SitePages(digest, MarkdownRenderer(), home_intro="Welcome *all*.", site_name="The digest")
    home = pages.render(pages.specs["index.md"])
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; co" in home and "<b>bold" not in home
    assert parse(home).find("em").text() == "all"  # the home intro, rendered
    times = [t.get("datetime") for t in parse(pages.render(pages.specs["topics/refugees.md"])).iter("time")]
    assert times == ["2024-11-29T08:00:00+00:00", "2024-11-28"]
    assert all(src == spec.src_uri for src, spec in pages.specs.items())


def test_a_story_page_changes_when_the_story_before_or_after_it_does():
    topics = {f"t{n}": Topic(f"t{n}", f"T{n}", "D") for n in range(3)}  # nothing related: only neighbours

    def pages(changed: int | None) -> SitePages:
        stories = [story(n, dt.date(2024, 11, 29 - n), tags=(f"t{n}",), countries=()) for n in range(3)]
        if changed is not None:
            stories[changed] = dataclasses.replace(stories[changed], fingerprint="new")
        return SitePages(build_digest(Content(stories, topics, {}, "", [])), MarkdownRenderer())

    def print_of(site: SitePages) -> str:
        return site.specs["stories/2024/11/s1.md"].fingerprint("k")

    assert print_of(pages(0)) != print_of(pages(None)) != print_of(pages(2))  # newer, older
    assert pages(None).specs["stories/2024/11/s1.md"].context["related"] == []


def test_an_edition_of_several_stories_says_so_and_the_default_page_holds_fifty():
    assert site(1, per_day=2).specs["editions/2024-11-29.md"].description == "2 stories of Friday 29 November 2024."
    specs = site(51).specs
    assert len(specs["topics/refugees.md"].context["stories"]) == 50 and "topics/refugees/page/2/index.md" in specs


def test_archive_months_in_the_middle_link_both_ways():
    middle = site(62).specs["archive/2024/10/index.md"].context  # 29 Sep .. 29 Nov
    assert (middle["newer"], middle["older"]) == ((2024, 11), (2024, 9))


def test_a_story_page_shows_when_it_was_updated_and_its_sources_dates():
    first = story(0, dt.date(2024, 11, 29))
    updated = dataclasses.replace(first, updated=first.published + dt.timedelta(hours=30),
                                  sources=(Source("A", None, "Report", dt.date(2024, 11, 2)),))
    pages = SitePages(build_digest(Content([updated], TOPICS, {}, "", [])), MarkdownRenderer())
    html = parse(pages.render(pages.specs["stories/2024/11/s0.md"]))
    assert [(t.get("datetime"), t.text()) for t in html.iter("time")][-2:] == [
        ("2024-11-30T14:00:00+00:00", "Saturday 30 November 2024"), ("2024-11-02", "2 Nov 2024")]


@pytest.mark.parametrize("src", ["archive/index.md", "archive/2024/11/index.md", "topics/index.md",
                                 "countries/index.md", "topics/refugees.md", "countries/af.md", "index.md"])
def test_a_listing_fingerprint_changes_when_a_story_joins_it(src):
    assert site(2).specs[src].fingerprint("k") != site(3).specs[src].fingerprint("k")


def test_the_topics_page_changes_when_a_topics_newest_story_moves_to_another_day():
    moved = site(2)
    stories = [dataclasses.replace(s, edition=s.edition - dt.timedelta(days=1)) for s in moved.digest.stories]
    earlier = SitePages(build_digest(Content(stories, TOPICS, {}, "", [])), MarkdownRenderer(), site_name="The digest")
    assert earlier.specs["topics/index.md"].fingerprint("k") != moved.specs["topics/index.md"].fingerprint("k")
