"""Loading and validation: every contract rule reports `path:line: message`, all at once."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.loader import StoryCache, load_content
from digest.model import Page, Topic

from conftest import FIXTURES

BROKEN = FIXTURES / "broken"
P = "tests/fixtures/broken/stories/2024/11/"


@pytest.fixture  # per test, so that mutation testing sees which tests read it (CONTRIBUTING.md)
def broken():
    return load_content(BROKEN, shown_root="tests/fixtures/broken")


@pytest.fixture  # per test, so that mutation testing sees which tests read it (CONTRIBUTING.md)
def messages(broken):
    return [str(p) for p in broken.errors]


# (file:line, words the message must contain, words the hint must contain)
RULES = [
    (P + "unknown-key.md:2", "unknown key `titel`", "did you mean `title`"),
    (P + "duplicate-key.md:4", "duplicate key `title` (first on line 2)", "keep only one"),
    (P + "same-slug.md:1", "slug 'same-slug' is already used by tests/fixtures/broken/stories/2024/10/same-slug.md", "unique"),
    (P + "date-folder-mismatch.md:3", "date 2024-10-05 does not match the folder stories/2024/11/", "stories/2024/10/"),
    (P + "updated-before-date.md:8", "`updated` is before `date`", "after its date"),
    (P + "not-utf8.md:2", "not valid UTF-8", "UTF-8"),
    (P + "empty.md:1", "file is empty", "new_story.py"),
    (P + "no-front-matter.md:1", "has no front matter", "---"),
    (P + "not-a-mapping.md:2", "front matter must be a mapping", "title:"),
    (P + "broken-yaml.md:2", "a quote opened on this line is not closed", "end the value with the same quote"),
    (P + "unknown-tag.md:5", "unknown tag 'refugee'", "closest topics: refugees"),
    (P + "unknown-country.md:6", "unknown country code 'xx'", "ISO 3166-1 alpha-2"),
    (P + "missing-summary.md:2", "missing required key `summary`", "add `summary:`"),
    (P + "title-too-long.md:2", "`title` is 201 characters long (at most 200)", "shorten"),
    (P + "summary-html.md:4", "`summary` contains HTML", "plain text"),
    (P + "source-javascript-url.md:8", "`url` must be an absolute http(s) URL", "https://"),
    (P + "no-sources.md:6", "`sources` needs at least one entry", "name"),
    (P + "impossible-date.md:3", "`date` is not a valid date: '2024-11-31'", "YYYY-MM-DD"),
    (P + "datetime-without-offset.md:3", "`date` is not a valid date", "offset"),
    (P + "draft-yes.md:8", "`draft` must be true or false", "draft: true"),
    (P + "weight-text.md:8", "`weight` must be a whole number", "weight:"),
    (P + "Bad_Slug.md:1", "file name 'Bad_Slug' is not a valid slug", "lower-case"),
    ("tests/fixtures/broken/stories/misplaced.md:1", "not in a stories/<YYYY>/<MM>/ folder", "move it"),
    (P + "unclosed-front-matter.md:1", "front matter is not closed", "---"),
    (P + "yaml-alias.md:4", "YAML aliases (*name) are not allowed", "in full"),
    (P + "tags-not-a-list.md:5", "`tags` must be a list", "tags: ["),
]


@pytest.mark.parametrize("where, message, hint", RULES, ids=[r[0].rsplit("/", 1)[-1] for r in RULES])
def test_each_broken_rule_is_reported_at_its_line_with_a_hint(messages, where, message, hint):
    matching = [m for m in messages if m.startswith(where + ": ") and message in m]
    assert matching, f"no `{where}: ...{message}...` in:\n" + "\n".join(messages)
    assert hint in matching[0].split("(hint: ", 1)[1]


def test_all_problems_of_all_files_are_reported_in_one_run(broken):
    files_with_errors = {p.path for p in broken.errors}
    assert len(files_with_errors) == len(RULES)  # one broken file per rule, each one reported
    assert all(p.line >= 1 for p in broken.errors)


def test_the_valid_story_next_to_broken_ones_is_kept(broken):
    slugs = {s.slug for s in broken.stories}
    assert "valid-story" in slugs
    assert "same-slug" in slugs  # the first of the two files keeps its slug


SITE = FIXTURES / "site"


@pytest.fixture  # per test, so that mutation testing sees which tests read it (CONTRIBUTING.md)
def site():
    content = load_content(SITE, shown_root="site", include_drafts=False)
    assert not content.errors, content.errors
    return {s.slug: s for s in content.stories}


def test_no_in_countries_is_norway_and_bom_and_crlf_are_fine(site):
    story = site["norway-and-sweden-agree"]
    assert story.countries == ("no", "se")
    assert story.title == "Norway and Sweden agree"
    assert "\r" not in story.body_markdown


def test_a_date_time_belongs_to_the_edition_of_its_date_in_the_site_time_zone():
    utc = {s.slug: s for s in load_content(SITE, time_zone="UTC").stories}
    new_york = {s.slug: s for s in load_content(SITE, time_zone="America/New_York").stories}
    assert utc["late-night-in-new-york"].edition == dt.date(2024, 11, 30)
    assert new_york["late-night-in-new-york"].edition == dt.date(2024, 11, 29)
    assert utc["late-night-in-new-york"].date_only is False


def test_drafts_are_left_out_unless_asked_for(site):
    assert "draft-story" not in site
    with_drafts = {s.slug for s in load_content(SITE, include_drafts=True).stories}
    assert "draft-story" in with_drafts


VALID = "title: T\ndate: 2024-11-28\nsummary: S\ntags: [refugees]\nsources: [{name: A}, {name: B}]\n"


def one_story(folder, front_matter: str):
    """A content folder with the topic `refugees` and one story, stories/2024/11/x.md."""
    (folder / "topics").mkdir(exist_ok=True)
    (folder / "topics/refugees.md").write_text("---\ntitle: R\ndescription: D\n---\n")
    story = folder / "stories/2024/11/x.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(f"---\n{front_matter}---\nBody\n")
    return load_content(folder, shown_root="c")


def test_yaml_1_1_surprises_do_not_leak_in(tmp_path):
    content = one_story(tmp_path, "title: 10:00 talks\ndate: 2024-11-28\nsummary: yes\ntags: [refugees]\n"
                                  "countries: [NO]\nsources:\n  - name: off\nweight: 010\n")
    assert [str(p) for p in content.errors] == []
    loaded = content.stories[0]
    assert loaded.title == "10:00 talks"  # not 600 talks
    assert loaded.summary == "yes" and loaded.sources[0].name == "off"
    assert loaded.countries == ("no",)
    assert loaded.weight == 10  # not octal 8


def test_an_on_country_is_reported_as_unknown_not_read_as_true(tmp_path):
    content = one_story(tmp_path, "title: T\ndate: 2024-11-28\nsummary: S\ntags: [refugees]\ncountries: [on]\n"
                                  "sources: [{name: A}]\n")
    assert [str(p) for p in content.errors] == [
        "c/stories/2024/11/x.md:6: unknown country code 'on' "
        "(hint: use an ISO 3166-1 alpha-2 code (two letters), such as af, pk or ir)"
    ]


def test_a_title_cut_short_by_a_yaml_comment_is_an_error(tmp_path):
    content = one_story(tmp_path, "title: Update #2 on the talks\ndate: 2024-11-28\nsummary: S\n"
                                  "tags: [refugees]\nsources: [{name: A}]\n")
    assert [str(p) for p in content.errors] == [
        "c/stories/2024/11/x.md:2: `title` is cut short at ` #`: YAML reads the rest of the line as a comment "
        "(hint: put the whole title in double quotes)"
    ]


def test_a_page_that_a_generated_page_would_overwrite_is_an_error(tmp_path):
    (tmp_path / "topics.md").write_text("# My own topics page\n")
    (tmp_path / "search.md").write_text("# Search\n")
    hint = " (hint: rename or move the file: the site's own paths are not free for pages)"
    assert sorted(str(p) for p in one_story(tmp_path, VALID).errors) == [
        "c/search.md:1: content/search.md would collide with the search page the site generates at /search/" + hint,
        "c/topics.md:1: content/topics.md would collide with the topics page the site generates at /topics/" + hint,
    ]


@pytest.mark.parametrize("rel, collision", [
    ("topics/index.md", "the topics page the site generates at /topics/"),
    ("countries/index.md", "the countries page the site generates at /countries/"),
    ("editions/2024-11-28.md", "the edition page the site generates at /editions/2024-11-28/"),
    ("topics/refugees/page/2/index.md", "the topic-page page the site generates at /topics/refugees/page/2/"),
    ("archive.md", "the archive page the site generates at /archive/"),
    ("feed.xml.md", "/feed.xml/, which the site generates itself"),
    ("assets/javascripts/bundle.md", "/assets/, which the site generates itself"),
    ("pagefind/pagefind.md", "/pagefind/, which the site generates itself"),
    ("countries/af/notes.md", "/countries/, which the site generates itself"),
])
def test_no_page_may_take_a_path_the_site_generates(tmp_path, rel, collision):
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).write_text("# Mine\n")
    assert [str(p) for p in one_story(tmp_path, VALID).errors] == [
        f"c/{rel}:1: content/{rel} would collide with {collision}"
        " (hint: rename or move the file: the site's own paths are not free for pages)"]


def test_a_file_in_stories_that_is_not_a_story_is_an_error_not_a_published_file(tmp_path):
    folder = tmp_path / "stories/2024/11"
    folder.mkdir(parents=True)
    (folder / "embargoed.MD").write_text("---\ntitle: Secret\n---\n")
    (folder / "other.markdown").write_text("---\ntitle: Other\n---\n")
    messages = [str(p) for p in one_story(tmp_path, VALID).errors]
    assert messages == [
        f"c/stories/2024/11/{name}:1: only story files named <slug>.md belong in stories/ "
        "(hint: rename a story to end in .md (lower case); keep other files out of stories/)"
        for name in ("embargoed.MD", "other.markdown")
    ]


def test_a_file_name_with_control_characters_is_reported_escaped(tmp_path):
    (tmp_path / "x\n::error file=README.md::injected.md").write_text("hi\n")
    messages = [str(p) for p in one_story(tmp_path, VALID).errors]
    assert messages == ["c/x\\n::error file=README.md::injected.md:1: file name contains control characters "
                        "(hint: rename it with letters, digits and hyphens)"]
    assert all("\n" not in m for m in messages)


def test_a_date_only_update_on_the_day_of_a_timed_story_is_not_before_it(tmp_path):
    content = one_story(tmp_path, VALID.replace("date: 2024-11-28", "date: 2024-11-28T10:00:00+00:00\nupdated: 2024-11-28"))
    assert [str(p) for p in content.errors] == []
    story = content.stories[0]
    assert story.modified >= story.published


def test_a_topic_named_like_a_number_can_be_used(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics/911.md").write_text("---\ntitle: Nine eleven\ndescription: D\n---\n")
    story = tmp_path / "stories/2024/11/x.md"
    story.parent.mkdir(parents=True)
    story.write_text("---\n" + VALID.replace("[refugees]", "[911]") + "---\n")
    content = load_content(tmp_path, shown_root="c")
    assert [str(p) for p in content.errors] == [] and content.stories[0].tags == ("911",)


# --- dates at the edges of the calendar: a message, never a traceback ---------------------------

EDGE_HINT = "check the year: four digits, e.g. 2024-11-29"


@pytest.mark.parametrize("front_matter, problem", [
    (VALID.replace("2024-11-28", "0001-01-01T00:00:00+05:00"),
     f"c/stories/2024/11/x.md:3: `date` is outside the years 1900 to 2999: '0001-01-01T00:00:00+05:00' (hint: {EDGE_HINT})"),
    (VALID.replace("2024-11-28", "9999-12-31T23:00:00-05:00"),
     f"c/stories/2024/11/x.md:3: `date` is outside the years 1900 to 2999: '9999-12-31T23:00:00-05:00' (hint: {EDGE_HINT})"),
    (VALID.replace("2024-11-28", "2024-11-28\nupdated: 9999-12-31T23:00:00-05:00"),
     f"c/stories/2024/11/x.md:4: `updated` is outside the years 1900 to 2999: '9999-12-31T23:00:00-05:00' (hint: {EDGE_HINT})"),
    (VALID.replace("2024-11-28", "2024-11-28\nupdated: 3024-11-28"),
     f"c/stories/2024/11/x.md:4: `updated` is outside the years 1900 to 2999: '3024-11-28' (hint: {EDGE_HINT})"),
    (VALID.replace("{name: A}", "{name: A, date: 0001-01-01}"),
     "c/stories/2024/11/x.md:6: `date` is outside the years 1900 to 2999: '0001-01-01' "
     "(hint: check the year; for a source older than 1900, leave out `date` and give the year in its title)"),
], ids=["date-year-1", "date-year-9999", "updated-year-9999", "updated-typo", "source-date-year-1"])
def test_a_date_at_the_edge_of_the_calendar_is_an_error_not_a_traceback(tmp_path, front_matter, problem):
    # Before: OverflowError from moving 0001-01-01T00:00+05:00 into the site's time zone.
    assert [str(p) for p in one_story(tmp_path, front_matter).errors] == [problem]


def test_the_first_and_last_accepted_moments_load_sort_and_feed_at_the_widest_offsets(tmp_path):
    import json
    import re

    from digest.feeds import build_feeds
    from digest.index import build_digest

    one_story(tmp_path, VALID)  # the topic, and a story of 2024
    for path, date in (("stories/1900/01/first.md", "1900-01-01T00:00:00+14:00"),
                       ("stories/2999/12/last.md", "2999-12-31T23:59:59-12:00\nupdated: 2999-12-31T23:59:59-12:00")):
        (tmp_path / path).parent.mkdir(parents=True)
        (tmp_path / path).write_text("---\n" + VALID.replace("2024-11-28", date) + "---\nBody\n")
    for zone in ("Etc/GMT-14", "Etc/GMT+12"):  # UTC+14 and UTC-12
        content = load_content(tmp_path, time_zone=zone, shown_root="c")
        assert [str(p) for p in content.errors] == []
        digest = build_digest(content)
        assert [s.slug for s in digest.stories] == ["last", "x", "first"]
        feed = json.loads(build_feeds(digest, site_url="https://example.org/", site_name="Digest",
                                      story_html=lambda s: "")["feed.json"])
        moments = [item[key] for item in feed["items"] for key in ("date_published", "date_modified")]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", m) for m in moments), moments


@pytest.mark.parametrize("written, code, name", [
    ("Pakistan", "pk", "Pakistan"),
    ("uk", "gb", "United Kingdom"),
    ("Russia", "ru", "Russia"),
    ("Iran", "ir", "Iran"),
    ("AFG", "af", "Afghanistan"),
    ("Burma", "mm", "Myanmar (Burma)"),
])
def test_a_country_written_as_a_name_gets_its_code_suggested(tmp_path, written, code, name):
    content = one_story(tmp_path, VALID + f"countries: [{written}]\n")
    assert [str(p) for p in content.errors] == [
        f"c/stories/2024/11/x.md:7: unknown country code {written!r} (hint: did you mean `{code}` ({name})? "
        "Countries are written as two-letter ISO codes)"]


def test_an_unknown_country_without_a_likely_meaning_gets_the_general_hint(tmp_path):
    content = one_story(tmp_path, VALID + "countries: [Atlantis]\n")
    assert [str(p) for p in content.errors] == [
        "c/stories/2024/11/x.md:7: unknown country code 'Atlantis' "
        "(hint: use an ISO 3166-1 alpha-2 code (two letters), such as af, pk or ir)"]


def test_countries_carry_the_names_readers_use():
    from digest.countries import country

    assert [country(code).name for code in ("ru", "ir", "sy", "af")] == ["Russia", "Iran", "Syria", "Afghanistan"]
    assert country("NO").code == "no" and country("no").flag == "\U0001F1F3\U0001F1F4"


# --- pages, topics and the cache, in-process ------------------------------------------------------

def test_pages_and_topics_carry_their_fields_and_bodies(tmp_path):
    (tmp_path / "about.md").write_text("---\ntitle: About us\ndescription: Who we are.\n---\nWe are *few*.\n")
    (tmp_path / "plain.md").write_text("Just text.\n")
    content = one_story(tmp_path, VALID)
    assert content.pages["about.md"] == Page("about.md", "About us", "Who we are.", "\nWe are *few*.\n")
    assert content.pages["plain.md"] == Page("plain.md", None, None, "Just text.\n")
    (tmp_path / "topics/refugees.md").write_text("---\ntitle: Refugees\ndescription: Who leaves.\n---\nThe intro.\n")
    topic = load_content(tmp_path, shown_root="c").topics["refugees"]
    assert topic == Topic("refugees", "Refugees", "Who leaves.", "\nThe intro.\n", "c/topics/refugees.md")


def test_a_topic_without_front_matter_or_a_description_is_not_a_topic(tmp_path):
    one_story(tmp_path, VALID)
    (tmp_path / "topics/bare.md").write_text("Just an intro.\n")
    (tmp_path / "topics/half.md").write_text("---\ntitle: Half\n---\n")
    content = load_content(tmp_path, shown_root="c")
    assert set(content.topics) == {"refugees"}
    assert [str(p) for p in content.errors] == [
        "c/topics/bare.md:1: file has no front matter (hint: start the file with a line `---`, the fields, and `---`)",
        "c/topics/half.md:2: missing required key `description` (hint: add `description:` (One line: what the topic covers.))"]


def test_the_cache_reuses_unchanged_stories_and_forgets_them_when_the_context_changes(tmp_path):
    one_story(tmp_path, VALID)
    cache = StoryCache()
    first = load_content(tmp_path, cache=cache).stories[0]
    assert load_content(tmp_path, cache=cache).stories[0] is first  # not validated again
    in_kabul = load_content(tmp_path, cache=cache, time_zone="Asia/Kabul").stories[0]
    assert in_kabul is not first and in_kabul.published.utcoffset() == dt.timedelta(hours=4, minutes=30)
    (tmp_path / "stories/2024/11/x.md").write_text("---\n" + VALID.replace("title: T", "title: New") + "---\nBody\n")
    assert load_content(tmp_path, cache=cache, time_zone="Asia/Kabul").stories[0].title == "New"
    assert StoryCache().context == () and StoryCache().entries == {} and StoryCache().images == {}


def test_only_reads_the_stories_asked_for_and_still_knows_the_others_slugs(tmp_path):
    one_story(tmp_path, VALID)
    (tmp_path / "stories/2024/11/broken.md").write_text("---\ntitle: broken\n---\n")
    for folder, name in (("10", "x"), ("10", "z")):
        (tmp_path / f"stories/2024/{folder}").mkdir(parents=True, exist_ok=True)
        (tmp_path / f"stories/2024/{folder}/{name}.md").write_text("---\n" + VALID.replace("2024-11-28", "2024-10-28") + "---\nBody\n")
    content = load_content(tmp_path, shown_root="c", only={"stories/2024/10/z.md"})
    assert [s.path for s in content.stories] == ["stories/2024/10/z.md"] and content.errors == []  # broken.md unread
    content = load_content(tmp_path, shown_root="c", only={"stories/2024/10/x.md"})
    assert content.stories == [] and [str(p) for p in content.errors] == [
        "c/stories/2024/10/x.md:1: slug 'x' is already used by c/stories/2024/11/x.md "
        "(hint: story file names must be unique across all folders: rename this file)"]


def test_warnings_are_on_unless_turned_off_and_paths_are_shown_from_here(tmp_path, monkeypatch):
    one_story(tmp_path, VALID.replace("sources: [{name: A}, {name: B}]", "sources: [{name: A}]"))
    assert [w.message for w in load_content(tmp_path).warnings] == ["story has only one source"]
    assert load_content(tmp_path, warnings=False).warnings == []
    (tmp_path / "stories/bad.md").write_text("---\nhide: [nav]\n---\n")
    monkeypatch.chdir(tmp_path)
    assert load_content(tmp_path / "stories").errors[-1].path == "stories/bad.md"  # inside: relative
    monkeypatch.chdir(tmp_path / "topics")
    assert load_content(tmp_path / "stories").errors[-1].path == str(tmp_path) + "/stories/bad.md"  # outside: absolute


def test_files_the_allow_list_refuses_are_reported_word_for_word(tmp_path):
    one_story(tmp_path, VALID)
    for name in ("script.js", "notes.docx", "Makefile", "about.MD", "notes.markdown", "photo.jpg"):
        (tmp_path / name).write_text("x\n")
    (tmp_path.parent / "outside.txt").write_text("secret\n")
    (tmp_path / "leak.txt").symlink_to(tmp_path.parent / "outside.txt")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "notes.docx")
    review = "delete it; theme and script changes go through site_plugins/ with a maintainer's review"
    assert [str(p) for p in load_content(tmp_path, shown_root="c").errors] == [
        "c/Makefile:1: content/ takes Markdown pages and images only, not a `Makefile` file (hint: " + review + ")",
        "c/about.MD:1: a `.MD` file is not read (hint: rename it to end in .md (lower case))",
        "c/alias.txt:1: a `.txt` file is not read (hint: rename it to end in .md (lower case))",
        "c/leak.txt:1: symbolic link points outside the content folder (hint: replace the link with the file itself)",
        "c/notes.docx:1: content/ takes Markdown pages and images only, not a `.docx` file (hint: " + review + ")",
        "c/notes.markdown:1: a `.markdown` file is not read (hint: rename it to end in .md (lower case))",
        "c/photo.jpg:1: images belong in content/images/ (hint: move the image to content/images/)",
        "c/script.js:1: content/ takes Markdown pages and images only, not a `.js` file "
        "(hint: it could run in readers' browsers; " + review + ")",
    ]
