"""Every problem names the line to fix: items of block-style lists at their own line, body
problems at theirs, a file's problems in line order; and what is valid is not a problem."""

from __future__ import annotations

from digest.loader import load_content

STORY = "stories/2024/11/x.md"


def problems(folder, text: str, *, topics=("refugees", "security")) -> list[str]:
    """The problems of one story file `text`, with the given topics declared, as `line: message`."""
    (folder / "topics").mkdir(exist_ok=True)
    for tag in topics:
        (folder / "topics" / f"{tag}.md").write_text(f"---\ntitle: {tag.title()}\ndescription: D\n---\n")
    path = folder / STORY
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    content = load_content(folder, shown_root="c", warnings=False)
    return [f"{p.line}: {p.message}" for p in content.errors if p.path == "c/" + STORY]


BLOCK = """\
---
title: T
date: 2024-11-28
summary: S
tags:
  - refugees
  - refugee
  - refugees
countries:
  - pk
  - xx
  - PK
sources:
  - name: A
    url: ftp://example.org/a
  - name: B
    date: 2024-11-31
  - url: https://example.org/c
---
Body.
"""


def test_problems_in_block_style_lists_are_reported_at_the_items_line(tmp_path):
    assert problems(tmp_path, BLOCK) == [
        "7: unknown tag 'refugee'",
        "8: tag 'refugees' is listed twice",
        "11: unknown country code 'xx'",
        "12: country 'PK' is listed twice",
        "15: `url` must be an absolute http(s) URL, not 'ftp://example.org/a'",
        "17: `date` is not a date: '2024-11-31'",
        "18: missing required key `name`",
    ]


def test_block_style_items_that_are_not_what_the_list_holds_are_reported_at_their_line(tmp_path):
    text = BLOCK.replace("  - refugee\n", "  - Not A Slug\n").replace("  - name: A\n", "  - just a name\n") \
        .replace("    url: ftp://example.org/a\n", "")
    assert problems(tmp_path, text) == [
        "7: tag 'Not A Slug' is not a topic slug",
        "11: unknown country code 'xx'",
        "12: country 'PK' is listed twice",
        "14: each source must be a mapping with a name",
    ]


def test_a_nested_list_in_countries_is_reported_at_the_item(tmp_path):
    text = BLOCK.replace("  - xx\n", "  - [xx, yy]\n")
    assert "11: `countries` must be a country code, not a list" in problems(tmp_path, text)  # the field named


def test_body_problems_are_reported_at_their_exact_line(tmp_path):
    front = "---\ntitle: T\ndate: 2024-11-28\nsummary: S\ntags: [refugees]\nsources: [{name: A}, {name: B}]\n---\n"
    body = "First paragraph.\n\nSecond.\n\n" + ">" * 101 + " too deep\n"
    found = problems(tmp_path, front + body)
    assert len(found) == 1 and found[0].startswith("12: "), found  # front matter: lines 1-7; body from 8
    # The same body after front matter two lines longer moves two lines down.
    longer = front.replace("title: T\n", "title: T\nweight: 1\ncountries: [pk]\n")
    assert problems(tmp_path, longer + body)[0].startswith("14: ")


def test_a_page_without_front_matter_reports_body_lines_from_line_1(tmp_path):
    (tmp_path / "about.md").write_text("Intro.\n" + ">" * 101 + " x\n")
    found = [f"{p.line}: {p.message}" for p in load_content(tmp_path, shown_root="c").errors]
    assert len(found) == 1 and found[0].startswith("2: "), found


def test_a_files_problems_come_in_line_order(tmp_path):
    # The body is checked before the front matter, and tags after the mapping's own keys: the
    # report is sorted, so that a contributor fixes the file from top to bottom.
    text = BLOCK.replace("title: T\n", "title: T\nweight: heavy\n").replace("Body.\n", ">" * 101 + " deep\n")
    found = problems(tmp_path, text)
    lines = [int(p.split(":")[0]) for p in found]
    assert lines == sorted(lines) and len(found) >= 8, found
    assert found[0] == "3: `weight` must be a whole number" and found[-1].startswith("21: ")


def test_problems_of_several_files_are_grouped_by_file_then_line(tmp_path):
    (tmp_path / "stories/2024/11").mkdir(parents=True)
    (tmp_path / "stories/2024/11/a.md").write_text("---\ntitle: T\n---\n")
    problems(tmp_path, BLOCK)
    content = load_content(tmp_path, shown_root="c", warnings=False)
    keys = [(p.path, p.line) for p in content.errors]
    assert keys == sorted(keys)
    assert keys[0][0] == "c/stories/2024/11/a.md"


# --- `updated` against `date` -------------------------------------------------------------------

VALID = "---\ntitle: T\ndate: {date}\nupdated: {updated}\nsummary: S\ntags: [refugees]\nsources: [{{name: A}}, {{name: B}}]\n---\nBody.\n"


def test_an_updated_equal_to_a_timed_date_is_fine(tmp_path):
    moment = "2024-11-28T10:00:00+00:00"
    assert problems(tmp_path, VALID.format(date=moment, updated=moment)) == []
    # the same moment written in another zone is the same moment
    assert problems(tmp_path, VALID.format(date=moment, updated="2024-11-28T15:00:00+05:00")) == []


def test_an_updated_a_second_before_a_timed_date_is_an_error_at_its_line(tmp_path):
    found = problems(tmp_path, VALID.format(date="2024-11-28T10:00:00+00:00", updated="2024-11-28T09:59:59+00:00"))
    assert found == ["4: `updated` is before `date`"]


def test_date_only_updated_is_compared_by_day(tmp_path):
    assert problems(tmp_path, VALID.format(date="2024-11-28", updated="2024-11-28")) == []
    assert problems(tmp_path, VALID.format(date="2024-11-28T23:00:00+00:00", updated="2024-11-28")) == []
    assert problems(tmp_path, VALID.format(date="2024-11-28", updated="2024-11-27")) == ["4: `updated` is before `date`"]
    # a timed `updated` earlier on the day of a date-only story is before it only if before midnight
    assert problems(tmp_path, VALID.format(date="2024-11-28", updated="2024-11-28T00:00:00+00:00")) == []
    assert problems(tmp_path, VALID.format(date="2024-11-28", updated="2024-11-27T23:59:00+00:00")) == [
        "4: `updated` is before `date`"]


def test_a_date_only_updated_on_the_day_of_a_timed_date_becomes_the_story_date(tmp_path):
    problems(tmp_path, VALID.format(date="2024-11-28T10:00:00+00:00", updated="2024-11-28"))
    (story,) = load_content(tmp_path, warnings=False).stories
    assert story.modified == story.published and story.updated == story.published


def test_the_lines_of_a_valid_storys_keys_are_kept_for_warnings(tmp_path):
    problems(tmp_path, BLOCK.replace("  - refugee\n", "").replace("  - refugees\n", "", 2)
             .replace("tags:\n", "tags:\n  - security\n").replace("  - xx\n  - PK\n", "")
             .replace("    url: ftp://example.org/a\n", "").replace("    date: 2024-11-31\n", "")
             .replace("  - url: https://example.org/c\n", ""))
    (story,) = load_content(tmp_path, warnings=False).stories
    # a block list's line is its first item's: where a note about it (one source only) points
    assert story.line_of == {"title": 2, "date": 3, "summary": 4, "tags": 6, "countries": 8, "sources": 10}


def test_a_source_date_that_is_not_a_date_says_how_to_write_one(tmp_path):
    text = BLOCK.replace("    url: ftp://example.org/a\n", "    date: [2024]\n")
    problems(tmp_path, text)
    found = [str(p) for p in load_content(tmp_path, shown_root="c", warnings=False).errors]
    assert "c/stories/2024/11/x.md:15: `date` must be a date, not a list (hint: write it on one line, e.g. 2024-11-29)" \
        in found
    assert "c/stories/2024/11/x.md:17: `date` is not a date: '2024-11-31' (hint: write YYYY-MM-DD)" in found


def test_the_report_word_for_word(tmp_path):
    """Every message and hint as a contributor reads them, in file and line order."""
    text = (BLOCK.replace("title: T\n", "title: T\ntitle: U\nsumary: x\nzzz: 1\n").replace("  - refugee\n", "  - zzzzzz\n")
            .replace("Body.\n", "TODO: write the story\n"))
    problems(tmp_path, text)
    (tmp_path / "stories/misplaced.md").write_text(text)
    (tmp_path / "stories/2024/11/Bad_Name.md").write_text(VALID.format(date="2024-11-28", updated="2024-11-28"))
    (tmp_path / "topics/Bad.md").write_text("---\ntitle: x\n---\n")
    (tmp_path / "topics/no-front-matter.md").write_text("hello\n")
    (tmp_path / "topics/broken.md").write_text('---\ntitle: x\ndescription: "open\n---\n')
    (tmp_path / "about.md").write_text("---\ntitle: About\nhide: [nav]\n---\nText\n")
    found = load_content(tmp_path, shown_root="c", warnings=False).errors
    x = "c/stories/2024/11/x.md"
    assert [str(p) for p in found] == [
        "c/about.md:3: unknown key `hide` (hint: allowed keys: title, description)",
        "c/stories/2024/11/Bad_Name.md:1: file name 'Bad_Name' is not a valid slug "
        "(hint: use lower-case ASCII words joined by hyphens, e.g. afghan-refugees-in-pakistan.md)",
        f"{x}:3: duplicate key `title` (first on line 2) (hint: keep only one of them)",
        f"{x}:4: unknown key `sumary` (hint: did you mean `summary`?)",
        f"{x}:5: unknown key `zzz` (hint: allowed keys: title, date, summary, tags, countries, sources, updated, "
        "draft, weight, image)",
        f"{x}:10: unknown tag 'zzzzzz' (hint: declared topics: refugees, security; or add content/topics/zzzzzz.md)",
        f"{x}:11: tag 'refugees' is listed twice (hint: remove one)",
        f"{x}:14: unknown country code 'xx' (hint: use an ISO 3166-1 alpha-2 code (two letters), such as af, pk or ir)",
        f"{x}:15: country 'PK' is listed twice (hint: remove one)",
        f"{x}:18: `url` must be an absolute http(s) URL, not 'ftp://example.org/a' "
        "(hint: write the full address starting with https://, with spaces and quotes percent-encoded)",
        f"{x}:20: `date` is not a date: '2024-11-31' (hint: write YYYY-MM-DD)",
        f"{x}:21: missing required key `name` (hint: add `name:` (Who published or said it.))",
        f"{x}:23: the story text is still the TODO placeholder "
        "(hint: write the story below the front matter's closing `---`, in place of the TODO line)",
        "c/stories/misplaced.md:1: story file is not in a stories/<YYYY>/<MM>/ folder "
        "(hint: move it to content/stories/<year>/<month>/<slug>.md, matching its date)",
        "c/topics/Bad.md:1: topic file name 'Bad' is not a topic slug "
        "(hint: name topic files in lower-case words joined by hyphens, e.g. topics/human-rights.md)",
        "c/topics/broken.md:3: a quote opened on this line is not closed "
        "(hint: end the value with the same quote it starts with, on the same line)",
        "c/topics/no-front-matter.md:1: file has no front matter "
        "(hint: start the file with a line `---`, the fields, and `---`)",
    ]
    broken = next(p for p in found if p.path == "c/topics/broken.md")
    assert (broken.column, broken.excerpt) == (14, 'description: "open')  # where the caret goes
    assert all((p.column, p.excerpt) == (0, "") for p in found if p is not broken)


def test_a_duplicate_key_keeps_neither_value_and_the_rest_is_still_checked(tmp_path):
    text = VALID.format(date="2024-11-28", updated="2024-11-28").replace("summary: S\n", "summary: S\nsummary: T\nweight: x\n")
    assert problems(tmp_path, text) == ["6: duplicate key `summary` (first on line 5)", "7: `weight` must be a whole number"]


def test_file_level_problems_word_for_word(tmp_path):
    problems(tmp_path, VALID.format(date="2024-11-28", updated="2024-11-28"))
    stories = tmp_path / "stories/2024/11"
    (stories / "empty-fm.md").write_text("---\n---\nBody\n")
    (stories / "list-fm.md").write_text("---\n- a\n- b\n---\nBody\n")
    (stories / "blank.md").write_text("  \n\n")
    (stories / "latin1.md").write_bytes(b"---\ntitle: ok\n---\nline two\ncaf\xe9\n")
    (stories / "texts.md").write_text(
        "---\ntitle: [a]\ndate: 2024-11-28\nsummary:\ntags: [refugees]\nsources:\n  - name: \"TODO: who\"\n  - name: '  '\n---\nB\n")
    (tmp_path / "countries").mkdir()
    (tmp_path / "countries/zz.md").write_text("---\ndescription: Nowhere.\n---\nNo.\n")
    (tmp_path / "countries/AF.md").write_text("Upper.\n")
    (tmp_path / "countries/pk.md").write_text("---\ndescription: Pakistan.\n---\nThe intro.\n")
    (tmp_path / "index.md").write_text("---\ntitle: Home\n---\nWelcome.\n")
    (tmp_path / "c\udce9.md").write_bytes(b"x\n")
    content = load_content(tmp_path, shown_root="c", warnings=False)
    s = "c/stories/2024/11/"
    assert [str(p) for p in content.errors] == [
        "c/c\\xe9.md:1: file name is not valid UTF-8 (hint: rename it with letters, digits and hyphens)",
        "c/countries/AF.md:1: no country page can be named 'AF' "
        "(hint: name the file after an ISO 3166-1 alpha-2 code in lower case, e.g. countries/af.md)",
        "c/countries/zz.md:1: no country page can be named 'zz' "
        "(hint: name the file after an ISO 3166-1 alpha-2 code in lower case, e.g. countries/af.md)",
        s + "blank.md:1: file is empty (hint: start with front matter: run scripts/new_story.py for a template)",
        s + "empty-fm.md:1: front matter is empty (hint: add the required fields between the `---` lines)",
        s + "latin1.md:5: file is not valid UTF-8 (hint: save the file as UTF-8 in your editor)",
        s + "list-fm.md:2: front matter must be a mapping of `key: value` lines (hint: write e.g. title: \"...\")",
        s + "texts.md:2: `title` is not text (hint: write title: \"...\" in quotes)",
        s + "texts.md:4: `summary` is empty (hint: write summary: \"...\" in quotes)",
        s + "texts.md:7: `name` is still a TODO placeholder (hint: replace it with the real name: Who published or said it)",
        s + "texts.md:8: `name` is empty (hint: write some plain text)",
    ]
    assert content.country_intros == {"pk": "\nThe intro.\n"} and content.home_intro == "\nWelcome.\n"
    (story,) = content.stories
    assert (story.draft, story.weight, story.date_only, story.shown_path) == (False, 0, True, "c/" + STORY)


def test_line_endings_and_a_byte_order_mark_are_read_as_plain_lines(tmp_path):
    text = VALID.format(date="2024-11-28", updated="2024-11-28")
    for name, data in (("crlf.md", "\ufeff" + text.replace("\n", "\r\n")), ("cr.md", text.replace("\n", "\r"))):
        (tmp_path / "stories/2024/11").mkdir(parents=True, exist_ok=True)
        (tmp_path / "stories/2024/11" / name).write_text(data, newline="")
    problems(tmp_path, text)
    stories = {s.slug: s for s in load_content(tmp_path, warnings=False).stories}
    assert stories["crlf"].body_markdown == stories["cr"].body_markdown == stories["x"].body_markdown == "\nBody.\n"
    assert stories["crlf"].line_of == stories["x"].line_of
