#!/usr/bin/env python3
"""Write a new story file with every required field: what is not given becomes a TODO that
`make check` rejects until it is filled in. Prints the path it wrote.

  .venv/bin/python scripts/new_story.py --title "Pakistan extends visa deadline" \\
      --tags refugees,migration --countries pk,af --source "Dawn=https://www.dawn.com/news/1"

The file is checked by the site's own validator before it is written, so an unknown tag or
country is refused at once, with the same hint `make check` gives.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

from digest import annotations, schema  # noqa: E402
from digest.loader import load_content  # noqa: E402

MAX_SLUG = 60
PLACEHOLDER_SUMMARY = "TODO: one sentence on what happened: shown in listings, feeds and search results"
PLACEHOLDER_SOURCE = "TODO: who published or said it (the outlet, agency or person)"
PLACEHOLDER_BODY = (
    "TODO: write the story in Markdown: what happened, who said it, why it matters.\n"
    "Short paragraphs; `## Subheadings` for a longer story; link to sources like [Dawn](https://www.dawn.com/).\n"
)
# Latin letters that Unicode does not decompose into an ASCII letter plus accents.
_LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ı": "i",
})
# Characters YAML does not allow raw in a file, or reads as line breaks: written as \u escapes.
_YAML_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")

_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes in the command line


class Refused(Exception):
    """The story cannot be written as asked; the message says why and how to fix it."""


def slugify(title: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words of `title` joined by hyphens, cut at a word boundary. Accented
    letters lose their accents (Unicode NFKD, then ASCII only); letters of other scripts are
    dropped, so a title in Cyrillic or Arabic gives no slug: pass --slug then."""
    text = unicodedata.normalize("NFKD", title.translate(_LETTERS)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            return slug or word[:limit]
        slug = candidate
    return slug


def quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly `text` (JSON strings are
    YAML; the few characters YAML refuses raw are escaped)."""
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass
class Line:
    text: str
    option: str = ""  # the command-line option the line came from, to name it in a refusal


def front_matter_lines(args: argparse.Namespace, date_text: str) -> list[Line]:
    lines = [Line("---"), Line(f"title: {quote(args.title)}", "--title"), Line(f"date: {date_text}", "--date")]
    lines.append(Line(f"summary: {quote(args.summary or PLACEHOLDER_SUMMARY)}", "--summary"))
    lines.append(Line(f"tags: [{', '.join(quote(t) for t in args.tags)}]", "--tags"))
    if args.countries:
        lines.append(Line(f"countries: [{', '.join(quote(c) for c in args.countries)}]", "--countries"))
    else:
        lines.append(Line("# countries: [af, pk]    (optional: ISO 3166-1 alpha-2 codes)"))
    lines.append(Line("sources:"))
    for name, url in args.sources or [(PLACEHOLDER_SOURCE, None)]:
        lines.append(Line(f"  - name: {quote(name)}", "--source"))
        if url:
            lines.append(Line(f"    url: {quote(url)}", "--source"))
        elif not args.sources:
            lines.append(Line('    # url: "https://..."    (optional: the address of the source)'))
    lines.append(Line("---"))
    return lines


def parse_source(value: str) -> tuple[str, str | None]:
    """`Name=https://url` or just `Name`; the URL may itself contain `=`."""
    name, _, url = value.partition("=")
    return " ".join(name.split()), url.strip() or None


def problems_in(text: str, rel: str, content_dir: Path) -> list:
    """What the site's validator says about `text` as the story file `rel` (beside the real
    topics), leaving out the TODO placeholders the contributor fills in later."""
    with tempfile.TemporaryDirectory(prefix="new-story-") as tmp:
        sandbox = Path(tmp)
        if (content_dir / "topics").is_dir():
            shutil.copytree(content_dir / "topics", sandbox / "topics")
        target = sandbox / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        content = load_content(sandbox, shown_root="", include_drafts=True)
    return [p for p in content.errors if p.path == rel and "TODO placeholder" not in p.message]


def existing_story(content_dir: Path, slug: str) -> Path | None:
    stories = content_dir / "stories"
    return next(iter(sorted(stories.glob(f"**/{slug}.md"))), None) if stories.is_dir() else None


def write_story(args: argparse.Namespace) -> Path:
    content_dir = Path(args.content)
    if not (content_dir / "topics").is_dir():
        raise Refused(f"no topics folder at {content_dir / 'topics'}: run from the project folder or pass --content")
    given = [args.title, args.summary or "", args.slug or "", *args.tags, *args.countries,
             *(part or "" for source in args.sources or [] for part in source)]
    if any(_SURROGATE.search(text) for text in given):
        raise Refused("an option holds bytes that are not UTF-8 text (hint: check your terminal's encoding)")
    args.title = " ".join(args.title.split())
    args.countries = [code.lower() for code in args.countries]
    if args.date is None:
        date_text = dt.datetime.now(dt.timezone.utc).date().isoformat()
    else:
        date_text = args.date.strip()
    date_field = next(field for field in schema.STORY_FIELDS if field.name == "date")
    try:
        when, _ = schema.check_date(yaml.ScalarNode("tag:yaml.org,2002:str", date_text), date_field)
    except schema.Invalid as error:
        raise Refused(f"--date: {error.message} (hint: {error.hint})") from None

    slug = args.slug or slugify(args.title)
    if not slug:
        raise Refused("the title has no Latin letters or digits to make a file name from "
                      "(hint: give one with --slug, e.g. --slug putin-meets-taliban-envoy)")
    if not re.fullmatch(schema.TAG_PATTERN, slug):
        raise Refused(f"--slug: {slug!r} is not a valid slug (hint: lower-case ASCII words joined by hyphens)")
    rel = f"stories/{when.year:04d}/{when.month:02d}/{slug}.md"
    path = content_dir / rel
    if path.exists():
        raise Refused(f"{path} already exists: not overwriting it (hint: edit that file, or choose another --slug)")
    taken = existing_story(content_dir, slug)
    if taken is not None:
        raise Refused(f"slug {slug!r} is already used by {taken} (hint: story file names are unique "
                      "across all folders: choose another with --slug)")

    lines = front_matter_lines(args, date_text)
    text = "\n".join(line.text for line in lines) + "\n" + PLACEHOLDER_BODY
    refusals = []
    for problem in problems_in(text, rel, content_dir):
        option = lines[problem.line - 1].option if 0 < problem.line <= len(lines) else ""
        refusals.append(f"{option + ': ' if option else ''}{problem.message}"
                        + (f" (hint: {problem.hint})" if problem.hint else ""))
    if refusals:
        raise Refused("\n".join(refusals))

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite, even in a race
        file.write(text)
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--title", required=True, help="the headline, plain text")
    parser.add_argument("--tags", required=True, type=split_list,
                        help="topic slugs, comma-separated; each needs content/topics/<tag>.md")
    parser.add_argument("--date", help="YYYY-MM-DD or a date-time with offset (default: today in UTC)")
    parser.add_argument("--countries", type=split_list, default=[],
                        help="ISO 3166-1 alpha-2 codes, comma-separated, e.g. af,pk")
    parser.add_argument("--source", dest="sources", action="append", type=parse_source, metavar='"NAME=URL"',
                        help='a source, "Name=https://..." or just "Name"; repeat for each source')
    parser.add_argument("--summary", help="one sentence, plain text (default: a TODO to fill in)")
    parser.add_argument("--slug", help="file name without .md (default: from the title)")
    parser.add_argument("--content", default="content", help="content folder (default: content)")
    args = parser.parse_args(argv)
    if not args.tags:
        parser.error("--tags needs at least one topic, e.g. --tags refugees")
    if any(not name for name, _ in args.sources or []):
        parser.error('--source needs a name: "Name=https://..." or "Name"')
    return args


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = parse_args(argv)
    try:
        path = write_story(args)
    except Refused as refusal:
        for line in str(refusal).splitlines():
            print(f"new_story.py: {annotations.one_line(line)}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # no traceback for contributors
        print(f"new_story.py: failed ({type(error).__name__}: {annotations.one_line(str(error))}); "
              "nothing was written. This is a bug in the script: please report it with this line.",
              file=sys.stderr)
        return 2
    print(path)
    todo = [name for name, missing in (("summary", not args.summary), ("sources", not args.sources)) if missing]
    print(f"next: fill in the TODOs ({', '.join([*todo, 'story text'])}), then run `make check`.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
