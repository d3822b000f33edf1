"""Load the content folder into validated stories and topics, collecting every problem.

`load_content(content_dir)` never raises on bad content: each problem becomes a `Problem`
with the file and line to fix, and every valid story is kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import zoneinfo
from pathlib import Path
from stat import S_ISREG
from typing import Any

import pycountry
import yaml

from . import frontmatter_yaml, lint, schema
from .model import UNPRINTABLE, Content, Country, Problem, Source, Story, Topic
from .schema import Field, Invalid

DEFAULT_MAX_BYTES = 1024 * 1024
_STORY_PATH = re.compile(r"^stories/(\d{4})/(\d{2})/([^/]+)\.md$")
_SLUG = re.compile(schema.TAG_PATTERN)
# Paths the site generates itself; a content file there would be overwritten.
# (`topics.md` would be written to topics/index.html too: use_directory_urls.)
RESERVED = ("index.md", "topics/index.md", "countries/index.md", "archive/", "editions/", "search/",
            "topics.md", "countries.md", "archive.md", "search.md")


class _File:
    """One content file being read: its paths and the problems found in it."""

    def __init__(self, rel: str, shown: str, problems: list[Problem]) -> None:
        self.rel, self.shown, self.problems = rel, shown, problems
        self.fm_line = 1

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.shown, line, message, hint))

    def at(self, node: yaml.Node) -> int:
        return self.fm_line + node.start_mark.line


def country(code: str) -> Country | None:
    """The ISO 3166-1 country for an alpha-2 code in any case, or None."""
    if not re.fullmatch(r"[A-Za-z]{2}", code):
        return None
    record = pycountry.countries.get(alpha_2=code.upper())
    if record is None:
        return None
    name = getattr(record, "common_name", None) or record.name
    flag = "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in record.alpha_2)
    return Country(code=record.alpha_2.lower(), name=name, flag=flag)


def load_content(
    content_dir: str | os.PathLike,
    *,
    time_zone: str = "UTC",
    include_drafts: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    shown_root: str | None = None,
) -> Content:
    """Read every content file under `content_dir`. `shown_root` prefixes paths in problems
    (default: the folder as seen from the working directory)."""
    root = Path(content_dir).resolve()
    if shown_root is None:
        shown_root = os.path.relpath(root) if not os.path.relpath(root).startswith("..") else str(root)
    tz = zoneinfo.ZoneInfo(time_zone)
    problems: list[Problem] = []
    files = _markdown_files(root, shown_root, max_bytes, problems)

    topics: dict[str, Topic] = {}
    country_intros: dict[str, str] = {}
    home_intro = ""
    story_files: list[tuple[_File, str]] = []
    for rel, text in files:
        f = _File(rel, _shown(shown_root, rel), problems)
        if text is None:
            continue
        if rel.startswith("topics/") and rel != "topics/index.md":
            topic = _load_topic(f, text)
            if topic:
                topics[topic.tag] = topic
        elif rel.startswith("countries/") and rel != "countries/index.md":
            code = rel[len("countries/"):-3]
            fields = _front_matter(f, text, schema.COUNTRY_FIELDS, required=False)
            if "/" in code or country(code) is None or code != code.lower():
                f.error(1, f"no country page can be named {code!r}",
                        "name the file after an ISO 3166-1 alpha-2 code in lower case, e.g. countries/af.md")
            elif fields is not None:
                country_intros[code] = fields[1]
        elif rel.startswith("stories/"):
            story_files.append((f, text))
        elif rel == "index.md":
            split = _front_matter(f, text, None, required=False)
            home_intro = split[1] if split else ""
        elif any(rel == r or (r.endswith("/") and rel.startswith(r)) for r in RESERVED):
            f.error(1, f"content/{rel} would be overwritten by a generated page", "rename or move the file")

    stories: list[Story] = []
    seen_slugs: dict[str, str] = {}
    for f, text in story_files:
        story = _load_story(f, text, topics, tz)
        if story is None:
            continue
        if story.slug in seen_slugs:
            f.error(1, f"slug {story.slug!r} is already used by {seen_slugs[story.slug]}",
                    "story file names must be unique across all folders: rename this file")
            continue
        seen_slugs[story.slug] = f.shown
        if story.draft and not include_drafts:
            continue
        stories.append(story)
    problems.extend(lint.content_warnings(stories))
    problems.sort(key=lambda p: (p.path, p.line))
    return Content(stories, topics, country_intros, home_intro, problems)


def _shown(shown_root: str, rel: str) -> str:
    return f"{shown_root.rstrip('/')}/{rel}" if shown_root else rel


def _markdown_files(root: Path, shown_root: str, max_bytes: int, problems: list[Problem]) -> list[tuple[str, str | None]]:
    """(relative path, text or None when unreadable) for every .md file, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            if _unprintable_name(here / name, root, shown_root, problems):
                dirnames.remove(name)
            elif _outside(here / name, root):
                rel = (here / name).relative_to(root).as_posix()
                problems.append(Problem(_shown(shown_root, rel), 1, "symbolic link points outside the content folder",
                                        "replace the link with the files themselves"))
                dirnames.remove(name)
            elif (here / name).is_symlink():
                dirnames.remove(name)  # a link inside content/ would list the same files twice
        for name in sorted(filenames):
            if _unprintable_name(here / name, root, shown_root, problems):
                continue
            rel = (here / name).relative_to(root).as_posix()
            if rel.startswith("stories/") and not name.endswith(".md") and not name.startswith("."):
                # MkDocs would publish it as it is (front matter, embargoed text and all), or
                # drop a `.markdown` story without a word.
                problems.append(Problem(_shown(shown_root, rel), 1, "only story files named <slug>.md belong in stories/",
                                        "rename a story to end in .md (lower case); keep other files out of stories/"))
                continue
            if not name.endswith(".md") or name.startswith("."):
                if (here / name).is_symlink() and _outside(here / name, root):
                    rel = (here / name).relative_to(root).as_posix()
                    problems.append(Problem(_shown(shown_root, rel), 1, "symbolic link points outside the content folder",
                                            "replace the link with the file itself"))
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            found.append((rel, _read(path, root, _shown(shown_root, rel), max_bytes, problems)))
    return found


def _unprintable_name(path: Path, root: Path, shown_root: str, problems: list[Problem]) -> bool:
    """A file or folder name with control characters (a newline could forge a log line, or a CI
    workflow command, wherever the name is printed): a problem, and the file is left out."""
    if not UNPRINTABLE.search(path.name):
        return False
    rel = path.relative_to(root).as_posix()
    problems.append(Problem(_shown(shown_root, rel), 1, "file name contains control characters",
                            "rename it with letters, digits and hyphens"))
    return True


def _outside(path: Path, root: Path) -> bool:
    if not path.is_symlink():
        return False
    try:
        path.resolve().relative_to(root)
        return False
    except ValueError:
        return True
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13): _read reports it
        return False


def _read(path: Path, root: Path, shown: str, max_bytes: int, problems: list[Problem]) -> str | None:
    def fail(line: int, message: str, hint: str) -> None:
        problems.append(Problem(shown, line, message, hint))

    if _outside(path, root):
        return fail(1, "symbolic link points outside the content folder", "replace the link with the file itself")
    try:
        status = path.stat()
    except OSError as error:
        return fail(1, f"cannot read the file: {error.strerror}", "check the file exists and is readable")
    if not S_ISREG(status.st_mode):  # a named pipe or device would block or never end
        return fail(1, "not a regular file", "replace it with an ordinary text file")
    if status.st_size > max_bytes:
        return fail(1, f"file is {status.st_size:,} bytes, over the limit of {max_bytes:,}",
                    "stories are short: split the text or remove embedded data")
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)  # bounded even if the file grows after stat()
    if len(data) > max_bytes:
        return fail(1, f"file is over the limit of {max_bytes:,} bytes",
                    "stories are short: split the text or remove embedded data")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return fail(line, "file is not valid UTF-8", "save the file as UTF-8 in your editor")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return fail(1, "file is empty", "start with front matter: run scripts/new_story.py for a template")
    return text


def _front_matter(f: _File, text: str, fields: tuple[Field, ...] | None, *, required: bool
                  ) -> tuple[dict[str, tuple[Any, yaml.Node]], str] | None:
    """Parse and check front matter against `fields` (None: any keys, unchecked). Returns the
    checked values with their nodes and the body, or None when the file cannot be read at all."""
    try:
        split = frontmatter_yaml.split(text)
    except frontmatter_yaml.FrontMatterError as error:
        f.error(1, error.message, error.hint)
        return None
    if split is None:
        if required:
            f.error(1, "file has no front matter", "start the file with a line `---`, the fields, and `---`")
            return None
        _check_body(f, text, 1)
        return {}, text
    fm, f.fm_line, body, body_line = split
    _check_body(f, body, body_line)
    try:
        node = frontmatter_yaml.compose(fm)
    except frontmatter_yaml.FrontMatterError as error:
        f.error(f.fm_line + error.line, error.message, error.hint)
        return None
    if node is None:
        if required:
            f.error(1, "front matter is empty", "add the required fields between the `---` lines")
            return None
        return {}, body
    if not isinstance(node, yaml.MappingNode):
        f.error(f.at(node), "front matter must be a mapping of `key: value` lines", "write e.g. title: \"...\"")
        return None
    if fields is None:
        return {}, body
    return _check_mapping(f, node, fields), body


# Python-Markdown takes time quadratic in the number of unclosed `[` (Python-Markdown#798: 2,000
# take half a second, 200,000 take hours) and recurses once per level of lists or quotes (a few
# hundred levels crash it). Bodies past these bounds are refused before they are rendered.
MAX_BODY_BRACKETS = 2000
MAX_BODY_NESTING = 100  # characters of indentation and `>` before a line's text


def _check_body(f: _File, body: str, first_line: int) -> None:
    brackets = body.count("[")
    if brackets > MAX_BODY_BRACKETS:
        f.error(first_line, f"the text has {brackets:,} `[` characters, more than {MAX_BODY_BRACKETS:,}",
                "stories are short: remove the brackets or split the text")
    for number, line in enumerate(body.split("\n"), start=first_line):
        depth = len(line) - len(line.lstrip(" \t>"))
        if depth > MAX_BODY_NESTING:
            f.error(number, f"line is indented or quoted {depth} characters deep (at most {MAX_BODY_NESTING})",
                    "flatten the nested lists or quotes")
            break


def _check_mapping(f: _File, node: yaml.MappingNode, fields: tuple[Field, ...]) -> dict[str, tuple[Any, yaml.Node]]:
    by_name = {field.name: field for field in fields}
    values: dict[str, tuple[Any, yaml.Node]] = {}
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        line = f.at(key_node)
        if key in seen:
            f.error(line, f"duplicate key `{key}` (first on line {seen[key]})", "keep only one of them")
            values.pop(key, None)
            continue
        if key is None or key not in by_name:
            close = difflib.get_close_matches(str(key), by_name, n=1)
            hint = f"did you mean `{close[0]}`?" if close else "allowed keys: " + ", ".join(by_name)
            f.error(line, f"unknown key `{key}`", hint)
            continue
        seen[key] = line
        field = by_name[key]
        try:
            values[key] = (schema.CHECKERS[field.kind](value_node, field), value_node)
        except Invalid as error:
            f.error(f.at(error.node), error.message, error.hint)
    for field in fields:
        if field.required and field.name not in seen:
            f.error(f.at(node), f"missing required key `{field.name}`", f"add `{field.name}:` ({field.description})")
    return values


def _load_topic(f: _File, text: str) -> Topic | None:
    tag = f.rel[len("topics/"):-3]
    if not _SLUG.fullmatch(tag):
        f.error(1, f"topic file name {tag!r} is not a topic slug",
                "name topic files in lower-case words joined by hyphens, e.g. topics/human-rights.md")
        return None
    checked = _front_matter(f, text, schema.TOPIC_FIELDS, required=True)
    if checked is None or {"title", "description"} - checked[0].keys():
        return None
    values, body = checked
    return Topic(tag, values["title"][0], values["description"][0], body, f.shown)


def _load_story(f: _File, text: str, topics: dict[str, Topic], tz: zoneinfo.ZoneInfo) -> Story | None:
    match = _STORY_PATH.match(f.rel)
    if not match:
        f.error(1, "story file is not in a stories/<YYYY>/<MM>/ folder",
                "move it to content/stories/<year>/<month>/<slug>.md, matching its date")
        return None
    year, month, slug = match.groups()
    before = len(f.problems)
    if not _SLUG.fullmatch(slug):
        f.error(1, f"file name {slug!r} is not a valid slug",
                "use lower-case ASCII words joined by hyphens, e.g. afghan-refugees-in-pakistan.md")
    checked = _front_matter(f, text, schema.STORY_FIELDS, required=True)
    if checked is None:
        return None
    values, body = checked

    def value(name: str, default: Any = None) -> Any:
        return values[name][0] if name in values else default

    def line(name: str) -> int:
        return f.at(values[name][1])

    published = edition = None
    date_only = True
    if "date" in values:
        when, date_only = value("date")
        published, edition = _in_zone(when, tz)
        if (when.year, when.month) != (int(year), int(month)):
            f.error(line("date"), f"date {when.isoformat()} does not match the folder stories/{year}/{month}/",
                    f"move the file to stories/{when.year:04d}/{when.month:02d}/ or fix the date")
    updated = None
    if "updated" in values:
        when, updated_date_only = value("updated")
        updated = _in_zone(when, tz)[0]
        if published and (updated.date() < edition if updated_date_only else updated < published):
            f.error(line("updated"), "`updated` is before `date`", "updated is when the story last changed: after its date")
        elif published and updated < published:
            updated = published  # a date-only `updated` on the day of a timed story: not earlier than it

    tags = []
    for tag, node in value("tags", []):
        if tag not in topics:
            close = difflib.get_close_matches(tag, topics, n=3, cutoff=0.5)
            hint = ("closest topics: " + ", ".join(close)) if close else "declared topics: " + ", ".join(sorted(topics)[:12])
            f.error(f.at(node), f"unknown tag {tag!r}", f"{hint}; or add content/topics/{tag}.md")
        elif tag in tags:
            f.error(f.at(node), f"tag {tag!r} is listed twice", "remove one")
        else:
            tags.append(tag)
    countries = []
    for code, node in value("countries", []):
        found = country(code)
        if found is None:
            f.error(f.at(node), f"unknown country code {code!r}",
                    "use an ISO 3166-1 alpha-2 code (two letters), such as af, pk or ir")
        elif found.code in countries:
            f.error(f.at(node), f"country {code!r} is listed twice", "remove one")
        else:
            countries.append(found.code)
    sources = []
    for source_node, _ in value("sources", []):
        fields = _check_mapping(f, source_node, schema.SOURCE_FIELDS)
        if "name" in fields:
            sources.append(Source(**{k: v[0] for k, v in fields.items()}))

    if len(f.problems) > before or published is None:
        return None
    return Story(
        slug=slug, path=f.rel, title=value("title"), summary=value("summary"),
        published=published, edition=edition, tags=tuple(tags), countries=tuple(countries),
        sources=tuple(sources), body_markdown=body, updated=updated, draft=value("draft", False),
        weight=value("weight", 0), date_only=date_only,
        line_of={name: line(name) for name in values}, shown_path=f.shown,
    )


def _in_zone(when: dt.date | dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.date]:
    """A moment in the site's time zone and the edition (local date) it belongs to."""
    if isinstance(when, dt.datetime):
        local = when.astimezone(tz)
        return local, local.date()
    return dt.datetime(when.year, when.month, when.day, tzinfo=tz), when
