"""The HTML sanitising policy for everything contributors write, as data, applied with nh3.

Close to what GitHub keeps in rendered Markdown: structure, links, images, tables, code;
no scripts, styles, frames, forms, event handlers or inline styles; http(s)/mailto URLs only.
"""

from __future__ import annotations

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

_cleaner = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    allowed_classes=CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    clean_content_tags=DROP_WITH_CONTENT,
    strip_comments=True,
)


def clean(html: str) -> str:
    """Contributor HTML reduced to the policy above."""
    return _cleaner.clean(html)
