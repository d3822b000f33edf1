#!/usr/bin/env python3
"""Render benchmark for the body limits (digest/limits.py): for each slow path of Python-Markdown,
the worst body the limits accept, in CPU seconds per 100 KB as a story and as an MkDocs page."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

from digest import limits, sanitize  # noqa: E402
from digest.loader import DEFAULT_MAX_BYTES  # noqa: E402
from digest.render import MarkdownRenderer  # noqa: E402

# For every case and size (100 KB, and the 1 MiB file limit) the body is built, checked with
# `limits.body_problems` (it must pass), rendered with the digest's renderer (stories, intros) and
# as MkDocs renders an ordinary page (its default extensions plus mkdocs.yml's, then our
# sanitiser). Exit status 1 if a body is refused, fails to render or takes more than TARGET.
#
#     .venv/bin/python scripts/bench_render.py [--size 100K,1M] [--case NAME ...]

TARGET = 1.0  # seconds per 100 KB of body
KB100 = 100 * 1024
SIZES = {"100K": KB100, "1M": DEFAULT_MAX_BYTES}

# --- Bodies ---------------------------------------------------------------------------------------
# Each builder returns the worst body of (at most) `size` characters that the limits accept: the
# slow construct as often as a limit allows, where it costs most (first, so that it is followed by
# the whole text), and plain paragraphs as long as allowed for the rest.

WORDS = "the minister said on friday that talks with the neighbouring states would resume next month "


def paragraph(length: int = limits.MAX_PARAGRAPH - 1) -> str:
    return (WORDS * (length // len(WORDS) + 1))[:length].rstrip() or "x"


def fill(head: str, size: int, tail: str = "") -> str:
    """`head`, then paragraphs of plain words up to `size` characters, then `tail`."""
    parts, length = [head], len(head) + len(tail)
    while length + 3 < size:
        piece = paragraph(min(limits.MAX_PARAGRAPH - 1, size - length - 2))
        parts.append(piece)
        length += len(piece) + 2
    return "\n\n".join(parts) + tail


def in_paragraphs(items: list[str], share: float = 0.5, pad: bool = True) -> str:
    """`items` at the start of paragraphs as long as allowed (at most `share` of each is items),
    so that every item is followed by as much text as the paragraph limit allows (`pad`)."""
    room = int((limits.MAX_PARAGRAPH - 1) * share)
    paragraphs, current = [], ""
    for item in items:
        if current and len(current) + len(item) + 1 > room:
            paragraphs.append(current)
            current = ""
        current += item + " "
    paragraphs.append(current)
    if not pad:
        return "\n\n".join(paragraphs)
    return "\n\n".join(p + paragraph(limits.MAX_PARAGRAPH - 1 - len(p)) for p in paragraphs)


def unclosed_tags(size: int) -> str:
    return fill("x " + "<a " * limits.MAX_UNCLOSED_TAGS, size)


def unclosed_tag_attributes(size: int) -> str:
    # `>` inside a quoted value does not close the tag.
    return fill("x " + '<a title=">" ' * limits.MAX_UNCLOSED_TAGS, size)


def unclosed_comments(size: int) -> str:
    return fill("<!-- x\n\n" * limits.MAX_UNCLOSED_TAGS, size)


def comments_after_tags(size: int) -> str:
    # Each comment looks for the end of every inline tag opened before it in its paragraph.
    tags = int(limits.MAX_COMMENT_SEARCHES ** 0.5)
    comments = limits.MAX_COMMENT_SEARCHES // tags
    head = "x " + "<b>" * tags + "<!-- x -->" * comments
    return fill(head + " " + paragraph(limits.MAX_PARAGRAPH - len(head) - 2), size)


def closed_tags(size: int) -> str:
    closed = "<b>" * (limits.MAX_HTML_TAGS - limits.MAX_UNCLOSED_TAGS)
    return fill("x " + closed + "<a " * limits.MAX_UNCLOSED_TAGS, size)


def open_blocks(size: int) -> str:
    return fill("<div>\n" * limits.MAX_HTML_TAGS, size)


def headings(size: int) -> str:
    # Ids `a_6`... taken first, then `a_5` again and again: each one tries every suffix above it.
    half = limits.MAX_HEADINGS // 2
    lines = [f"# a_{i}" for i in range(6, 6 + half)] + ["# a_5"] * (limits.MAX_HEADINGS - half)
    return fill("\n\n".join(lines), size)


def toc_marker(size: int) -> str:
    return fill("\n\n".join(["[TOC]"] + [f"## heading {i}" for i in range(limits.MAX_HEADINGS)]), size)


def abbreviations(size: int) -> str:
    # Words that start like every abbreviation, so the alternation tries them all at each word.
    definitions = "\n".join(f"*[ABCDEFGH{i:02}]: x" for i in range(limits.MAX_ABBREVIATIONS))
    words = "ABCDEFGH " * (size // 9)
    return fill(definitions, size - 2, "\n\n" + in_chunks(words, size - len(definitions) - 100))


def abbreviation_uses(size: int) -> str:
    # Every use allowed, in one paragraph: each is inserted at the front of its children.
    definitions = "\n\n".join(f"*[W{i}]: x" for i in range(limits.MAX_ABBREVIATIONS))
    # (The check also counts the definitions as uses.)
    uses = " ".join(f"W{i % limits.MAX_ABBREVIATIONS}"
                    for i in range(limits.MAX_ABBREVIATION_USES - limits.MAX_ABBREVIATIONS))
    return fill(definitions + "\n\n" + uses + " " + paragraph(limits.MAX_PARAGRAPH - len(uses) - 2), size)


def in_chunks(text: str, size: int) -> str:
    """`text` cut to about `size` characters, in paragraphs as long as allowed."""
    step = limits.MAX_PARAGRAPH - 2
    text = text[:size - size // step * 2]
    return "\n\n".join(text[i:i + step].strip() or "x" for i in range(0, len(text), step))


def footnote_references(size: int) -> str:
    refs = limits.MAX_FOOTNOTE_MARKS - 1
    return fill("x" + "[^1]" * refs + "\n\n[^1]: the note", size)


def unclosed_fences(size: int) -> str:
    fences = "\n".join("`" * (3 + i) for i in range(limits.MAX_UNCLOSED_FENCES))
    return fill(fences, size)


def closed_fences(size: int) -> str:
    # `~~~` fences: backticks would count as inline markup.
    blocks = (limits.MAX_LINES - 2 * (size // limits.MAX_PARAGRAPH + 2)) // 4
    return fill("\n\n".join(f"~~~\ncode {i}\n~~~" for i in range(blocks)), size)


def unpaired_backticks(size: int) -> str:
    # Unpaired runs of different lengths (equal ones would pair) at the start of the longest
    # paragraphs, each on its own line so that none pairs on its line.
    paragraphs = max(1, min(limits.MAX_UNPAIRED_BACKTICKS, size // limits.MAX_PARAGRAPH - 1))
    per = limits.MAX_UNPAIRED_BACKTICKS // paragraphs
    head = "".join(f" {'`' * (i + 1)} a\n" for i in range(per))
    return fill("\n\n".join(head + paragraph(limits.MAX_PARAGRAPH - len(head) - 1) for _ in range(paragraphs)), size)


def code_spans(size: int) -> str:
    spans = limits.MAX_INLINE_MARKUP // 2
    return fill(in_paragraphs(["`a`"] * spans), size)


def long_backtick_runs(size: int) -> str:
    run = "`" * (limits.MAX_INLINE_MARKUP // 2 - 1)
    return fill(f"{run} a {run} " + paragraph(limits.MAX_PARAGRAPH - 2 * len(run) - 10), size)


def escapes(size: int) -> str:
    return fill(in_paragraphs(["\\*"] * (limits.MAX_INLINE_MARKUP // 2)), size)


def emphasis(size: int) -> str:
    return fill(in_paragraphs(["*a*"] * (limits.MAX_INLINE_MARKUP // 2)), size)


def unmatched_emphasis(size: int) -> str:
    return fill(in_paragraphs(["*a", "_a", "**a"] * (limits.MAX_INLINE_MARKUP // 4)), size)


def entities(size: int) -> str:
    return fill(in_paragraphs(["&amp;"] * limits.MAX_INLINE_MARKUP), size)


def links(size: int) -> str:
    return fill(in_paragraphs(["[a](b)"] * limits.MAX_BODY_BRACKETS), size)


def images(size: int) -> str:
    return fill(in_paragraphs(["![a](b.png)"] * limits.MAX_BODY_BRACKETS), size)


def unclosed_brackets(size: int) -> str:
    # `[` that never close, at the start of the longest paragraphs, as many as the reach allows.
    length = limits.MAX_PARAGRAPH - 1
    paragraphs = max(1, min(size // length, limits.MAX_BRACKET_REACH // length))
    per = max(1, limits.MAX_BRACKET_REACH // (paragraphs * length))
    return fill("\n\n".join("[" * per + paragraph(length - per) for _ in range(paragraphs)), size)


def long_plain_paragraph(size: int) -> str:
    # Plain text may make a paragraph as long as the file; it is spread over as many lines as
    # allowed, some of them list items and quotes.
    lines = limits.MAX_LINES - 10
    line = paragraph(size // lines - 1)
    return "\n".join([line, "- " + line, "> " + line] * (lines // 3))[:size]


def abbreviation_uses_in_plain_text(size: int) -> str:
    # Every use allowed, at the start of a paragraph of plain text as long as the file: each use
    # copies the rest of its paragraph.
    definitions = "\n\n".join(f"*[W{i}]: x" for i in range(limits.MAX_ABBREVIATIONS))
    uses = " ".join(f"W{i % limits.MAX_ABBREVIATIONS}"
                    for i in range(limits.MAX_ABBREVIATION_USES - limits.MAX_ABBREVIATIONS))
    head = definitions + "\n\n" + uses + " "
    lines = limits.MAX_LINES - head.count("\n") - 10
    return head + "\n".join(paragraph((size - len(head)) // lines - 1) for _ in range(lines))


def lines_of(line: str, blank: bool = False) -> Callable[[int], str]:
    def build(size: int) -> str:
        # `line` as often as the line limit allows, then as few lines of words as fill the size.
        filler_lines = 2 * (size // limits.MAX_PARAGRAPH + 2)
        count = (limits.MAX_LINES - filler_lines) // (line.count("\n") + 1 + blank)
        return fill(("\n\n" if blank else "\n").join([line] * count), size)
    return build


def tables(size: int) -> str:
    # As many cells as allowed, with code spans in some (the row splitter pairs backticks).
    columns = 50
    rows = limits.MAX_TABLE_CELLS // (columns + 2) - 2
    code_cells = limits.MAX_INLINE_MARKUP // 2 // rows
    header = "|" + "|".join(f"h{i}" for i in range(columns)) + "|"
    separator = "|" + "|".join("-" * columns) + "|"
    row = "|" + "|".join("`a`" if i < code_cells else "b" for i in range(columns)) + "|"
    return fill("\n".join([header, separator] + [row] * rows), size)


def wide_table(size: int) -> str:
    # One header, one row: as many pipes as the cell limit allows.
    pipes = limits.MAX_TABLE_CELLS // 3 - 1
    code = limits.MAX_INLINE_MARKUP // 4
    return fill("a|" * pipes + "\n" + "-|" * pipes + "\n" + "`|`" * code + "|" * (pipes - code), size)


def interruptions(size: int) -> str:
    # Rules at the start of the longest paragraphs: each split re-reads the rest of the paragraph.
    blocks = max(1, min(10, size // limits.MAX_PARAGRAPH - 1))
    per = limits.MAX_INTERRUPTIONS // blocks
    return fill("\n\n".join("x\n" + "***\nx\n" * per + paragraph(limits.MAX_PARAGRAPH - 6 * per - 10)
                            for _ in range(blocks)), size)


def definitions(size: int) -> str:
    items = "a\n: b\n" * limits.MAX_DEFINITIONS_PER_PARAGRAPH
    return fill(items + paragraph(limits.MAX_PARAGRAPH - len(items) - 1), size)


def deep_nesting(size: int) -> str:
    # The deepest recursion the limits allow: quotes, a lazy line of lists, then definitions.
    quotes = ">" * (limits.MAX_BODY_NESTING - 1) + " a\n"
    lists = "- " * (limits.MAX_BODY_NESTING // 2) + "a\n"
    items = "a\n: b\n" * limits.MAX_DEFINITIONS_PER_PARAGRAPH
    head = quotes + lists + items
    return fill(head + paragraph(limits.MAX_PARAGRAPH - len(head) - 1), size)


def combined(size: int) -> str:
    """Most limits reached at once, in one body. The unclosed tags come after every `>` and
    backtick (either ends their scan); constructs that scan to the end of their paragraph head
    the filler paragraphs."""
    abbreviations = limits.MAX_ABBREVIATIONS
    footnotes = limits.MAX_FOOTNOTE_MARKS - 1
    reach = limits.MAX_BRACKET_REACH // (limits.MAX_PARAGRAPH - 20) - 1
    links = limits.MAX_BODY_BRACKETS - abbreviations - footnotes - 1 - reach - 1
    definitions_ = limits.MAX_DEFINITIONS_PER_PARAGRAPH
    rules = limits.MAX_INTERRUPTIONS - definitions_
    columns = 20
    rows = limits.MAX_TABLE_CELLS // (columns + 2) - 2
    backticks = (limits.MAX_UNPAIRED_BACKTICKS - limits.MAX_UNCLOSED_FENCES) // 4  # open fences count too
    before = [
        ">" * (limits.MAX_BODY_NESTING - 1) + " a\n" + "- " * (limits.MAX_BODY_NESTING // 2) + "a\n"
        + "a\n: b\n" * definitions_,
        in_paragraphs(["<b>"] * (limits.MAX_HTML_TAGS - limits.MAX_UNCLOSED_TAGS), share=0.9, pad=False),
        "\n".join("`" * (3 + i) for i in range(limits.MAX_UNCLOSED_FENCES)),
        "\n".join(["|" + "|".join("h" * columns) + "|", "|" + "|".join("-" * columns) + "|"]
                  + ["|" + "|".join("`a`" if i < 2 else "b" for i in range(columns)) + "|"] * rows),
    ] + ["".join(f" {'`' * (i + 1)} a\n" for i in range(backticks)) + paragraph(limits.MAX_PARAGRAPH // 2)] * 4
    after = [
        "x " + "<a " * limits.MAX_UNCLOSED_TAGS,
        "[TOC]",
        "\n\n".join(f"# a_{i}" for i in range(6, 6 + limits.MAX_HEADINGS // 2)),
        "\n\n".join(["# a_5"] * (limits.MAX_HEADINGS // 2)),
        "\n\n".join(f"*[W{i}]: x" for i in range(abbreviations)),
        "x" + "[^1]" * (footnotes - 1) + "\n\n[^1]: note",
        in_paragraphs(["[a](b)"] * links, share=0.9, pad=False),
        " ".join(f"W{i % abbreviations}" for i in range(limits.MAX_ABBREVIATION_USES - abbreviations)),
    ]
    blocks = before + after
    compact = len("\n\n".join(blocks)) + 2 * limits.MAX_INLINE_MARKUP + 2 * limits.MAX_LINES
    fillers = max(1, (size - compact) // limits.MAX_PARAGRAPH)
    scanners = ["[ "] * reach + ["x\n***\n"] * rules
    heads = [""] * fillers
    for index, scanner in enumerate(scanners):
        heads[index % fillers] += scanner
    head = "\n\n".join(blocks + [h + paragraph(limits.MAX_PARAGRAPH - len(h) - 1) for h in heads])
    markup = limits.MAX_INLINE_MARKUP - sum(head.count(c) for c in limits.INLINE_MARKUP)
    head += "\n\n" + in_paragraphs(["*a*"] * (markup // 3), share=0.9, pad=False)
    lines_left = limits.MAX_LINES - head.count("\n") - 2 * ((size - len(head)) // limits.MAX_PARAGRAPH + 2) - 10
    head += "\n\n" + "\n".join(["- a"] * max(0, lines_left))
    return fill(head, size)


CASES: dict[str, tuple[str, Callable[[int], str]]] = {
    "unclosed-tags": ("`<a ` with no `>`: both HTML parsers read the rest as attributes", unclosed_tags),
    "unclosed-tag-quotes": ('`<a title=">"`: a quoted `>` does not close a tag', unclosed_tag_attributes),
    "unclosed-comments": ("`<!--` with no `-->`", unclosed_comments),
    "comments-after-tags": ("each comment searches for the end of earlier tags", comments_after_tags),
    "html-tags": ("as many tags as allowed, inline", closed_tags),
    "html-blocks": ("raw HTML blocks never closed", open_blocks),
    "headings": ("toc: unique ids for crafted headings", headings),
    "toc-marker": ("`[TOC]` copies the table of contents", toc_marker),
    "abbreviations": ("abbr: one alternation of every abbreviation", abbreviations),
    "abbreviation-uses": ("abbr: an element for every use", abbreviation_uses),
    "footnote-refs": ("footnotes: unique ids for repeated references", footnote_references),
    "unclosed-fences": ("fenced_code: each open fence searches the rest", unclosed_fences),
    "closed-fences": ("fenced_code: as many code blocks as lines allow", closed_fences),
    "unpaired-backticks": ("code spans: each unpaired run scans its paragraph", unpaired_backticks),
    "code-spans": ("code spans: as many as allowed", code_spans),
    "long-backtick-runs": ("code spans: the longest runs allowed", long_backtick_runs),
    "escapes": ("inline: one element per escape", escapes),
    "emphasis": ("inline: one element per emphasis", emphasis),
    "unmatched-emphasis": ("inline: `*`, `_` that never close", unmatched_emphasis),
    "entities": ("inline: one element per entity", entities),
    "links": ("links (MkDocs resolves each one)", links),
    "images": ("images", images),
    "unclosed-brackets": ("`[` never closed (Python-Markdown#798)", unclosed_brackets),
    "long-plain-paragraph": ("plain text: one paragraph as long as the file", long_plain_paragraph),
    "abbreviation-uses-long": ("abbr: every use copies the rest of a long paragraph", abbreviation_uses_in_plain_text),
    "lines-paragraphs": ("one paragraph per line", lines_of("a", blank=True)),
    "lines-blank": ("blank lines", lines_of("")),
    "lines-list": ("one list item per line", lines_of("- a")),
    "lines-quotes": ("one quote per line", lines_of("> a", blank=True)),
    "lines-breaks": ("one line break per line", lines_of("a  ")),
    "tables": ("tables: as many cells as allowed, code in cells", tables),
    "wide-table": ("tables: one row with as many pipes as allowed", wide_table),
    "interruptions": ("rules inside paragraphs: each re-reads the rest", interruptions),
    "definitions": ("def_list: tight definitions nest (recursion)", definitions),
    "deep-nesting": ("quotes, lists and definitions at the deepest allowed", deep_nesting),
    "combined": ("most limits reached in one body", combined),
}


# --- Rendering ------------------------------------------------------------------------------------

def mkdocs_page_renderer(folder: Path) -> Callable[[str], str]:
    """Render Markdown as MkDocs 1.6 renders an ordinary page (Page.render: the configured
    extensions plus MkDocs' own tree processors), then sanitise it as the digest plugin does."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    project = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    (folder / "docs").mkdir()
    config = MkDocsConfig()
    config.load_dict({
        "site_name": "bench", "docs_dir": str(folder / "docs"), "site_dir": str(folder / "site"),
        # The theme too: ProperDocs (DIGEST_ENGINE=properdocs) does not ship MkDocs' default one.
        **{key: project[key] for key in ("markdown_extensions", "theme") if key in project},
    })
    errors, _ = config.validate()
    if errors:
        raise SystemExit(f"bench_render.py: MkDocs configuration: {errors}")
    file = File("page.md", str(folder / "docs"), str(folder / "site"), use_directory_urls=True)
    files = Files([file])

    def render(body: str) -> str:
        # MkDocs logs a warning per unresolved link: keep the cost of each record, drop the output.
        log, quiet = logging.getLogger("mkdocs"), logging.NullHandler()
        log.addHandler(quiet)
        log.propagate = False
        try:
            page = Page(None, file, config)
            page.markdown = body
            page.render(config, files)
            return sanitize.clean(page.content, page=True)
        finally:
            log.removeHandler(quiet)
            log.propagate = True
    return render


def seconds(call: Callable[[str], object], body: str) -> float | str:
    """CPU seconds `call(body)` takes, or the name of the exception it raised."""
    started = time.process_time()
    try:
        call(body)
    except Exception as error:  # noqa: BLE001 (a failure to report, whatever it is)
        return type(error).__name__
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="100K,1M", help="comma-separated sizes among: " + ", ".join(SIZES))
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    args = parser.parse_args()
    sizes = [SIZES[s] for s in args.size.split(",")]
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        page = mkdocs_page_renderer(Path(folder))
        print(f"{'case':22} {'bytes':>9} {'check s':>8} {'story s':>8} {'page s':>8} {'s/100KB':>8}  slow path")
        for name in args.case or CASES:
            what, build = CASES[name]
            for size in sizes:
                body = build(size)
                check = seconds(lambda text: limits.body_problems(text, 1), body)
                problems = limits.body_problems(body, 1)
                if problems or len(body.encode()) > size:
                    print(f"{name:22} {size:>9,} REFUSED or too long ({len(body.encode()):,} bytes): {problems[:2]}")
                    failures += 1
                    continue
                story = seconds(lambda text: MarkdownRenderer().html(text), body)
                as_page = seconds(page, body)
                times = [t for t in (story, as_page) if isinstance(t, float)]
                rate = max(times) / (len(body.encode()) / KB100) if len(times) == 2 else float("inf")
                ok = rate <= TARGET
                failures += not ok
                shown = " ".join(f"{t:8.3f}" if isinstance(t, float) else f"{t:>8}" for t in (check, story, as_page))
                print(f"{name:22} {len(body.encode()):>9,} {shown} {rate:8.3f}{'' if ok else ' !!'} {what}", flush=True)
    print(f"\n{failures} case(s) over {TARGET} s per 100 KB, refused or failing" if failures
          else f"\nevery accepted body rendered within {TARGET} s per 100 KB")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
