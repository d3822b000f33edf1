"""Property-based tests of the loader: whatever a story file holds (random bytes, random YAML,
a valid story with one field broken, any body), it ends as a story or as `path:line` problems,
never as an exception; and whatever a body holds, its HTML passes the security audit.

`make test` runs a few thousand examples; `make fuzz` sets DIGEST_FUZZ_EXAMPLES (default there:
50000) for a longer run of each property.
"""

from __future__ import annotations

import os
import re
import shutil
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from digest.loader import load_content
from digest.render import MarkdownRenderer
from test_security import audit_fragment

EXAMPLES = int(os.environ.get("DIGEST_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=EXAMPLES or 1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
STORY = "stories/2024/11/fuzzed-story.md"
SHOWN = "content"
PROBLEM = re.compile(r"^content/[^\s:]+\.md:(\d+): \S")

VALID = {
    "title": "Refugees return across the border",
    "date": "2024-11-28",
    "summary": "Thousands crossed back on Thursday, officials said.",
    "tags": ["refugees", "security"],
    "countries": ["af", "pk"],
    "sources": [{"name": "UNHCR", "url": "https://example.org/unhcr", "title": "Update", "date": "2024-11-27"},
                {"name": "IOM"}],
    "updated": "2024-11-29T08:30:00+00:00",
    "draft": False,
    "weight": 2,
}


class Folder:
    """One content folder reused by every example: two topics and the story under test."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="digest-fuzz-"))
        for tag in ("refugees", "security"):
            topic = self.root / "topics" / f"{tag}.md"
            topic.parent.mkdir(parents=True, exist_ok=True)
            topic.write_text(f'---\ntitle: "{tag.title()}"\ndescription: "About {tag}."\n---\n', encoding="utf-8")
        self.story = self.root / STORY
        self.story.parent.mkdir(parents=True, exist_ok=True)

    def load(self, data: bytes):
        self.story.write_bytes(data)
        return load_content(self.root, include_drafts=True, shown_root=SHOWN)


@pytest.fixture(scope="module")
def folder():
    made = Folder()
    yield made
    shutil.rmtree(made.root, ignore_errors=True)


def line_count(data: bytes) -> int:
    """Lines as the loader and YAML count them (\r\n, \r, \n; YAML also NEL, LS, PS)."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    return 1 + sum(text.count(c) for c in "\n\r\x85\u2028\u2029")


def assert_story_or_problems(content, data: bytes) -> None:
    """The property: a story and no errors, or errors that each point at a line of the file."""
    for problem in content.problems:
        shown = str(problem)
        match = PROBLEM.match(shown)
        assert match, f"not a path:line problem: {shown!r}"
        assert problem.path == f"{SHOWN}/{STORY}", f"problem reported against another file: {shown}"
        assert 1 <= problem.line <= line_count(data), f"line outside the file: {shown}"
    errors = content.errors
    stories = [s for s in content.stories if s.slug == "fuzzed-story"]
    assert bool(stories) != bool(errors), (stories, errors)


def front_matter(fields: dict, body: str = "Body text.\n") -> bytes:
    return ("---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n" + body).encode()


def test_the_valid_story_loads(folder):
    content = folder.load(front_matter(VALID))
    assert not content.errors, [str(p) for p in content.errors]
    assert_story_or_problems(content, front_matter(VALID))


# Crashes these properties found, kept as plain examples.

def test_a_source_that_is_a_list_is_a_problem(folder):
    data = front_matter(_with("sources", [["UNHCR", "https://example.org/"]]))
    content = folder.load(data)
    assert_story_or_problems(content, data)
    assert any("each source must be a mapping" in str(problem) for problem in content.errors)


def test_a_url_with_a_broken_host_is_a_problem(folder):
    data = front_matter(_source_with("url", "https://[example.org/report"))
    content = folder.load(data)
    assert_story_or_problems(content, data)
    assert any("`url` must be an absolute http(s) URL" in str(problem) for problem in content.errors)


@pytest.mark.parametrize("field, value", [
    ("title", "!!python/object/apply:os.system ['true']"), ("summary", "!custom x"), ("weight", "1" * 5000),
    ("draft", "{[a]: 1}"),
])
def test_yaml_the_loader_once_crashed_on_is_a_problem(folder, field, value):
    data = front_matter(_without(field)).replace(b"\n---\n", f"\n{field}: {value}\n---\n".encode(), 1)
    content = folder.load(data)
    assert_story_or_problems(content, data)
    assert content.errors


# --- random bytes ------------------------------------------------------------------------------

YAMLISH = "-:[]{}!&*#|>'\"%@`?,\n\t  \\<>/=()_~^.;\r\ufeff\x00\u2028é"
yamlish = st.text(alphabet=st.sampled_from(list(string.ascii_letters[:12] + string.digits[:3] + YAMLISH)), max_size=400)


@FUZZ
@given(st.one_of(
    st.binary(max_size=600),
    st.binary(max_size=300).map(lambda b: b"---\n" + b + b"\n---\nbody\n"),
    yamlish.map(lambda t: ("---\n" + t + "\n---\n").encode()),
    yamlish.map(lambda t: t.encode()),
))
def test_random_bytes_end_as_a_story_or_problems(folder, data):
    assert_story_or_problems(folder.load(data), data)


# --- random YAML -------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["NO", "yes", "on", "010", "10:00", "2024-11-28", "~", "",
                                           "2024-11-28T25:00:00Z", "2024-02-30", "https://", "javascript:x",
                                           "<b>x</b>", "&amp;", "TODO", "1" * 5000]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


@FUZZ
@given(st.one_of(values, st.dictionaries(st.sampled_from([*VALID, "content", "x", "Title"]), values, max_size=9)))
def test_random_yaml_ends_as_a_story_or_problems(folder, document):
    try:
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)
    data = ("---\n" + text + "---\nBody.\n").encode("utf-8", "surrogatepass")
    assert_story_or_problems(folder.load(data), data)


# --- a valid story with one field broken -------------------------------------------------------

def _with(key: str, value) -> dict:
    fields = dict(VALID)
    fields[key] = value
    return fields


def _without(key: str) -> dict:
    return {k: v for k, v in VALID.items() if k != key}


def _source_with(key: str, value) -> dict:
    return _with("sources", [{**VALID["sources"][0], key: value}, VALID["sources"][1]])


broken_fields = st.one_of(
    st.builds(_with, st.sampled_from(sorted(VALID)), values),
    st.builds(_without, st.sampled_from(sorted(VALID))),
    st.builds(_source_with, st.sampled_from(["name", "url", "title", "date", "extra"]), values),
    st.builds(lambda key, value: {**VALID, key: value}, st.text(min_size=1, max_size=10), scalars),
)


@FUZZ
@given(broken_fields)
def test_a_valid_story_with_one_field_broken_ends_as_a_story_or_problems(folder, fields):
    try:
        data = front_matter(fields)
    except (yaml.YAMLError, UnicodeEncodeError):
        assume(False)
    assert_story_or_problems(folder.load(data), data)


@FUZZ
@given(st.data())
def test_a_valid_file_with_one_byte_changed_ends_as_a_story_or_problems(folder, data):
    original = front_matter(VALID)
    position = data.draw(st.integers(0, len(original) - 1))
    action = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    byte = bytes([data.draw(st.sampled_from(list(b"\x00\t\n\r \"#&'*-:<>[]{}|!%@`\\\xff\xc3") + [ord("a")]))])
    if action == "replace":
        mutated = original[:position] + byte + original[position + 1:]
    elif action == "insert":
        mutated = original[:position] + byte + original[position:]
    else:
        mutated = original[:position] + original[position + 1:]
    assert_story_or_problems(folder.load(mutated), mutated)


# --- any body: loads, and renders to HTML that passes the audit -------------------------------

fragments = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))", "[a](java&#x09;script:alert(1))", "<a href=' javascript:x'>a</a>",
    "![i](data:text/html,x)", "{: onclick=\"alert(1)\" }", "<svg onload=alert(1)>", "<iframe src=x>",
    "<style>*{}</style>", "<a style=\"x\" href=\"#\">s</a>", "<javascript:alert(1)>", "[r][e]\n\n[e]: javascript:x",
    "<form action=javascript:x><button formaction=javascript:x>", "<!--", "-->", "<![CDATA[", "]]>", "```", "`",
    "\n\n", "\n    ", "# ", "## __config", "* ", "1. ", "> ", "| a | b |\n|---|---|\n", "[^1]", "[^1]: note",
    "*[HTML]: x\" onmouseover=\"y", "<details open ontoggle=x>", "<math><mi xlink:href=javascript:x>", "&#106;",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<a id=__config>", "{{ 7*7 }}", "<",
    ">", "\"", "'", "=", "&", "javascript:", "data:", " onclick=", "<a href=\"", "<img src=\"", "\u2028",
])
bodies = st.lists(st.one_of(fragments, st.text(max_size=12)), max_size=30).map("".join)


@FUZZ
@given(bodies)
def test_any_body_loads_and_renders_to_safe_html(folder, body):
    data = front_matter(VALID, body)
    content = folder.load(data)
    assert_story_or_problems(content, data)
    for story in content.stories:
        html = MarkdownRenderer().story_html(story)
        problems = audit_fragment(html)
        assert not problems, (problems, html)
