"""The story scaffold: scripts/new_story.py writes a story that `make check` rejects until its
TODOs are filled in, refuses what the site would reject, and never overwrites a story."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import frontmatter_yaml
from digest.loader import load_content

from conftest import FIXTURES, ROOT

CONTRIB = FIXTURES / "contrib"


def script(name: str):
    """A script under scripts/ imported as a module, to test its functions directly."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


new_story = script("new_story")


def scaffold(content: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts/new_story.py"), "--content", str(content), *args],
                          capture_output=True, text=True, timeout=120)


def check(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts/check.py"), str(content)],
                          capture_output=True, text=True, timeout=120, cwd=content.parent)


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTRIB, folder)
    return folder


def stories_in(content: Path) -> list[Path]:
    return sorted((content / "stories").rglob("*.md"))


TITLE = 'Pakistan "extends": deadline, 100% sure — for Afghans in Peshawar #2'
URL = "https://www.dawn.com/news/1877001?page=2&ref=home"


def test_scaffold_check_fill_check_round_trip(content):
    made = scaffold(content, "--title", TITLE, "--date", "2024-11-29", "--tags", "refugees,migration",
                    "--countries", "NO,pk", "--source", f"Dawn={URL}")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path == content / "stories/2024/11/pakistan-extends-deadline-100-sure-for-afghans-in-peshawar-2.md"

    before = check(content)
    assert before.returncode == 1
    assert "`summary` is still a TODO placeholder" in before.stderr
    assert f"{path.name}:4:" in before.stderr  # the summary's line, for the contributor to find

    text = path.read_text(encoding="utf-8")
    text = text.replace(new_story.quote(new_story.PLACEHOLDER_SUMMARY), '"Pakistan gave Afghans more time."')
    text = text.replace(new_story.PLACEHOLDER_BODY, "Islamabad moved the deadline.\n")
    path.write_text(text, encoding="utf-8")
    after = check(content)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "TODO" not in after.stdout

    story = next(s for s in load_content(content).stories if s.slug == path.stem)
    assert story.title == TITLE  # quotes, colon, comma, %, dash and # all survive
    assert story.edition == dt.date(2024, 11, 29)
    assert story.tags == ("refugees", "migration")
    assert story.countries == ("no", "pk")  # NO is Norway, not false
    assert [(s.name, s.url) for s in story.sources] == [("Dawn", URL)]


def test_without_sources_the_placeholder_source_is_rejected_until_named(content):
    made = scaffold(content, "--title", "Iran deports migrants", "--date", "2024-11-28", "--tags", "migration",
                    "--summary", "Iran deports 1.2 million people a year.")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    result = check(content)
    assert result.returncode == 1
    assert "`name` is still a TODO placeholder" in result.stderr
    assert "`summary`" not in result.stderr  # given on the command line: nothing to fill in

    text = path.read_text(encoding="utf-8").replace(new_story.quote(new_story.PLACEHOLDER_SOURCE), '"ISNA"')
    path.write_text(text.replace(new_story.PLACEHOLDER_BODY, "Body.\n"), encoding="utf-8")
    filled = check(content)
    assert filled.returncode == 0, filled.stderr
    assert "story has only one source" in filled.stdout  # a warning, not a failure


def test_the_body_placeholder_fails_the_check_at_its_line(content):
    """A story saying "TODO: write the story" must never be published."""
    made = scaffold(content, "--title", "Torkham reopens", "--date", "2024-11-28", "--tags", "refugees",
                    "--summary", "The crossing reopened.", "--source", "Dawn", "--source", "Geo News")
    assert made.returncode == 0, made.stderr
    path = next(p for p in stories_in(content) if p.name == "torkham-reopens.md")
    body_line = path.read_text(encoding="utf-8").split("\n").index(new_story.PLACEHOLDER_BODY.split("\n")[0]) + 1
    result = check(content)
    assert result.returncode == 1
    assert (f"torkham-reopens.md:{body_line}: the story text is still the TODO placeholder (hint: write the story "
            "below the front matter's closing `---`, in place of the TODO line)") in result.stderr


def test_unknown_tag_is_refused_with_the_closest_topics(content):
    result = scaffold(content, "--title", "A story", "--tags", "refugee,migration")
    assert result.returncode == 1
    assert "--tags: unknown tag 'refugee' (hint: closest topics: refugees;" in result.stderr
    assert [p.relative_to(content).as_posix() for p in stories_in(content)] == [
        "stories/2024/10/existing-story.md"]  # nothing written


def test_unknown_country_is_refused(content):
    result = scaffold(content, "--title", "A story", "--tags", "refugees", "--countries", "af,xx")
    assert result.returncode == 1
    assert "--countries: unknown country code 'xx'" in result.stderr
    assert "ISO 3166-1 alpha-2" in result.stderr
    assert len(stories_in(content)) == 1


def test_a_source_url_that_is_not_http_is_refused(content):
    result = scaffold(content, "--title", "A story", "--tags", "refugees", "--source", "Evil=javascript:alert(1)")
    assert result.returncode == 1
    assert "--source: `url` must be an absolute http(s) URL" in result.stderr


def test_an_invalid_date_is_refused_with_the_checks_hint(content):
    result = scaffold(content, "--title", "A story", "--tags", "refugees", "--date", "2024-11-29T10:00")
    assert result.returncode == 1
    assert "--date: `date` is not a valid date" in result.stderr and "offset" in result.stderr


def test_a_slug_used_in_another_folder_is_refused(content):
    result = scaffold(content, "--title", "Existing story", "--date", "2024-11-29", "--tags", "refugees")
    assert result.returncode == 1
    assert "slug 'existing-story' is already used by" in result.stderr
    assert "stories/2024/10/existing-story.md" in result.stderr
    assert not (content / "stories/2024/11").exists()


def test_an_existing_file_is_never_overwritten(content):
    existing = content / "stories/2024/10/existing-story.md"
    before = existing.read_bytes()
    result = scaffold(content, "--title", "Existing story", "--date", "2024-10-20", "--tags", "refugees")
    assert result.returncode == 1
    assert "already exists: not overwriting it" in result.stderr
    assert existing.read_bytes() == before


def test_the_date_defaults_to_today_in_utc(content):
    days = {dt.datetime.now(dt.timezone.utc).date()}
    result = scaffold(content, "--title", "Today's story", "--tags", "refugees")
    days.add(dt.datetime.now(dt.timezone.utc).date())
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert any(path == content / f"stories/{d:%Y/%m}/todays-story.md" for d in days)
    assert any(f"date: {d.isoformat()}\n" in path.read_text(encoding="utf-8") for d in days)


def test_slug_is_ascii_and_cut_at_a_word_boundary():
    assert new_story.slugify("Şırnak: Türkiye’s café owners — Straße 3.5 million") == \
        "sirnak-turkiyes-cafe-owners-strasse-3-5-million"
    long_title = "Six countries refer Afghanistan to the International Criminal Court over the treatment of women"
    slug = new_story.slugify(long_title)
    assert len(slug) <= new_story.MAX_SLUG
    assert slug == "six-countries-refer-afghanistan-to-the-international"
    assert new_story.slugify(long_title, limit=200).startswith(slug + "-")  # whole words only


def test_a_title_without_latin_letters_needs_a_slug(content):
    refused = scaffold(content, "--title", "Путин о ситуации в Афганистане", "--tags", "diplomacy")
    assert refused.returncode == 1
    assert "--slug" in refused.stderr
    made = scaffold(content, "--title", "Путин о ситуации в Афганистане", "--tags", "diplomacy",
                    "--date", "2024-11-28", "--slug", "putin-on-afghanistan")
    assert made.returncode == 0, made.stderr
    assert Path(made.stdout.strip()).name == "putin-on-afghanistan.md"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_quoted_text_reads_back_exactly(text):
    node = frontmatter_yaml.compose(f"title: {new_story.quote(text)}\n")
    assert frontmatter_yaml.construct(node) == {"title": text}
