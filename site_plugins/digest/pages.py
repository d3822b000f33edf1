"""Every page the digest generates, described as data (`PageSpec`), and its main-column HTML
rendered through our own Jinja environment, which escapes everything by default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .formats import rfc3339
from .i18n import Words
from .index import Digest, Edition, Listing
from .kinds import PAGE_KINDS, PageKind
from .model import Country, Story, Topic
from .render import MarkdownRenderer

TEMPLATES = Path(__file__).parent / "templates"
KINDS = {kind.name: kind for kind in PAGE_KINDS}


@dataclass(slots=True)
class PageSpec:
    kind: PageKind  # its row in the registry (kinds.PAGE_KINDS)
    src_uri: str  # the docs-dir path MkDocs knows the page by
    url: str  # site-relative, directory style: "topics/refugees/page/2/"
    title: str  # plain text (escaped when printed)
    context: dict[str, Any] = field(default_factory=dict)
    description: str = ""  # plain text, for <meta name="description">
    feeds: str | None = None  # folder of this page's own feeds: "", "topics/x/", "countries/af/"
    story: Story | None = None
    inputs: tuple = ()  # everything its main column and head are computed from (kind.depends_on)

    @property
    def template(self) -> str:
        return self.kind.template

    @property
    def section(self) -> str | None:
        """The URL of the navigation tab to show as current on this page, or None."""
        return SECTIONS.get(self.kind.name)

    @property
    def searchable(self) -> bool:
        return self.kind.searchable

    @property
    def in_nav(self) -> bool:
        return self.kind.in_nav

    def fingerprint(self, site_key: str) -> str:
        """Changes whenever the page's HTML can: `site_key` covers configuration, code, theme
        and navigation; the rest is the page's own inputs (plain data, so `repr` is stable)."""
        data = repr((site_key, self.kind.name, self.src_uri, self.url, self.title, self.description,
                     self.feeds, self.inputs))
        return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def relative_url(target: str, base: str) -> str:
    """Link from the page at `base` to `target`, both site-relative directory URLs, so that the
    site works under any path prefix and from disk."""
    depth = len([part for part in base.split("/") if part])
    return ("../" * depth + target) or "./"


ENGLISH = Words("en")


def long_date(day: dt.date) -> str:
    """A date as readers say it in English: Friday 29 November 2024 (`Words.long_date` in others)."""
    return ENGLISH.long_date(day)


def short_date(day: dt.date) -> str:
    return ENGLISH.short_date(day)


def _datetime_attr(story: Story) -> str:
    return story.edition.isoformat() if story.date_only else rfc3339(story.published)


def month_url(year_month: tuple[int, int]) -> str:
    return f"archive/{year_month[0]:04d}/{year_month[1]:02d}/"


def month_name(year_month: tuple[int, int]) -> str:
    return ENGLISH.month_name(year_month)


# The tab (a page in the navigation, by URL) each kind of page belongs to; None: no tab. Stories
# are what the home page carries, so they light Home; an edition is a day of the archive.
SECTIONS = {"home": "", "story": "", "edition": "archive/", "archive": "archive/", "archive-month": "archive/",
            "topics": "topics/", "topic": "topics/", "topic-page": "topics/",
            "countries": "countries/", "country": "countries/", "country-page": "countries/"}


def _paginate(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


class SitePages:
    """All generated pages of one build, and their rendering."""

    def __init__(self, digest: Digest, renderer: MarkdownRenderer, *, home_intro: str = "",
                 home_editions: int = 10, page_size: int = 50, site_name: str = "",
                 stories_dir: str = "stories", language: str = "en", email_edition: bool = False) -> None:
        self.digest = digest
        self.email_edition = email_edition  # editions are also emails (newsletter): the subscribe page says so
        self.renderer = renderer
        self.site_name = site_name
        self.words = words = Words(language)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
        )
        # New-style gettext: `_("… %(name)s", name=…)`, the values escaped, the message trusted.
        self.env.install_gettext_translations(words.translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(long_date=words.long_date, short_date=words.short_date, month_url=month_url,
                                month_name=words.month_name, rfc3339=rfc3339, number=words.number)
        self.env.globals.update(datetime_attr=_datetime_attr, digest=digest,
                                list_separator=words.list_separator())  # between a story's countries
        self.specs: dict[str, PageSpec] = {}
        self._card_html: dict[tuple[Story, int], Markup] = {}
        self._card_keys: dict[Story, tuple] = {}
        self._articles: dict[str, str] = {}  # story articles rendered for search, until their page is
        self._add_all(home_intro, home_editions, page_size)

    def _add(self, kind: str, src_uri: str, url: str, title: str, context: dict, inputs: tuple, **more) -> None:
        self.specs[src_uri] = PageSpec(KINDS[kind], src_uri, url, title, context, inputs=inputs, **more)

    def card_key(self, story: Story | None) -> tuple | None:
        """What a story's card, link or chips show, as data: its file and its topics' titles."""
        if story is None:
            return None
        key = self._card_keys.get(story)
        if key is None:
            key = self._card_keys[story] = (story.fingerprint, tuple(self.digest.topics[tag].title for tag in story.tags))
        return key

    def _cards(self, stories: list[Story]) -> tuple:
        return tuple(map(self._card_keys.__getitem__, stories))  # every story's key is made first

    def _add_all(self, home_intro: str, home_editions: int, page_size: int) -> None:
        d, w = self.digest, self.words
        for story in d.stories:
            self.card_key(story)
        latest = d.editions[0] if d.editions else None
        earlier = d.editions[1:1 + home_editions]
        more = len(d.editions) > 1 + home_editions
        self._add("home", "index.md", "", w.gettext("Home"),
                  {"intro": home_intro, "latest": latest, "earlier": earlier, "more_editions": more},
                  (home_intro, latest and (latest.date, self._cards(latest.stories)),
                   tuple((e.date, self._cards(e.stories)) for e in earlier), more),
                  description=w.gettext("The latest edition of %(site)s.", site=self.site_name) if self.site_name else "",
                  feeds="")
        for story in d.stories:
            related, older, newer = d.related_to(story), d.older(story), d.newer(story)
            self._add("story", story.path, story.url, story.title,
                      {"story": story, "related": related, "older": older, "newer": newer},
                      (self.card_key(story), self._cards(related), self.card_key(older), self.card_key(newer)),
                      description=story.summary, feeds="", story=story)
        for edition in d.editions:
            older, newer = d.neighbours(edition)
            self._add("edition", f"editions/{edition.date.isoformat()}.md", edition.url,
                      w.gettext("Edition of %(date)s", date=w.long_date(edition.date)),
                      {"edition": edition, "older": older, "newer": newer},
                      (self._cards(edition.stories), older and older.date, newer and newer.date),
                      description=w.ngettext("%(num)s story of %(date)s.", "%(num)s stories of %(date)s.",
                                             len(edition.stories), date=w.long_date(edition.date)), feeds="")
        years = d.archive()
        months = [(year, month, editions) for year, by_month in years for month, editions in by_month]
        self._add("archive", "archive/index.md", "archive/", w.gettext("Archive"), {"years": years},
                  tuple((y, m, len(e), sum(len(x.stories) for x in e)) for y, m, e in months),
                  description=w.gettext("Every edition, by year and month."), feeds="")
        for i, (year, month, editions) in enumerate(months):
            newer = months[i - 1][:2] if i > 0 else None
            older = months[i + 1][:2] if i + 1 < len(months) else None
            name = w.month_name((year, month))
            url = f"archive/{year:04d}/{month:02d}/"
            self._add("archive-month", f"{url}index.md", url, w.gettext("Archive: %(month)s", month=name),
                      {"name": name, "editions": editions, "older": older, "newer": newer},
                      (tuple((e.date, self._cards(e.stories)) for e in editions), older, newer),
                      description=w.gettext("The editions of %(month)s, with their headlines.", month=name), feeds="")
        topics = list(d.topics.values())
        self._add("topics", "topics/index.md", "topics/", w.gettext("Topics"), {"listings": topics},
                  tuple((t.key, t.title, t.term.description, len(t.stories),
                         t.stories[0].edition if t.stories else None) for t in topics),
                  description=w.gettext("Every topic of the digest."), feeds="")
        countries = list(d.countries.values())
        self._add("countries", "countries/index.md", "countries/", w.gettext("Countries"), {"listings": countries},
                  tuple((c.key, len(c.stories)) for c in countries),
                  description=w.gettext("Every country in the digest's stories."), feeds="")
        for kind, listings in (("topic", d.topics), ("country", d.countries)):
            for listing in listings.values():
                self._add_listing(kind, listing, page_size)
        self._add("search", "search/index.md", "search/", w.gettext("Search"), {}, (),
                  description=w.gettext("Search every story."), feeds="")
        self._add("subscribe", "subscribe/index.md", "subscribe/", w.gettext("Subscribe"),
                  {"site_name": self.site_name, "email": self.email_edition}, (self.site_name, self.email_edition),
                  description=w.gettext("How to follow %(site)s: in a feed reader, by topic or country, or by email.",
                                        site=self.site_name), feeds="")

    def _add_listing(self, kind: str, listing: Listing[Topic] | Listing[Country], page_size: int) -> None:
        pages = _paginate(listing.stories, page_size)
        term, w = listing.term, self.words
        intro = term.intro_markdown
        description = term.description if isinstance(term, Topic) else w.gettext("Stories about %(country)s.",
                                                                                 country=term.title)
        folder = "topics" if kind == "topic" else "countries"
        for number, stories in enumerate(pages, start=1):
            url = _page_url(listing.url, number)
            src_uri = f"{folder}/{listing.key}.md" if number == 1 else f"{url}index.md"
            title = listing.title if number == 1 else w.gettext("%(title)s (page %(number)s)", title=listing.title,
                                                                number=w.number(number))
            shown_intro = intro if number == 1 else ""
            self._add(kind if number == 1 else f"{kind}-page", src_uri, url, title, {
                "listing": listing, "stories": stories, "intro": shown_intro,
                "number": number, "pages": len(pages),
                "newer_url": _page_url(listing.url, number - 1) if number > 1 else None,
                "older_url": _page_url(listing.url, number + 1) if number < len(pages) else None,
            }, (shown_intro, self._cards(stories), number, len(pages)), description=description, feeds=listing.url)

    def card(self, story: Story, page_url: str) -> Markup:
        """A story's card, rendered once per folder depth (its links are relative): every
        edition, topic and country listing that shows the story reuses it."""
        depth = len([part for part in page_url.split("/") if part])
        key = (story, depth)
        html = self._card_html.get(key)
        if html is None:
            macros = self.env.get_template("_macros.html").module
            html = self._card_html[key] = macros.card(story, lambda target: relative_url(target, page_url))
        return html

    def search_document(self, spec: PageSpec) -> str:
        """A story's article (templates/story.html), which the search index reads: without the
        related stories and the links before and after (story-more.html), so that it changes only
        when the story does (`search_key`). Kept until the story's page is rendered."""
        article = self._articles.get(spec.src_uri)
        if article is None:
            article = self._articles[spec.src_uri] = self._render(spec.template, spec)
        return article

    def search_key(self, spec: PageSpec, site_key: str) -> str:
        data = repr((site_key, spec.url, spec.title, self.card_key(spec.story)))
        return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()

    def render(self, spec: PageSpec) -> str:
        """The page's main-column HTML."""
        if spec.kind.name == "story":
            article = self.search_document(spec)
            del self._articles[spec.src_uri]
            return article + self._render("story-more.html", spec)
        return self._render(spec.template, spec)

    def _render(self, name: str, spec: PageSpec) -> str:
        template = self.env.get_template(name)
        return template.render(
            page=spec, link=lambda target: relative_url(target, spec.url),
            card=lambda story: self.card(story, spec.url),
            markdown=lambda text: Markup(self.renderer.html(text)),
            story_html=lambda story: Markup(self.renderer.story_html(story)),
            **spec.context,
        )
