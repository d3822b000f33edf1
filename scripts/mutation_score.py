#!/usr/bin/env python3
"""The mutation score per module from mutmut's results (run in build/mutmut/ by `make mutate`),
then every surviving mutant by name: `mutmut show NAME` there prints its diff."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# mutmut's exit codes (mutmut/stats.py): 1 and 3 killed, 0 survived, 5 and 33 no tests, 36 and
# the SIGXCPU codes timeout (a mutant that loops forever: killed by the time limit), None not run.
KILLED, SURVIVED, NO_TESTS, TIMEOUT = {1, 3}, {0}, {5, 33}, {36, 24, -24, 152, 255}


def main() -> int:
    metas = sorted(Path("mutants").rglob("*.py.meta"))
    if not metas:
        print("no mutmut results here: run `make mutate`", file=sys.stderr)
        return 1
    survivors: list[str] = []
    if Path("STATE.txt").is_file():  # the commit measured, and the files changed since
        print(Path("STATE.txt").read_text(encoding="utf-8"))
    print(f"{'module':<10} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} {'no tests':>8} {'not run':>7} {'score':>6}")
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        count = Counter()
        for name, code in codes.items():
            kind = ("killed" if code in KILLED else "timeout" if code in TIMEOUT else "survived" if code in SURVIVED
                    else "no tests" if code in NO_TESTS else "not run" if code is None else "other")
            count[kind] += 1
            if kind in ("survived", "no tests"):
                survivors.append(f"{kind}: {name}")
        run = len(codes) - count["not run"]
        score = (count["killed"] + count["timeout"]) / run if run else 0.0
        module = meta.name.removesuffix(".py.meta")
        print(f"{module:<10} {len(codes):>7} {count['killed']:>6} {count['timeout']:>7} {count['survived']:>8} "
              f"{count['no tests']:>8} {count['not run']:>7} {score:>6.1%}")
    print()
    print("\n".join(survivors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
