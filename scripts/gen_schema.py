#!/usr/bin/env python3
"""Write schema/story.schema.json, the JSON Schema of story front matter for editors, from the
validator's own rules (site_plugins/digest/schema.py). `--check` only compares: exit 1 if the
committed file is stale."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

from digest import schema  # noqa: E402

SCHEMA_FILE = ROOT / "schema" / "story.schema.json"


def render() -> str:
    return json.dumps(schema.json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE, help=f"default: {SCHEMA_FILE.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is not up to date")
    args = parser.parse_args(argv)
    text = render()
    current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run `.venv/bin/python scripts/gen_schema.py` and commit the result",
                  file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8", newline="\n")
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
