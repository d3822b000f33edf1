"""Body limits (digest.limits): a body that would send Python-Markdown down a slow path is refused
with its line and cause, rich Markdown is not, and the worst accepted bodies render."""

# How fast the accepted bodies render is measured by scripts/bench_render.py, not here: these tests
# take its bodies and check that each renders, as a story and as an MkDocs page, without an error.

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable

import pytest

from conftest import ROOT
from digest import frontmatter_yaml, limits
from digest.loader import DEFAULT_MAX_BYTES
from digest.render import MarkdownRenderer

FIRST_LINE = 5  # bodies start after a few lines of front matter
INTRO = "A line of text.\n\n"  # so the problem is on the body's third line: FIRST_LINE + 2
AT = FIRST_LINE + 2


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_render", ROOT / "scripts" / "bench_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()

RICH = """\
An ordinary story: **bold**, *italic*, `code`, a [link](https://example.org/a_b?x=1&y=2 "title"),
an image ![map](https://example.org/map.png), an escaped \\* star, AT&amp;T and the UN.

## A heading

> A quote from the minister,
> over two lines.

- a list
    - nested, with `code` and a [link][ref]
- another item

1. first
2. second

| Country | Refugees | Note |
|:--------|---------:|------|
| Pakistan | 3,500,000 | `PoR` cards[^1] |
| Iran | 750,000 | see [UNHCR](https://unhcr.org) |

```python
print("a fence with `backticks` and [brackets] and <tags>")
```

~~~
another fence
~~~

Term
:   Its definition, with *emphasis*.

Another term
:   Another definition.

A line<br>break, <sup>1</sup> and <!-- an editor's note -->.

---

[TOC]

### Sources

*[UN]: United Nations
*[UNHCR]: UN refugee agency

[ref]: https://example.org/ref
[^1]: Proof of Registration, issued by UNHCR.
"""


def _problems(body: str) -> list[tuple[int, str, str]]:
    return limits.body_problems(body, FIRST_LINE)


def test_ordinary_rich_markdown_is_accepted():
    assert _problems(RICH) == []
    assert _problems(RICH.replace("[TOC]", "") * 10) == []  # a long page made of it


def test_a_paragraph_of_plain_text_may_be_as_long_as_the_file():
    assert _problems("x" * (DEFAULT_MAX_BYTES - 1000)) == []
    assert _problems("\n".join([paragraph(1000)] * 1000)) == []


def test_fenced_code_is_set_aside_as_markdown_does():
    code = "```python\n" + "# a comment with some_name, `ticks`, <tags> and [brackets]\n" * 500 + "```\n"
    assert _problems("Some code:\n\n" + code * 3) == []
    after = _problems("Some code:\n\n" + code + "".join("`" * (3 + i) + "\n" for i in range(11)) + "- " * 60)
    assert [line for line, _, _ in after] == [FIRST_LINE + 515, FIRST_LINE + 504]  # lines counted in the code too
    # An opening fence fenced_code.py might not accept hides nothing.
    refused = _problems("``` two words\n" + "<a " * 8000 + "\n```\n")
    assert any("HTML tags" in message for _, message, _ in refused), refused


def test_the_repository_content_is_accepted():
    for path in sorted((ROOT / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        split = frontmatter_yaml.split(text)
        body, line = (split[2], split[3]) if split else (text, 1)
        assert limits.body_problems(body, line) == [], path


def test_every_problem_says_what_is_wrong_and_what_to_do():
    for body in [pathological for _, pathological, _, _ in SLOW_PATHS]:
        for line, message, hint in _problems(INTRO + body):
            assert line >= FIRST_LINE and message and hint and not message.endswith(".")


def paragraph(length: int) -> str:
    return ("the minister said on friday that talks would resume " * (length // 50 + 1))[:length]


# (name, pathological body, line of the problem in the file, words of the message). Each body is
# large enough to be slow (seconds or worse) or to crash the renderer.
SLOW_PATHS: list[tuple[str, str, int, str]] = [
    ("brackets", "[" * 2001, FIRST_LINE, "`[` characters"),
    ("unclosed-brackets", "[" * 2000 + " " + paragraph(19000), AT, "to match the `[`"),
    ("unclosed-link", "[a](" + paragraph(19000) + "\n\n" + "[a](b " * 1800, AT, "to match the `[`"),
    ("quotes", ">" * 101 + " x", AT, "indented or quoted 102 characters deep"),
    ("list-markers", "- " * 1000 + "x", AT, "list markers"),
    ("lines", "a\n\n" * 34_000, FIRST_LINE + 2000, "lines, more than 2,000"),
    ("blank-lines", "a" + "\n" * 1_000_000 + "b", FIRST_LINE + 2000, "lines, more than 2,000"),
    ("paragraph", "\\*" * 51_200, AT, "one paragraph of 102,400 characters"),
    ("inline-markup", "*a* " * 25_600, AT, "backtick, backslash and `&` characters"),
    ("unclosed-tags", "x " + "<a " * 8000, AT, "HTML tags or comments are not closed"),
    ("quoted-gt", "x " + '<a title=">" ' * 4000, AT, "HTML tags or comments are not closed"),
    ("unclosed-comments", "<!--\n" * 20_480, AT, "HTML tags or comments are not closed"),
    ("tags", "x " + "<b>" * 11_000, AT, "HTML tags, more than 1,000"),
    ("comments-after-tags", "x " + "<b>" * 500 + "<!-- x -->" * 500 + paragraph(7000), AT,
     "an HTML comment after many HTML tags"),
    ("cdata", "x " + "<![CDATA[ " * 50, AT, "HTML tags or comments are not closed"),
    ("marked-section", "x <![x]> y", AT, "`<![` starts a marked section"),
    ("headings", "# a\n\n" * 6400, AT + 400, "headings, more than 200"),
    ("crafted-headings", "".join(f"# a_{i}\n\n" for i in range(6, 1806)) + "# a_5\n\n" * 1800,
     AT + 400, "headings, more than 200"),
    ("toc", "# a\n\n" + "[TOC]\n\n" * 400, AT + 4, "`[TOC]` markers"),
    ("backtick-runs", " ".join("`" * k for k in range(1, 454)), AT, "backtick, backslash and `&` characters"),
    ("unpaired-backticks", "".join(f"{'`' * (k % 20 + 1)} a\n" for k in range(60)) + paragraph(19000), AT,
     "runs of backticks (`) are not closed on their line"),
    ("unclosed-fences", "".join("`" * (3 + i) + "\n" for i in range(20)) + paragraph(19000), AT,
     "code fences (``` or ~~~) are never closed"),
    ("abbreviations", "".join(f"*[A{i}]: x\n" for i in range(1572)) + "\n" + "word " * 1572, AT + 50,
     "abbreviation definitions"),
    ("abbreviation-uses", "*[W]: x\n\n" + "W " * 20_000, AT + 2, "uses its abbreviations 20,001 times"),
    ("footnote-references", "x" + "[^1]" * 1000 + "\n\n[^1]: note", AT, "footnote marks"),
    ("tight-definitions", "a\n: b\n" * 600, AT, "definitions (`: ...` lines)"),
    ("rules-in-paragraph", "a\n***\n" * 4267, AT + 1, "headings, rules, definitions"),
    ("empty-list-items", "x\n" + "- \t\n" * 1500, AT + 1, "empty list items"),
    ("wide-table", "|" + "a|" * 500 + "\n|" + "-|" * 500 + "\n" + "|\n" * 1500, AT + 1, "cells"),
]


@pytest.mark.parametrize("name, body, line, words", SLOW_PATHS, ids=[case[0] for case in SLOW_PATHS])
def test_a_slow_body_is_refused_with_its_line_and_cause(name, body, line, words):
    found = [(number, message) for number, message, _ in _problems(INTRO + body)]
    assert (line, words) in [(number, words) for number, message in found if words in message], found


def test_a_slow_construct_after_ordinary_text_is_refused_too():
    body = RICH + "\n" + "- " * 1000 + "x\n"
    assert any("list markers" in message for _, message, _ in _problems(body))


@pytest.fixture(scope="module")
def page_renderer(tmp_path_factory) -> Callable[[str], str]:
    return bench.mkdocs_page_renderer(tmp_path_factory.mktemp("mkdocs"))


def test_a_marked_section_is_refused_because_mkdocs_cannot_read_it(page_renderer):
    # MkDocs 1.6 parses a page's raw HTML with html.parser, whose marked sections raise on
    # anything but a known keyword (Python 3.11). When this fails, the limit can go.
    with pytest.raises(AssertionError):
        page_renderer("An ordinary page with <![x]> in it.")
    assert MarkdownRenderer().html("A story with <![x]> in it.")
    assert _problems("A page with <![CDATA[ x ]]> in it.") == []


def _with_deeper_stack(depth: int, call: Callable[[], object]) -> object:
    """Run `call` `depth` frames further down the stack: a build renders from deep inside MkDocs
    and Jinja, so the accepted recursion must leave room for that."""
    return call() if depth == 0 else _with_deeper_stack(depth - 1, call)


@pytest.fixture
def default_recursion_limit():
    """Python's default recursion limit, which MkDocs keeps."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(before)


@pytest.mark.parametrize("name", list(bench.CASES))
def test_the_worst_accepted_body_renders(name, page_renderer, default_recursion_limit):
    _, build = bench.CASES[name]
    body = build(100 * 1024)
    assert len(body.encode()) <= 100 * 1024 <= DEFAULT_MAX_BYTES
    assert limits.body_problems(body, 1) == []
    story = _with_deeper_stack(200, lambda: MarkdownRenderer().html(body))
    page = _with_deeper_stack(200, lambda: page_renderer(body))
    assert story and page
