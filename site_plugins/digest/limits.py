"""The limits a Markdown body must keep so that rendering it takes time linear in its length:
`body_problems` refuses what would send Python-Markdown down a slow or recursive path."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator

Problem = tuple[int, str, str]  # (line number in the file, what is wrong, what to do)

# Each limit is far above what a story or an ordinary page needs, and below where rendering slows
# down. Times are CPU seconds measured with scripts/bench_render.py (Python 3.11, Markdown 3.11,
# MkDocs 1.6.1) for our extensions and for MkDocs' own (toc, tables, fenced_code); "accepted" is the
# worst body the limit lets through, at 100 KB. With every limit reached at once, a 100 KB body
# rendered in 0.4-0.7 s and a 1 MiB one in 1.7-2.6 s over several runs. Each check is linear in
# the body: at most about 0.6 s for a 1 MiB one, 0.1 s for 1 MiB of ordinary text.

# Python-Markdown takes time quadratic in the number of unclosed `[` (Python-Markdown#798: 2,000
# take half a second, 200,000 take hours) and recurses once per level of lists or quotes (a few
# hundred levels crash it).
MAX_BODY_BRACKETS = 2000
MAX_BODY_NESTING = 100  # characters of indentation and `>` before a line's text
# List markers nest too: `- - - ... x` with 500 markers on one line raises RecursionError (2 KB of
# text), so the nesting limit counts them with the indentation (accepted: renders 200 frames deeper
# than a plain call, with the deepest definitions below).

# Three link patterns scan each `[` up to its `]`, and a link's `(` up to its `)`, one character
# at a time in Python; one not closed on its line may be scanned to the end of its paragraph:
# 2,000 `[` before 20 KB of text took 16 s. This bounds the characters scanned in all (accepted:
# 0.10 s).
MAX_BRACKET_REACH = 200_000

# Every line can become an element (50-100 us each), and the block parser moves its whole list of
# remaining paragraphs for each one: 100 KB of `a` and blank lines took 3 s, 1 MB of blank lines
# 37 s (accepted: 2,000 list items, 0.12 s).
MAX_LINES = 2000

# A paragraph (lines with no blank line between them, which includes a whole list or table) is
# copied and re-read for every inline element in it (emphasis, code, link, tag, entity, escape,
# line break) and for every heading or rule inside it: 100 KB of `*a*` in one paragraph took 3 s,
# of `\*` 8.8 s. Plain text costs nothing of the kind: a paragraph of it may be as long as the file.
MAX_PARAGRAPH = 20_000  # characters, for a paragraph with any formatting

# A heading, rule, definition, footnote, abbreviation or empty list item inside a paragraph splits
# it, and every block pattern re-reads the rest of the paragraph: 4,300 rules in 25 KB took 2.9 s,
# 1,000 empty list items in 17 KB 0.27 s (accepted: 0.07 s).
MAX_INTERRUPTIONS = 100

# `term` / `: definition` lines with no blank line between them nest each definition inside the
# previous one: 495 are the most that do not raise RecursionError, from the top of the stack.
MAX_DEFINITIONS_PER_PARAGRAPH = 50

# Heading ids are made unique by trying `id_1`, `id_2`..., quadratic for crafted headings: 3,560
# took 1.9 s, 13,800 more than 40 s; setext and `#` headings alike (accepted: 0.06 s).
MAX_HEADINGS = 200

# Every `[TOC]` paragraph is replaced by the whole table of contents: 400 of them under 200
# headings took 1.4 s from a 4 KB text.
MAX_TOC_MARKERS = 1

# Raw HTML is parsed twice (Python-Markdown, then MkDocs for anchors). A tag not closed by `>`
# makes both parsers read the rest of the text as its attributes: 100 unclosed `<a ` took 20 s in
# 880 KB, 8,000 took 17 s in 31 KB (accepted: 1.5 s in 1 MiB, 0.15 s per 100 KB). Closed tags
# cost about 0.1 ms each.
MAX_HTML_TAGS = 1000
MAX_UNCLOSED_TAGS = 5
MAX_TAG_LENGTH = 1000  # characters from `<` to `>`; a longer tag counts as unclosed
# At each HTML comment, Python-Markdown searches the rest of the paragraph for the end of every
# inline tag opened before it in the paragraph: 500 `<b>` then 500 comments took 1.7 s in 13 KB.
# This bounds those searches: comments times the tags before each in its paragraph.
MAX_COMMENT_SEARCHES = 1000
# `<![` other than `<![CDATA[` (`<![x]>`, `<![ `) stops MkDocs' HTML parser with an AssertionError
# (Python 3.11): it is refused. Unclosed, `<![CDATA[` is slow (50 in 100 KB took 4.6 s) and counts
# as an unclosed tag.

# Abbreviations become one regular expression tried at every word: 1,572 definitions over 25 KB
# took 1.6 s. Each use becomes an element inserted at the front of its paragraph's children:
# 20,000 uses in 100 KB took 0.5 s (accepted: 0.05 s).
MAX_ABBREVIATIONS = 50
MAX_ABBREVIATION_USES = 1000

# Each reference to a footnote is made unique by trying every earlier suffix (quadratic):
# 5,000 references to one footnote took more than 40 s (accepted: 0.06 s).
MAX_FOOTNOTE_MARKS = 200

# A code fence (``` or ~~~) with no closing fence makes the fence search read the rest of the
# text: 200 took 8 s in 1 MB (accepted: 0.07 s per 100 KB).
MAX_UNCLOSED_FENCES = 10

# A backtick run with no closing run makes the code-span search read the rest of its paragraph,
# one character at a time in Python: 200 of them in a 1 MB paragraph took 18 s (accepted: 0.12 s).
MAX_UNPAIRED_BACKTICKS = 50

# Every `*`, `_`, backtick, backslash escape and `&` entity can become an inline element (10-40 us)
# that copies its paragraph: 100 KB of `*a*` took 1 s even in short paragraphs (accepted: 0.07 s).
MAX_INLINE_MARKUP = 2000
INLINE_MARKUP = "*_`\\&"

# A table makes a cell for each column of its header in every row: 100 columns over 1,500 rows
# (3 KB of text) took 1.7 s (accepted: 0.11 s, with code in cells).
MAX_TABLE_CELLS = 2000


def body_problems(body: str, first_line: int) -> list[Problem]:
    """(line, message, hint) for every limit `body` breaks; `first_line` is the line number of
    the body's first line in its file."""
    text = _Text(body, first_line)
    problems: list[Problem] = []
    for check in _CHECKS:
        problems.extend(check(text))
    return problems


class _Text:
    """The body with what several checks share. `raw` is the body as written; `body` is the same
    with the content of each fenced code block blanked out (`x` lines), since Python-Markdown sets
    code blocks aside before it reads anything else. Both have the same lines."""

    def __init__(self, body: str, first_line: int) -> None:
        self.raw, self.first_line = body, first_line
        self.code_blocks, self.unclosed_fences = _fenced_code(body)
        self.body = _blank_out(body, self.code_blocks)
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def line_at(self, offset: int) -> int:
        return self.first_line + self.body.count("\n", 0, offset)

    def raw_line_at(self, offset: int) -> int:
        return self.first_line + self.raw.count("\n", 0, offset)

    def nth(self, pattern: re.Pattern[str], n: int) -> int:
        """Offset of the n-th match (counting from 1) of `pattern`."""
        match = next(itertools.islice(pattern.finditer(self.body), n - 1, None))
        return match.start()

    def paragraphs(self) -> tuple[list[int], list[int]]:
        """Start and end offsets of every paragraph: a run of lines that are not blank."""
        if self._starts is None:
            found = _PARAGRAPH.finditer(self.body)
            self._starts, self._ends = [], []
            for m in found:
                self._starts.append(m.start())
                self._ends.append(m.end())
        return self._starts, self._ends

    def paragraph_of(self, offset: int) -> tuple[int, int]:
        """Start and end offsets of the paragraph that holds `offset`."""
        starts, ends = self.paragraphs()
        index = bisect.bisect_right(starts, offset) - 1
        return starts[index], ends[index]

    def lines(self, start: int, end: int) -> str:
        """`lines 3-7` (or `line 3`) for the text from offset start to end."""
        first = self.line_at(start)
        last = first + self.body.count("\n", start, end)
        return f"line {first:,}" if first == last else f"lines {first:,}-{last:,}"


# A run of lines that are not blank (Python-Markdown treats lines of spaces and tabs as blank).
_PARAGRAPH = re.compile(r"^[ \t]*+[^ \t\n].*+(?:\n[ \t]*+[^ \t\n].*+)*+", re.M)
# What can stand before a line's own text: indentation, quotes, list and definition markers,
# footnote labels. Possessive, so that no line is ever scanned twice.
_CONTAINER = r"(?:[ \t>]|[-*+:][ \t]|\d+[.)][ \t]|\[\^[^\]\n]*+\]:)*+"
_NESTING = re.compile(rf"^[ \t>]{{{MAX_BODY_NESTING + 1}}}", re.M)
_NESTING_CANDIDATE = re.compile(rf"^[ \t>*+:.)\d-]{{{MAX_BODY_NESTING + 1}}}", re.M)
_LIST_NESTING = re.compile(r"(?:[ \t>]|[-*+:][ \t]|\d+[.)][ \t])*+")
_HEADING = re.compile(rf"^{_CONTAINER}(?:#|=++[ \t]*+$|-++[ \t]*+$)", re.M)
_DEFINITION = re.compile(r"^(?:[ \t>]|[-*+][ \t]|\d+[.)][ \t])*+:[ \t]", re.M)
# A line that splits its paragraph: one that follows a line of text (a line of spaces counts as
# text here, to keep the expression simple) and starts a heading, rule, footnote, abbreviation,
# definition or empty list item.
_INTERRUPTION = re.compile(
    r"(?<=[^\n]\n)(?:"
    rf"{_CONTAINER}(?:#|[-*_=](?:[ \t]*+[-*_=])*+[ \t]*$|\[\^[^\]\n]*+\]:|\*\[)"
    r"|(?:[ \t>]|[-*+][ \t]|\d+[.)][ \t])*+:[ \t]"
    rf"|(?=[ \t>]*+(?:[-*+]|\d+[.)])(?:[ \t]|$)){_CONTAINER}(?:[-*+]|\d+[.)])?[ \t]*+$)", re.M)
_ABBREVIATION = re.compile(rf"^{_CONTAINER}\*\[", re.M)
# What makes a long paragraph slow: inline elements and lines that split it.
_FORMATTING = (re.compile(r"[*_`\\&\[<]"), re.compile(r"  \n"), _INTERRUPTION)
_ABBREVIATION_DEFINITION = re.compile(r"[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$", re.M)  # abbr.py's
_FOOTNOTE_MARK = re.compile(r"\[\^")
_TOC_MARKER = re.compile(re.escape("[TOC]"))
_BRACKET = re.compile(r"\[")
_MARKUP = re.compile("[" + re.escape(INLINE_MARKUP) + "]")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_MARKED_SECTION = re.compile(r"<!\[")
# A start or end tag up to its `>` (attribute values may hold `<` and `>` inside quotes); the `>`
# that ends `<?...>` and `<!...>`.
_CLOSED_TAG = re.compile(r"""</?[A-Za-z](?:[^<>="']|=[ \t\n]*+(?:"[^"]*+"|'[^']*+'|[^<>"'\s][^<>\s]*+))*+>""")
_TAG_END = {"?": re.compile(r"<\?[^>]*+>"), "!": re.compile(r"<![^>]*+>")}
_FENCE = re.compile(r"^(`{3,}+|~{3,}+)(.*+)$", re.M)
# An opening fence fenced_code.py accepts: a language and `hl_lines`, no `{attrs}`.
_FENCE_OPENING = re.compile(r"""(?:`{3,}+|~{3,}+)[ ]*+(?:\.?[\w#.+-]*+[ ]*+)?(?:hl_lines=(["']).*?\1[ ]*+)?$""")
_BACKTICKS = re.compile(r"\\?`+")
_LINK_TOKEN = re.compile(r"\\.|`+|[\[\]]")
_TABLE_SEPARATOR = re.compile(r"^[ \t>]*+[:\- \t]*+\|[|:\- \t]*+$", re.M)


def _brackets(text: _Text) -> Iterator[Problem]:
    brackets = text.raw.count("[")
    if brackets > MAX_BODY_BRACKETS:
        yield (text.first_line, f"the text has {brackets:,} `[` characters, more than {MAX_BODY_BRACKETS:,}",
               "stories are short: remove the brackets or split the text")


def _nesting(text: _Text) -> Iterator[Problem]:
    deep = _NESTING.search(text.raw)
    if deep:
        line = text.raw[deep.start():].split("\n", 1)[0]
        depth = len(line) - len(line.lstrip(" \t>"))
        yield (text.raw_line_at(deep.start()),
               f"line is indented or quoted {depth} characters deep (at most {MAX_BODY_NESTING})",
               "flatten the nested lists or quotes")
    for candidate in _NESTING_CANDIDATE.finditer(text.raw):
        depth = _LIST_NESTING.match(text.raw, candidate.start()).end() - candidate.start()
        if depth > MAX_BODY_NESTING and not (deep and deep.start() == candidate.start()):
            yield (text.raw_line_at(candidate.start()),
                   f"line starts with {depth} characters of list markers, quotes and indentation "
                   f"(at most {MAX_BODY_NESTING})",
                   "write one list item per line and flatten the nested lists")
            return


def _lines(text: _Text) -> Iterator[Problem]:
    lines = text.raw.count("\n") + (not text.raw.endswith("\n"))
    if lines > MAX_LINES:
        yield (text.first_line + MAX_LINES,
               f"the text has {lines:,} lines, more than {MAX_LINES:,} (this is line {MAX_LINES + 1:,})",
               "stories are short: split the text into several stories or pages")


def _paragraph_size(text: _Text) -> Iterator[Problem]:
    for start, end in zip(*text.paragraphs()):
        if end - start <= MAX_PARAGRAPH:
            continue
        formatting = [m for m in (pattern.search(text.body, start, end) for pattern in _FORMATTING) if m]
        if formatting:
            first = min(formatting, key=lambda m: m.start())
            what = f"`{first.group().strip()}`" if first.group().strip() else "a line break"
            yield (text.line_at(start), f"{text.lines(start, end)}: one paragraph of {end - start:,} characters with "
                                        f"Markdown formatting in it ({what} on line {text.line_at(first.start()):,}), "
                                        f"more than {MAX_PARAGRAPH:,}",
                   "put a blank line between paragraphs, or split the list, table or code block into smaller ones")
            return


def _interruptions(text: _Text) -> Iterator[Problem]:
    found = len(_INTERRUPTION.findall(text.body))
    if found > MAX_INTERRUPTIONS:
        yield (text.line_at(text.nth(_INTERRUPTION, 1)),
               f"{found:,} headings, rules, definitions, footnotes, abbreviations or empty list items follow a line "
               f"of text with no blank line before them, more than {MAX_INTERRUPTIONS:,} (the first is on this line)",
               "put a blank line before each heading, `---` rule, `: definition`, `[^note]:` and `*[abbreviation]:` "
               "line, and remove empty list items")


def _definitions(text: _Text) -> Iterator[Problem]:
    paragraph, count = None, 0
    for m in _DEFINITION.finditer(text.body):
        start, end = text.paragraph_of(m.start())
        paragraph, count = start, (count + 1 if start == paragraph else 1)
        if count > MAX_DEFINITIONS_PER_PARAGRAPH:
            yield (text.line_at(start),
                   f"{text.lines(start, end)}: more than {MAX_DEFINITIONS_PER_PARAGRAPH} definitions (`: ...` lines) "
                   "with no blank line between them",
                   "put a blank line between the items of a definition list")
            return


def _headings(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _HEADING, MAX_HEADINGS, "headings", "use fewer headings, or split the text")


def _toc_markers(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _TOC_MARKER, MAX_TOC_MARKERS, "`[TOC]` markers", "keep one table of contents")


def _abbreviations(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _ABBREVIATION, MAX_ABBREVIATIONS, "abbreviation definitions (`*[...]:` lines)",
                      "define only the abbreviations the text uses")


def _abbreviation_uses(text: _Text) -> Iterator[Problem]:
    body = text.body
    starts = [m.end() - 2 for m in _ABBREVIATION.finditer(body)]
    if not starts or len(starts) > MAX_ABBREVIATIONS:
        return
    names = set()
    for start in starts:
        # The definition as Python-Markdown reads it, within its paragraph.
        definition = _ABBREVIATION_DEFINITION.match(body, start, text.paragraph_of(start)[1])
        if definition and definition.group("abbr").strip() and definition.group("title").strip():
            names.add(definition.group("abbr").strip())
    if not names:
        return
    uses = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    found = len(uses.findall(body))
    if found > MAX_ABBREVIATION_USES:
        yield (text.line_at(text.nth(uses, MAX_ABBREVIATION_USES + 1)),
               f"the text uses its abbreviations {found:,} times, more than {MAX_ABBREVIATION_USES:,} "
               f"(use number {MAX_ABBREVIATION_USES + 1:,} is on this line)",
               "define abbreviations only for words the text uses a few times")


def _footnotes(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _FOOTNOTE_MARK, MAX_FOOTNOTE_MARKS, "footnote marks (`[^...]`)", "use fewer footnotes")


def _inline_markup(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _MARKUP, MAX_INLINE_MARKUP, "`*`, `_`, backtick, backslash and `&` characters together",
                      "use less emphasis and fewer code spans, escapes and entities, or split the text")


def _count(text: _Text, pattern: re.Pattern[str], limit: int, what: str, hint: str) -> Iterator[Problem]:
    found = len(pattern.findall(text.body))
    if found > limit:
        yield (text.line_at(text.nth(pattern, limit + 1)),
               f"the text has {found:,} {what}, more than {limit:,} (number {limit + 1:,} is on this line)", hint)


def _html(text: _Text) -> Iterator[Problem]:
    body = text.body
    for section in _MARKED_SECTION.finditer(body):
        if not body[section.start():section.start() + 9].upper() == "<![CDATA[":
            yield (text.line_at(section.start()),
                   "`<![` starts a marked section: MkDocs cannot read most of them (the build stops with an "
                   "error), and no page needs one",
                   "remove it; to show `<![` as text, write `&lt;![`")
            break
    tags = len(_TAG_START.findall(body))
    if tags > MAX_HTML_TAGS:
        yield (text.line_at(text.nth(_TAG_START, MAX_HTML_TAGS + 1)),
               f"the text has {tags:,} HTML tags, more than {MAX_HTML_TAGS:,} "
               f"(number {MAX_HTML_TAGS + 1:,} is on this line)",
               "write the formatting in Markdown rather than HTML, or split the text")
    unclosed = []
    closes: dict[str, int] = {}  # `-->` and `]]>`: the next one after the last comment or section
    paragraph, tags_before, searches, too_many_searches = -1, 0, 0, None
    # Past the limit the body is refused anyway: looking at the first tags is enough to say why.
    for start in itertools.islice(_TAG_START.finditer(body), MAX_HTML_TAGS + 1):
        at = start.start()
        if text.paragraph_of(at) != paragraph:
            paragraph, tags_before = text.paragraph_of(at), 0  # Markdown forgets open tags at a blank line
        for opening, closing in (("<!--", "-->"), ("<![", "]]>")):
            if body.startswith(opening, at):
                # Closed if a closing string follows, the first one after it: cached, as they are
                # found in order (one search for the whole body).
                if closes.get(closing, -1) < at + len(opening):
                    found = body.find(closing, at + len(opening))
                    closes[closing] = len(body) if found == -1 else found
                if closes[closing] == len(body):
                    unclosed.append(at)
                break
        else:
            ending = _TAG_END.get(body[at + 1], _CLOSED_TAG)
            if not ending.match(body, at, at + MAX_TAG_LENGTH):
                unclosed.append(at)
        if body.startswith("<!--", at):
            searches += tags_before
            if searches > MAX_COMMENT_SEARCHES and too_many_searches is None:
                too_many_searches = at
        elif body[at + 1] not in "/!?":
            tags_before += 1
    if too_many_searches is not None:
        yield (text.line_at(too_many_searches),
               "an HTML comment after many HTML tags in its paragraph: at each comment Markdown looks for the "
               f"end of every tag before it, more than {MAX_COMMENT_SEARCHES:,} times in all (passed on this line)",
               "put each HTML comment in a paragraph of its own, with blank lines around it, or remove it")
    if len(unclosed) > MAX_UNCLOSED_TAGS:
        counted = f"{len(unclosed):,}" if tags <= MAX_HTML_TAGS else f"at least {len(unclosed):,}"
        yield (text.line_at(unclosed[0]),
               f"{counted} HTML tags or comments are not closed, more than {MAX_UNCLOSED_TAGS} "
               "(the first is on this line)",
               "end each tag with `>`, each comment with `-->` and each `<![CDATA[` with `]]>`; "
               "to show `<` as text, write `&lt;`")


def _fences(text: _Text) -> Iterator[Problem]:
    unclosed = text.unclosed_fences
    if len(unclosed) > MAX_UNCLOSED_FENCES:
        yield (text.raw_line_at(unclosed[0]),
               f"{len(unclosed)} code fences (``` or ~~~) are never closed, more than {MAX_UNCLOSED_FENCES} "
               "(the first is on this line)",
               "end each code block with the same fence on a line of its own")


def _fenced_code(body: str) -> tuple[list[tuple[int, int]], list[int]]:
    """(start, end) of every fenced code block as Python-Markdown finds them, and the offsets of
    the fences that open a search for a closing fence and find none (each searches the rest).

    Like fenced_code.py (Markdown 3.11): the first opening fence that has a closing fence (the same
    fence alone on a line) makes a block, and the search goes on after it. Only openings that
    fenced_code.py certainly accepts make a block here (no `{attrs}`, at most 200 characters), so
    nothing Markdown would read is hidden from the other checks."""
    fences = [(m.start(), m.end(), m.group(1), not m.group(2).strip(" ")) for m in _FENCE.finditer(body)]
    closer: list[int | None] = [None] * len(fences)
    seen: dict[str, int] = {}
    for index in range(len(fences) - 1, -1, -1):
        _, _, fence, bare = fences[index]
        closer[index] = seen.get(fence)
        if bare:
            seen[fence] = index
    blocks, unclosed, index = [], [], 0
    while index < len(fences):
        start, end, _, _ = fences[index]
        found = closer[index]
        if found is None:
            unclosed.append(start)
        elif end - start <= 200 and _FENCE_OPENING.match(body, start, end):
            blocks.append((start, fences[found][1]))
            index = found
        index += 1
    return blocks, unclosed


def _blank_out(body: str, blocks: list[tuple[int, int]]) -> str:
    """`body` with every line of the given blocks replaced by `x`."""
    parts, previous = [], 0
    for start, end in blocks:
        parts += [body[previous:start], "\n".join(["x"] * (body.count("\n", start, end) + 1))]
        previous = end
    return "".join(parts) + body[previous:]


def _backticks(text: _Text) -> Iterator[Problem]:
    body = text.body
    if not 0 < body.count("`") <= MAX_INLINE_MARKUP:
        return  # none, or refused as inline markup already
    unpaired: list[int] = []
    line: list[tuple[int, int, int]] = []  # (offset, length as opener, length as closer) on one line
    line_end = -1
    for m in _BACKTICKS.finditer(body):
        if m.start() > line_end:
            unpaired += _unpaired(line)
            line = []
            line_end = body.find("\n", m.start()) % (len(body) + 1)
        ticks = len(m.group().lstrip("\\"))
        # After a backslash the first backtick is text, but the rest of the run can open a span.
        line.append((m.start(), ticks - (ticks != len(m.group())), ticks))
    unpaired += _unpaired(line)
    if len(unpaired) > MAX_UNPAIRED_BACKTICKS:
        yield (text.line_at(unpaired[0]),
               f"{len(unpaired)} runs of backticks (`) are not closed on their line, "
               f"more than {MAX_UNPAIRED_BACKTICKS} (the first is on this line)",
               "close each `code` span on the line where it starts; to show a backtick, write \\`")


def _unpaired(runs: list[tuple[int, int, int]]) -> list[int]:
    """Offsets of the runs that open a code span and find no closing run of the same length after
    them on the line, paired as Python-Markdown does (an opener takes the next run of its length)."""
    closer: list[int | None] = [None] * len(runs)
    seen: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        _, opens, closes = runs[index]
        closer[index] = seen.get(opens)
        seen[closes] = index
    unpaired, index = [], 0
    while index < len(runs):
        offset, opens, _ = runs[index]
        found = closer[index]
        if opens and found is None:
            unpaired.append(offset)
        index = index + 1 if found is None or not opens else found + 1
    return unpaired


def _bracket_reach(text: _Text) -> Iterator[Problem]:
    body = text.body
    if body.count("[") > MAX_BODY_BRACKETS or body.count("`") > MAX_INLINE_MARKUP:
        return  # refused already, and pairing them would only cost time
    reach, line_end, first_open = 0, -1, None
    for bracket in _BRACKET.finditer(body):
        if bracket.start() <= line_end:
            continue  # this line was done with the first `[` on it
        line_start = body.rfind("\n", 0, bracket.start()) + 1
        line_end = body.find("\n", bracket.start()) % (len(body) + 1)
        paragraph_end = text.paragraph_of(bracket.start())[1]
        for start, end in _brackets_on_line(body, line_start, line_end):
            if end is None and first_open is None:
                first_open = start
            reach += (end if end is not None else paragraph_end) - start
            if reach > MAX_BRACKET_REACH:
                yield (text.line_at(first_open if first_open is not None else start),
                       f"to match the `[` of links and their `(`, Markdown would scan more than {MAX_BRACKET_REACH:,} "
                       "characters: each one not closed on its line is scanned to the end of its paragraph "
                       "(the first such is on this line)",
                       "close every `[` with `]`, and a link's `(` with `)`, on the same line; "
                       "to show a bracket as text, write \\[")
                return


def _brackets_on_line(body: str, start: int, end: int) -> Iterator[tuple[int, int | None]]:
    """For each `[` on the line body[start:end]: its offset and where Python-Markdown's link
    patterns stop scanning for it, or None when they may go on past the line. Brackets in code
    spans and escaped ones are text to those patterns."""
    tokens = list(_LINK_TOKEN.finditer(body, start, end))
    runs = [(t.start(), len(t.group()), len(t.group())) for t in tokens if t.group()[0] == "`"]
    spans = _code_spans(runs)
    # With a run left open on the line, any `]` after it may be code: none of them closes.
    can_close = len(spans) * 2 == len(runs)
    openers: list[int] = []
    closed: dict[int, int] = {}
    span = 0
    for token in tokens:
        at, kind = token.start(), token.group()[0]
        while span < len(spans) and spans[span][1] <= at:
            span += 1
        if kind in "\\`" or (span < len(spans) and spans[span][0] <= at):
            continue
        if kind == "[":
            openers.append(at)
        elif openers and can_close:
            closed[openers.pop()] = at
    for at in sorted(closed.keys() | set(openers)):
        close = closed.get(at)
        if close is not None and body.startswith("(", close + 1):
            close = _link_end(body, close + 2, end)
        yield at, None if close is None else close + 1


def _code_spans(runs: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the code spans that backtick runs on one line make (see `_unpaired`)."""
    closer: list[int | None] = [None] * len(runs)
    seen: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        closer[index] = seen.get(runs[index][1])
        seen[runs[index][2]] = index
    spans, index = [], 0
    while index < len(runs):
        found = closer[index]
        if found is None:
            index += 1
        else:
            spans.append((runs[index][0], runs[found][0] + runs[found][2]))
            index = found + 1
    return spans


def _link_end(body: str, start: int, end: int) -> int | None:
    """Where Python-Markdown's scan of a link's `(...)` (`LinkInlineProcessor.getLink`) stops, if
    on this line and without code or escapes in the way; else None. Markdown 3.11's loop, trimmed."""
    count, backtrack, in_title = 1, 1, False
    quote = alt_quote = ""
    quote_closed = alt_closed = False
    last = ""
    for at in range(start, end):
        c = body[at]
        if c in "`\\":
            return None
        if c == "(":
            if not in_title:
                count += 1
            elif backtrack > 0:
                backtrack -= 1
        elif c == ")":
            if (quote_closed and quote == last) or (alt_closed and alt_quote == last):
                count = 0
            elif not in_title:
                count -= 1
            elif backtrack > 0:
                backtrack -= 1
        elif c in "'\"":
            if not quote:
                in_title, backtrack, count, quote = True, count, 1, c
            elif c != quote and not alt_quote:
                alt_quote = c
            elif c == quote:
                quote_closed = True
            elif c == alt_quote:
                alt_closed = True
        if count == 0:
            return at
        if c != " ":
            last = c
    return None


def _tables(text: _Text) -> Iterator[Problem]:
    cells, line, previous = 0, text.first_line, 0
    for m in _TABLE_SEPARATOR.finditer(text.body):
        line += text.body.count("\n", previous, m.start())
        previous = m.start()
        rows = text.body.count("\n", m.start(), text.paragraph_of(m.start())[1]) + 2  # the header, then the rest
        cells += (m.group().count("|") + 1) * rows  # every column of the header, in every row
        if cells > MAX_TABLE_CELLS:
            yield (line, f"the tables up to this line have {cells:,} cells (each header column in each row), "
                         f"more than {MAX_TABLE_CELLS:,}",
                   "split large tables, or remove empty columns")
            return


_CHECKS = (_brackets, _nesting, _lines, _paragraph_size, _interruptions, _definitions, _headings, _toc_markers,
           _abbreviations, _abbreviation_uses, _footnotes, _inline_markup, _html, _fences, _backticks,
           _bracket_reach, _tables)
