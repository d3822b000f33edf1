"""The Google News sitemap (/news-sitemap.xml): the newest stories, for news search engines.

Serialised with the standard library's `xml.etree.ElementTree`, so titles are escaped by the
serialiser. MkDocs writes the ordinary /sitemap.xml itself.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from .formats import XML_DECLARATION, absolute_url, rfc3339
from .model import Story

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = dt.timedelta(days=2)  # Google News reads articles of the last two days only
NEWS_LIMIT = 1000  # and at most 1,000 of them per sitemap


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code, except zh-cn and zh-tw: "pt-BR" -> "pt"."""
    code = language.strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-tw" if code in ("zh-tw", "zh-hk", "zh-hant", "zh-mo") else "zh-cn"
    return code.split("-")[0] or "en"


def news_stories(stories: list[Story], *, window: dt.timedelta = NEWS_WINDOW, limit: int = NEWS_LIMIT) -> list[Story]:
    """The stories published within `window` before the newest one (newest first, at most
    `limit`): measured from the content, not from the clock, so a rebuild gives the same file."""
    if not stories:
        return []
    cutoff = max(s.published for s in stories) - window
    return sorted((s for s in stories if s.published > cutoff), key=lambda s: (-s.published.timestamp(), s.slug))[:limit]


def news_sitemap(stories: list[Story], *, site_url: str, publication_name: str, language: str) -> bytes:
    """The sitemap document, UTF-8 encoded, for `stories` (all published ones, any order)."""
    # Prefixed names with the namespaces declared on the root, as in feeds.py: no global
    # ElementTree namespace registry to change.
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for story in news_stories(stories):
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = absolute_url(site_url, story.url)
        news = ET.SubElement(url, "news:news")
        publication = ET.SubElement(news, "news:publication")
        ET.SubElement(publication, "news:name").text = publication_name
        ET.SubElement(publication, "news:language").text = news_language(language)
        ET.SubElement(news, "news:publication_date").text = rfc3339(story.published)
        ET.SubElement(news, "news:title").text = story.title
    ET.indent(urlset)
    return (XML_DECLARATION + ET.tostring(urlset, encoding="unicode") + "\n").encode("utf-8")
