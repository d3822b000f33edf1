"""The HTML sanitising policy for everything contributors write, as data, applied with nh3.

Close to what GitHub keeps in rendered Markdown: structure, links, images, tables, code;
no scripts, styles, frames, forms, event handlers or inline styles; http(s)/mailto URLs only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

import nh3

TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption", "details", "summary",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "q", "cite",
    "abbr", "div", "span",
}
ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "details": {"open"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}
# Only the classes Python-Markdown's footnotes extension writes; a contributor cannot borrow
# the theme's classes to dress text up as site chrome.
CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "select"}

# Ids the site's own pages use: Material's (`__config`, `__search`, `__drawer`, ...) and ours
# (`dg-`). A contributor's `## __config` or <a id="__config"> would come first in the page and
# shadow them (DOM clobbering: the theme reads its settings from getElementById("__config")), so
# such ids, and in-page links to them, get a prefix.
RESERVED_ID = re.compile(r"^(?:_|md-|dg-)")
ID_PREFIX = "user-content-"


def _rename_reserved_ids(element: str, attribute: str, value: str) -> str:
    if attribute == "id" and RESERVED_ID.match(value):
        return ID_PREFIX + value
    if attribute == "href" and value.startswith("#") and RESERVED_ID.match(value[1:]):
        return "#" + ID_PREFIX + value[1:]
    return value


def _cleaner(tags: set[str], attributes: dict[str, set[str]], classes: dict[str, set[str]] | None = CLASSES,
             attribute_filter: Callable[[str, str, str], str | None] = _rename_reserved_ids) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        allowed_classes=classes,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=attribute_filter,
        clean_content_tags=DROP_WITH_CONTENT,
        strip_comments=True,
    )


# Stories and intros sit under a heading of ours: no h1. An ordinary page (about.md) has its own.
_fragment = _cleaner(TAGS, ATTRIBUTES)
_page = _cleaner(TAGS | {"h1"}, {**ATTRIBUTES, "h1": {"id"}})


def clean(html: str, *, page: bool = False) -> str:
    """Contributor HTML reduced to the policy above; `page`: a whole page, which keeps its h1."""
    return (_page if page else _fragment).clean(html)


# Feed readers show many entries in one page, where ids would collide and the site's classes mean
# nothing: the feeds' policy is the one above without them.
_FEED_ATTRIBUTES = {tag: names - {"id"} for tag, names in ATTRIBUTES.items()}
_ABSOLUTE = ("https://", "http://", "mailto:")


class ForFeedReaders:
    """Sanitised story HTML (`clean`'s) for feeds: without ids and classes, and with every link and
    image made absolute against the story's URL (a feed reader has no base URL; in-page links such
    as footnotes then lead to the story page). One per feed writer, used by one thread at a time:
    nh3's attribute filter is given no more than the attribute, so the base is kept here (a cleaner
    per story would cost as much again as the cleaning)."""

    def __init__(self) -> None:
        self._base = ""
        self._cleaner = _cleaner(TAGS, _FEED_ATTRIBUTES, classes=None, attribute_filter=self._absolute)

    def _absolute(self, element: str, attribute: str, value: str) -> str:
        if attribute in ("href", "src") and not value.startswith(_ABSOLUTE):
            return urljoin(self._base, value)
        return value

    def __call__(self, html: str, base: str) -> str:
        self._base = base
        return self._cleaner.clean(html)
