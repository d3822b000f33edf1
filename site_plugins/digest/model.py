"""The newsroom's vocabulary as plain data: stories, sources, topics, countries, problems.

Nothing here knows about MkDocs; every other module speaks in these types.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

# Control characters (ESC sequences, newlines, C1, line separators, bidi controls) in contributor text that a
# problem quotes are shown escaped: a key or file name cannot drive a terminal or forge a line.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """`text` on one line for people: control characters shown as escapes (\\n, \\x1b)."""
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, pointing at the file and line to fix."""

    path: str  # as shown to people: relative to the project, e.g. content/stories/2024/11/x.md
    line: int  # 1-based
    message: str
    hint: str = ""
    severity: str = "error"  # "error" fails check and build; "warning" (shown as an editorial note) does not
    column: int = 0  # 1-based, where it helps (YAML errors); 0: the whole line
    excerpt: str = ""  # the offending line as written, shown under the message with a caret

    def __str__(self) -> str:
        where, message = one_line(self.path), one_line(self.message)
        text = f"{where}:{self.line}: {message}"
        if self.severity == "warning":
            text = f"{where}:{self.line}: note: {message}"
        return f"{text} (hint: {one_line(self.hint)})" if self.hint else text

    def context(self) -> list[str]:
        """The offending line and a caret under its column, for people (`make check`)."""
        if not self.excerpt:
            return []
        shown = one_line(self.excerpt.replace("\t", "\u2192"))  # a tab shown as an arrow, one column wide
        lines = [f"  {self.line:>4} | {shown}"]
        if self.column:
            lines.append("       | " + " " * (len(one_line(self.excerpt[: self.column - 1]))) + "^")
        return lines


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str | None = None
    title: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Rendition:
    """One published file of a lead image: a width in one format."""

    path: str  # site-relative: images/kabul-market-800.3f9a1c2b7e.webp
    width: int
    height: int
    media_type: str  # image/webp, or the fallback's image/jpeg or image/png


@dataclass(frozen=True, slots=True)
class LeadImage:
    """A story's `image`: what the front matter says, and what the loader found in the file (its
    size as shown, EXIF orientation applied, and the files it is published as)."""

    src: str  # docs-dir path: images/kabul-market.jpg
    alt: str
    credit: str
    caption: str | None = None
    line: int = 0  # of `src` in the story file: problems with the image file point there
    width: int = 0
    height: int = 0
    variants: tuple[Rendition, ...] = ()  # WebP, then the JPEG or PNG fallback; narrowest first

    @property
    def webp(self) -> tuple[Rendition, ...]:
        return tuple(r for r in self.variants if r.media_type == "image/webp")

    @property
    def fallback(self) -> tuple[Rendition, ...]:
        return tuple(r for r in self.variants if r.media_type != "image/webp")

    @property
    def default(self) -> Rendition:
        """The fallback a browser without `srcset` shows: the widest up to 800 pixels."""
        fallback = self.fallback
        return next((r for r in reversed(fallback) if r.width <= 800), fallback[0])


class Term(Protocol):
    """What a listing page, its feeds and a story's categories need of a topic or a country."""

    @property
    def key(self) -> str: ...  # the tag or the country code, as URLs and front matter write it

    @property
    def title(self) -> str: ...

    @property
    def url(self) -> str: ...  # the listing's folder: topics/<tag>/, countries/<cc>/

    @property
    def index_url(self) -> str: ...  # the folder listing every term of the kind: topics/, countries/

    @property
    def intro_markdown(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Topic:
    tag: str
    title: str
    description: str
    intro_markdown: str = ""
    path: str = ""

    @property
    def key(self) -> str:
        return self.tag

    @property
    def url(self) -> str:
        return f"topics/{self.tag}/"

    @property
    def index_url(self) -> str:
        return "topics/"


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, lower case (URLs use it)
    name: str  # ISO 3166 name, or its common name where ISO has one
    flag: str  # regional-indicator emoji
    intro_markdown: str = ""

    @property
    def key(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"countries/{self.code}/"

    @property
    def index_url(self) -> str:
        return "countries/"


# eq=False: a story equals and hashes as itself (identity), so the indexes, the pages' and the feeds'
# caches key on the story itself at the cost of an id(), never hashing its body or its fields.
@dataclass(slots=True, eq=False)
class Story:
    """One story file, validated. `published` is time-zone aware; `edition` is its date in the
    site's time zone."""

    slug: str
    path: str  # relative to the docs dir: stories/2024/11/slug.md
    title: str
    summary: str
    published: dt.datetime
    edition: dt.date
    tags: tuple[str, ...]
    countries: tuple[str, ...]
    sources: tuple[Source, ...]
    body_markdown: str
    updated: dt.datetime | None = None
    draft: bool = False
    weight: int = 0
    date_only: bool = True  # the file gave a date, not a date-time
    line_of: dict[str, int] = field(default_factory=dict, repr=False)  # key -> line, for warnings
    shown_path: str = ""  # the file as problems name it: content/stories/2024/11/slug.md
    fingerprint: str = ""  # of the file's path and text (and its image's): what caches and page fingerprints key on
    image: LeadImage | None = None

    @property
    def url(self) -> str:
        return self.path[: -len(".md")] + "/"

    @property
    def modified(self) -> dt.datetime:
        return self.updated or self.published


@dataclass(frozen=True, slots=True)
class Page:
    """An ordinary page (content/about.md) or the home intro: validated front matter and body."""

    path: str  # relative to the docs dir
    title: str | None
    description: str | None
    body_markdown: str


@dataclass(slots=True)
class Content:
    """Everything loaded from the content folder, valid or not."""

    stories: list[Story]
    topics: dict[str, Topic]
    country_intros: dict[str, str]  # cc -> intro markdown
    home_intro: str
    problems: list[Problem]
    pages: dict[str, Page] = field(default_factory=dict)  # ordinary pages by docs-dir path
    images: list[str] = field(default_factory=list)  # docs-dir paths of the images

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]
