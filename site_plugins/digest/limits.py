"""Limits on a Markdown body that keep rendering it fast: Python-Markdown (our extensions and MkDocs'
defaults) slows down more than linearly, or recurses, on the inputs refused here.

Every limit is far above what a news story or an ordinary page needs. The numbers in the comments
were measured with scripts/bench_render.py (CPU seconds, Python 3.11, Markdown 3.11, MkDocs 1.6.1);
with every body that passes, rendering takes well under 1 s per 100 KB. Each check runs in time
linear in the body's length.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator

Problem = tuple[int, str, str]  # (line number in the file, what is wrong, what to do)

# Python-Markdown takes time quadratic in the number of unclosed `[` (Python-Markdown#798: 2,000
# take half a second, 200,000 take hours) and recurses once per level of lists or quotes (a few
# hundred levels crash it).
MAX_BODY_BRACKETS = 2000
MAX_BODY_NESTING = 100  # characters of indentation and `>` before a line's text
# The same recursion through list markers on one line: `- - - ... x` with 500 markers raises
# RecursionError (2 KB of text). The nesting limit above counts them too.

# Every line can become an element, and each costs 50-100 us; the block parser also moves its whole
# list of remaining paragraphs for each one: 100 KB of `a` and blank lines took 3 s, 1 MB of blank
# lines 37 s. 2,000 lines of the cheapest element render in 0.2 s.
MAX_LINES = 2000

# A paragraph (lines with no blank line between them, which includes a whole list or table) is
# re-read for every `*`, `_`, backtick or escape in it, and for every heading or rule inside it:
# 100 KB of `*a*` in one paragraph took 3 s, in 16 KB paragraphs 1 s.
MAX_PARAGRAPH = 20_000  # characters

# A heading, rule, definition, footnote or abbreviation line inside a paragraph splits it, and
# Python-Markdown re-reads the rest of the paragraph for each split (hr: 2 ms per 100 KB).
MAX_INTERRUPTIONS = 100

# `term` / `: definition` lines with no blank line between them nest each definition inside the
# previous one: 500 of them raise RecursionError.
MAX_DEFINITIONS_PER_PARAGRAPH = 50

# Heading ids are made unique by trying `id_1`, `id_2`... which is quadratic for crafted headings:
# 3,500 took 2 s, 14,000 more than 40 s. 200 take 10 ms.
MAX_HEADINGS = 200

# Every `[TOC]` paragraph is replaced by the whole table of contents: 400 of them under 200
# headings took 1.4 s from a 4 KB text.
MAX_TOC_MARKERS = 1

# Raw HTML is parsed twice (Python-Markdown, then MkDocs for anchors). A tag that is not closed by
# `>` makes both parsers read the rest of the text as its attributes: 100 unclosed `<a ` take 0.9 s
# per 100 KB, 8,000 of them took 17 s in 31 KB. Closed tags cost about 0.1 ms each.
MAX_HTML_TAGS = 1000
MAX_UNCLOSED_TAGS = 10
MAX_TAG_LENGTH = 1000  # characters from `<` to `>`; a longer tag counts as unclosed
# `<![CDATA[` costs 1 s per MB of text after it (50 in 100 KB: 4.6 s), and declarations are no use
# in a page: both are refused.

# Abbreviations become one regular expression tried at every word of the text: 1,500 definitions
# over 25 KB took 1.6 s.
MAX_ABBREVIATIONS = 50

# Each reference to a footnote is made unique by trying every earlier suffix (quadratic):
# 5,000 references to one footnote took more than 40 s.
MAX_FOOTNOTE_MARKS = 200

# A code fence (``` or ~~~) with no closing fence makes the fence search read the rest of the text:
# 200 unclosed fences took 8 s in 1 MB.
MAX_UNCLOSED_FENCES = 10

# A backtick run with no closing run makes the code-span search read the rest of the paragraph,
# one character at a time in Python (45 ms per MB).
MAX_UNPAIRED_BACKTICKS = 50

# Every `*`, `_`, backtick, backslash escape and `&` entity can become an inline element that
# costs 10-40 us, and the paragraph holding it is copied once per element.
MAX_INLINE_MARKUP = 2000
INLINE_MARKUP = "*_`\\&"

# A table makes one cell per column of its header for every row: a 500-column header over
# 1,500 rows is 750,000 cells.
MAX_TABLE_CELLS = 5000


def body_problems(body: str, first_line: int) -> list[Problem]:
    """(line, message, hint) for every limit `body` breaks; `first_line` is the line number of
    the body's first line in its file."""
    text = _Text(body, first_line)
    problems: list[Problem] = []
    for check in _CHECKS:
        problems.extend(check(text))
    return problems


class _Text:
    """The body with what several checks share: line numbers and paragraphs."""

    def __init__(self, body: str, first_line: int) -> None:
        self.body, self.first_line = body, first_line
        self._paragraphs: list[tuple[int, int, int, int]] | None = None
        self._starts: list[int] = []

    def line_at(self, offset: int) -> int:
        return self.first_line + self.body.count("\n", 0, offset)

    def nth(self, pattern: re.Pattern[str], n: int) -> int:
        """Offset of the n-th match (counting from 1) of `pattern`."""
        match = next(itertools.islice(pattern.finditer(self.body), n - 1, None))
        return match.start()

    @property
    def paragraphs(self) -> list[tuple[int, int, int, int]]:
        """(start offset, end offset, first line, last line) of every run of non-blank lines."""
        if self._paragraphs is None:
            self._paragraphs = list(self._find_paragraphs())
            self._starts = [p[0] for p in self._paragraphs]
        return self._paragraphs

    def paragraph_of(self, offset: int) -> int:
        self.paragraphs  # noqa: B018 (fills _starts)
        return bisect.bisect_right(self._starts, offset) - 1

    def _find_paragraphs(self) -> Iterator[tuple[int, int, int, int]]:
        body, start, line = self.body, 0, self.first_line
        for gap in itertools.chain(_BLANK_LINES.finditer(body), [None]):
            end = gap.start() if gap else len(body)
            if body[start:end].strip(" \t\n"):
                lines = body.count("\n", start, end)
                yield start, end, line, line + lines
            if gap:
                line += body.count("\n", start, gap.end())
                start = gap.end()


# Lines made only of spaces and tabs separate paragraphs (Python-Markdown strips them first).
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
# What can stand before a line's own text: indentation, quotes, list and definition markers,
# footnote labels. Possessive, so that no line is ever scanned twice.
_CONTAINER = r"(?:[ \t>]|[-*+:][ \t]|\d+[.)][ \t]|\[\^[^\]\n]*+\]:)*+"
_NESTING = re.compile(rf"^[ \t>]{{{MAX_BODY_NESTING + 1}}}", re.M)
_NESTING_CANDIDATE = re.compile(rf"^[ \t>*+:.)\d-]{{{MAX_BODY_NESTING + 1}}}", re.M)
_LIST_NESTING = re.compile(r"(?:[ \t>]|[-*+:][ \t]|\d+[.)][ \t])*+")
_HEADING = re.compile(rf"^{_CONTAINER}(?:#|=+[ \t]*$|-+[ \t]*$)", re.M)
_DEFINITION = re.compile(r"^(?:[ \t>]|[-*+][ \t]|\d+[.)][ \t])*+:[ \t]", re.M)
_INTERRUPTION = re.compile(
    rf"^{_CONTAINER}(?:#|[-*_=](?:[ \t]*+[-*_=])*+[ \t]*$|\[\^[^\]\n]*+\]:|\*\[)"
    r"|^(?:[ \t>]|[-*+][ \t]|\d+[.)][ \t])*+:[ \t]", re.M)
_ABBREVIATION = re.compile(rf"^{_CONTAINER}\*\[", re.M)
_FOOTNOTE_MARK = re.compile(r"\[\^")
_TOC_MARKER = re.compile(re.escape("[TOC]"))
_BRACKET = re.compile(r"\[")
_MARKUP = re.compile("[" + re.escape(INLINE_MARKUP) + "]")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
# A start or end tag up to its `>`: attribute values may hold `<` and `>` inside quotes.
_CLOSED_TAG = re.compile(r"""</?[A-Za-z](?:[^<>="']|=[ \t\n]*+(?:"[^"]*+"|'[^']*+'|(?![ \t\n"'])))*+>""")
_CLOSED_PI = re.compile(r"<\?[^>]*+>")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$", re.M)
_BACKTICKS = re.compile(r"\\?`+")
_TABLE_SEPARATOR = re.compile(r"^[ \t>]*[:\- \t]*\|[|:\- \t]*$", re.M)


def _brackets(text: _Text) -> Iterator[Problem]:
    brackets = text.body.count("[")
    if brackets > MAX_BODY_BRACKETS:
        yield (text.first_line, f"the text has {brackets:,} `[` characters, more than {MAX_BODY_BRACKETS:,}",
               "stories are short: remove the brackets or split the text")


def _nesting(text: _Text) -> Iterator[Problem]:
    deep = _NESTING.search(text.body)
    if deep:
        line = text.body[deep.start():].split("\n", 1)[0]
        depth = len(line) - len(line.lstrip(" \t>"))
        yield (text.line_at(deep.start()), f"line is indented or quoted {depth} characters deep (at most {MAX_BODY_NESTING})",
               "flatten the nested lists or quotes")
    for candidate in _NESTING_CANDIDATE.finditer(text.body):
        depth = _LIST_NESTING.match(text.body, candidate.start()).end() - candidate.start()
        if depth > MAX_BODY_NESTING and not (deep and deep.start() == candidate.start()):
            yield (text.line_at(candidate.start()),
                   f"line starts with {depth} characters of list markers, quotes and indentation (at most {MAX_BODY_NESTING})",
                   "write one list item per line and flatten the nested lists")
            return


def _lines(text: _Text) -> Iterator[Problem]:
    lines = text.body.count("\n") + 1
    if lines > MAX_LINES:
        yield (text.first_line + MAX_LINES, f"the text has {lines:,} lines, more than {MAX_LINES:,} (this is line {MAX_LINES + 1:,})",
               "stories are short: split the text into several stories or pages")


def _paragraph_size(text: _Text) -> Iterator[Problem]:
    for start, end, first, last in text.paragraphs:
        if end - start > MAX_PARAGRAPH:
            yield (first, f"lines {first:,}-{last:,} form one paragraph of {end - start:,} characters, more than {MAX_PARAGRAPH:,}",
                   "put a blank line between paragraphs, or split the list, table or code block into smaller ones")
            return


def _interruptions(text: _Text) -> Iterator[Problem]:
    inside = [m.start() for m in _INTERRUPTION.finditer(text.body)
              if m.start() != text.paragraphs[text.paragraph_of(m.start())][0]]
    if len(inside) > MAX_INTERRUPTIONS:
        yield (text.line_at(inside[0]),
               f"{len(inside):,} headings, rules, definitions, footnotes or abbreviations follow a line of text "
               f"with no blank line before them, more than {MAX_INTERRUPTIONS:,} (the first is on this line)",
               "put a blank line before each heading, `---` rule, `: definition`, `[^note]:` and `*[abbreviation]:` line")


def _definitions(text: _Text) -> Iterator[Problem]:
    counts: dict[int, int] = {}
    for m in _DEFINITION.finditer(text.body):
        index = text.paragraph_of(m.start())
        counts[index] = counts.get(index, 0) + 1
        if counts[index] == MAX_DEFINITIONS_PER_PARAGRAPH + 1:
            _, _, first, last = text.paragraphs[index]
            yield (first, f"lines {first:,}-{last:,} hold more than {MAX_DEFINITIONS_PER_PARAGRAPH} definitions (`: ...` lines) "
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


def _footnotes(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _FOOTNOTE_MARK, MAX_FOOTNOTE_MARKS, "footnote marks (`[^...]`)", "use fewer footnotes")


def _inline_markup(text: _Text) -> Iterator[Problem]:
    yield from _count(text, _MARKUP, MAX_INLINE_MARKUP, "of the characters * _ ` \\ & together",
                      "use less emphasis and fewer code spans, escapes and entities, or split the text")


def _count(text: _Text, pattern: re.Pattern[str], limit: int, what: str, hint: str) -> Iterator[Problem]:
    found = len(pattern.findall(text.body))
    if found > limit:
        yield (text.line_at(text.nth(pattern, limit + 1)),
               f"the text has {found:,} {what}, more than {limit:,} (number {limit + 1:,} is on this line)", hint)


def _html(text: _Text) -> Iterator[Problem]:
    body = text.body
    declaration = body.find("<!")
    while declaration != -1 and body.startswith("<!--", declaration):
        declaration = body.find("<!", declaration + 4)
    if declaration != -1:
        yield (text.line_at(declaration), "`<!...>` declarations and `<![CDATA[...]]>` sections are not allowed",
               "remove it; to show `<!` as text, write `&lt;!`")
    tags = len(_TAG_START.findall(body))
    if tags > MAX_HTML_TAGS:
        yield (text.line_at(text.nth(_TAG_START, MAX_HTML_TAGS + 1)),
               f"the text has {tags:,} HTML tags, more than {MAX_HTML_TAGS:,} (number {MAX_HTML_TAGS + 1:,} is on this line)",
               "write the formatting in Markdown rather than HTML, or split the text")
        return  # the tags are refused anyway: not worth checking each of them
    unclosed = []
    comment_close = -1
    for start in _TAG_START.finditer(body):
        at = start.start()
        if body.startswith("<!--", at):
            if comment_close < at + 4:
                comment_close = body.find("-->", at + 4)
                if comment_close == -1:
                    comment_close = len(body)
                    unclosed.append(at)
            continue
        if body.startswith("<!", at):
            continue  # refused above
        closed = _CLOSED_PI if body.startswith("<?", at) else _CLOSED_TAG
        if not closed.match(body, at, at + MAX_TAG_LENGTH):
            unclosed.append(at)
    if len(unclosed) > MAX_UNCLOSED_TAGS:
        yield (text.line_at(unclosed[0]),
               f"{len(unclosed)} HTML tags or comments are not closed, more than {MAX_UNCLOSED_TAGS} (the first is on this line)",
               "end each tag with `>` and each comment with `-->`; to show `<` as text, write `&lt;`")


def _fences(text: _Text) -> Iterator[Problem]:
    fences = [(m.start(), m.group(1), not m.group(2).strip(" ")) for m in _FENCE.finditer(text.body)]
    # The index of the next fence line that could close each one (the same fence alone on its line).
    next_closer: list[int | None] = [None] * len(fences)
    seen: dict[str, int] = {}
    for index in range(len(fences) - 1, -1, -1):
        _, fence, bare = fences[index]
        next_closer[index] = seen.get(fence)
        if bare:
            seen[fence] = index
    unclosed, index = [], 0
    while index < len(fences):
        closer = next_closer[index]
        if closer is None:
            unclosed.append(fences[index][0])
            index += 1
        else:
            index = closer + 1
    if len(unclosed) > MAX_UNCLOSED_FENCES:
        yield (text.line_at(unclosed[0]),
               f"{len(unclosed)} code fences (``` or ~~~) are never closed, more than {MAX_UNCLOSED_FENCES} (the first is on this line)",
               "end each code block with the same fence on a line of its own")


def _backticks(text: _Text) -> Iterator[Problem]:
    if text.body.count("`") > MAX_INLINE_MARKUP:
        return  # refused as inline markup already; pairing them would only cost time
    body = text.body
    runs: dict[int, list[tuple[int, int, bool]]] = {}  # line start -> (offset, length, escaped)
    for m in _BACKTICKS.finditer(body):
        escaped = m.group().startswith("\\")
        runs.setdefault(body.rfind("\n", 0, m.start()) + 1, []).append((m.start(), len(m.group()) - escaped, escaped))
    unpaired = []
    for line_runs in runs.values():
        index = 0
        while index < len(line_runs):
            offset, length, escaped = line_runs[index]
            closer = next((j for j in range(index + 1, len(line_runs)) if line_runs[j][1] == length), None)
            if closer is not None and not escaped:
                index = closer + 1
                continue
            if not escaped:
                unpaired.append(offset)
            index += 1
    if len(unpaired) > MAX_UNPAIRED_BACKTICKS:
        unpaired.sort()
        yield (text.line_at(unpaired[0]),
               f"{len(unpaired)} runs of backticks (`) are not closed on their line, more than {MAX_UNPAIRED_BACKTICKS} "
               "(the first is on this line)",
               "close each `code` span on the line where it starts; to show a backtick, write \\`")


def _tables(text: _Text) -> Iterator[Problem]:
    cells = 0
    for m in _TABLE_SEPARATOR.finditer(text.body):
        _, _, _, last = text.paragraphs[text.paragraph_of(m.start())]
        rows = last - text.line_at(m.start()) + 2  # the header above, the rows below
        cells += (m.group().count("|") + 1) * rows
        if cells > MAX_TABLE_CELLS:
            yield (text.line_at(m.start()), f"the tables up to this line have more than {MAX_TABLE_CELLS:,} cells",
                   "split large tables, or remove empty columns")
            return


_CHECKS = (_brackets, _nesting, _lines, _paragraph_size, _interruptions, _definitions, _headings, _toc_markers,
           _abbreviations, _footnotes, _inline_markup, _html, _fences, _backticks, _tables)
