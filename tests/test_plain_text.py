"""Plain-text fields refuse what a reader cannot see: control characters, direction changes and
invisible characters, each named with its code point and its place in the value, at the file's
line. Dari and Pashto keep the zero-width non-joiner their words need.

The characters are written into the story as a contributor's paste would carry them (or as a
YAML escape, for the controls that YAML refuses as they are); this file itself holds none.
"""

from __future__ import annotations

import pytest

from digest.loader import load_content

STORY = "c/stories/2024/11/deadline.md"
FIND = "most editors do not show it, so search for {} with regular expressions on, or retype the words around it"
CONTROL = "it is invisible, and terminals and other programs may act on it"
DIRECTION = "it can make the text display differently from what it says"
INVISIBLE = "it is invisible, and makes the words differ from what they look like"
JOINER = "it is invisible here: it belongs only between two letters of an Arabic-script or Indic word"


def load_story(folder, *, title='"Pakistan extends deadline"', summary='"One sentence."',
               source_name='"Dawn"', source_title='"Deadline extended"'):
    """stories/2024/11/deadline.md with these YAML values (written as they are): title on line 2,
    summary on line 4, the first source's name and title on lines 7 and 8."""
    (folder / "topics").mkdir(exist_ok=True)
    (folder / "topics/refugees.md").write_text("---\ntitle: Refugees\ndescription: Who flees.\n---\n", encoding="utf-8")
    story = folder / "stories/2024/11/deadline.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(
        f"---\ntitle: {title}\ndate: 2024-11-28\nsummary: {summary}\ntags: [refugees]\nsources:\n"
        f"  - name: {source_name}\n    title: {source_title}\n  - name: AP\n---\nBody\n",
        encoding="utf-8",
    )
    return load_content(folder, shown_root="c")


# (field, value as written in the file, the problem the contributor sees)
REFUSED = {
    "right-to-left override": (
        "title", '"Kabul talks \u202eemuser"',
        f"{STORY}:2: `title` contains U+202E RIGHT-TO-LEFT OVERRIDE at character 13 ({DIRECTION}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u202E')})"),
    "isolate": (
        "summary", '"Aid reaches \u2067Herat\u2069 today."',
        f"{STORY}:4: `summary` contains U+2067 RIGHT-TO-LEFT ISOLATE at character 13 ({DIRECTION}) "
        f"(hint: delete it and the other one after it: {FIND.format(chr(92) + 'u2067')})"),
    "arabic letter mark": (
        "title", '"Deadline\u061c extended"',
        f"{STORY}:2: `title` contains U+061C ARABIC LETTER MARK at character 9 ({DIRECTION}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u061C')})"),
    "C1 control sequence introducer": (
        "title", r'"Talks \u009b31m resume"',
        f"{STORY}:2: `title` contains the control character U+009B at character 7 ({CONTROL}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u009B')})"),
    "C1 control in a source name": (
        "source name", r'"Da\x80wn"',
        f"{STORY}:7: `name` contains the control character U+0080 at character 3 ({CONTROL}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u0080')})"),
    "C0 escape": (
        "title", r'"A \e[31m red title"',
        f"{STORY}:2: `title` contains the control character U+001B at character 3 ({CONTROL}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u001B')})"),
    "zero-width space": (
        "title", '"Paki\u200bstan extends deadline"',
        f"{STORY}:2: `title` contains U+200B ZERO WIDTH SPACE at character 5 ({INVISIBLE}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u200B')})"),
    "soft hyphens from a copied article": (
        "summary", '"Re\u00adturns from Paki\u00adstan re\u00adsume."',
        f"{STORY}:4: `summary` contains U+00AD SOFT HYPHEN at character 3 ({INVISIBLE}) "
        f"(hint: delete it and the 2 others after it: {FIND.format(chr(92) + 'u00AD')})"),
    "byte order mark inside a source name": (
        "source name", '"Da\ufeffwn"',
        f"{STORY}:7: `name` contains U+FEFF ZERO WIDTH NO-BREAK SPACE at character 3 ({INVISIBLE}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'uFEFF')})"),
    "word joiner in a source title": (
        "source title", '"Deadline\u2060 extended"',
        f"{STORY}:8: `title` contains U+2060 WORD JOINER at character 9 ({INVISIBLE}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u2060')})"),
    "mongolian vowel separator": (
        "title", '"Pakistan\u180e extends deadline"',
        f"{STORY}:2: `title` contains U+180E MONGOLIAN VOWEL SEPARATOR at character 9 ({INVISIBLE}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u180E')})"),
    "zero-width non-joiner in a Latin word": (
        "title", '"Pakis\u200ctan extends deadline"',
        f"{STORY}:2: `title` contains U+200C ZERO WIDTH NON-JOINER at character 6 ({JOINER}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u200C')})"),
    "zero-width non-joiner after a Dari word": (
        "title", '"\u0645\u0647\u0644\u062a\u200c \u062a\u0645\u062f\u06cc\u062f \u0634\u062f"',
        f"{STORY}:2: `title` contains U+200C ZERO WIDTH NON-JOINER at character 5 ({JOINER}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u200C')})"),
    "zero-width joiner in an emoji sequence": (
        "title", '"Family \U0001f468\u200d\U0001f469\u200d\U0001f467 returns"',
        f"{STORY}:2: `title` contains U+200D ZERO WIDTH JOINER at character 9 ({JOINER}) "
        f"(hint: delete it and the other one after it: {FIND.format(chr(92) + 'u200D')})"),
    "variation selector after a letter": (
        "title", '"Pakis\ufe00tan extends deadline"',
        f"{STORY}:2: `title` contains U+FE00 VARIATION SELECTOR-1 at character 6 (after a letter {INVISIBLE}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'uFE00')})"),
    "tag characters: hidden text": (
        "summary", '"Returns resume.\U000e0069\U000e0067\U000e006e"',
        f"{STORY}:4: `summary` contains U+E0069 TAG LATIN SMALL LETTER I at character 16 ({INVISIBLE}) "
        f"(hint: delete it and the 2 others after it: {FIND.format(chr(92) + 'u{E0069}')})"),
}


@pytest.mark.parametrize("field, written, problem", REFUSED.values(), ids=REFUSED)
def test_each_class_is_refused_naming_the_character_and_its_place(tmp_path, field, written, problem):
    argument = {"title": "title", "summary": "summary", "source name": "source_name", "source title": "source_title"}
    content = load_story(tmp_path, **{argument[field]: written})
    assert [str(p) for p in content.errors] == [problem]
    assert content.stories == []


def test_the_problem_shows_the_code_point_never_the_character(tmp_path):
    for field, written, _ in REFUSED.values():
        argument = {"title": "title", "summary": "summary", "source name": "source_name", "source title": "source_title"}
        (printed,) = [str(p) for p in load_story(tmp_path, **{argument[field]: written}).errors]
        assert printed.isascii(), printed  # a build log cannot be reordered, nor hide text


def test_a_control_character_written_as_it_is_is_named_at_its_line(tmp_path):
    # YAML refuses it before any field is read: still the character, its line and its column
    content = load_story(tmp_path, summary='"One \u009b sentence."')
    assert [str(p) for p in content.errors] == [
        f"{STORY}:4: line contains the control character U+009B at character 15 ({CONTROL}) "
        "(hint: delete it: most editors do not show it, so search for \\u009B with regular expressions on)"
    ]


# "Pakistan extends the deadline for expelling Afghan migrants", its last word (mi-konad, "does")
# written, as Dari spelling wants, with a zero-width non-joiner between its two parts.
DARI_TITLE = ("\u067e\u0627\u06a9\u0633\u062a\u0627\u0646 \u0645\u0647\u0644\u062a \u0627\u062e\u0631\u0627\u062c "
              "\u0645\u0647\u0627\u062c\u0631\u0627\u0646 \u0627\u0641\u063a\u0627\u0646 \u0631\u0627 "
              "\u062a\u0645\u062f\u06cc\u062f \u0645\u06cc\u200c\u06a9\u0646\u062f")


def test_a_dari_headline_keeps_the_zero_width_non_joiner_it_needs(tmp_path):
    content = load_story(tmp_path, title=f'"{DARI_TITLE}"')
    assert [str(p) for p in content.errors] == []
    assert content.stories[0].title == DARI_TITLE and "\u200c" in content.stories[0].title


@pytest.mark.parametrize("title", [
    "\u06a9\u0627\u0628\u0644 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u062f",  # Dari, ZWNJ between letters
    "\u0915\u094d\u200d\u0937 \u0915\u094d\u200c\u0937",  # Devanagari: ZWJ and ZWNJ after a virama
    "Kabul \u2764\ufe0f and 1\ufe0f\u20e3",  # emoji and keycap variation selectors
    "Caf\u00e9 \u00abquoted\u00bb \u2014 \u0130stanbul",  # ordinary punctuation and letters
], ids=["dari", "devanagari", "emoji", "latin"])
def test_visible_text_in_any_script_is_kept(tmp_path, title):
    content = load_story(tmp_path, title=f'"{title}"')
    assert [str(p) for p in content.errors] == []
    assert content.stories[0].title == title


def test_topic_and_country_texts_are_checked_at_their_own_lines(tmp_path):
    load_story(tmp_path)
    (tmp_path / "topics/returns.md").write_text(
        "---\ntitle: Returns\ndescription: \"Who goes \u202eemoh\"\n---\n", encoding="utf-8")
    (tmp_path / "countries").mkdir()
    (tmp_path / "countries/af.md").write_text("---\ndescription: \"Afghani\u200bstan\"\n---\n", encoding="utf-8")
    assert [str(p) for p in load_content(tmp_path, shown_root="c").errors] == [
        f"c/countries/af.md:2: `description` contains U+200B ZERO WIDTH SPACE at character 8 ({INVISIBLE}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u200B')})",
        f"c/topics/returns.md:3: `description` contains U+202E RIGHT-TO-LEFT OVERRIDE at character 10 ({DIRECTION}) "
        f"(hint: delete it: {FIND.format(chr(92) + 'u202E')})",
    ]
