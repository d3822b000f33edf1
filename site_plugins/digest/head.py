"""What a page carries in its <head> beyond the theme's: feed autodiscovery links, OpenGraph and
Twitter card tags (with the story's lead image, else the site's logo), and a story's NewsArticle
JSON-LD. (Material prints the canonical link.)

Attribute values are escaped with markupsafe; JSON-LD is written by `json` with `<`, `>` and `&`
as \\u escapes, so no text can close its <script>. The theme prints the result as is.
"""

from __future__ import annotations

import json
from functools import lru_cache

from markupsafe import escape

from . import images
from .formats import FEED_FILES, absolute_url, rfc3339
from .index import Digest
from .model import Rendition, Story
from .pages import PageSpec

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
# The publisher's logo (NewsArticle `publisher.logo`, and the link preview of a page without a
# lead image): the theme's newspaper icon, white on the masthead's navy, drawn by
# scripts/make_logo.py. Square and over 112 pixels, as Google asks of an organisation's logo.
LOGO = Rendition("assets/digest/logo.png", 512, 512, "image/png")


@lru_cache(maxsize=4096)  # the site's own links are the same on every page
def feed_links(folder: str, label: str, site_url: str) -> tuple[str, ...]:
    """<link rel="alternate"> for the three feeds in `folder` ("" for the site's)."""
    return tuple(
        f'<link rel="alternate" type="{media_type}" title="{escape(label)} ({name})" '
        f'href="{escape(absolute_url(site_url, folder + file))}">'
        for file, media_type, name in FEED_FILES.values()
    )


def _meta(attribute: str, key: str, value: str) -> str:
    # f-strings with escape(): Markup.format costs ten times more, on every page.
    return f'<meta {attribute}="{key}" content="{escape(value)}">'


def json_ld(data: dict) -> str:
    """A JSON-LD <script>; `</script>` or `<!--` inside a value stays inside the JSON."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    return f'<script type="application/ld+json">{text}</script>'


def news_article(story: Story, *, labels: list[str], site_url: str, publisher: str, language: str) -> dict:
    """schema.org NewsArticle for a story. The digest has no bylines: the publisher is the author;
    the reports a story summarises are what it `isBasedOn`."""
    url = absolute_url(site_url, story.url)
    organisation = {"@type": "Organization", "name": publisher, "url": absolute_url(site_url, ""),
                    "logo": _image_object(LOGO, site_url)}
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "description": story.summary,
        "datePublished": rfc3339(story.published),
        "dateModified": rfc3339(story.modified),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": language,
        "keywords": labels,
        "author": organisation,
        "publisher": organisation,
        "isBasedOn": [_creative_work(source) for source in story.sources],
    }
    if story.tags:
        article["articleSection"] = labels[0]
    if story.image is not None:
        image = _image_object(images.social(story.image), site_url)
        image.update(creditText=story.image.credit, description=story.image.alt)
        if story.image.caption:
            image["caption"] = story.image.caption
        article["image"] = [image]
    return article


def _image_object(rendition: Rendition, site_url: str) -> dict:
    return {"@type": "ImageObject", "url": absolute_url(site_url, rendition.path),
            "width": rendition.width, "height": rendition.height}


def _creative_work(source) -> dict:
    work: dict = {"@type": "CreativeWork", "name": source.title or source.name,
                  "publisher": {"@type": "Organization", "name": source.name}}
    if source.url:
        work["url"] = source.url
    if source.date:
        work["datePublished"] = source.date.isoformat()
    return work


def social_tags(spec: PageSpec, *, page_url: str, site_url: str, site_name: str, labels: list[str]) -> list[str]:
    """OpenGraph and Twitter card tags: what a link preview shows."""
    story = spec.story
    title = story.title if story else (spec.title if page_url else site_name)
    tags = [
        _meta("property", "og:type", "article" if story else "website"),
        _meta("property", "og:title", title),
        _meta("property", "og:url", absolute_url(site_url, page_url)),
        _meta("property", "og:site_name", site_name),
    ]
    if spec.description:
        tags.append(_meta("property", "og:description", spec.description))
    if story:
        tags += [
            _meta("property", "article:published_time", rfc3339(story.published)),
            _meta("property", "article:modified_time", rfc3339(story.modified)),
        ]
        if story.tags:
            tags.append(_meta("property", "article:section", labels[0]))
        tags += [_meta("property", "article:tag", label) for label in labels]
    image = story.image if story else None
    shown, alt = (images.social(image), image.alt) if image else (LOGO, site_name)
    tags += [
        _meta("property", "og:image", absolute_url(site_url, shown.path)),
        _meta("property", "og:image:type", shown.media_type),
        _meta("property", "og:image:width", str(shown.width)),
        _meta("property", "og:image:height", str(shown.height)),
        _meta("property", "og:image:alt", alt),
    ]
    # A lead image is shown large; the square logo fits the small card.
    tags += [_meta("name", "twitter:card", "summary_large_image" if image else "summary"),
             _meta("name", "twitter:title", title)]
    if spec.description:
        tags.append(_meta("name", "twitter:description", spec.description))
    if image:  # the logo is left to og:image, which Twitter/X reads when twitter:image is absent
        tags += [_meta("name", "twitter:image", absolute_url(site_url, shown.path)),
                 _meta("name", "twitter:image:alt", alt)]
    return tags


def head_html(spec: PageSpec | None, *, page_url: str, site_url: str, site_name: str, language: str,
              digest: Digest | None = None, publisher: str = "") -> str:
    """Every page links the site's feeds; topic and country pages also their own."""
    parts = list(feed_links("", site_name, site_url))
    if spec is not None:
        if spec.feeds:
            parts += feed_links(spec.feeds, f"{site_name}: {spec.context['listing'].title}", site_url)
        story = spec.story
        labels = [term.title for term in digest.terms(story)] if story and digest else []
        parts += social_tags(spec, page_url=page_url, site_url=site_url, site_name=site_name, labels=labels)
        if story is not None:
            parts.append(json_ld(news_article(story, labels=labels, site_url=site_url,
                                              publisher=publisher or site_name, language=language)))
    return "\n".join(parts)
