"""The JSON Schema for editors (schema/story.schema.json): generated from the validator's rules,
committed, never stale, and saying what the validator says."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from digest import schema

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


# --- the schema's string rules agree with the validator's ------------------------------------
# A tiny evaluator for the keywords the schema uses on strings; the patterns are plain enough
# that Python's `re` reads them as an editor's ECMAScript engine does.

def schema_accepts(rule: dict, value: str) -> bool:
    if "pattern" in rule and not re.search(rule["pattern"], value):
        return False
    if "maxLength" in rule and len(value) > rule["maxLength"]:
        return False
    if "anyOf" in rule and not any(schema_accepts(r, value) for r in rule["anyOf"]):
        return False
    if "not" in rule and schema_accepts(rule["not"], value):
        return False
    return True


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
