"""The allow-list of content/: what the contract lists is read and checked; anything else fails
`make check` and `make build` with the path and what to do, and never reaches a reader's browser.
Written as an attacker with a merged pull request would try it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, build_site
from digest.loader import load_content

SITE = FIXTURES / "site"
STORY = """---
title: "Embargoed story"
date: 2024-11-28
summary: "Not for publication yet."
tags: [refugees]
sources:
  - name: "TASS"
draft: true
---
EMBARGOED-TEXT until Monday.
"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(SITE, folder)
    return folder


def problems(content: Path) -> list[str]:
    return [str(p) for p in load_content(content, shown_root="content").errors]


def add(content: Path, rel: str, data: str | bytes) -> None:
    path = content / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


@pytest.mark.parametrize("rel", [
    "assets/javascripts/bundle.f55a23d4.min.js",  # would replace Material's own script
    "evil.html",
    "images/logo.svg",
    "about/script.js",
    "styles.css",
    "data.csv",
])
def test_a_file_the_contract_does_not_list_is_refused(content, rel):
    add(content, rel, "<script>alert(document.cookie)</script>")
    found = problems(content)
    assert len(found) == 1 and found[0].startswith(f"content/{rel}:1: "), found
    assert "delete it" in found[0] or "JPEG, PNG, WebP and AVIF" in found[0], found


def test_a_script_in_content_fails_the_build_and_material_keeps_its_own(content, tmp_path):
    add(content, "assets/javascripts/bundle.f55a23d4.min.js", "alert('pwned')")
    build = build_site(content, tmp_path / "build")
    assert build.returncode != 0
    assert ("content/assets/javascripts/bundle.f55a23d4.min.js:1: content/ takes Markdown pages and images only, "
            "not a `.js` file") in build.output
    assert "Traceback" not in build.output
    assert not any(b"pwned" in p.read_bytes() for p in build.site.rglob("*") if p.is_file())


@pytest.mark.parametrize("rel, belongs", [
    ("news/2024/11/embargoed.md", "content/stories/2024/11/embargoed.md"),
    ("Stories/2024/11/embargoed.md", "content/stories/2024/11/embargoed.md"),
    ("embargoed.md", "content/stories/2024/11/embargoed.md"),
])
def test_a_story_outside_stories_is_an_error_that_says_where_it_belongs(content, rel, belongs):
    add(content, rel, STORY)
    assert problems(content) == [
        f"content/{rel}:1: this file has a story's front matter but is not in content/stories/ (hint: move it to "
        f"{belongs}; only stories may have `date`, `draft`, `sources`, `summary`, `tags`)"]


def test_an_embargoed_story_outside_stories_never_reaches_the_site(content, tmp_path):
    add(content, "news/2024/11/embargoed.md", STORY)
    build = build_site(content, tmp_path / "build")
    assert build.returncode != 0
    assert not any(b"EMBARGOED-TEXT" in p.read_bytes() for p in build.site.rglob("*") if p.is_file())


def test_a_markdown_file_with_another_extension_is_refused(content):
    add(content, "notes.markdown", "# Notes\n")
    assert problems(content) == [
        "content/notes.markdown:1: a `.markdown` file is not read (hint: rename it to end in .md (lower case))"]


def test_hidden_files_and_folders_are_refused_not_dropped_silently(content):
    add(content, "stories/2024/11/.embargoed.md", STORY)
    add(content, ".secret/page.md", "# Hidden\n")
    assert problems(content) == [
        "content/.secret:1: hidden folder in the content folder (hint: nothing hidden is published: "
        "delete it, or rename it without the leading dot)",
        "content/stories/2024/11/.embargoed.md:1: hidden file in the content folder (hint: nothing hidden is "
        "published: delete it, or rename it without the leading dot)",
    ]


def test_a_folder_symlink_back_into_content_is_refused(content):
    (content / "mirror").symlink_to(content / "stories")
    assert problems(content) == [
        "content/mirror:1: folder is a symbolic link (hint: replace the link with the folder itself: a linked "
        "folder would publish the same files twice, unchecked)"]


def test_an_ordinary_page_cannot_pick_a_theme_template_or_hide_parts(content):
    add(content, "help.md", "---\ntitle: Help\ntemplate: 404.html\nhide: [navigation, toc]\n---\nText.\n")
    assert problems(content) == [
        "content/help.md:3: unknown key `template` (hint: allowed keys: title, description)",
        "content/help.md:4: unknown key `hide` (hint: allowed keys: title, description)",
    ]


def test_multimarkdown_meta_lines_do_not_reach_the_theme(content, tmp_path):
    """MkDocs reads `key: value` lines at the top of a page without front matter as metadata."""
    add(content, "help.md", "template: 404.html\n\nSome help text.\n")
    build = build_site(content, tmp_path / "build")
    assert build.returncode == 0, build.output
    page = (build.site / "help" / "index.html").read_text(encoding="utf-8")
    assert "Some help text." in page and "template: 404.html" in page


def test_a_title_taken_from_a_file_name_is_text(content, tmp_path):
    name = "<img src=x onerror=alert(1)>.md"
    add(content, name, "No heading and no title here.\n")
    build = build_site(content, tmp_path / "build")
    assert build.returncode == 0, build.output
    pages = [p.read_text(encoding="utf-8") for p in build.site.rglob("*.html")]
    assert not any(re.search(r"<img src=x onerror", page) for page in pages)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in page for page in pages)


def test_a_title_taken_from_a_heading_is_text(content, tmp_path):
    add(content, "help.md", "# Help &lt;img src=x onerror=alert(1)&gt;\n\nText.\n")
    build = build_site(content, tmp_path / "build")
    assert build.returncode == 0, build.output
    page = (build.site / "help" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page
    assert "<title>Help &lt;img src=x onerror=alert(1)&gt; - " in page


def test_an_image_must_be_what_its_name_says(content):
    add(content, "images/photo.png", PNG)
    add(content, "images/fake.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    assert problems(content) == [
        "content/images/fake.png:1: the file is not a PNG image, whatever its name says "
        "(hint: export it again as PNG from an image editor)"]


def test_an_image_outside_images_is_refused(content):
    add(content, "photo.png", PNG)
    assert problems(content) == [
        "content/photo.png:1: images belong in content/images/ (hint: move the image to content/images/)"]


def test_image_originals_are_not_published(content, tmp_path):
    # Only a story's lead image is published, resized and without its metadata (tests/test_images.py).
    add(content, "images/photo.png", PNG)
    build = build_site(content, tmp_path / "build")
    assert build.returncode == 0, build.output
    assert not (build.site / "images").exists()


def test_a_file_name_that_is_not_utf8_is_an_error_not_a_traceback(content, tmp_path):
    import os

    os.close(os.open(os.path.join(os.fsencode(content), b"caf\xe9.md"), os.O_CREAT | os.O_WRONLY))
    assert problems(content) == [
        "content/caf\\xe9.md:1: file name is not valid UTF-8 (hint: rename it with letters, digits and hyphens)"]
    build = build_site(content, tmp_path / "build")
    assert build.returncode != 0 and "Traceback" not in build.output


def test_an_ordinary_page_gets_the_same_body_limits_as_a_story(content):
    add(content, "help.md", "# Help\n\n" + "".join(f"## Section {i}\n\nText.\n\n" for i in range(300)))
    found = problems(content)
    assert len(found) == 1 and found[0].startswith("content/help.md:"), found
    assert "heading" in found[0], found
