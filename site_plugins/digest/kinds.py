"""The one registry of what the digest reads from `content/` and what it writes to `site/`.

`CONTENT_KINDS` is the allow-list of `content/`: a file that no row accepts is refused.
`PAGE_KINDS` is every page the digest generates: its URL, the docs-dir path MkDocs knows it by,
its template and what it depends on; `OUTPUT_KINDS` the generated files that are not pages.
Reserved paths, the files the plugin owns and what an edit invalidates are all read from here:
adding a page kind means adding one row (and its pages in `pages.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ContentKind:
    name: str
    pattern: str  # path under content/, `{name}` matching one path segment, `**` any folders
    what: str  # for contributors: what such a file is


@dataclass(frozen=True)
class PageKind:
    name: str
    url: str  # site-relative, directory style; `{name}` is one path segment
    src: str  # the docs-dir path MkDocs knows the page by
    template: str  # the digest's main-column template (templates/)
    depends_on: str  # what its bytes are computed from: the page's fingerprint hashes exactly this
    in_nav: bool = False
    searchable: bool = False  # indexed for search (story pages only)
    content: str | None = None  # the content file it reads, if any


@dataclass(frozen=True)
class OutputKind:
    name: str
    path: str  # a file, or a folder ending in "/"
    depends_on: str
    by: str = "digest"  # who writes it: the digest, MkDocs, Material or Pagefind


CONTENT_KINDS: tuple[ContentKind, ...] = (
    ContentKind("home-intro", "index.md", "the intro shown above the latest edition"),
    ContentKind("story", "stories/{year}/{month}/{slug}.md", "a story"),
    ContentKind("topic", "topics/{tag}.md", "a topic: its title, description and intro"),
    ContentKind("country-intro", "countries/{cc}.md", "the intro of a country page"),
    ContentKind("image", "images/**", "a lead image (JPEG, PNG, WebP or AVIF)"),
    ContentKind("page", "**.md", "an ordinary page (front matter: title, description)"),
)

FEED_NAMES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}  # the files of every feed folder
EMAIL_NAMES = ("email.html", "email.txt", "email.eml")  # an edition as an email: HTML, plain text, MIME message
IMAGE_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WebP", ".avif": "AVIF"}

STORY_INPUTS = "the story file; its topics' titles"
CARD = "title, date, summary, sources count, topic titles and countries"

PAGE_KINDS: tuple[PageKind, ...] = (
    PageKind("home", "", "index.md", "home.html",
             f"content/index.md; the latest edition's stories ({CARD}); headlines of the next "
             "`home_editions` editions; whether older editions exist", in_nav=True, content="index.md"),
    PageKind("story", "stories/{year}/{month}/{slug}/", "stories/{year}/{month}/{slug}.md", "story.html",
             f"{STORY_INPUTS}; its related stories and the stories before and after it ({CARD})",
             searchable=True, content="stories/{year}/{month}/{slug}.md"),
    PageKind("edition", "editions/{date}/", "editions/{date}.md", "edition.html",
             f"the edition's stories in order ({CARD}); the dates of the editions before and after"),
    PageKind("archive", "archive/", "archive/index.md", "archive.html",
             "every month with editions: its number of editions and stories", in_nav=True),
    PageKind("archive-month", "archive/{year}/{month}/", "archive/{year}/{month}/index.md", "archive-month.html",
             "the month's editions, newest first, with their stories' headlines and dates; the months before and after"),
    PageKind("topics", "topics/", "topics/index.md", "topics.html",
             "every topic's title, description, story count and latest date", in_nav=True),
    PageKind("topic", "topics/{tag}/", "topics/{tag}.md", "listing.html",
             f"content/topics/<tag>.md; the topic's first `page_size` stories ({CARD}); its page count",
             content="topics/{tag}.md"),
    PageKind("topic-page", "topics/{tag}/page/{n}/", "topics/{tag}/page/{n}/index.md", "listing.html",
             f"the topic's title; its stories on page n ({CARD}); its page count"),
    PageKind("countries", "countries/", "countries/index.md", "countries.html",
             "every country with stories: name, flag, story count", in_nav=True),
    PageKind("country", "countries/{cc}/", "countries/{cc}.md", "listing.html",
             f"content/countries/<cc>.md; the country's first `page_size` stories ({CARD}); its page count",
             content="countries/{cc}.md"),
    PageKind("country-page", "countries/{cc}/page/{n}/", "countries/{cc}/page/{n}/index.md", "listing.html",
             f"the country's stories on page n ({CARD}); its page count"),
    PageKind("search", "search/", "search/index.md", "search.html", "nothing but the site's configuration"),
    PageKind("subscribe", "subscribe/", "subscribe/index.md", "subscribe.html",
             "the site's name and whether editions are sent as emails"),
)

OUTPUT_KINDS: tuple[OutputKind, ...] = (
    *(OutputKind("feeds", f"{folder}{name}", f"the newest `feed_size` stories {whose}, bodies included")
      for folder, whose in (("", "of the site"), ("topics/{tag}/", "of the topic"), ("countries/{cc}/", "of the country"))
      for name in FEED_NAMES.values()),
    *(OutputKind("edition-email", f"editions/{{date}}/{name}", "the edition's stories in order (title, summary, "
                 "lead image), its date and the `email_*` options; only the newest `email_editions`, with `email` on")
      for name in EMAIL_NAMES),
    *(OutputKind("editions-feed", f"editions/{name}", "the newest `email_editions` editions: their stories' titles, "
                 "summaries and links") for name in FEED_NAMES.values()),
    OutputKind("news-sitemap", "news-sitemap.xml", "the stories of the last two days of the newest story"),
    OutputKind("lead-images", "images/", "each published story's lead image: its bytes and the encoder settings "
               "(images.py); the originals are not published"),
    OutputKind("sitemap", "sitemap.xml", "every page's URL", by="MkDocs"),
    OutputKind("sitemap", "sitemap.xml.gz", "every page's URL", by="MkDocs"),
    OutputKind("not-found", "404.html", "the theme and the navigation", by="Material"),
    OutputKind("theme-assets", "assets/", "the theme and the digest's stylesheets and scripts", by="Material"),
    OutputKind("search-index", "pagefind/", "every story page's main column", by="Pagefind"),
    OutputKind("search-index", "search/search_index.json", "every page's text (search: material)", by="Material"),
)


def _regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z]+\}|\*\*)", pattern)
    regex = "".join("[^/]+" if p.startswith("{") else ".+" if p == "**" else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return _regex(pattern)


def matches(pattern: str, path: str) -> bool:
    return _compiled(pattern).match(path) is not None


def sections() -> frozenset[str]:
    """First path segments that belong to the digest or the theme: no ordinary page may live
    there (it would collide with, or sit among, generated pages and files)."""
    found = {kind.url.split("/")[0] for kind in PAGE_KINDS if kind.url}
    found |= {kind.path.split("/")[0] for kind in OUTPUT_KINDS}
    found |= {kind.pattern.split("/")[0] for kind in CONTENT_KINDS if "/" in kind.pattern}
    return frozenset(found)


def page_url(rel: str) -> str:
    """The directory URL MkDocs gives an ordinary page `rel` (use_directory_urls)."""
    stem = rel[: -len(".md")]
    if stem == "index" or stem.endswith("/index") or stem == "README" or stem.endswith("/README"):
        stem = stem.rpartition("/")[0] if "/" in stem else ""
    return f"{stem}/" if stem else ""


def reserved_by(rel: str) -> str | None:
    """What an ordinary page at `rel` would collide with, or None: a generated page, a generated
    file, or a section of the site that the digest or the theme owns."""
    url = page_url(rel)
    for kind in PAGE_KINDS:
        if matches(kind.url, url) if kind.url else url == "":
            return f"the {kind.name} page the site generates at /{url}"
    first = url.split("/")[0]
    if first in sections():
        return f"/{first}/, which the site generates itself"
    return None


def collision(rel: str, kind: ContentKind) -> str | None:
    """What the content file `rel` of `kind` would collide with, or None: a page the digest
    generates at the same path (one it does not read this file for), or a reserved section."""
    for page in PAGE_KINDS:
        if matches(page.src, rel) and not (page.content and matches(page.content, rel)):
            return f"the {page.name} page the site generates at /{page_url(rel)}"
    return reserved_by(rel) if kind.name == "page" else None


def content_kind(rel: str) -> ContentKind | None:
    """The row of `CONTENT_KINDS` that accepts the file `rel`, or None (refused)."""
    for kind in CONTENT_KINDS:
        if matches(kind.pattern, rel):
            return kind
    return None
