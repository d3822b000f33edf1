"""The front-matter rules, written once: the validator reads them and the JSON Schema for
editors is generated from them (`json_schema()`).

Each field is a `Field` whose `kind` names one checker below; a checker takes a YAML node and
returns the value or raises `Invalid` with the node whose line is at fault.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

import yaml

from . import frontmatter_yaml

TAG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$"
# The years a date in front matter may have. Far from the ends of Python's calendar (years 1 and
# 9999, where moving a time to another zone overflows); from 1900, because before then most time
# zones kept local mean time, offsets like -10:29:20 that feeds cannot write; whole centuries, so
# that the JSON Schema can say it with a pattern.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_YEARS_PATTERN = "^(?:" + "|".join(str(c) for c in range(FIRST_YEAR // 100, LAST_YEAR // 100 + 1)) + r")\d\d-"
# `images/...` as the contract says, relative to content/: no `..`, hidden names or backslashes.
IMAGE_SRC_PATTERN = (r"^images/(?:[^/\\.][^/\\]*/)*[^/\\.][^/\\]*"
                     r"\.(?:[jJ][pP][eE]?[gG]|[pP][nN][gG]|[wW][eE][bB][pP]|[aA][vV][iI][fF])$")
_HTML = re.compile(r"<[A-Za-z/!?]|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_PLACEHOLDER = re.compile(r"^\s*TODO\b")  # what scripts/new_story.py writes for anything not given


# Characters that plain text refuses, because they are invisible or change how the text around
# them displays: a headline could read differently from what it says, or look like another one.
# Written as regular-expression classes with \u escapes, which Python and an editor's ECMAScript
# engine read alike, so the JSON Schema uses them as they are.
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and line feed, DEL, C1
# bidi marks, embeddings, overrides and isolates; the deprecated shaping and digit controls
_DIRECTION = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u206f"
# zero-width space, word joiner, BOM, soft hyphen, invisible operators, Hangul fillers...
_INVISIBLE = r"\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2064\u3164\ufeff\uffa0\ufff9-\ufffb"
# ZWNJ and ZWJ change how letters join in Arabic script (correct Dari, Pashto, Persian and Urdu
# need ZWNJ inside words) and how the Indic scripts form conjuncts: allowed between two letters of
# those scripts, where they show; anywhere else (emoji sequences too: headlines do without) they
# only hide.
_JOINERS = r"\u200c\u200d"
_JOINING_SCRIPTS = r"\u0600-\u077f\u0870-\u08ff\u0900-\u0dff\ufb50-\ufdff\ufe70-\ufefe"
# Variation selectors choose an emoji's or an ideograph's glyph; after a letter they only hide.
_VARIATION = r"\ufe00-\ufe0f"
_ALPHABETIC = r"A-Za-z\u00c0-\u024f\u0300-\u052f\u0590-\u08ff\u0900-\u0dff\u1e00-\u1fff"
_UNSEEN_PATTERN = (
    rf"[{_CONTROLS}{_DIRECTION}{_INVISIBLE}]"
    rf"|(?<![{_JOINING_SCRIPTS}])[{_JOINERS}]|[{_JOINERS}](?![{_JOINING_SCRIPTS}])"
    rf"|(?<=[{_ALPHABETIC}])[{_VARIATION}]"
)
# Beyond U+FFFF Python and ECMAScript spell characters differently: tag characters (invisible
# text) and the supplementary variation selectors are refused here, not in the JSON Schema.
_TAGS, _MORE_VARIATION = r"\U000e0000-\U000e007f", r"\U000e0100-\U000e01ef"
_UNSEEN = re.compile(rf"{_UNSEEN_PATTERN}|[{_TAGS}]|(?<=[{_ALPHABETIC}])[{_MORE_VARIATION}]")
_INVISIBLE_HERE = "it is invisible, and makes the words differ from what they look like"
_WHY_UNSEEN = (  # the first class that holds the character says why it is refused
    (re.compile(f"[{_CONTROLS}]"), "it is invisible, and terminals and other programs may act on it"),
    (re.compile(f"[{_DIRECTION}]"), "it can make the text display differently from what it says"),
    (re.compile(f"[{_JOINERS}]"), "it is invisible here: it belongs only between two letters of an Arabic-script or Indic word"),
    (re.compile(f"[{_VARIATION}{_MORE_VARIATION}]"), "after a letter " + _INVISIBLE_HERE),
)


class Invalid(Exception):
    def __init__(self, message: str, node: yaml.Node, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.node, self.hint = message, node, hint


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    description: str
    max_length: int | None = None


STORY_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "Headline, plain text.", 200),
    Field("date", "date", True, "YYYY-MM-DD, or an ISO 8601 date-time with offset; must match the folder YYYY/MM."),
    Field("summary", "text", True, "One-sentence summary, plain text: listings, feeds, meta description.", 400),
    Field("tags", "tags", True, "Topic slugs; each needs content/topics/<tag>.md."),
    Field("countries", "countries", False, "ISO 3166-1 alpha-2 codes (any case)."),
    Field("sources", "sources", True, "Where the facts come from: name, and url/title/date if known."),
    Field("updated", "date", False, "Like date; not before it."),
    Field("draft", "bool", False, "true keeps the story out of the published site."),
    Field("weight", "int", False, "Orders stories within one edition, lower first."),
    Field("image", "image", False, "Lead image: src (a file under content/images/), alt and credit; caption if wanted."),
)

IMAGE_FIELDS: tuple[Field, ...] = (
    Field("src", "image_src", True, "The file under content/, e.g. images/kabul-market.jpg (JPEG, PNG, WebP or AVIF)."),
    Field("alt", "text", True, "What the image shows, for readers who cannot see it: plain text.", 250),
    Field("credit", "text", True, "Who made the image, e.g. photographer/agency: plain text.", 200),
    Field("caption", "text", False, "Shown under the image: plain text.", 400),
)

SOURCE_FIELDS: tuple[Field, ...] = (
    Field("name", "text", True, "Who published or said it.", 200),
    Field("url", "url", False, "Absolute http(s) URL of the source."),
    Field("title", "text", False, "Title of the source article.", 300),
    Field("date", "plain_date", False, "YYYY-MM-DD the source was published."),
)

TOPIC_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "Topic name shown to readers.", 100),
    Field("description", "text", True, "One line: what the topic covers.", 300),
)

PAGE_FIELDS: tuple[Field, ...] = (
    Field("title", "text", False, "Page title shown in the navigation and the browser tab.", 200),
    Field("description", "text", False, "One line for search engines and link previews.", 300),
)

COUNTRY_FIELDS: tuple[Field, ...] = (
    Field("description", "text", False, "One line about the country page.", 300),
)


# --- checkers: node -> value, or raise Invalid ---------------------------------------------

def _scalar(node: yaml.Node, field: Field, what: str, example: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        shape = "list" if isinstance(node, yaml.SequenceNode) else "mapping"
        raise Invalid(f"`{field.name}` must be {what}, not a {shape}", node, f"write it on one line, e.g. {example}")
    return node.value


def check_text(node: yaml.Node, field: Field) -> str:
    value = frontmatter_yaml.construct(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, str):
        shown = "empty" if value is None and isinstance(node, yaml.ScalarNode) else "not text"
        raise Invalid(f"`{field.name}` is {shown}", node, f'write {field.name}: "..." in quotes')
    text = " ".join(value.split())
    if getattr(node, "cut_by_comment", False):
        raise Invalid(f"`{field.name}` is cut short at ` #`: YAML reads the rest of the line as a comment",
                      node, f'put the whole {field.name} in double quotes')
    if not text:
        raise Invalid(f"`{field.name}` is empty", node, "write some plain text")
    if _PLACEHOLDER.match(text):
        raise Invalid(f"`{field.name}` is still a TODO placeholder", node,
                      f"replace it with the real {field.name}: {field.description.rstrip('.')}")
    _refuse_unseen(value, node, field)
    if _HTML.search(text):
        raise Invalid(f"`{field.name}` contains HTML", node, "front matter is plain text: remove tags and entities")
    if field.max_length and len(text) > field.max_length:
        raise Invalid(
            f"`{field.name}` is {len(text)} characters long (at most {field.max_length})", node, "shorten it"
        )
    return text


def _refuse_unseen(value: str, node: yaml.Node, field: Field) -> None:
    found = _UNSEEN.search(value)
    if found is None:
        return
    char, code = found.group(), ord(found.group())
    name = unicodedata.name(char, "")
    shown = f"U+{code:04X} {name}" if name else f"the control character U+{code:04X}"
    why = next((why for chars, why in _WHY_UNSEEN if chars.fullmatch(char)), _INVISIBLE_HERE)
    more = len(_UNSEEN.findall(value, found.end()))
    others = "" if not more else " and the other one after it" if more == 1 else f" and the {more} others after it"
    escape = f"\\u{code:04X}" if code <= 0xFFFF else f"\\u{{{code:X}}}"
    raise Invalid(f"`{field.name}` contains {shown} at character {found.start() + 1} ({why})", node,
                  f"delete it{others}: most editors do not show it, so search for {escape} with regular "
                  "expressions on, or retype the words around it")


def parse_when(raw: str) -> tuple[dt.datetime | dt.date, bool] | None:
    """A date or an offset-aware date-time from text, with whether it was a date only."""
    if re.match(DATE_PATTERN, raw):
        try:
            return dt.date.fromisoformat(raw), True
        except ValueError:
            return None
    if re.match(DATETIME_PATTERN, raw):
        try:
            return dt.datetime.fromisoformat(raw), False
        except ValueError:
            return None
    return None


def check_date(node: yaml.Node, field: Field) -> tuple[dt.datetime | dt.date, bool]:
    raw = _scalar(node, field, "a date", "2024-11-29").strip()
    parsed = parse_when(raw)
    if parsed is None:
        hint = "write YYYY-MM-DD, or a date-time with its offset like 2024-11-29T08:30:00+00:00"
        if re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", raw):
            hint = "a date-time needs its time-zone offset, e.g. +00:00 or Z"
        raise Invalid(f"`{field.name}` is not a valid date: {raw!r}", node, hint)
    _refuse_out_of_range(parsed[0], raw, node, field, "check the year: four digits, e.g. 2024-11-29")
    return parsed


def check_plain_date(node: yaml.Node, field: Field) -> dt.date:
    raw = _scalar(node, field, "a date", "2024-11-29").strip()
    parsed = parse_when(raw)
    if parsed is None or not parsed[1]:
        raise Invalid(f"`{field.name}` is not a date: {raw!r}", node, "write YYYY-MM-DD")
    _refuse_out_of_range(parsed[0], raw, node, field,
                         f"check the year; for a source older than {FIRST_YEAR}, leave out `date` and give the year in its title")
    return parsed[0]


def _refuse_out_of_range(when: dt.date, raw: str, node: yaml.Node, field: Field, hint: str) -> None:
    # The year as written: an offset moves the moment by less than a day, far from the calendar's ends.
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise Invalid(f"`{field.name}` is outside the years {FIRST_YEAR} to {LAST_YEAR}: {raw!r}", node, hint)


def check_bool(node: yaml.Node, field: Field) -> bool:
    value = frontmatter_yaml.construct(node)
    if not isinstance(value, bool):
        raise Invalid(f"`{field.name}` must be true or false", node, f"write {field.name}: true")
    return value


def check_int(node: yaml.Node, field: Field) -> int:
    value = frontmatter_yaml.construct(node)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"`{field.name}` must be a whole number", node, f"write {field.name}: 10")
    return value


_URL_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f<>\"`\\{}|^]")


def check_url(node: yaml.Node, field: Field) -> str:
    raw = _scalar(node, field, "a URL", "https://example.org/story").strip()
    try:
        parts = urlsplit(raw)
    except ValueError:  # e.g. an unbalanced [ in the host
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or _URL_UNSAFE.search(raw):
        raise Invalid(f"`{field.name}` must be an absolute http(s) URL, not {raw!r}", node,
                      "write the full address starting with https://, with spaces and quotes percent-encoded")
    return raw


def _sequence(node: yaml.Node, field: Field, example: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise Invalid(f"`{field.name}` must be a list", node, f"write {field.name}: {example}")
    if field.required and not node.value:
        raise Invalid(f"`{field.name}` needs at least one entry", node, f"write {field.name}: {example}")
    return node.value


def check_tags(node: yaml.Node, field: Field) -> list[tuple[str, yaml.Node]]:
    tags = []
    for item in _sequence(node, field, "[refugees, diplomacy]"):
        # The text as written: a topic may be `911` or `on`, which YAML would read as a number or a flag.
        value = item.value if isinstance(item, yaml.ScalarNode) else None
        if not isinstance(value, str) or not re.fullmatch(TAG_PATTERN, value):
            raise Invalid(f"tag {item.value if isinstance(item, yaml.ScalarNode) else '?'!r} is not a topic slug",
                          item, "tags are lower-case words joined by hyphens, e.g. human-rights")
        tags.append((value, item))
    return tags


def check_countries(node: yaml.Node, field: Field) -> list[tuple[str, yaml.Node]]:
    # Read the scalars as written: `NO` is Norway, whatever YAML 1.1 thinks.
    codes = []
    for item in _sequence(node, field, "[af, pk]"):
        codes.append((_scalar(item, field, "a country code", "pk").strip(), item))
    return codes


def check_sources(node: yaml.Node, field: Field) -> list[tuple[dict[str, Any], yaml.Node]]:
    sources = []
    for item in _sequence(node, field, "[{name: TASS}] or a list of `- name: ...` entries"):
        if not isinstance(item, yaml.MappingNode):
            raise Invalid("each source must be a mapping with a name", item,
                          f"write - name: {item.value if isinstance(item, yaml.ScalarNode) and item.value else 'Publisher'}")
        sources.append((item, item))
    return sources


def check_image(node: yaml.Node, field: Field) -> yaml.MappingNode:
    if not isinstance(node, yaml.MappingNode):
        raise Invalid("`image` must be a mapping with src, alt and credit", node,
                      'write image: then, indented below it, src: images/<file>, alt: "...", credit: "..."')
    return node  # its fields are checked against IMAGE_FIELDS, each at its own line


def check_image_src(node: yaml.Node, field: Field) -> str:
    raw = _scalar(node, field, "a path", "images/kabul-market.jpg").strip()
    if re.fullmatch(IMAGE_SRC_PATTERN, raw):
        return raw
    name = raw.replace("\\", "/").rpartition("/")[2] or "photo.jpg"
    if not re.search(r"\.(?:jpe?g|png|webp|avif)$", raw, re.IGNORECASE):
        hint = "a lead image is a .jpg, .jpeg, .png, .webp or .avif file in content/images/"
    else:
        hint = f"write the path from the content folder, e.g. src: images/{name}"
    raise Invalid(f"`{field.name}` must be a path under images/, not {raw!r}", node, hint)


CHECKERS: dict[str, Callable[[yaml.Node, Field], Any]] = {
    "text": check_text,
    "date": check_date,
    "plain_date": check_plain_date,
    "bool": check_bool,
    "int": check_int,
    "url": check_url,
    "tags": check_tags,
    "countries": check_countries,
    "sources": check_sources,
    "image": check_image,
    "image_src": check_image_src,
}

# The same rules for editors, in JSON Schema draft-07: the draft that VS Code's JSON and YAML
# language services support in full. The patterns are the checkers' own, written once above.
_JSON_KINDS: dict[str, dict[str, Any]] = {
    "text": {
        "type": "string", "pattern": r"\S",
        "not": {"anyOf": [{"pattern": _HTML.pattern}, {"pattern": _UNSEEN_PATTERN}, {"pattern": _PLACEHOLDER.pattern}]},
    },
    "date": {"type": "string", "pattern": _YEARS_PATTERN, "anyOf": [{"pattern": DATE_PATTERN}, {"pattern": DATETIME_PATTERN}],
             "examples": ["2024-11-29", "2024-11-29T08:30:00+00:00"]},
    "plain_date": {"type": "string", "pattern": _YEARS_PATTERN, "anyOf": [{"pattern": DATE_PATTERN}],
                   "examples": ["2024-11-29"]},
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "url": {"type": "string", "format": "uri", "pattern": r"^https?://[^\s/?#]+[^\s]*$", "examples": ["https://"]},
    "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": TAG_PATTERN},
             "examples": [["refugees", "migration"]]},
    "countries": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": r"^[A-Za-z]{2}$"},
                  "examples": [["af", "pk"]]},
    "image_src": {"type": "string", "pattern": IMAGE_SRC_PATTERN, "examples": ["images/"]},
}


def _object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for f in fields:
        if f.kind == "sources":
            prop: dict[str, Any] = {"type": "array", "items": _object_schema(SOURCE_FIELDS)}
        elif f.kind == "image":
            prop = _object_schema(IMAGE_FIELDS)
        else:
            prop = dict(_JSON_KINDS[f.kind])
        if prop["type"] == "array" and f.required:
            prop["minItems"] = 1  # as `_sequence` checks: a required list needs an entry
        if f.max_length:
            prop["maxLength"] = f.max_length
        properties[f.name] = {"description": f.description, **prop}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": properties,
    }


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft-07) of story front matter, for editors' completion; written to
    schema/story.schema.json by scripts/gen_schema.py."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Story front matter",
        "description": "Front matter of content/stories/<YYYY>/<MM>/<slug>.md. Generated from "
        "site_plugins/digest/schema.py by scripts/gen_schema.py: do not edit by hand.",
        **_object_schema(STORY_FIELDS),
    }
