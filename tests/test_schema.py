"""The JSON Schema for editors (schema/story.schema.json): generated from the validator's rules,
committed, never stale, and saying what the validator says."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from digest import frontmatter_yaml, schema

from conftest import ROOT

SCHEMA_FILE = ROOT / "schema" / "story.schema.json"
GEN = ROOT / "scripts" / "gen_schema.py"
REGENERATE = ".venv/bin/python scripts/gen_schema.py"


def test_committed_schema_is_what_the_rules_generate_now():
    generated = json.dumps(schema.json_schema(), indent=2, ensure_ascii=False) + "\n"
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == generated, f"{SCHEMA_FILE.relative_to(ROOT)} is stale: run `{REGENERATE}` and commit it"


def test_gen_schema_check_fails_on_a_stale_file_and_regenerating_fixes_it(tmp_path):
    stale = tmp_path / "story.schema.json"
    stale.write_text(SCHEMA_FILE.read_text(encoding="utf-8").replace('"maxLength": 200', '"maxLength": 250'))
    checked = subprocess.run([sys.executable, str(GEN), "--check", "--output", str(stale)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 1 and "is stale" in checked.stderr
    subprocess.run([sys.executable, str(GEN), "--output", str(stale)], check=True, capture_output=True, timeout=60)
    assert stale.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")
    rechecked = subprocess.run([sys.executable, str(GEN), "--check", "--output", str(stale)],
                               capture_output=True, text=True, timeout=60)
    assert rechecked.returncode == 0


def test_schema_lists_every_field_with_its_description_and_requirement():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert committed["additionalProperties"] is False  # unknown keys are errors, in editors too
    assert set(committed["properties"]) == {f.name for f in schema.STORY_FIELDS}
    assert set(committed["required"]) == {f.name for f in schema.STORY_FIELDS if f.required}
    source = committed["properties"]["sources"]["items"]
    assert source["required"] == ["name"] and source["additionalProperties"] is False


# --- the schema says what the validator says -------------------------------------------------
# Checked with the `jsonschema` library (draft-07, as editors read it); the patterns are plain
# enough that Python's `re` reads them as an editor's ECMAScript engine does.

def schema_accepts(rule: dict, value) -> bool:
    return jsonschema.Draft7Validator(rule).is_valid(value)


def test_the_committed_schema_is_a_valid_draft_07_schema():
    jsonschema.Draft7Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def front_matter(path) -> dict:
    """A story's front matter as the validator reads it (dates stay text), as an editor's JSON."""
    fm = frontmatter_yaml.split(path.read_text(encoding="utf-8"))[0]
    return frontmatter_yaml.construct(frontmatter_yaml.compose(fm))


def test_every_seed_story_is_valid_under_the_schema():
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    stories = sorted((ROOT / "content" / "stories").rglob("*.md"))
    assert stories
    for path in stories:
        assert [e.message for e in validator.iter_errors(front_matter(path))] == [], path


# broken fixture -> the keyword in the schema that refuses it, as the validator does
REFUSED = {
    "unknown-key": "additionalProperties", "missing-summary": "required", "title-too-long": "maxLength",
    "summary-html": "not", "source-javascript-url": "pattern", "no-sources": "minItems",
    "tags-not-a-list": "type", "draft-yes": "type", "weight-text": "type", "datetime-without-offset": "anyOf",
}


@pytest.mark.parametrize("name, keyword", REFUSED.items())
def test_the_schema_refuses_the_broken_fixtures_the_validator_refuses(name, keyword):
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    path = ROOT / "tests" / "fixtures" / "broken" / "stories" / "2024" / "11" / f"{name}.md"
    errors = list(validator.iter_errors(front_matter(path)))
    assert keyword in {e.validator for e in errors}, [(e.validator, e.message) for e in errors]


def validator_accepts(kind: str, value: str, field: schema.Field) -> bool:
    node = yaml.ScalarNode("tag:yaml.org,2002:str", value, style='"')
    try:
        schema.CHECKERS[kind](node, field)
        return True
    except schema.Invalid:
        return False


TEXTS = ["Pakistan extends deadline", "x", "   ", "", "<b>bold</b>", "Tom &amp; Jerry", "AT&T, 3 < 4",
         "TODO: one sentence", "TODO", "Todo apps are popular", "TODOS", "a bell \x07", "x" * 200, "x" * 201,
         # invisible and direction-changing characters; the joiners Dari and Hindi need, between letters
         "talks \u202eemuser", "Paki\u200bstan", "csi \x9b", "soft\u00adhyphen", "\ufeffbom", "Pakis\ufe0ftan",
         "x\u200cy", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c \u062e",
         "\u0915\u094d\u200d\u0937", "Kabul \u2764\ufe0f"]
DATES = ["2024-11-29", "2024-11-29T08:30:00+05:00", "2024-11-29T08:30Z", "2024-11-29T08:30", "29/11/2024",
         "2024-11-29 08:30:00+0000",
         # the calendar's edges, and the years the digest accepts
         "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "1899-12-31", "1900-01-01T00:00:00+14:00",
         "2999-12-31T23:59:59-12:00", "3000-01-01"]
URLS = ["https://www.dawn.com/news/1", "http://x.org", "javascript:alert(1)", "https://", "www.dawn.com",
        "https://a b.org/",
        "https://x.org/a\nb", "https://x.org/a\tb"]


@pytest.mark.parametrize("value", TEXTS)
def test_text_rules_agree(value):
    title = next(f for f in schema.STORY_FIELDS if f.name == "title")
    rule = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]["title"]
    assert schema_accepts(rule, value) == validator_accepts("text", value, title)


@pytest.mark.parametrize("value", DATES)
def test_date_rules_agree(value):
    date = next(f for f in schema.STORY_FIELDS if f.name == "date")
    rule = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]["date"]
    assert schema_accepts(rule, value) == validator_accepts("date", value, date)


@pytest.mark.parametrize("value", ["1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", "0001-01-01", "2024-11-29T08:30Z"])
def test_source_date_rules_agree(value):
    date = next(f for f in schema.SOURCE_FIELDS if f.name == "date")
    rule = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]["sources"]["items"]["properties"]["date"]
    assert schema_accepts(rule, value) == validator_accepts("plain_date", value, date)


@pytest.mark.parametrize("value", URLS)
def test_url_rules_agree(value):
    url = next(f for f in schema.SOURCE_FIELDS if f.name == "url")
    rule = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]["sources"]["items"]["properties"]["url"]
    assert schema_accepts(rule, value) == validator_accepts("url", value, url)


# --- what each checker says, word for word ----------------------------------------------------

FIELDS = {f.name: f for f in (*schema.STORY_FIELDS, *schema.SOURCE_FIELDS)}
OFFSET = "a date-time needs its time-zone offset, e.g. +00:00 or Z"


@pytest.mark.parametrize("kind, name, written, said", [
    ("date", "date", "[2024]", "`date` must be a date, not a list (hint: write it on one line, e.g. 2024-11-29)"),
    ("date", "date", "{a: 1}", "`date` must be a date, not a mapping (hint: write it on one line, e.g. 2024-11-29)"),
    ("date", "date", "2024-11-28T10:00", f"`date` is not a valid date: '2024-11-28T10:00' (hint: {OFFSET})"),
    ("date", "date", "2024-11-28t10:00", f"`date` is not a valid date: '2024-11-28t10:00' (hint: {OFFSET})"),
    ("date", "date", "28/11/2024", "`date` is not a valid date: '28/11/2024' "
     "(hint: write YYYY-MM-DD, or a date-time with its offset like 2024-11-29T08:30:00+00:00)"),
    ("plain_date", "date", "[2024]", "`date` must be a date, not a list (hint: write it on one line, e.g. 2024-11-29)"),
    ("url", "url", "{a: 1}", "`url` must be a URL, not a mapping (hint: write it on one line, e.g. https://example.org/story)"),
    ("url", "url", "https://[x", "`url` must be an absolute http(s) URL, not 'https://[x' "
     "(hint: write the full address starting with https://, with spaces and quotes percent-encoded)"),
    ("tags", "tags", "refugees", "`tags` must be a list (hint: write tags: [refugees, diplomacy])"),
    ("tags", "tags", "[]", "`tags` needs at least one entry (hint: write tags: [refugees, diplomacy])"),
    ("tags", "tags", "[[a]]", "tag '?' is not a topic slug (hint: tags are lower-case words joined by hyphens, e.g. human-rights)"),
    ("tags", "tags", "[Human Rights]", "tag 'Human Rights' is not a topic slug "
     "(hint: tags are lower-case words joined by hyphens, e.g. human-rights)"),
    ("countries", "countries", "pk", "`countries` must be a list (hint: write countries: [af, pk])"),
    ("sources", "sources", "TASS", "`sources` must be a list (hint: write sources: [{name: TASS}] or a list of "
     "`- name: ...` entries)"),
    ("sources", "sources", "[TASS]", "each source must be a mapping with a name (hint: write - name: TASS)"),
    ("sources", "sources", "[[TASS]]", "each source must be a mapping with a name (hint: write - name: Publisher)"),
    ("sources", "sources", "['']", "each source must be a mapping with a name (hint: write - name: Publisher)"),
])
def test_each_checker_says_what_is_wrong_and_how_to_write_it(kind, name, written, said):
    node = frontmatter_yaml.compose(f"{name}: {written}\n").value[0][1]
    with pytest.raises(schema.Invalid) as raised:
        schema.CHECKERS[kind](node, FIELDS[name])
    problem = raised.value
    assert (f"{problem.message} (hint: {problem.hint})" if problem.hint else problem.message) == said
    assert str(problem) == problem.message
