"""Feeds against their specifications, built in-process from tests/fixtures/feeds: RSS 2.0 (with
the content, dcterms and Atom namespaces), Atom 1.0 (RFC 4287) and JSON Feed 1.1, including the
characters XML cannot carry and a build without SOURCE_DATE_EPOCH."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import FEEDS_OPTIONS, FIXTURES
from digest import formats
from digest.feeds import build_feeds, channels, empty_feed_updated, feed_paths
from digest.formats import source_date_epoch
from digest.index import build_digest
from digest.loader import load_content
from digest.model import Content, Source, Story, Topic
from digest.render import MarkdownRenderer
from html_support import parse

SITE = "https://digest.example.org/"
NAME = "The digest"
LANGUAGE = FEEDS_OPTIONS["language"]
EPOCH = dt.datetime(2024, 12, 1, tzinfo=dt.timezone.utc)
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DCTERMS = "{http://purl.org/dc/terms/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
QA = "stories/2024/11/qa-aid-needs-kabul-herat/"
BORDER = "stories/2024/11/border-plan/"
QA_SUMMARY = "Aid agencies say needs > funds & the gap grows: کابل and هرات in numbers, \"so far\"."


@pytest.fixture  # per test, so that mutation testing sees which tests read it (CONTRIBUTING.md)
def digest():
    content = load_content(FIXTURES / "feeds")
    assert not content.errors, content.errors
    return build_digest(content)


def build(digest, epoch=EPOCH, story_html=None, **options) -> dict[str, bytes]:
    return build_feeds(digest, site_url=SITE, site_name=NAME, language=LANGUAGE,
                       story_html=story_html or MarkdownRenderer().story_html,
                       size=FEEDS_OPTIONS["feed_size"], epoch=epoch, **options)


@pytest.fixture  # per test, so that mutation testing sees which tests read it (CONTRIBUTING.md)
def files(digest) -> dict[str, bytes]:
    return build(digest)


def xml(data: bytes) -> ET.Element:
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n') and data.endswith(b">\n")
    root = ET.fromstring(data)
    _assert_only_whitespace_between_elements(root)
    _assert_indented_two_spaces_a_level(data.decode("utf-8"))
    return root


_TAG = re.compile(r"<(/?)[^\s>/?!]+[^>]*?(/?)>")


def _assert_indented_two_spaces_a_level(document: str) -> None:
    """Every tag that starts a line is indented two spaces per level, entries included (they
    are serialised apart and spliced in). Text never holds a `<`: the serialiser escapes it."""
    depth = 0
    for tag in _TAG.finditer(document):
        closing, empty = tag[1], tag[2]
        if closing:
            depth -= 1
        line_start = document.rfind("\n", 0, tag.start()) + 1
        indent = document[line_start:tag.start()]
        if not indent.strip():  # the tag starts its line
            assert indent == "  " * depth, (document[line_start:tag.end()], depth)
        if not closing and not empty:
            depth += 1
    assert depth == 0


def _assert_only_whitespace_between_elements(element: ET.Element) -> None:
    """Indentation is whitespace: nothing but an element's own text is text."""
    if len(element):
        assert not (element.text or "").strip(), (element.tag, element.text)
    for child in element:
        assert not (child.tail or "").strip(), (child.tag, child.tail)
        _assert_only_whitespace_between_elements(child)


def item(channel: ET.Element, url: str) -> ET.Element:
    (found,) = [i for i in channel.iter("item") if i.findtext("link") == SITE + url]
    return found


def entry(feed: ET.Element, url: str) -> ET.Element:
    (found,) = [e for e in feed.iter(ATOM + "entry") if e.findtext(ATOM + "id") == SITE + url]
    return found


# -- RSS 2.0 ---------------------------------------------------------------------------------------

def test_rss_channel_has_the_required_and_recommended_elements(files):
    rss = xml(files["feed.xml"])
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel.findtext("title") == NAME
    assert channel.findtext("link") == SITE
    assert channel.findtext("description") == f"The latest stories of {NAME}."
    assert channel.findtext("language") == LANGUAGE
    assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate")) == \
        dt.datetime(2024, 11, 30, 3, 30, tzinfo=dt.timezone.utc)  # the newest modification
    (self_link,) = channel.findall(ATOM + "link")
    assert self_link.attrib == {"rel": "self", "type": "application/rss+xml", "href": SITE + "feed.xml"}


def test_rss_items_carry_a_permalink_guid_escaped_summary_dates_and_categories(files):
    qa = item(xml(files["feed.xml"]).find("channel"), QA)
    assert qa.findtext("title") == "Q&A: \"Aid < needs\" for 'Kabul' & Herat"
    guid = qa.find("guid")
    assert guid.text == SITE + QA and guid.get("isPermaLink") == "true"
    # `description` is HTML to RSS readers: the plain-text summary is escaped once more inside it.
    assert qa.findtext("description") == html.escape(QA_SUMMARY, quote=False)
    assert "&gt;" in qa.findtext("description") and "&amp;" in qa.findtext("description")
    assert email.utils.parsedate_to_datetime(qa.findtext("pubDate")) == dt.datetime(2024, 11, 29, 6, 0, tzinfo=dt.timezone.utc)
    assert dt.datetime.fromisoformat(qa.findtext(DCTERMS + "modified")) == dt.datetime(2024, 11, 30, 3, 30, tzinfo=dt.timezone.utc)
    assert [(c.text, c.attrib) for c in qa.findall("category")] == [
        ("Refugees & returns", {"domain": SITE + "topics/"}), ("Afghanistan", {"domain": SITE + "countries/"})]
    content = qa.findtext(CONTENT + "encoded")
    assert "Agencies in Kabul and Herat" in content and "<script" not in content


# -- Atom 1.0 (RFC 4287) -------------------------------------------------------------------------

def test_atom_feed_has_id_title_updated_language_links_and_a_feed_level_author(files):
    feed = xml(files["atom.xml"])
    assert feed.tag == ATOM + "feed"
    assert feed.get(XML_LANG) == LANGUAGE
    assert feed.findtext(ATOM + "id") == SITE
    assert feed.findtext(ATOM + "title") == NAME
    assert feed.findtext(ATOM + "subtitle") == f"The latest stories of {NAME}."
    assert feed.findtext(ATOM + "updated") == "2024-11-30T03:30:00+00:00"
    links = {(link.get("rel"), link.get("type"), link.get("href")) for link in feed.findall(ATOM + "link")}
    assert links == {("self", "application/atom+xml", SITE + "atom.xml"), ("alternate", "text/html", SITE)}
    # RFC 4287 4.1.1: a feed needs an author unless every entry has one; no entry has one here.
    (author,) = feed.findall(ATOM + "author")
    assert author.findtext(ATOM + "name") == NAME and author.findtext(ATOM + "uri") == SITE
    assert all(e.find(ATOM + "author") is None for e in feed.iter(ATOM + "entry"))


def test_atom_entries_have_what_rfc_4287_requires_and_categories_with_their_scheme(files):
    qa = entry(xml(files["atom.xml"]), QA)
    title = qa.find(ATOM + "title")
    assert title.text == "Q&A: \"Aid < needs\" for 'Kabul' & Herat" and title.get("type") == "text"
    assert qa.findtext(ATOM + "published") == "2024-11-29T06:00:00+00:00"
    assert qa.findtext(ATOM + "updated") == "2024-11-30T03:30:00+00:00"
    summary = qa.find(ATOM + "summary")
    assert summary.text == QA_SUMMARY and summary.get("type") == "text"
    content = qa.find(ATOM + "content")
    assert content.get("type") == "html" and "Agencies in Kabul and Herat" in content.text
    assert [c.attrib for c in qa.findall(ATOM + "category")] == [
        {"term": "refugees", "scheme": SITE + "topics/", "label": "Refugees & returns"},
        {"term": "af", "scheme": SITE + "countries/", "label": "Afghanistan"}]
    assert [link.attrib for link in qa.findall(ATOM + "link")] == [
        {"rel": "alternate", "type": "text/html", "href": SITE + QA},
        {"rel": "related", "type": "text/html", "href": "https://news.example.com/report?id=1&lang=en",
         "title": "Ariana & Partners \"News\": Aid < needs: 'a report'"}]
    returns = entry(xml(files["topics/refugees/atom.xml"]), "stories/2024/11/returns-from-pakistan/")
    assert [link.get("title") for link in returns.findall(ATOM + "link") if link.get("rel") == "related"] == ["Dawn"]


# -- JSON Feed 1.1 -------------------------------------------------------------------------------

def test_json_feed_has_every_field_the_spec_requires_or_expects(files):
    feed = json.loads(files["feed.json"])
    assert list(feed) == ["version", "title", "home_page_url", "feed_url", "description", "language", "authors", "items"]
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == NAME and feed["description"] == f"The latest stories of {NAME}."
    assert feed["home_page_url"] == SITE and feed["feed_url"] == SITE + "feed.json"
    assert feed["language"] == LANGUAGE
    assert feed["authors"] == [{"name": NAME, "url": SITE}]
    qa = feed["items"][0]
    assert qa["id"] == qa["url"] == SITE + QA
    assert qa["summary"] == QA_SUMMARY
    assert qa["date_published"] == "2024-11-29T06:00:00+00:00" and qa["date_modified"] == "2024-11-30T03:30:00+00:00"
    assert qa["tags"] == ["Refugees & returns", "Afghanistan"]
    assert qa["_digest"] == {"sources": [
        {"name": 'Ariana & Partners "News"', "url": "https://news.example.com/report?id=1&lang=en",
         "title": "Aid < needs: 'a report'", "date": "2024-11-28"},
        {"name": "UNHCR"}]}
    assert "Agencies in Kabul and Herat" in qa["content_html"]


def test_json_feed_is_utf_8_not_ascii_escapes_indented_one_space(digest):
    files = build_feeds(digest, site_url=SITE, site_name="Дайджест", story_html=lambda s: "")
    assert "Дайджест".encode("utf-8") in files["feed.json"] and "کابل".encode("utf-8") in files["feed.json"]
    assert b"\\u" not in files["feed.json"]
    assert files["feed.json"].startswith(b'{\n "version": "https://jsonfeed.org/version/1.1",\n "title": ')


def test_build_feeds_defaults_to_english_and_fifty_stories():
    start = dt.datetime(2024, 11, 1, tzinfo=dt.timezone.utc)
    stories = [Story(slug=f"s{i}", path=f"stories/2024/11/s{i}.md", title=f"T{i}", summary="S",
                     published=start + dt.timedelta(hours=i), edition=start.date(), tags=(), countries=(),
                     sources=(Source("A"),), body_markdown="") for i in range(51)]
    files = build_feeds(build_digest(Content(stories, {}, {}, "", [])), site_url=SITE, site_name=NAME,
                        site_description="Daily news.", story_html=lambda s: "")
    channel = xml(files["feed.xml"]).find("channel")
    assert channel.findtext("language") == "en" and channel.findtext("description") == "Daily news."
    assert len(channel.findall("item")) == 50 and channel.find("item/title").text == "T50"


def test_an_empty_feed_has_no_entries_and_the_date_of_source_date_epoch(files):
    feed = json.loads(files["topics/quiet/feed.json"])
    assert feed["items"] == [] and feed["title"] == f"{NAME}: Quiet topic"
    assert files["topics/quiet/feed.json"].endswith(b',\n "items": []\n}\n')
    assert xml(files["topics/quiet/atom.xml"]).findtext(ATOM + "updated") == "2024-12-01T00:00:00+00:00"
    assert [len(json.loads(files[path])["items"]) for path in ("feed.json", "topics/refugees/feed.json")] == [3, 3]


# -- every channel ---------------------------------------------------------------------------------

def test_each_channel_has_its_three_files_its_title_and_description(digest, files):
    found = channels(digest, site_name=NAME, site_description="", size=3)
    assert [c.folder for c in found] == ["", "topics/quiet/", "topics/refugees/", "topics/security/",
                                        "countries/af/", "countries/pk/", "countries/tj/"]
    assert sorted(files) == sorted(path for c in found for path in feed_paths(c))
    assert feed_paths(found[2]) == ["topics/refugees/feed.xml", "topics/refugees/atom.xml", "topics/refugees/feed.json"]
    refugees = xml(files["topics/refugees/feed.xml"]).find("channel")
    assert refugees.findtext("title") == f"{NAME}: Refugees & returns"
    assert refugees.findtext("description") == "Who leaves, who comes back, and the papers they hold."
    assert refugees.findtext("link") == SITE + "topics/refugees/"
    afghanistan = json.loads(files["countries/af/feed.json"])
    assert afghanistan["description"] == "Stories about Afghanistan."
    assert len(afghanistan["items"]) == 3  # the size cuts the fourth
    described = channels(digest, site_name=NAME, site_description="Daily news.", size=1)
    assert described[0].description == "Daily news." and len(described[0].stories) == 1


def test_a_topic_without_a_description_gets_one():
    content = load_content(FIXTURES / "feeds")
    content.topics = {tag: dataclasses.replace(topic, description="") for tag, topic in content.topics.items()}
    found = {c.folder: c.description for c in channels(build_digest(content), site_name=NAME, site_description="", size=3)}
    assert found["topics/security/"] == "Stories on Security."


def test_wanted_picks_the_channels_written(digest):
    only = build(digest, wanted=lambda channel: channel.folder == "countries/tj/")
    assert sorted(only) == ["countries/tj/atom.xml", "countries/tj/feed.json", "countries/tj/feed.xml"]


def test_a_site_url_without_a_trailing_slash_gives_the_same_links():
    assert formats.absolute_url("https://x.org", "a/") == formats.absolute_url("https://x.org/", "a/") == "https://x.org/a/"
    assert formats.absolute_url("https://x.org/", "") == "https://x.org/"


# -- story HTML as a feed reader needs it ----------------------------------------------------------

def test_story_html_gets_absolute_links_and_loses_ids_and_classes(digest):
    body = ('<p id="p1" class="lead">See <a href="../border-plan/?a=1&amp;b=2" class="x">the plan</a>, '
            '<a href="#fn:1">a note</a>, <a href="mailto:desk@example.org">us</a>, '
            '<a href="https://example.com/">them</a> and <img src="map.png" alt="Map"></p>'
            '<details open><summary>More</summary><p>x</p></details>')
    files = build(digest, story_html=lambda story: body)
    content = json.loads(files["feed.json"])["items"][0]["content_html"]
    document = parse(content)
    assert [a.get("href") for a in document.iter("a")][:4] == [
        SITE + BORDER + "?a=1&b=2", SITE + QA + "#fn:1", "mailto:desk@example.org", "https://example.com/"]
    assert document.find("img").attrs == {"src": SITE + QA + "map.png", "alt": "Map"}
    assert "open" in document.find("details").attrs  # other attributes stay
    assert "?a=1&amp;b=2" in content  # still escaped as HTML
    assert " id=" not in content and " class=" not in content
    assert content.startswith("<p>See <a href=")  # nothing left where the attributes were


def test_sources_follow_the_story_as_on_its_page(digest):
    files = build(digest, story_html=lambda story: "<p>Body</p>")
    content = json.loads(files["feed.json"])["items"][0]["content_html"]
    assert content == (
        '<p>Body</p>\n<h2>Sources</h2>\n<ul>\n'
        '<li><a href="https://news.example.com/report?id=1&amp;lang=en" rel="noopener noreferrer nofollow">'
        'Ariana &amp; Partners &#34;News&#34;</a>: <cite>Aid &lt; needs: &#39;a report&#39;</cite> (2024-11-28)</li>\n'
        '<li>UNHCR</li>\n</ul>')


# -- characters XML 1.0 forbids --------------------------------------------------------------------

FORBIDDEN = "\x00\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff"


def pasted(story: Story) -> Story:
    """The story as if pasted from a word processor: a vertical tab (and worse) in every text."""
    return dataclasses.replace(
        story, title=f"Vertical\x0btab {story.title}", summary=f"Form\x0cfeed {story.summary}",
        sources=tuple(dataclasses.replace(s, name=f"{s.name}\x1f", title=s.title and f"{s.title}\x0b") for s in story.sources))


def test_characters_xml_forbids_are_dropped_and_the_rest_is_kept(digest):
    story = pasted(digest.stories[0])
    topics = {tag: listing.topic for tag, listing in digest.topics.items()}
    pasted_digest = build_digest(Content([story], topics, {}, "", []))
    body = f"<p>Line\ttab{FORBIDDEN}\ud800 end\r\nnext</p>"
    files = build(pasted_digest, story_html=lambda s: body)
    for name in ("feed.xml", "atom.xml"):
        root = xml(files[name])  # well-formed
        texts = "".join(root.itertext()) + "".join(v for e in root.iter() for v in e.attrib.values())
        assert not set(FORBIDDEN + "\ud800") & set(texts), name
        assert "Verticaltab Q&A" in texts and "Formfeed Aid agencies" in texts
        assert "Line\ttab end" in texts  # tab kept; only the forbidden ones are gone
    atom = xml(files["atom.xml"])
    (related,) = [link for link in atom.iter(ATOM + "link") if link.get("rel") == "related"]
    assert related.get("title") == "Ariana & Partners \"News\": Aid < needs: 'a report'"
    # JSON can carry any character (json escapes controls as \u000b): the JSON Feed keeps them.
    assert json.loads(files["feed.json"])["items"][0]["title"] == story.title


# -- the date of a feed without stories --------------------------------------------------------------

def test_source_date_epoch_is_read_from_the_environment():
    assert source_date_epoch({}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": " "}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "1733011200\n"}) == EPOCH


def test_without_source_date_epoch_an_empty_feed_takes_the_newest_modification_not_the_clock(digest):
    newest = dt.datetime(2024, 11, 30, 3, 30, tzinfo=dt.timezone.utc)
    assert empty_feed_updated(digest, None) == newest
    assert empty_feed_updated(digest, EPOCH) == EPOCH
    first, second = build(digest, epoch=None), build(digest, epoch=None)
    assert first == second
    assert xml(first["topics/quiet/atom.xml"]).findtext(ATOM + "updated") == "2024-11-30T03:30:00+00:00"
    quiet = xml(first["topics/quiet/feed.xml"]).find("channel")
    assert email.utils.parsedate_to_datetime(quiet.findtext("lastBuildDate")) == newest


def test_a_site_without_stories_dates_its_feeds_1970_without_source_date_epoch():
    empty = build_digest(Content([], {"quiet": Topic("quiet", "Quiet", "Nothing yet.")}, {}, "", []))
    assert empty_feed_updated(empty, None) == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    files = build(empty, epoch=None)
    assert xml(files["atom.xml"]).findtext(ATOM + "updated") == "1970-01-01T00:00:00+00:00"
    assert xml(files["atom.xml"]).find(ATOM + "entry") is None
    assert json.loads(files["feed.json"])["items"] == []


# -- one entry serialised once, the same in every feed ---------------------------------------------

def test_a_story_reads_the_same_in_the_site_topic_and_country_feeds(files):
    def atom_entry(path):
        return ET.tostring(entry(xml(files[path]), QA))

    assert atom_entry("atom.xml") == atom_entry("topics/refugees/atom.xml") == atom_entry("countries/af/atom.xml")
    rss = [ET.tostring(item(xml(files[p]).find("channel"), QA)) for p in ("feed.xml", "countries/af/feed.xml")]
    assert rss[0] == rss[1]


def test_a_story_without_topics_or_sources_with_urls_has_no_categories_or_related_links():
    when = dt.datetime(2024, 11, 29, tzinfo=dt.timezone.utc)
    story = Story(slug="s", path="stories/2024/11/s.md", title="T", summary="S", published=when, edition=when.date(),
                  tags=("gone",), countries=(), sources=(Source("Desk"),), body_markdown="")
    digest = build_digest(Content([story], {"gone": Topic("gone", "Gone", "G")}, {}, "", []))
    del digest.topics["gone"]  # a tag whose topic is not in the digest is not a category
    files = build(digest, story_html=lambda s: "")
    atom = xml(files["atom.xml"])
    assert atom.find(f"{ATOM}entry/{ATOM}category") is None
    assert [link.get("rel") for link in atom.iter(ATOM + "link")] == ["self", "alternate", "alternate"]
    assert xml(files["feed.xml"]).find("channel/item/category") is None
    assert json.loads(files["feed.json"])["items"][0]["content_html"] == "\n<h2>Sources</h2>\n<ul>\n<li>Desk</li>\n</ul>"


def test_a_story_without_sources_has_no_sources_heading():
    when = dt.datetime(2024, 11, 29, tzinfo=dt.timezone.utc)
    story = Story(slug="s", path="stories/2024/11/s.md", title="T", summary="S", published=when, edition=when.date(),
                  tags=(), countries=(), sources=(), body_markdown="")
    files = build(build_digest(Content([story], {}, {}, "", [])), story_html=lambda s: "<p>Body</p>")
    assert json.loads(files["feed.json"])["items"][0]["content_html"] == "<p>Body</p>"


def test_a_moment_with_seconds_in_its_offset_is_written_in_utc_whatever_the_machines_zone(monkeypatch):
    """Africa/Monrovia was -00:44:30 until 1972; the build machine's own zone plays no part."""
    import time
    import zoneinfo

    monkeypatch.setenv("TZ", "Asia/Kabul")
    time.tzset()
    try:
        moment = dt.datetime(1950, 6, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Monrovia"))
        assert formats.rfc3339(moment) == "1950-06-01T08:44:30+00:00"
        assert formats.rfc822(moment) == "Thu, 01 Jun 1950 08:44:30 +0000"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_lead_image_is_the_items_picture_in_every_format():
    from digest.model import LeadImage, Rendition

    when = dt.datetime(2024, 11, 29, tzinfo=dt.timezone.utc)
    image = LeadImage("images/market.jpg", "A market in Kabul", "Photo: A. Reporter", width=1600, height=900, variants=(
        Rendition("images/market-800.a.webp", 800, 450, "image/webp"),
        Rendition("images/market-800.b.jpg", 800, 450, "image/jpeg"),
        Rendition("images/market-1600.c.jpg", 1600, 900, "image/jpeg")))
    story = Story(slug="s", path="stories/2024/11/s.md", title="T", summary="S", published=when, edition=when.date(),
                  tags=(), countries=(), sources=(Source("A"),), body_markdown="", image=image)
    files = build(build_digest(Content([story], {}, {}, "", [])), story_html=lambda s: "")
    media = "{http://search.yahoo.com/mrss/}"
    (content,) = xml(files["feed.xml"]).iter(media + "content")
    assert content.attrib == {"url": SITE + "images/market-1600.c.jpg", "type": "image/jpeg", "medium": "image",
                              "width": "1600", "height": "900"}
    assert (content.find(media + "description").attrib, content.findtext(media + "description"),
            content.findtext(media + "credit")) == ({"type": "plain"}, "A market in Kabul", "Photo: A. Reporter")
    (enclosure,) = [link for link in xml(files["atom.xml"]).iter(ATOM + "link") if link.get("rel") == "enclosure"]
    assert enclosure.attrib == {"rel": "enclosure", "type": "image/jpeg", "href": SITE + "images/market-1600.c.jpg",
                                "title": "A market in Kabul"}
    assert json.loads(files["feed.json"])["items"][0]["image"] == SITE + "images/market-1600.c.jpg"
