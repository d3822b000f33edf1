"""Every page the digest generates, described as data (`PageSpec`), and its main-column HTML
rendered through our own Jinja environment, which escapes everything by default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .index import Digest, Edition, Listing
from .model import Story
from .render import MarkdownRenderer

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(slots=True)
class PageSpec:
    src_uri: str  # the docs-dir path MkDocs knows the page by
    url: str  # site-relative, directory style: "topics/refugees/page/2/"
    title: str  # plain text (escaped when printed)
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    description: str = ""  # plain text, for <meta name="description">
    searchable: bool = False  # only story pages go into the search index
    feeds: str | None = None  # folder of this page's own feeds: "", "topics/x/", "countries/af/"
    story: Story | None = None
    in_nav: bool = False


def relative_url(target: str, base: str) -> str:
    """Link from the page at `base` to `target`, both site-relative directory URLs, so that the
    site works under any path prefix and from disk."""
    depth = len([part for part in base.split("/") if part])
    return ("../" * depth + target) or "./"


def long_date(day: dt.date) -> str:
    """A date as readers say it: Friday 29 November 2024."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _datetime_attr(story: Story) -> str:
    return story.edition.isoformat() if story.date_only else story.published.isoformat()


def _paginate(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


class SitePages:
    """All generated pages of one build, and their rendering."""

    def __init__(self, digest: Digest, renderer: MarkdownRenderer, *, home_intro: str = "",
                 home_editions: int = 10, page_size: int = 50, site_name: str = "",
                 stories_dir: str = "stories") -> None:
        self.digest = digest
        self.renderer = renderer
        self.site_name = site_name
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )
        self.env.filters.update(long_date=long_date, short_date=short_date)
        self.env.globals.update(datetime_attr=_datetime_attr, digest=digest)
        self.specs: dict[str, PageSpec] = {}
        self._cards: dict[tuple[int, int], Markup] = {}
        self._add_all(home_intro, home_editions, page_size)

    def _add(self, spec: PageSpec) -> None:
        self.specs[spec.src_uri] = spec

    def _add_all(self, home_intro: str, home_editions: int, page_size: int) -> None:
        d = self.digest
        latest = d.editions[0] if d.editions else None
        self._add(PageSpec("index.md", "", "Home", "home.html", {
            "intro": home_intro, "latest": latest, "earlier": d.editions[1:1 + home_editions],
            "more_editions": len(d.editions) > 1 + home_editions,
        }, description=f"The latest edition of {self.site_name}." if self.site_name else "", feeds="", in_nav=True))
        for story in d.stories:
            self._add(PageSpec(story.path, story.url, story.title, "story.html", {
                "story": story, "related": d.related.get(id(story), []),
                "older": d.older(story), "newer": d.newer(story),
            }, description=story.summary, searchable=True, feeds="", story=story))
        for edition in d.editions:
            older, newer = d.neighbours(edition)
            title = f"Edition of {long_date(edition.date)}"
            self._add(PageSpec(f"editions/{edition.date.isoformat()}.md", edition.url, title, "edition.html",
                               {"edition": edition, "older": older, "newer": newer},
                               description=f"{len(edition.stories)} stories of {long_date(edition.date)}.", feeds=""))
        self._add(PageSpec("archive/index.md", "archive/", "Archive", "archive.html",
                           {"years": d.archive()}, description="Every edition, by year and month.", feeds="", in_nav=True))
        self._add(PageSpec("topics/index.md", "topics/", "Topics", "topics.html", {"listings": list(d.topics.values())},
                           description="Every topic of the digest.", feeds="", in_nav=True))
        self._add(PageSpec("countries/index.md", "countries/", "Countries", "countries.html",
                           {"listings": list(d.countries.values())},
                           description="Every country in the digest's stories.", feeds="", in_nav=True))
        for kind, listings in (("topics", d.topics), ("countries", d.countries)):
            for listing in listings.values():
                self._add_listing(kind, listing, page_size)
        self._add(PageSpec("search/index.md", "search/", "Search", "search.html", {},
                           description="Search every story.", feeds=""))

    def _add_listing(self, kind: str, listing: Listing, page_size: int) -> None:
        pages = _paginate(listing.stories, page_size)
        intro = listing.topic.intro_markdown if listing.topic else listing.country.intro_markdown  # type: ignore[union-attr]
        description = listing.topic.description if listing.topic else f"Stories about {listing.title}."
        for number, stories in enumerate(pages, start=1):
            url = _page_url(listing.url, number)
            src_uri = f"{kind}/{listing.key}.md" if number == 1 else f"{url}index.md"
            title = listing.title if number == 1 else f"{listing.title} (page {number})"
            self._add(PageSpec(src_uri, url, title, "listing.html", {
                "listing": listing, "stories": stories, "intro": intro if number == 1 else "",
                "number": number, "pages": len(pages),
                "newer_url": _page_url(listing.url, number - 1) if number > 1 else None,
                "older_url": _page_url(listing.url, number + 1) if number < len(pages) else None,
            }, description=description, feeds=listing.url))

    def card(self, story: Story, page_url: str) -> Markup:
        """A story's card, rendered once per folder depth (its links are relative): every
        edition, topic and country listing that shows the story reuses it."""
        depth = len([part for part in page_url.split("/") if part])
        key = (id(story), depth)
        html = self._cards.get(key)
        if html is None:
            macros = self.env.get_template("_macros.html").module
            html = self._cards[key] = macros.card(story, lambda target: relative_url(target, page_url))
        return html

    def render(self, spec: PageSpec) -> str:
        """The page's main-column HTML."""
        template = self.env.get_template(spec.template)
        return template.render(
            page=spec, link=lambda target: relative_url(target, spec.url),
            card=lambda story: self.card(story, spec.url),
            markdown=lambda text: Markup(self.renderer.html(text)),
            story_html=lambda story: Markup(self.renderer.story_html(story)),
            **spec.context,
        )
