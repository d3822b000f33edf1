"""The site's, every topic's and every country's feeds in RSS 2.0, Atom 1.0 and JSON Feed 1.1.

Serialised with the standard library only (`xml.etree.ElementTree` for RSS and Atom, `json`
for JSON Feed), so every contributor string is escaped by a serialiser, never by hand. Each
story's entry is built once per format and shared by every feed that carries it.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import escape

from . import images, sanitize
from .formats import FEED_FILES, XML_DECLARATION, absolute_url, rfc822, rfc3339
from .formats import source_date_epoch as source_date_epoch  # what the plugin calls feeds.source_date_epoch
from .index import Digest, Listing
from .model import Country, Story, Topic

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# XML elements get prefixed names ("content:encoded") and the root declares the namespaces as
# attributes: an entry shared by several feeds carries no namespace of its own, and ElementTree's
# process-wide prefix registry is left alone.
_INDENT = "  "
# Characters XML 1.0 forbids even as references: a story body could carry one through.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SOURCE_LINK_REL = "noopener noreferrer nofollow"  # as on the story page


@dataclass(frozen=True, slots=True)
class Category:
    """A topic or country a story belongs to, as feeds and metadata name it."""

    term: str  # the tag or the country code
    scheme: str  # absolute URL of the topics/ or countries/ index
    label: str  # the topic's title or the country's name


def categories(story: Story, digest: Digest, site_url: str) -> list[Category]:
    return [Category(term.key, absolute_url(site_url, term.index_url), term.title) for term in digest.terms(story)]


@dataclass(frozen=True, slots=True)
class Channel:
    """One feed, whatever its format: a folder of the site and its newest stories."""

    folder: str  # "" for the site, else "topics/<tag>/" or "countries/<cc>/"
    title: str
    description: str
    stories: list[Story]  # newest first, at most the feed size


def channels(digest: Digest, *, site_name: str, site_description: str, size: int) -> list[Channel]:
    """The site's feed, then one per topic (even a topic without stories) and per country."""
    site = Channel("", site_name, site_description or f"The latest stories of {site_name}.", digest.stories[:size])

    def listing(item: Listing[Topic] | Listing[Country], description: str) -> Channel:
        return Channel(item.url, f"{site_name}: {item.title}", description, item.stories[:size])

    return [
        site,
        *(listing(t, t.term.description or f"Stories on {t.title}.") for t in digest.topics.values()),
        *(listing(c, f"Stories about {c.title}.") for c in digest.countries.values()),
    ]


class FeedWriter:
    """Writes feeds for one build; remembers each story's entry per format, so that a story
    shown in the site's feed, three topic feeds and two country feeds is built once (and its
    JSON Feed item serialised once)."""

    def __init__(self, digest: Digest, *, site_url: str, site_name: str, language: str,
                 story_html: Callable[[Story], str], empty_updated: dt.datetime) -> None:
        self.digest = digest
        self.site_url = site_url
        self.site_name = site_name
        self.language = language
        self.story_html = story_html
        self.empty_updated = empty_updated  # `updated` of a feed without stories
        self._content: dict[Story, str] = {}
        self._categories: dict[Story, list[Category]] = {}
        self._entries: dict[str, dict[Story, ET.Element]] = {"rss": {}, "atom": {}}
        self._json_items: dict[Story, str] = {}
        self._for_feed_readers = sanitize.ForFeedReaders()

    def files(self, channel: Channel) -> dict[str, bytes]:
        """Site-relative path -> bytes, for the channel's three formats."""
        return {
            channel.folder + FEED_FILES["rss"][0]: self.rss(channel),
            channel.folder + FEED_FILES["atom"][0]: self.atom(channel),
            channel.folder + FEED_FILES["json"][0]: self.json_feed(channel),
        }

    # -- shared pieces ---------------------------------------------------------------------

    def _url(self, url: str) -> str:
        return absolute_url(self.site_url, url)

    def _updated(self, channel: Channel) -> dt.datetime:
        return max((s.modified for s in channel.stories), default=self.empty_updated)

    def content_html(self, story: Story) -> str:
        """The sanitised body as feed readers need it, then the story's sources, as on the
        story page."""
        if story not in self._content:
            # Characters XML forbids go first: the HTML parser would not take a lone surrogate.
            body = self._for_feed_readers(_xml_text(self.story_html(story)), self._url(story.url))
            self._content[story] = body + _xml_text(_sources_html(story))
        return self._content[story]

    def categories(self, story: Story) -> list[Category]:
        if story not in self._categories:
            self._categories[story] = categories(story, self.digest, self.site_url)
        return self._categories[story]

    def _entries_of(self, kind: str, channel: Channel, entry: Callable[[Story], ET.Element]) -> list[ET.Element]:
        cache = self._entries[kind]
        for story in channel.stories:
            if story not in cache:
                cache[story] = entry(story)
        return [cache[story] for story in channel.stories]

    # -- RSS 2.0 ---------------------------------------------------------------------------

    def rss(self, channel: Channel) -> bytes:
        root = ET.Element("rss", {
            "version": "2.0",
            "xmlns:atom": "http://www.w3.org/2005/Atom",
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dcterms": "http://purl.org/dc/terms/",
            "xmlns:media": "http://search.yahoo.com/mrss/",
        })
        head = ET.SubElement(root, "channel")
        _add(head, "title", channel.title)
        _add(head, "link", self._url(channel.folder))
        _add(head, "description", channel.description)
        _add(head, "language", self.language)
        _add(head, "lastBuildDate", rfc822(self._updated(channel)))
        _add(head, "atom:link", rel="self", type=FEED_FILES["rss"][1],
             href=self._url(channel.folder + FEED_FILES["rss"][0]))
        return _document(root, head, self._entries_of("rss", channel, self._rss_item), depth=2)

    def _rss_item(self, story: Story) -> ET.Element:
        url = self._url(story.url)
        item = ET.Element("item")
        _add(item, "title", story.title)
        _add(item, "link", url)
        _add(item, "guid", url, isPermaLink="true")
        # RSS readers read `description` as HTML: the plain-text summary is escaped for it.
        _add(item, "description", html.escape(story.summary, quote=False))
        _add(item, "content:encoded", self.content_html(story))
        _add(item, "pubDate", rfc822(story.published))
        _add(item, "dcterms:modified", rfc3339(story.modified))
        for category in self.categories(story):
            _add(item, "category", category.label, domain=category.scheme)
        if story.image is not None:
            # Media RSS: what feed readers show as the item's picture (RSS's own <enclosure>
            # requires the file's length, which only the encoded file knows).
            shown = images.social(story.image)
            media = _add(item, "media:content", url=self._url(shown.path), type=shown.media_type, medium="image",
                         width=str(shown.width), height=str(shown.height))
            _add(media, "media:description", story.image.alt, type="plain")
            _add(media, "media:credit", story.image.credit)
        ET.indent(item, _INDENT, level=2)
        return item

    # -- Atom 1.0 (RFC 4287) ---------------------------------------------------------------

    def atom(self, channel: Channel) -> bytes:
        home = self._url(channel.folder)
        root = ET.Element("feed", {"xmlns": "http://www.w3.org/2005/Atom", "xml:lang": self.language})
        _add(root, "id", home)
        _add(root, "title", channel.title)
        _add(root, "subtitle", channel.description)
        _add(root, "updated", rfc3339(self._updated(channel)))
        _add(root, "link", rel="self", type=FEED_FILES["atom"][1], href=self._url(channel.folder + FEED_FILES["atom"][0]))
        _add(root, "link", rel="alternate", type="text/html", href=home)
        author = ET.SubElement(root, "author")
        _add(author, "name", self.site_name)
        _add(author, "uri", self._url(""))
        return _document(root, root, self._entries_of("atom", channel, self._atom_entry), depth=1)

    def _atom_entry(self, story: Story) -> ET.Element:
        url = self._url(story.url)
        entry = ET.Element("entry")
        _add(entry, "id", url)
        _add(entry, "title", story.title, type="text")
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "published", rfc3339(story.published))
        _add(entry, "updated", rfc3339(story.modified))
        _add(entry, "summary", story.summary, type="text")
        _add(entry, "content", self.content_html(story), type="html")
        for category in self.categories(story):
            _add(entry, "category", term=category.term, scheme=category.scheme, label=category.label)
        for source in story.sources:
            if source.url:
                _add(entry, "link", rel="related", type="text/html", href=source.url,
                     title=source.name if not source.title else f"{source.name}: {source.title}")
        if story.image is not None:  # RFC 4287 4.2.7.6: `length` is optional
            shown = images.social(story.image)
            _add(entry, "link", rel="enclosure", type=shown.media_type, href=self._url(shown.path),
                 title=story.image.alt)
        ET.indent(entry, _INDENT, level=1)
        return entry

    # -- JSON Feed 1.1 ---------------------------------------------------------------------

    def json_feed(self, channel: Channel) -> bytes:
        feed = {
            "version": JSON_FEED_VERSION,
            "title": channel.title,
            "home_page_url": self._url(channel.folder),
            "feed_url": self._url(channel.folder + FEED_FILES["json"][0]),
            "description": channel.description,
            "language": self.language,
            "authors": [{"name": self.site_name, "url": self._url("")}],
        }
        # `items` goes last: the object's closing "\n}" is replaced by the joined entries.
        head = json.dumps(feed, ensure_ascii=False, indent=1).removesuffix("\n}")
        cache = self._json_items
        for story in channel.stories:
            if story not in cache:
                cache[story] = self._json_item(story)
        entries = ",\n  ".join(cache[story] for story in channel.stories)
        items = '"items": [\n  ' + entries + "\n ]" if entries else '"items": []'
        return (head + ",\n " + items + "\n}\n").encode("utf-8")

    def _json_item(self, story: Story) -> str:
        url = self._url(story.url)
        item = {
            "id": url,
            "url": url,
            "title": story.title,
            "summary": story.summary,
            "content_html": self.content_html(story),
            "date_published": rfc3339(story.published),
            "date_modified": rfc3339(story.modified),
            "tags": [c.label for c in self.categories(story)],
            **({"image": self._url(images.social(story.image).path)} if story.image is not None else {}),
            # JSON Feed has no field for sources; extensions start with "_" (JSON Feed 1.1, "Extensions").
            "_digest": {"sources": [
                {k: v for k, v in (("name", s.name), ("url", s.url), ("title", s.title),
                                   ("date", s.date.isoformat() if s.date else None)) if v}
                for s in story.sources
            ]},
        }
        return json.dumps(item, ensure_ascii=False)


def empty_feed_updated(digest: Digest, epoch: dt.datetime | None) -> dt.datetime:
    """`updated` of a feed without stories: `epoch` (SOURCE_DATE_EPOCH), else the site's newest
    modification, else 1970: never the clock."""
    return epoch or max((s.modified for s in digest.stories), default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))


def feed_paths(channel: Channel) -> list[str]:
    return [channel.folder + name for name, _, _ in FEED_FILES.values()]


def build_feeds(digest: Digest, *, site_url: str, site_name: str, site_description: str = "",
                language: str = "en", story_html: Callable[[Story], str], size: int = 50,
                epoch: dt.datetime | None = None, wanted: Callable[[Channel], bool] | None = None,
                ) -> dict[str, bytes]:
    """The site's feeds (all of them, or the channels `wanted` says): site-relative path -> bytes.
    A feed's `updated` is its newest entry's modification time (see `empty_feed_updated`)."""
    writer = FeedWriter(digest, site_url=site_url, site_name=site_name, language=language,
                        story_html=story_html, empty_updated=empty_feed_updated(digest, epoch))
    files: dict[str, bytes] = {}
    for channel in channels(digest, site_name=site_name, site_description=site_description, size=size):
        if wanted is None or wanted(channel):
            files.update(writer.files(channel))
    return files


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _document(root: ET.Element, parent: ET.Element | None = None, entries: list[ET.Element] | None = None,
              depth: int = 1) -> bytes:
    """The XML document of `root`, indented; `entries` (a story's cached item or entry, indented
    when it was built, at `depth`) are appended to `parent`, which has children of its own."""
    ET.indent(root, _INDENT)  # before the entries join: they are not indented once per feed
    if parent is not None and entries:
        # The whitespace ET.indent gives them. Each feed appends shallow copies: a shared entry is
        # the last of one feed and not of another, and its tail (the whitespace after it) says so.
        between = parent[-1].tail = "\n" + _INDENT * depth
        copies = [copy.copy(entry) for entry in entries]
        for entry in copies:
            entry.tail = between
        copies[-1].tail = "\n" + _INDENT * (depth - 1)
        parent.extend(copies)
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def _sources_html(story: Story) -> str:
    # f-strings with escape(): Markup.format costs ten times more (as in head.py).
    items: list[str] = []
    for source in story.sources:
        name = (f'<a href="{escape(source.url)}" rel="{SOURCE_LINK_REL}">{escape(source.name)}</a>'
                if source.url else str(escape(source.name)))
        if source.title:
            name += f": <cite>{escape(source.title)}</cite>"
        if source.date:
            name += f" ({source.date.isoformat()})"
        items.append(f"<li>{name}</li>")
    return "\n<h2>Sources</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>" if items else ""



# -- the editions feed (/editions/): one item per edition, for RSS-to-email services ------------

EDITIONS_FOLDER = "editions/"


@dataclass(frozen=True, slots=True)
class EditionItem:
    """One edition as a feed item (newsletter.py writes it): a service that turns a feed into an
    email newsletter sends `title` as the subject and `content_html` as the body."""

    url: str  # site-relative: editions/2024-11-29/
    title: str
    content_html: str  # every story's headline, summary and link, absolute URLs
    summary: str  # plain text: the headlines
    published: dt.datetime
    updated: dt.datetime


def edition_feed_paths() -> list[str]:
    return [EDITIONS_FOLDER + name for name, _, _ in FEED_FILES.values()]


def edition_feeds(items: list[EditionItem], *, site_url: str, site_name: str, title: str, description: str,
                  language: str = "en", empty_updated: dt.datetime) -> dict[str, bytes]:
    """/editions/feed.xml, atom.xml and feed.json: `items` newest first, with the same channel
    metadata and serialisers as the story feeds."""

    def url(path: str) -> str:
        return absolute_url(site_url, path)

    home = url(EDITIONS_FOLDER)
    updated = max((item.updated for item in items), default=empty_updated)
    rss_name, atom_name, json_name = (FEED_FILES[kind][0] for kind in ("rss", "atom", "json"))

    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom",
                              "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
                              "xmlns:dcterms": "http://purl.org/dc/terms/"})
    channel = ET.SubElement(root, "channel")
    _add(channel, "title", title)
    _add(channel, "link", url("archive/"))
    _add(channel, "description", description)
    _add(channel, "language", language)
    _add(channel, "lastBuildDate", rfc822(updated))
    _add(channel, "atom:link", rel="self", type=FEED_FILES["rss"][1], href=url(EDITIONS_FOLDER + rss_name))
    for item in items:
        entry = ET.SubElement(channel, "item")
        _add(entry, "title", item.title)
        _add(entry, "link", url(item.url))
        _add(entry, "guid", url(item.url), isPermaLink="true")
        _add(entry, "description", html.escape(item.summary, quote=False))
        _add(entry, "content:encoded", item.content_html)
        _add(entry, "pubDate", rfc822(item.published))
        _add(entry, "dcterms:modified", rfc3339(item.updated))
    rss = _document(root)

    root = ET.Element("feed", {"xmlns": "http://www.w3.org/2005/Atom", "xml:lang": language})
    _add(root, "id", home)
    _add(root, "title", title)
    _add(root, "subtitle", description)
    _add(root, "updated", rfc3339(updated))
    _add(root, "link", rel="self", type=FEED_FILES["atom"][1], href=url(EDITIONS_FOLDER + atom_name))
    _add(root, "link", rel="alternate", type="text/html", href=url("archive/"))
    author = ET.SubElement(root, "author")
    _add(author, "name", site_name)
    _add(author, "uri", url(""))
    for item in items:
        entry = ET.SubElement(root, "entry")
        _add(entry, "id", url(item.url))
        _add(entry, "title", item.title, type="text")
        _add(entry, "link", rel="alternate", type="text/html", href=url(item.url))
        _add(entry, "published", rfc3339(item.published))
        _add(entry, "updated", rfc3339(item.updated))
        _add(entry, "summary", item.summary, type="text")
        _add(entry, "content", item.content_html, type="html")
    atom = _document(root)

    feed = {
        "version": JSON_FEED_VERSION, "title": title, "home_page_url": url("archive/"),
        "feed_url": url(EDITIONS_FOLDER + json_name), "description": description, "language": language,
        "authors": [{"name": site_name, "url": url("")}],
        "items": [{"id": url(item.url), "url": url(item.url), "title": item.title, "summary": item.summary,
                   "content_html": _xml_text(item.content_html), "date_published": rfc3339(item.published),
                   "date_modified": rfc3339(item.updated)} for item in items],
    }
    json_feed = (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return {EDITIONS_FOLDER + rss_name: rss, EDITIONS_FOLDER + atom_name: atom, EDITIONS_FOLDER + json_name: json_feed}
