"""The content boundary: the build reads only what is inside content/, only files of a bounded
size, and only YAML that costs little to read; anything else is a `path:line` problem, fast.

Symbolic links and oversized files are made by the tests in tmp_path (nothing to commit);
tests/fixtures/boundary is a small valid folder to start from, tests/fixtures/boundary-yaml
holds the YAML bombs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, build_site, mkdocs_config
from digest.loader import DEFAULT_MAX_BYTES, load_content
from digest.plugin import DigestConfig

VALID = "stories/2024/11/a-valid-story.md"
SECRET = "TOP-SECRET-OUTSIDE-THE-CONTENT-FOLDER"


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of tests/fixtures/boundary, with a secret file next to it (outside it)."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "boundary", folder)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text(f"---\ntitle: x\n---\n{SECRET}\n", encoding="utf-8")
    return folder


def load(folder: Path):
    return load_content(folder, shown_root="content")


def errors_of(folder: Path, rel: str) -> list[str]:
    return [str(p) for p in load(folder).errors if p.path == f"content/{rel}"]


# --- symbolic links -----------------------------------------------------------------------------

@pytest.mark.parametrize("rel, target", [
    ("stories/2024/11/leak.md", "{outside}/secret.md"),  # a story that is a link to a file outside
    ("stories/2024/11/relative-leak.md", "../../../../outside/secret.md"),  # the same, relative
    ("stories/2024/12", "{outside}"),  # a folder of stories outside
    ("images/passwd.png", "/etc/passwd"),  # not Markdown, but MkDocs would copy it into site/
    ("stories/2024/11/dangling.md", "/nonexistent/story.md"),
    ("stories/2024/11/zero.md", "/dev/zero"),  # would never end if read
])
def test_a_symlink_out_of_content_is_an_error(content, rel, target):
    link = content / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target.format(outside=content.parent / "outside"))
    found = errors_of(content, rel)
    assert found == [f"content/{rel}:1: symbolic link points outside the content folder"
                     " (hint: replace the link with the file itself)"] or (
        found and found[0].startswith(f"content/{rel}:1: symbolic link points outside the content folder")), found
    assert SECRET not in repr(load(content))


def test_a_chain_of_links_that_ends_outside_is_an_error(content):
    (content / "stories" / "hop.txt").symlink_to(content.parent / "outside" / "secret.md")
    (content / "stories" / "2024" / "11" / "chain.md").symlink_to("../../hop.txt")
    assert errors_of(content, "stories/2024/11/chain.md")[0].startswith(
        "content/stories/2024/11/chain.md:1: symbolic link points outside the content folder")


def test_a_link_inside_content_is_read_like_any_file(content):
    (content / "stories" / "2024" / "11" / "alias-of-valid.md").symlink_to("a-valid-story.md")
    loaded = load(content)
    assert not loaded.errors, [str(p) for p in loaded.errors]
    assert {s.slug for s in loaded.stories} == {"a-valid-story", "alias-of-valid"}


def test_a_loop_of_links_is_an_error_not_a_crash(content):
    (content / "stories" / "2024" / "11" / "loop.md").symlink_to("loop.md")
    found = errors_of(content, "stories/2024/11/loop.md")
    assert found and found[0].startswith("content/stories/2024/11/loop.md:1: ")


def test_the_build_refuses_a_link_out_of_content_and_leaks_nothing(content, tmp_path):
    (content / "stories" / "2024" / "11" / "leak.md").symlink_to(content.parent / "outside" / "secret.md")
    build = build_site(content, tmp_path / "build")
    assert build.returncode != 0
    assert "content/stories/2024/11/leak.md:1: symbolic link points outside the content folder" in build.output
    assert "Traceback" not in build.output
    leaked = [p for p in build.site.rglob("*") if p.is_file() and SECRET in p.read_text("utf-8", "replace")]
    assert not leaked


# --- size ---------------------------------------------------------------------------------------

def test_the_default_limit_is_one_mebibyte():
    assert DEFAULT_MAX_BYTES == 1024 * 1024
    assert dict(DigestConfig._schema)["max_story_bytes"].default == DEFAULT_MAX_BYTES


def test_a_story_one_byte_over_the_limit_is_an_error(content):
    story = content / "stories" / "2024" / "11" / "too-long.md"
    head = (content / VALID).read_bytes()
    story.write_bytes(head + b"x" * (DEFAULT_MAX_BYTES + 1 - len(head)))
    assert errors_of(content, "stories/2024/11/too-long.md") == [
        "content/stories/2024/11/too-long.md:1: file is 1,048,577 bytes, over the limit of 1,048,576"
        " (hint: stories are short: split the text or remove embedded data)"]
    story.write_bytes(head + b"x" * (DEFAULT_MAX_BYTES - len(head)))
    assert not errors_of(content, "stories/2024/11/too-long.md")


def test_a_huge_story_is_refused_without_being_read(content):
    """A 16 GiB (sparse) file, checked in a process that may not map more than 1 GiB: reading
    it would fail there, not take this machine's memory."""
    huge = content / "stories" / "2024" / "11" / "huge.md"
    with huge.open("wb") as file:
        file.write((content / VALID).read_bytes())
        file.truncate(16 * 1024 ** 3)
    script = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))
        from digest.loader import load_content
        content = load_content({str(content)!r}, shown_root="content")
        print("\\n".join(str(p) for p in content.errors))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    problems = list(filter(None, result.stdout.splitlines()))
    assert problems == ["content/stories/2024/11/huge.md:1: file is 17,179,869,184 bytes, over the limit of 1,048,576"
                        " (hint: stories are short: split the text or remove embedded data)"]


def test_the_size_limit_is_a_plugin_option_and_fails_the_build(tmp_path):
    build = build_site(FIXTURES / "boundary", tmp_path, config=mkdocs_config(max_story_bytes=200))
    assert build.returncode != 0
    assert f"content/{VALID}:1: file is " in build.output and "over the limit of 200" in build.output


def test_a_story_that_is_not_a_regular_file_is_an_error_not_a_hang(content):
    fifo = content / "stories" / "2024" / "11" / "pipe.md"
    os.mkfifo(fifo)

    def unblock() -> None:  # a loader that opened the pipe would wait for a writer forever: here is one
        time.sleep(3)
        with open(fifo, "wb"):
            pass

    threading.Thread(target=unblock, daemon=True).start()
    # Refused for what it is, never opened: a loader that read it would find it empty.
    assert errors_of(content, "stories/2024/11/pipe.md") == [
        "content/stories/2024/11/pipe.md:1: not a regular file (hint: replace it with an ordinary text file)"]


# --- YAML that costs more to read than it weighs ------------------------------------------------

YAML_BOMBS = [
    ("stories/2024/11/billion-laughs.md", 5, "YAML aliases (*name) are not allowed in front matter"),
    ("stories/2024/11/deeply-nested.md", 15, "front matter is nested more than 10 levels deep"),
    ("stories/2024/11/python-tag.md", 2, "YAML tags (`!name` before a value) are not allowed in front matter"),
    ("topics/aliased.md", 3, "YAML aliases (*name) are not allowed in front matter"),
]


@pytest.mark.parametrize("rel, line, message", YAML_BOMBS)
def test_yaml_bombs_are_rejected_at_their_line(rel, line, message):
    # How fast: scripts/bench_content.py
    loaded = load(FIXTURES / "boundary-yaml")
    found = [str(p) for p in loaded.errors if p.path == f"content/{rel}"]
    assert found and found[0].startswith(f"content/{rel}:{line}: {message}"), found


def test_yaml_bombs_fail_the_build(fixture_build):
    build = fixture_build("boundary-yaml")
    assert build.returncode != 0 and "Traceback" not in build.output
    for rel, line, message in YAML_BOMBS:
        assert f"content/{rel}:{line}: {message}" in build.output


LIMIT = DEFAULT_MAX_BYTES - 64


@pytest.mark.parametrize("name, front_matter", [
    ("flow-sequences", "x: " + "[" * (LIMIT // 2) + "]" * (LIMIT // 2)),
    ("flow-mappings", "x: " + "{a: " * (LIMIT // 4)),
    ("block-mappings", "".join(" " * i + "a:\n" for i in range(1400))),
    ("block-sequences", "x:\n" + "".join(" " * i + "- \n" for i in range(1400))),
    ("anchors", "".join(f"k{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" if i else "k0: &a0 [lol]\n" for i in range(20000))),
])
def test_a_mebibyte_of_nested_or_aliased_yaml_is_rejected(content, name, front_matter):
    # How fast: scripts/bench_content.py
    story = content / "stories" / "2024" / "11" / f"{name}.md"
    story.write_text(f"---\n{front_matter}\n---\nBody.\n", encoding="utf-8")
    assert story.stat().st_size <= DEFAULT_MAX_BYTES
    found = errors_of(content, f"stories/2024/11/{name}.md")
    assert found and found[0].startswith(f"content/stories/2024/11/{name}.md:"), found


# --- bodies that cost more to render than they weigh --------------------------------------------

RENDER = textwrap.dedent("""
    import sys
    from digest.loader import load_content
    from digest.render import MarkdownRenderer
    content = load_content(sys.argv[1], shown_root="content")
    for story in content.stories:
        MarkdownRenderer().story_html(story)
    print("\\n".join(str(p) for p in content.errors))
""")


@pytest.mark.parametrize("name, body", [
    ("deep-blockquotes", ">" * 100_000 + " x\n"),
    ("many-links", "[a](https://example.org/) " * 20_000),
    ("unclosed-brackets", "[" * 200_000),
    ("deep-lists", "".join("  " * i + "- x\n" for i in range(500))),
])
def test_a_body_under_the_limit_renders_or_is_refused(content, name, body):
    """Rendering runs in a child process, so a hang (or a crash of the recursion) fails this test
    instead of the run; how fast it is, is scripts/bench_content.py's question."""
    head = (content / VALID).read_text(encoding="utf-8").split("A short body.")[0]
    (content / "stories" / "2024" / "11" / f"{name}.md").write_text(head + body, encoding="utf-8")
    try:
        result = subprocess.run([sys.executable, "-c", RENDER, str(content)], capture_output=True, text=True,
                                timeout=600)
    except subprocess.TimeoutExpired:
        pytest.fail(f"rendering {name} hangs")
    assert result.returncode == 0, result.stderr[-2000:]
    problems = list(filter(None, result.stdout.splitlines()))
    assert all(p.startswith(f"content/stories/2024/11/{name}.md:") for p in problems), problems
