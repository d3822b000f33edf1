#!/usr/bin/env python3
"""Content-boundary benchmark: how long the loader takes to refuse hostile content, and the
editorial warnings to read many stories. The tests check what happens; this measures how fast."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

from digest.lint import content_warnings  # noqa: E402
from digest.loader import DEFAULT_MAX_BYTES, load_content  # noqa: E402
sys.path.insert(0, str(ROOT / "tests"))
from synthetic_stories import synthetic  # noqa: E402  (the corpus tests/test_content_warnings.py uses)

# Each case prints its wall time against its target; exit status 1 if any is over.
#
#     .venv/bin/python scripts/bench_content.py [--case NAME ...]
#
# Targets: refusing a hostile file is about as fast as loading a small folder (2 s, with the rest of
# tests/fixtures/boundary); linting 20,000 stories, or 3,000 identical headlines of one week, stays
# far from comparing every pair (minutes): 10 s. Rendering a body the limits accept: 8 s at most
# (scripts/bench_render.py measures each slow path in detail).
BOUNDARY = ROOT / "tests" / "fixtures" / "boundary"
VALID = "stories/2024/11/a-valid-story.md"
LIMIT = DEFAULT_MAX_BYTES - 64


def _folder(work: Path) -> Path:
    folder = work / "content"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BOUNDARY, folder)
    return folder


def _story(folder: Path, name: str, front_matter: str) -> None:
    (folder / "stories" / "2024" / "11" / f"{name}.md").write_text(f"---\n{front_matter}\n---\nBody.\n", encoding="utf-8")


def _load_errors(folder: Path, rel: str) -> list[str]:
    errors = [str(p) for p in load_content(folder, shown_root="content").errors if p.path == f"content/{rel}"]
    assert errors, f"{rel} was not refused"
    return errors


def yaml_case(front_matter: str) -> Callable[[Path], Callable[[], object]]:
    def prepare(work: Path) -> Callable[[], object]:
        folder = _folder(work)
        _story(folder, "case", front_matter)
        return lambda: _load_errors(folder, "stories/2024/11/case.md")
    return prepare


def symlink_case(target: str) -> Callable[[Path], Callable[[], object]]:
    def prepare(work: Path) -> Callable[[], object]:
        folder = _folder(work)
        (folder / "stories" / "2024" / "11" / "link.md").symlink_to(target)
        return lambda: _load_errors(folder, "stories/2024/11/link.md")
    return prepare


def fifo_case(work: Path) -> Callable[[], object]:
    folder = _folder(work)
    fifo = folder / "stories" / "2024" / "11" / "pipe.md"
    os.mkfifo(fifo)

    def unblock() -> None:  # a loader that opened the pipe would wait for a writer forever
        time.sleep(10)
        with open(fifo, "wb"):
            pass

    threading.Thread(target=unblock, daemon=True).start()
    return lambda: _load_errors(folder, "stories/2024/11/pipe.md")


def yaml_bombs_case(work: Path) -> Callable[[], object]:
    return lambda: load_content(ROOT / "tests" / "fixtures" / "boundary-yaml", shown_root="content")


def huge_case(work: Path) -> Callable[[], object]:
    """A 16 GiB sparse story: refused from its size, never read."""
    folder = _folder(work)
    with (folder / "stories" / "2024" / "11" / "huge.md").open("wb") as file:
        file.write((folder / VALID).read_bytes())
        file.truncate(16 * 1024 ** 3)
    return lambda: _load_errors(folder, "stories/2024/11/huge.md")


RENDER = textwrap.dedent("""
    import sys
    from digest.loader import load_content
    from digest.render import MarkdownRenderer
    for story in load_content(sys.argv[1], shown_root="content").stories:
        MarkdownRenderer().story_html(story)
""")


def render_case(body: str) -> Callable[[Path], Callable[[], object]]:
    def prepare(work: Path) -> Callable[[], object]:
        folder = _folder(work)
        head = (folder / VALID).read_text(encoding="utf-8").split("A short body.")[0]
        (folder / "stories" / "2024" / "11" / "body.md").write_text(head + body, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "site_plugins")}
        return lambda: subprocess.run([sys.executable, "-c", RENDER, str(folder)], check=True, env=env,
                                      capture_output=True, timeout=600)
    return prepare


def lint_case(work: Path) -> Callable[[], object]:
    stories = synthetic(20_000)
    return lambda: content_warnings(stories)


def identical_headlines_case(work: Path) -> Callable[[], object]:
    stories = synthetic(3_000)
    for story in stories:
        story.title, story.edition = "Daily briefing", dt.date(2024, 11, 25)
    return lambda: content_warnings(stories)


# name -> (prepare(work folder) -> the call to time, target in seconds)
CASES: dict[str, tuple[Callable[[Path], Callable[[], object]], float]] = {
    "symlink-outside": (symlink_case("/etc/passwd"), 2.0),
    "symlink-dev-zero": (symlink_case("/dev/zero"), 2.0),
    "named-pipe": (fifo_case, 2.0),
    "huge-sparse-file": (huge_case, 2.0),
    "yaml-bombs": (yaml_bombs_case, 2.0),
    "flow-sequences": (yaml_case("x: " + "[" * (LIMIT // 2) + "]" * (LIMIT // 2)), 2.0),
    "flow-mappings": (yaml_case("x: " + "{a: " * (LIMIT // 4)), 2.0),
    "block-mappings": (yaml_case("".join(" " * i + "a:\n" for i in range(1400))), 2.0),
    "block-sequences": (yaml_case("x:\n" + "".join(" " * i + "- \n" for i in range(1400))), 2.0),
    "anchors": (yaml_case("".join(f"k{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" if i else "k0: &a0 [lol]\n"
                                  for i in range(20000))), 2.0),
    "render-deep-blockquotes": (render_case(">" * 100_000 + " x\n"), 8.0),
    "render-many-links": (render_case("[a](https://example.org/) " * 20_000), 8.0),
    "render-unclosed-brackets": (render_case("[" * 200_000), 8.0),
    "render-deep-lists": (render_case("".join("  " * i + "- x\n" for i in range(500))), 8.0),
    "lint-20000-stories": (lint_case, 10.0),
    "lint-3000-identical-headlines": (identical_headlines_case, 10.0),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only these (repeatable)")
    args = parser.parse_args()
    # As the size test does: a loader that read the 16 GiB file would fail here, not swap.
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024 ** 3, 4 * 1024 ** 3))
    over = []
    print(f"{'case':<32} {'seconds':>8} {'target':>7}")
    with tempfile.TemporaryDirectory(prefix="bench-content-") as tmp:
        for name in args.case or CASES:
            prepare, target = CASES[name]
            work = Path(tmp) / name
            work.mkdir()
            call = prepare(work)
            started = time.perf_counter()
            call()
            seconds = time.perf_counter() - started
            print(f"{name:<32} {seconds:>8.2f} {target:>7.1f}{'  OVER' if seconds > target else ''}")
            if seconds > target:
                over.append(name)
    if over:
        print("over the target: " + ", ".join(over), file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
