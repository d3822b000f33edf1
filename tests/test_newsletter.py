"""The edition as an email: HTML that mail clients render, the plain-text alternative, the MIME
message with its headers, the editions feed, and the files a build writes and removes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml

from conftest import FIXTURES, build_site, mkdocs_config
from digest import newsletter
from digest.i18n import Words
from digest.index import Edition
from digest.model import LeadImage, Rendition, Source, Story
from digest.newsletter import Newsletter, SettingsError

SITE = "https://digest.example.org/"
DAY = dt.date(2024, 11, 29)
GMAIL_CLIP = 102 * 1024  # Gmail shows "[Message clipped]" beyond this


def story(n: int, *, title: str | None = None, summary: str | None = None, image: bool = False,
          day: dt.date = DAY) -> Story:
    lead = None
    if image:
        lead = LeadImage(f"images/photo-{n}.jpg", alt=f"Photo {n} & <alt>", credit="Agency", width=1600, height=1000,
                         variants=(Rendition(f"images/photo-{n}-800.0123abcd.webp", 800, 500, "image/webp"),
                                   Rendition(f"images/photo-{n}-800.0123abcd.jpg", 800, 500, "image/jpeg")))
    return Story(
        slug=f"story-{n}", path=f"stories/{day:%Y/%m}/story-{n}.md", title=title or f"Story number {n}",
        summary=summary or f"What happened in story {n}.",
        published=dt.datetime.combine(day, dt.time(n % 24), dt.timezone.utc), edition=day,
        tags=("security",), countries=("af",), sources=(Source("Agency"),), body_markdown="Body.", image=lead,
    )


def edition(*stories: Story, day: dt.date = DAY) -> Edition:
    return Edition(day, list(stories) or [story(1), story(2)])


def letter(**options) -> Newsletter:
    return Newsletter(site_url=SITE, site_name="The digest", **options)


def parsed(data: bytes):
    return message_from_bytes(data, policy=policy.default)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


# -- the message ------------------------------------------------------------------------------------

def test_the_message_is_multipart_alternative_with_the_right_headers():
    message = parsed(letter().message(edition()))
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the richest last: clients show the last they can
    assert message["Subject"] == "The digest — Friday 29 November 2024"
    assert message["From"].addresses[0].addr_spec == "noreply@digest.example.org"
    assert message["From"].addresses[0].display_name == "The digest"
    assert message["List-Unsubscribe"] == "<mailto:noreply@digest.example.org?subject=unsubscribe>"
    assert message["Date"].datetime == dt.datetime(2024, 11, 29, 2, tzinfo=dt.timezone.utc)  # its newest story (2)
    assert message["Message-ID"].startswith("<edition-2024-11-29.") and message["Message-ID"].endswith("@digest.example.org>")
    assert "Story number 1" in message.get_body(("plain",)).get_content()
    assert "Story number 1" in message.get_body(("html",)).get_content()


def test_the_same_edition_gives_the_same_bytes_and_message_id():
    first, again = letter().message(edition()), letter().message(edition())
    assert first == again
    other_day = parsed(letter().message(edition(story(1, day=DAY - dt.timedelta(1)), day=DAY - dt.timedelta(1))))
    assert parsed(first)["Message-ID"] != other_day["Message-ID"]
    elsewhere = Newsletter(site_url="https://other.example.org/", site_name="The digest").message(edition())
    assert parsed(first)["Message-ID"] != parsed(elsewhere)["Message-ID"]
    assert b"\r\n" in first and not re.search(rb"[^\r]\n", first)  # CRLF, as SMTP carries it


def test_options_set_the_sender_subject_and_unsubscribe_address():
    mail = letter(sender="Digest desk <desk@example.org>", subject_pattern="{date}: {headline} ({site_name})",
                  unsubscribe="https://example.org/unsubscribe?list=digest")
    message = parsed(mail.message(edition()))
    assert str(message["From"]) == "Digest desk <desk@example.org>"
    assert message["Subject"] == "Friday 29 November 2024: Story number 1 (The digest)"
    assert message["List-Unsubscribe"] == "<https://example.org/unsubscribe?list=digest>"
    assert 'href="https://example.org/unsubscribe?list=digest"' in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("check, value", [
    (newsletter.check_sender, "not an address"),
    (newsletter.check_sender, "desk@"),
    (newsletter.check_sender, "a@example.org, b@example.org"),
    (newsletter.check_sender, "Digest, Inc <a@example.org>"),  # an unquoted comma: two addresses
    (newsletter.check_subject, "{site_name} {date.year}"),
    (newsletter.check_subject, "{title}"),
    (newsletter.check_subject, "{date"),
    (newsletter.check_unsubscribe, "javascript:alert(1)"),
    (newsletter.check_unsubscribe, "https://example.org/u\nBcc: x@example.org"),
    (newsletter.check_unsubscribe, "/unsubscribe/"),
])
def test_a_bad_option_is_refused_with_what_to_write(check, value):
    with pytest.raises(SettingsError, match="email_"):
        check(value)


def test_a_title_with_line_breaks_cannot_add_headers():
    hostile = "Breaking\nBcc: victim@example.org\r\nX-Injected: yes\u2028Reply-To: evil@example.org"
    mail = letter(subject_pattern="{site_name}: {headline}")
    data = mail.message(edition(story(1, title=hostile)))
    message = parsed(data)
    assert message["Bcc"] is None and message["X-Injected"] is None and message["Reply-To"] is None
    assert message["Subject"] == ("The digest: Breaking Bcc: victim@example.org X-Injected: yes "
                                  "Reply-To: evil@example.org")
    headers = data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert not re.search(r"^(Bcc|X-Injected|Reply-To):", headers, flags=re.M | re.I)


def test_front_matter_is_text_in_the_html_not_markup():
    hostile = story(1, title='<script>alert(1)</script> & "quotes"', summary="<img src=x onerror=alert(1)> <b>bold</b>",
                    image=True)
    html = letter().html(edition(hostile))
    page = Elements(html)
    assert not page.all("script") and not page.all("b") and len(page.all("img")) == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<script>alert(1)</script> & "quotes"' in "".join(page.text)
    assert page.all("img")[0]["alt"] == "Photo 1 & <alt>"


# -- the HTML ---------------------------------------------------------------------------------------

def test_the_html_is_what_mail_clients_render():
    html = letter().html(edition(story(1, image=True), story(2)))
    page = Elements(html)
    names = {name for name, _ in page.tags}
    assert not names & {"script", "form", "input", "button", "select", "textarea", "iframe", "object", "embed",
                        "link", "video", "audio"}
    assert "@font-face" not in html and "@import" not in html and "url(" not in html
    # Styles inlined: only the dark-mode media query stays in <style>.
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    assert len(styles) == 1 and styles[0].strip().startswith("@media (prefers-color-scheme: dark)")
    frame = next(attrs for name, attrs in page.tags if "frame" in attrs.get("class", ""))
    assert "max-width:600px" in frame["style"] and "width:100%" in frame["style"] and frame["width"] == "600"
    for attrs in page.all("a"):
        assert attrs["href"].startswith((SITE, "mailto:")), attrs
    for attrs in page.all("img"):
        assert attrs["src"].startswith(SITE) and attrs["src"].endswith(".jpg")  # no WebP: many clients lack it
        assert attrs["alt"] and "max-width:552px" in attrs["style"]
    text = " ".join("".join(page.text).split())
    assert "Friday 29 November 2024" in text and "What happened in story 2." in text
    assert text.count("Read more") == 2
    assert "Unsubscribe" in text and "Read this edition on the web" in text
    assert {attrs["href"] for attrs in page.all("a")} >= {SITE + "stories/2024/11/story-1/", SITE + "editions/2024-11-29/",
                                                         "mailto:noreply@digest.example.org?subject=unsubscribe"}
    assert '<meta name="color-scheme" content="light dark">' in html


def test_a_thirty_story_edition_is_not_clipped_by_gmail():
    # Titles and summaries at their longest (200 and 400 characters), every story with an image.
    longest = [story(n, title=("Headline %d " % n * 20)[:200], summary=("Summary words %d " % n * 30)[:400],
                     image=True) for n in range(30)]
    mail = letter()
    html = mail.html(edition(*longest)).encode("utf-8")
    assert len(html) < GMAIL_CLIP, len(html)
    # The whole message too (both parts, quoted-printable): nothing for Gmail to clip.
    assert len(mail.message(edition(*longest))) < GMAIL_CLIP


# -- the plain text ---------------------------------------------------------------------------------

def test_the_text_is_wrapped_at_72_columns_with_numbered_links():
    long_summary = "A summary long enough to need wrapping, with several clauses, " * 6
    text = letter().text(edition(story(1, summary=long_summary[:400]), story(2)))
    body, _, references = text.partition("\nLinks:\n")
    assert all(len(line) <= 72 for line in body.splitlines()), body
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
    listed = re.findall(r"^\[(\d+)\] (\S+)$", references, flags=re.M)
    assert numbers == list(range(1, len(numbers) + 1)) == [int(n) for n, _ in listed]
    urls = [url for _, url in listed]
    assert urls == [SITE + "stories/2024/11/story-1/", SITE + "stories/2024/11/story-2/", SITE + "editions/2024-11-29/",
                    "mailto:noreply@digest.example.org?subject=unsubscribe"]
    assert "<" not in body and "Friday 29 November 2024" in body


# -- the language -----------------------------------------------------------------------------------

def test_the_email_speaks_the_sites_language():
    mail = letter(words=Words("fa-AF"))
    message = parsed(mail.message(edition()))
    assert message["Subject"] == "The digest — جمعه ۲۹ نومبر ۲۰۲۴"
    assert message["Content-Language"] == "fa-AF"
    html = message.get_body(("html",)).get_content()
    assert '<html lang="fa-AF" dir="rtl">' in html
    # Gmail drops <html>'s attributes: the frame says the direction again.
    outer = next(attrs for attrs in Elements(html).all("table") if attrs.get("class") == "outer")
    assert outer["dir"] == "rtl" and outer["lang"] == "fa-AF"
    # The stories' own text takes its own direction (these are English: left to right in a Dari email).
    story_text = [attrs for attrs in Elements(html).all("h2") + Elements(html).all("p")
                  if attrs.get("class") in ("headline", "summary")]
    assert len(story_text) == 4 and all(attrs.get("dir") == "auto" for attrs in story_text)
    words = " ".join(Elements(html).text)
    for dari in ("ادامهٔ خبر", "این شماره را در وب‌سایت بخوانید", "لغو اشتراک", "جمعه ۲۹ نومبر ۲۰۲۴ · ۲ خبر",
                 "مشترک The digest هستید"):
        assert dari in words, dari
    assert {a.get("aria-label") for a in Elements(html).all("a") if a.get("aria-label")} == {
        "ادامهٔ خبر: Story number 1", "ادامهٔ خبر: Story number 2"}
    text = message.get_body(("plain",)).get_content()
    assert "\nپیوندها:\n[1] https://" in text.replace("\r\n", "\n") and "اشتراک خود را لغو کنید" in text
    for english in ("Read more", "Unsubscribe", "Links", "2 stories", "Friday", "receive"):
        assert english not in words and english not in text, english
    assert mail.say("editions_title", site="The digest") == "The digest: شماره‌ها"


# -- the editions feed ------------------------------------------------------------------------------

def test_the_editions_feed_has_one_item_per_edition_with_its_stories():
    from digest import feeds

    mail = letter()
    older = edition(story(3, title="Older <story>", day=DAY - dt.timedelta(1)), day=DAY - dt.timedelta(1))
    items = [mail.feed_item(edition()), mail.feed_item(older)]
    files = feeds.edition_feeds(items, site_url=SITE, site_name="The digest", title="The digest: editions",
                                description="Editions.", empty_updated=dt.datetime(2024, 12, 1, tzinfo=dt.timezone.utc))
    assert sorted(files) == ["editions/atom.xml", "editions/feed.json", "editions/feed.xml"]
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(files["editions/" + name])
        assert not feed.bozo, feed.bozo_exception
        assert [e.title for e in feed.entries] == ["The digest — Friday 29 November 2024",
                                                   "The digest — Thursday 28 November 2024"]
        assert [e.link for e in feed.entries] == [SITE + "editions/2024-11-29/", SITE + "editions/2024-11-28/"]
        content = feed.entries[0].content[0].value
        assert 'href="https://digest.example.org/stories/2024/11/story-2/"' in content
        assert "What happened in story 2." in content and "Story number 1" in content
        assert "Older &lt;story&gt;" in feed.entries[1].content[0].value  # text, not a tag
    data = json.loads(files["editions/feed.json"])
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == SITE + "editions/feed.json"
    assert [item["id"] for item in data["items"]] == [SITE + "editions/2024-11-29/", SITE + "editions/2024-11-28/"]
    assert all(item["content_html"] and item["date_published"] for item in data["items"])


# -- the build --------------------------------------------------------------------------------------

def links_resolve(site: Path, html: str, site_url: str) -> list[str]:
    """The links of `html` into the site that lead nowhere in `site`."""
    broken = []
    for attrs in Elements(html).all("a"):
        href = attrs["href"]
        if href.startswith(site_url):
            path = urlsplit(href).path[len(urlsplit(site_url).path):]
            target = site / path
            if not (target / "index.html" if not path or path.endswith("/") else target).is_file():
                broken.append(href)
    return broken


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    build = build_site(FIXTURES / "site", tmp_path_factory.mktemp("newsletter"),
                       config=mkdocs_config(email_editions=2, email_from="Desk <desk@example.org>"))
    assert build.returncode == 0, build.output
    return build


def test_the_newest_editions_are_written_as_emails(built):
    dated = sorted(p.name for p in (built.site / "editions").iterdir() if p.is_dir())
    assert len(dated) > 2
    with_email = sorted(p.parent.name for p in (built.site / "editions").glob("*/email.eml"))
    assert with_email == dated[-2:]  # the two newest only
    for day in with_email:
        folder = built.site / "editions" / day
        assert {p.name for p in folder.iterdir()} == {"index.html", "email.html", "email.txt", "email.eml"}
        message = parsed((folder / "email.eml").read_bytes())
        assert message["From"].addresses[0].addr_spec == "desk@example.org"
        html = message.get_body(("html",)).get_content()
        # The same bytes as the files beside it, but for SMTP's CRLF line ends.
        assert html.replace("\r\n", "\n").rstrip("\n") == (folder / "email.html").read_text(encoding="utf-8")
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert text == (folder / "email.txt").read_text(encoding="utf-8")
        assert not links_resolve(built.site, html, "https://digest.example.org/")
        assert len(Elements(html).all("a")) > 3
    feed = feedparser.parse((built.site / "editions" / "feed.xml").read_bytes())
    assert not feed.bozo and [e.link.rstrip("/").rsplit("/", 1)[1] for e in feed.entries] == with_email[::-1]
    for name in ("atom.xml", "feed.json"):
        assert (built.site / "editions" / name).is_file()


def test_email_off_writes_no_emails_but_keeps_the_editions_feed(tmp_path):
    build = build_site(FIXTURES / "site", tmp_path, config=mkdocs_config(email=False))
    assert build.returncode == 0, build.output
    assert not list(build.site.rglob("email.*"))
    assert feedparser.parse((build.site / "editions" / "feed.xml").read_bytes()).entries


@pytest.mark.parametrize("option, value", [("email_from", "nobody"), ("email_subject", "{title}"),
                                           ("email_editions", 0), ("email_unsubscribe", "ftp://example.org/")])
def test_a_bad_email_option_stops_the_build_and_names_it(tmp_path, option, value):
    build = build_site(FIXTURES / "site", tmp_path, config=mkdocs_config(**{option: value}))
    assert build.returncode != 0 and option in build.output


def test_emails_follow_the_editions_in_a_dirty_build(tmp_path):
    """An edition that falls out of the newest `email_editions`, or disappears, loses its email files;
    the dirty build equals a clean one byte for byte."""
    from test_incremental import assert_same_site, clean_build_of, run_build

    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "site", project / "content")
    config = mkdocs_config(email_editions=2)
    config.update(docs_dir="content", site_dir="site")
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    run_build(project, dirty=True)
    before = sorted(p.parent.name for p in (project / "site" / "editions").glob("*/email.eml"))
    newest = dt.date.fromisoformat(before[-1]) + dt.timedelta(days=3)
    (project / "content" / "stories" / f"{newest:%Y/%m}").mkdir(parents=True, exist_ok=True)
    (project / "content" / "stories" / f"{newest:%Y/%m}" / "a-new-day.md").write_text(
        f'---\ntitle: "A new day"\ndate: {newest}\nsummary: "A newer edition."\ntags: [security]\n'
        'sources:\n  - name: "Agency"\n---\nBody.\n', encoding="utf-8")
    run_build(project, dirty=True)
    after = sorted(p.parent.name for p in (project / "site" / "editions").glob("*/email.eml"))
    assert after == [before[-1], newest.isoformat()]
    assert not list((project / "site" / "editions" / before[0]).glob("email.*"))  # fell out
    assert_same_site(project / "site", clean_build_of(project, tmp_path / "clean"))


def test_the_editions_feeds_carry_every_element_their_formats_require():
    """RSS 2.0, Atom 1.0 (RFC 4287) and JSON Feed 1.1 element by element, as a feed validator
    and an RSS-to-email service read them: channel metadata, self links, permalinks, dates."""
    import xml.etree.ElementTree as ET

    from digest import feeds

    utc = dt.timezone.utc
    items = [feeds.EditionItem(url="editions/2024-11-29/", title="T29", content_html="<p>Body &amp; more</p>",
                               summary="Headline <one>", published=dt.datetime(2024, 11, 29, 8, tzinfo=utc),
                               updated=dt.datetime(2024, 11, 30, 9, tzinfo=utc)),
             feeds.EditionItem(url="editions/2024-11-28/", title="T28", content_html="<p>Older</p>",
                               summary="Two", published=dt.datetime(2024, 11, 28, 8, tzinfo=utc),
                               updated=dt.datetime(2024, 11, 28, 8, tzinfo=utc))]
    files = feeds.edition_feeds(items, site_url=SITE, site_name="The digest", title="Editions", description="Daily.",
                                language="fa-AF", empty_updated=dt.datetime(2000, 1, 1, tzinfo=utc))
    for data in files.values():
        assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n') or data.startswith(b"{")

    ns = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
          "dcterms": "http://purl.org/dc/terms/"}
    rss = ET.fromstring(files["editions/feed.xml"])
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert [channel.findtext(n) for n in ("title", "link", "description", "language", "lastBuildDate")] == [
        "Editions", SITE + "archive/", "Daily.", "fa-AF", "Sat, 30 Nov 2024 09:00:00 +0000"]  # newest update
    self_link = channel.find("atom:link", ns)
    assert (self_link.get("rel"), self_link.get("type"), self_link.get("href")) == (
        "self", "application/rss+xml", SITE + "editions/feed.xml")
    first = channel.findall("item")[0]
    assert [first.findtext(n) for n in ("title", "link", "guid", "description", "pubDate")] == [
        "T29", SITE + "editions/2024-11-29/", SITE + "editions/2024-11-29/", "Headline &lt;one&gt;",
        "Fri, 29 Nov 2024 08:00:00 +0000"]
    assert first.find("guid").get("isPermaLink") == "true"
    assert first.findtext("content:encoded", namespaces=ns) == "<p>Body &amp; more</p>"
    assert first.findtext("dcterms:modified", namespaces=ns) == "2024-11-30T09:00:00+00:00"
    assert [i.findtext("title") for i in channel.findall("item")] == ["T29", "T28"]

    atom = ET.fromstring(files["editions/atom.xml"])
    a = "{http://www.w3.org/2005/Atom}"
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa-AF"
    assert [atom.findtext(a + n) for n in ("id", "title", "subtitle", "updated")] == [
        SITE + "editions/", "Editions", "Daily.", "2024-11-30T09:00:00+00:00"]
    links = {(link.get("rel"), link.get("type")): link.get("href") for link in atom.findall(a + "link")}
    assert links == {("self", "application/atom+xml"): SITE + "editions/atom.xml",
                     ("alternate", "text/html"): SITE + "archive/"}
    assert [atom.findtext(f"{a}author/{a}{n}") for n in ("name", "uri")] == ["The digest", SITE]
    entry = atom.findall(a + "entry")[0]
    assert [entry.findtext(a + n) for n in ("id", "title", "published", "updated", "summary", "content")] == [
        SITE + "editions/2024-11-29/", "T29", "2024-11-29T08:00:00+00:00", "2024-11-30T09:00:00+00:00",
        "Headline <one>", "<p>Body &amp; more</p>"]
    assert (entry.find(a + "title").get("type"), entry.find(a + "summary").get("type"),
            entry.find(a + "content").get("type")) == ("text", "text", "html")
    alternate = entry.find(a + "link")
    assert (alternate.get("rel"), alternate.get("type"), alternate.get("href")) == (
        "alternate", "text/html", SITE + "editions/2024-11-29/")

    data = json.loads(files["editions/feed.json"])
    assert {k: data[k] for k in ("version", "title", "home_page_url", "feed_url", "description", "language",
                                 "authors")} == {
        "version": "https://jsonfeed.org/version/1.1", "title": "Editions", "home_page_url": SITE + "archive/",
        "feed_url": SITE + "editions/feed.json", "description": "Daily.", "language": "fa-AF",
        "authors": [{"name": "The digest", "url": SITE}]}
    assert data["items"][0] == {
        "id": SITE + "editions/2024-11-29/", "url": SITE + "editions/2024-11-29/", "title": "T29",
        "summary": "Headline <one>", "content_html": "<p>Body &amp; more</p>",
        "date_published": "2024-11-29T08:00:00+00:00", "date_modified": "2024-11-30T09:00:00+00:00"}
    assert files["editions/feed.json"].endswith(b"\n")


def test_an_empty_editions_feed_is_dated_by_what_the_build_gives():
    from digest import feeds

    empty = dt.datetime(2024, 12, 1, 6, tzinfo=dt.timezone.utc)
    files = feeds.edition_feeds([], site_url=SITE, site_name="The digest", title="Editions", description="",
                                empty_updated=empty)
    assert b"<lastBuildDate>Sun, 01 Dec 2024 06:00:00 +0000</lastBuildDate>" in files["editions/feed.xml"]
    assert b"<language>en</language>" in files["editions/feed.xml"]  # English unless the site says otherwise
    assert b"<updated>2024-12-01T06:00:00+00:00</updated>" in files["editions/atom.xml"]
    assert json.loads(files["editions/feed.json"])["items"] == []
