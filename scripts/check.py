#!/usr/bin/env python3
"""Validate content/ without building the site: what a contributor runs before a pull request."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

from digest.loader import load_content  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    args = parser.parse_args(argv)
    content = load_content(args.content, include_drafts=True)
    for problem in content.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = len(content.errors)
    if errors:
        print(f"{errors} problem(s) found: fix them and run `make check` again.", file=sys.stderr)
        return 1
    print(f"content OK: {len(content.stories)} stories, {len(content.topics)} topics.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
