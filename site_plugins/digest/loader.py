"""Load the content folder into validated stories and topics, collecting every problem.

`load_content(content_dir)` never raises on bad content: each problem becomes a `Problem`
with the file and line to fix, and every valid story is kept.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import zoneinfo
from dataclasses import replace
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml

from . import frontmatter_yaml, images as lead_images, kinds, limits, lint, schema
from .countries import country, suggest
from .model import UNPRINTABLE, Content, Country, LeadImage, Page, Problem, Source, Story, Topic
from .schema import Field, Invalid

DEFAULT_MAX_BYTES = 1024 * 1024
_STORY_PATH = re.compile(r"^stories/(\d{4})/(\d{2})/([^/]+)\.md$")
_SLUG = re.compile(schema.TAG_PATTERN)
_BODY_PLACEHOLDER = re.compile(r"\s*TODO\b")  # the body scripts/new_story.py writes
MAX_IMAGE_BYTES = lead_images.MAX_BYTES
_MARKDOWN_SUFFIXES = (".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn", ".mdtxt", ".mdtext", ".text", ".txt")
_ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".js", ".mjs", ".css", ".xml", ".json", ".php", ".wasm")


class _File:
    """One content file being read: its paths and the problems found in it."""

    def __init__(self, rel: str, shown: str, problems: list[Problem]) -> None:
        self.rel, self.shown, self.problems = rel, shown, problems
        self.fm_line = 1

    def error(self, line: int, message: str, hint: str = "", column: int = 0, excerpt: str = "") -> None:
        self.problems.append(Problem(self.shown, line, message, hint, column=column, excerpt=excerpt))

    def at(self, node: yaml.Node) -> int:
        return self.fm_line + node.start_mark.line


class StoryCache:
    """Validated stories (or the problems found) by file and content hash, for the next build:
    `make serve` keeps one in memory, `make build` saves it in .cache/. What validation reads
    besides the file (time zone, the set of topics) is its `context`: a change empties it."""

    def __init__(self) -> None:
        self.context: tuple = ()
        self.entries: dict[tuple[str, str], tuple[Story | None, list[Problem]]] = {}
        # path -> (size, mtime, ctime, inode) when read, and the hash of its text then: a story
        # file whose identity has not changed is not even read again
        self.identities: dict[str, tuple[tuple[int, int, int, int], str]] = {}
        # image path -> (identity when inspected, what Pillow found): an unchanged image is not
        # decoded again; it is checked apart from the stories, which may change without it
        self.images: dict[str, tuple[tuple[int, int, int, int] | None, Any]] = {}

    def start(self, context: tuple) -> None:
        if context != self.context:
            self.context, self.entries = context, {}


def load_content(
    content_dir: str | os.PathLike,
    *,
    time_zone: str = "UTC",
    include_drafts: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    shown_root: str | None = None,
    cache: StoryCache | None = None,
    warnings: bool = True,
    only: set[str] | None = None,
) -> Content:
    """Read every content file under `content_dir`. `shown_root` prefixes paths in problems
    (default: the folder as seen from the working directory); `cache` skips validating stories
    that have not changed since it was filled; `warnings=False` skips the editorial notes (a
    preview rebuild does not print them); `only` (paths relative to `content_dir`) reads and checks
    just those stories, with everything they need (topics, the allow-list, slugs of the others):
    what a pre-commit hook checks."""
    root = Path(content_dir).resolve()
    if shown_root is None:
        shown_root = os.path.relpath(root) if not os.path.relpath(root).startswith("..") else str(root)
    tz = zoneinfo.ZoneInfo(time_zone)
    problems: list[Problem] = []
    cache = cache or StoryCache()
    taken: dict[str, tuple[int, int, int, int]] = {}  # identities of the story files read now
    files, images = _content_files(root, shown_root, max_bytes, problems, cache.identities, taken)
    others: dict[str, str] = {}  # slug -> shown path of the stories `only` leaves unread
    if only is not None:
        for rel, _ in files:
            if rel.startswith("stories/") and rel not in only:
                others.setdefault(rel.rpartition("/")[2][: -len(".md")], _shown(shown_root, rel))
        files = [(rel, text) for rel, text in files if not rel.startswith("stories/") or rel in only]

    topics: dict[str, Topic] = {}
    country_intros: dict[str, str] = {}
    pages: dict[str, Page] = {}
    home_intro = ""
    story_files: list[tuple[_File, str]] = []
    for rel, text in files:
        f = _File(rel, _shown(shown_root, rel), problems)
        if text is None:
            continue
        kind = kinds.content_kind(rel)
        if rel.startswith("stories/"):
            story_files.append((f, text))
        elif (collision := kinds.collision(rel, kind)) is not None:
            f.error(1, f"content/{rel} would collide with {collision}",
                    "rename or move the file: the site's own paths are not free for pages")
        elif _looks_like_a_story(f, text):
            continue
        elif kind.name == "topic":
            topic = _load_topic(f, text)
            if topic:
                topics[topic.tag] = topic
        elif kind.name == "country-intro":
            code = rel[len("countries/"):-3]
            fields = _front_matter(f, text, schema.COUNTRY_FIELDS, required=False)
            if country(code) is None or code != code.lower():
                f.error(1, f"no country page can be named {code!r}",
                        "name the file after an ISO 3166-1 alpha-2 code in lower case, e.g. countries/af.md")
            elif fields is not None:
                country_intros[code] = fields[1]
        elif kind.name == "home-intro":
            page = _load_page(f, text)
            home_intro = page.body_markdown if page else ""
        else:
            page = _load_page(f, text)
            if page is not None:
                pages[rel] = page

    stories: list[Story] = []
    seen_slugs: dict[str, str] = dict(others)
    cache.start((time_zone, tuple(sorted(topics))))
    used: dict[tuple[str, str], tuple[Story | None, list[Problem]]] = {}
    identities = {}
    accepted, inspected = set(images), {}
    for f, text in story_files:
        if isinstance(text, _Known):
            key = (f.shown, text.digest)
            if key not in cache.entries:  # known file, but validated in another context: read it
                text = _read(root / f.rel, root, f.shown, max_bytes, problems)
                if text is None:
                    continue
        if not isinstance(text, _Known):
            key = (f.shown, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
        if f.rel in taken:
            identities[f.rel] = (taken[f.rel], key[1])
        elif f.rel in cache.identities:
            identities[f.rel] = cache.identities[f.rel]
        if key in cache.entries:
            story, found = cache.entries[key]
            problems.extend(found)
        else:
            before = len(problems)
            story = _load_story(f, text, topics, tz)
            found = problems[before:]
        used[key] = (story, found)
        if story is None:
            continue
        if story.slug in seen_slugs:
            f.error(1, f"slug {story.slug!r} is already used by {seen_slugs[story.slug]}",
                    "story file names must be unique across all folders: rename this file")
            continue
        seen_slugs[story.slug] = f.shown
        story.fingerprint = hashlib.sha256(f"{f.rel}\0{key[1]}".encode("utf-8", "surrogatepass")).hexdigest()
        if story.image is not None:
            image_key = _lead_image(f, story, root, shown_root, accepted, cache.images, inspected)
            if image_key is None:
                continue
            # The page shows the image's files, whose names come from its bytes: a new picture
            # under the same name is a new page.
            story.fingerprint = hashlib.sha256(f"{story.fingerprint}\0{image_key}".encode()).hexdigest()
        if story.draft and not include_drafts:
            continue
        stories.append(story)
    cache.entries, cache.identities = used, identities  # what is no longer in the folder is dropped
    if only is None:
        cache.images = inspected
    else:
        cache.images.update(inspected)
    if warnings:
        problems.extend(lint.content_warnings(stories))
    problems.sort(key=lambda p: (p.path, p.line))
    return Content(stories, topics, country_intros, home_intro, problems, pages, images)


def _shown(shown_root: str, rel: str) -> str:
    return f"{shown_root.rstrip('/')}/{rel}" if shown_root else rel


class _Known:
    """A story file whose identity (size, times, inode) is what it was when its text had `digest`."""

    __slots__ = ("digest",)

    def __init__(self, digest: str) -> None:
        self.digest = digest


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        status = os.lstat(path)
    except OSError:
        return None
    if not S_ISREG(status.st_mode):
        return None
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino


def _content_files(root: Path, shown_root: str, max_bytes: int, problems: list[Problem],
                   known: dict[str, tuple[tuple[int, int, int, int], str]] | None = None,
                   taken: dict[str, tuple[int, int, int, int]] | None = None,
                   ) -> tuple[list[tuple[str, str | _Known | None]], list[str]]:
    """The allow-list at work: (relative path, text or None when unreadable) of every Markdown
    file `kinds.CONTENT_KINDS` accepts, and the paths of the images; anything else is a problem."""
    found, images = [], []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        for name in list(dirnames):
            path, rel = here / name, prefix + name
            if _refused_name(name, rel, shown_root, problems, "folder"):
                dirnames.remove(name)
            elif path.is_symlink():
                dirnames.remove(name)
                if _outside(path, root):
                    problems.append(Problem(_shown(shown_root, rel), 1, "symbolic link points outside the content folder",
                                            "replace the link with the files themselves"))
                else:
                    problems.append(Problem(_shown(shown_root, rel), 1, "folder is a symbolic link",
                                            "replace the link with the folder itself: a linked folder would "
                                            "publish the same files twice, unchecked"))
        for name in sorted(filenames):
            rel = prefix + name
            if _refused_name(name, rel, shown_root, problems, "file"):
                continue
            path, shown = here / name, _shown(shown_root, rel)
            if rel.startswith("stories/") and not name.endswith(".md"):
                # MkDocs would publish it as it is (front matter, embargoed text and all), or
                # drop a `.markdown` story without a word.
                problems.append(Problem(shown, 1, "only story files named <slug>.md belong in stories/",
                                        "rename a story to end in .md (lower case); keep other files out of stories/"))
            elif rel.startswith("images/"):
                if _check_image(path, root, shown, problems):
                    images.append(rel)
            elif name.endswith(".md"):
                identity = _identity(path) if known is not None and rel.startswith("stories/") else None
                if identity is not None and rel in known and known[rel][0] == identity:
                    found.append((rel, _Known(known[rel][1])))
                    continue
                if identity is not None and taken is not None:
                    taken[rel] = identity  # taken before reading: a later change shows as a new identity
                found.append((rel, _read(path, root, shown, max_bytes, problems)))
            else:
                problems.append(_not_allowed(path, root, shown))
    return found, images


def _refused_name(name: str, rel: str, shown_root: str, problems: list[Problem], what: str) -> bool:
    """A name that is not published: control characters (a newline could forge a log line or a
    CI workflow command wherever the name is printed), bytes that are not UTF-8, a hidden name."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        readable = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        problems.append(Problem(_shown(shown_root, readable), 1, f"{what} name is not valid UTF-8",
                                "rename it with letters, digits and hyphens"))
        return True
    if UNPRINTABLE.search(name):
        problems.append(Problem(_shown(shown_root, rel), 1, f"{what} name contains control characters",
                                "rename it with letters, digits and hyphens"))
        return True
    if name.startswith("."):
        problems.append(Problem(_shown(shown_root, rel), 1, f"hidden {what} in the content folder",
                                "nothing hidden is published: delete it, or rename it without the leading dot"))
        return True
    return False


def _not_allowed(path: Path, root: Path, shown: str) -> Problem:
    suffix = path.suffix.lower()
    if path.is_symlink() and _outside(path, root):
        return Problem(shown, 1, "symbolic link points outside the content folder", "replace the link with the file itself")
    if suffix in _MARKDOWN_SUFFIXES or suffix == ".md":
        return Problem(shown, 1, f"a `{path.suffix}` file is not read", "rename it to end in .md (lower case)")
    if suffix in kinds.IMAGE_TYPES:
        return Problem(shown, 1, "images belong in content/images/", "move the image to content/images/")
    why = ("it could run in readers' browsers; " if suffix in _ACTIVE_SUFFIXES else "")
    return Problem(shown, 1, f"content/ takes Markdown pages and images only, not a `{path.suffix or path.name}` file",
                   f"{why}delete it; theme and script changes go through site_plugins/ with a maintainer's review")


def _check_image(path: Path, root: Path, shown: str, problems: list[Problem]) -> bool:
    def fail(message: str, hint: str) -> bool:
        problems.append(Problem(shown, 1, message, hint))
        return False

    kind = kinds.IMAGE_TYPES.get(path.suffix.lower())
    if kind is None:
        return fail(f"content/images/ takes JPEG, PNG, WebP and AVIF images only, not a `{path.suffix or path.name}` file",
                    "convert the image to one of those types, with a .jpg, .png, .webp or .avif name")
    if _outside(path, root):
        return fail("symbolic link points outside the content folder", "replace the link with the file itself")
    try:
        status = path.stat()
    except OSError as error:
        return fail(f"cannot read the file: {error.strerror}", "check the file exists and is readable")
    if not S_ISREG(status.st_mode):
        return fail("not a regular file", "replace it with an ordinary image file")
    if status.st_size > MAX_IMAGE_BYTES:
        return fail(f"image is {status.st_size:,} bytes, over the limit of {MAX_IMAGE_BYTES:,}",
                    "resize it: 1600 pixels wide is plenty for a lead image")
    with path.open("rb") as file:
        head = file.read(16)
    valid = {
        "JPEG": head.startswith(b"\xff\xd8\xff"),
        "PNG": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "WebP": head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "AVIF": head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"),
    }[kind]
    if not valid:
        return fail(f"the file is not a {kind} image, whatever its name says",
                    f"export it again as {kind} from an image editor")
    return True


def _lead_image(f: _File, story: Story, root: Path, shown_root: str, accepted: set[str],
                known: dict[str, tuple], inspected: dict[str, tuple]) -> str | None:
    """Check the file of the story's `image` with Pillow (once per version of the file) and give
    the story its size and renditions; None, with the problem at the line of `src`, if unusable.
    Returns the key the image's published files are named after."""
    image = story.image
    assert image is not None
    src = image.src
    if src not in accepted:
        path = root / src
        if os.path.lexists(path):  # there, but the allow-list refused it: that problem is reported
            f.error(image.line, f"lead image {src} cannot be used: see the problem reported for "
                    f"{_shown(shown_root, src)}", "fix or replace the image file")
        else:
            close = difflib.get_close_matches(src, sorted(accepted), n=3, cutoff=0.6)
            hint = ("did you mean " + " or ".join(close) + "?") if close else \
                "put the file in content/images/, or correct the path (names are case-sensitive)"
            f.error(image.line, f"lead image {src} does not exist", hint)
        return None
    path = root / src
    identity = _identity(path)
    entry = inspected.get(src) or known.get(src)
    if entry is None or identity is None or entry[0] != identity:
        try:
            found: Any = lead_images.inspect(path, kinds.IMAGE_TYPES[path.suffix.lower()])
        except lead_images.ImageProblem as problem:
            found = problem
        except OSError as error:
            found = lead_images.ImageProblem(f"cannot be read: {error.strerror}", "check the file exists and is readable")
        entry = (identity, found)
    inspected[src] = entry
    found = entry[1]
    if isinstance(found, lead_images.ImageProblem):
        f.error(image.line, f"lead image {src} {found.message}", found.hint)
        return None
    story.image = replace(image, width=found.width, height=found.height,
                          variants=lead_images.renditions(src, found))
    return found.key


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
        lines = fm.split("\n")
        f.error(f.fm_line + error.line, error.message, error.hint, error.column,
                lines[error.line] if 0 <= error.line < len(lines) else "")
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


def _check_body(f: _File, body: str, first_line: int) -> None:
    """Bodies that would reach a slow path of Python-Markdown (limits.py) are refused before
    anything renders them: every input that passes the check builds in bounded time."""
    for line, message, hint in limits.body_problems(body, first_line):
        f.error(line, message, hint)


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


_STORY_KEYS = frozenset(field.name for field in schema.STORY_FIELDS) - {"title"}


def _looks_like_a_story(f: _File, text: str) -> bool:
    """A file outside stories/ whose front matter has a story's keys: reported where it belongs
    (a page there would be published unvalidated, drafts and all), not key by key."""
    try:
        split = frontmatter_yaml.split(text)
        node = frontmatter_yaml.compose(split[0]) if split else None
    except frontmatter_yaml.FrontMatterError:
        return False  # reported when the file is read as what its path says
    if not isinstance(node, yaml.MappingNode):
        return False
    keys = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    if not _STORY_KEYS & keys.keys():
        return False
    folder = "<YYYY>/<MM>"
    date = keys.get("date")
    if isinstance(date, yaml.ScalarNode) and re.match(r"^\d{4}-\d{2}", date.value):
        folder = f"{date.value[:4]}/{date.value[5:7]}"
    slug = f.rel.rpartition("/")[2][: -len(".md")].lower()
    f.error(1, "this file has a story's front matter but is not in content/stories/",
            f"move it to content/stories/{folder}/{slug}.md; only stories may have "
            + ", ".join(f"`{key}`" for key in sorted(_STORY_KEYS & keys.keys())))
    return True


def _load_page(f: _File, text: str) -> Page | None:
    """An ordinary page (or the home intro): front matter with `title` and `description` only,
    so that no page can pick a theme template or hide parts of the page."""
    checked = _front_matter(f, text, schema.PAGE_FIELDS, required=False)
    if checked is None:
        return None
    values, body = checked
    return Page(f.rel, values.get("title", (None,))[0], values.get("description", (None,))[0], body)


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
    if _BODY_PLACEHOLDER.match(body):
        # What scripts/new_story.py writes: a published "TODO: write the story" would embarrass us.
        line = text.count("\n", 0, len(text) - len(body.lstrip())) + 1
        f.error(line, "the story text is still the TODO placeholder",
                "write the story below the front matter's closing `---`, in place of the TODO line")

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
            meant = suggest(code)
            hint = (f"did you mean `{meant}` ({country(meant).name})? Countries are written as two-letter ISO codes"
                    if meant else "use an ISO 3166-1 alpha-2 code (two letters), such as af, pk or ir")
            f.error(f.at(node), f"unknown country code {code!r}", hint)
        elif found.code in countries:
            f.error(f.at(node), f"country {code!r} is listed twice", "remove one")
        else:
            countries.append(found.code)
    sources = []
    for source_node, _ in value("sources", []):
        fields = _check_mapping(f, source_node, schema.SOURCE_FIELDS)
        if "name" in fields:
            sources.append(Source(**{k: v[0] for k, v in fields.items()}))
    image = None
    if "image" in values:
        fields = _check_mapping(f, value("image"), schema.IMAGE_FIELDS)
        if {"src", "alt", "credit"} <= fields.keys():
            image = LeadImage(**{k: v[0] for k, v in fields.items()}, line=f.at(fields["src"][1]))

    if len(f.problems) > before or published is None:
        return None
    return Story(
        slug=slug, path=f.rel, title=value("title"), summary=value("summary"),
        published=published, edition=edition, tags=tuple(tags), countries=tuple(countries),
        sources=tuple(sources), body_markdown=body, updated=updated, draft=value("draft", False),
        weight=value("weight", 0), date_only=date_only,
        line_of={name: line(name) for name in values}, shown_path=f.shown, image=image,
    )


def _in_zone(when: dt.date | dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.date]:
    """A moment in the site's time zone and the edition (local date) it belongs to."""
    if isinstance(when, dt.datetime):
        local = when.astimezone(tz)
        return local, local.date()
    return dt.datetime(when.year, when.month, when.day, tzinfo=tz), when
