#!/usr/bin/env python3
"""Lighthouse's mobile performance of every page kind of a built site: each page RUNS times, the
median score and first contentful paint (Lighthouse's default mobile profile: a mid-range phone,
simulated slow 4G and 4x CPU slowdown). A measurement for BENCHMARKS.md, not a test.

    python scripts/lighthouse.py SITE_DIR [--runs 3] [--gzip] [--lighthouse "npx lighthouse"]

The site is served on 127.0.0.1 (scripts/static_host.py; --gzip compresses text as most static
hosts do). Needs Lighthouse (npm) and Chromium (CHROME_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from static_host import StaticHost, chromium_path  # noqa: E402

# One page of each kind, found in the built site: the largest file of its kind (the fullest listing,
# the longest story), the worst case for a phone.
KINDS = {
    "home": "", "story": "stories/*/*/*/", "edition": "editions/*/", "archive": "archive/",
    "archive-month": "archive/*/*/", "topic-index": "topics/", "topic": "topics/*/", "country-index": "countries/",
    "country": "countries/*/", "search": "search/", "about": "about/",
}


def pages(site: Path) -> dict[str, str]:
    found = {}
    for kind, pattern in KINDS.items():
        if "*" not in pattern:
            if (site / pattern / "index.html").is_file():
                found[kind] = pattern
            continue
        matches = [p.parent for p in site.glob(pattern + "index.html") if "page" not in p.relative_to(site).parts]
        if matches:
            largest = max(matches, key=lambda folder: ((folder / "index.html").stat().st_size, folder.as_posix()))
            found[kind] = largest.relative_to(site).as_posix() + "/"
    return found


def run(lighthouse: list[str], url: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run([*lighthouse, url, "--only-categories=performance", "--output=json",
                        f"--output-path={report}", "--quiet", "--chrome-flags=--headless --no-sandbox"],
                       check=True, env={**os.environ, "CHROME_PATH": chrome}, timeout=300)
        data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    return {"score": round(data["categories"]["performance"]["score"] * 100),
            "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
            "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
            "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "dom": audits.get("dom-size", {}).get("numericValue")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gzip", action="store_true", help="gzip text files, as most static hosts do")
    parser.add_argument("--lighthouse", default="npx --yes lighthouse")
    parser.add_argument("--only", nargs="*", help="page kinds to measure (default: all)")
    args = parser.parse_args(argv)
    chrome = os.environ.get("CHROME_PATH") or chromium_path()
    if not chrome:
        print("lighthouse.py: Chromium not found (set CHROME_PATH)", file=sys.stderr)
        return 2
    site = Path(args.site).resolve()
    results = {}
    with StaticHost(site, gzip=args.gzip) as host:
        for kind, path in pages(site).items():
            if args.only and kind not in args.only:
                continue
            runs = [run(shlex.split(args.lighthouse), host.base + path, chrome) for _ in range(args.runs)]
            median = sorted(runs, key=lambda r: r["score"])[len(runs) // 2]
            results[kind] = {"path": path, "median_score": statistics.median(r["score"] for r in runs),
                             "median_fcp_s": round(statistics.median(r["fcp_s"] for r in runs), 2),
                             "median_run": median, "scores": [r["score"] for r in runs]}
            print(f"{kind:14} {path:45} score {results[kind]['median_score']:>5} (runs {results[kind]['scores']}) "
                  f"FCP {results[kind]['median_fcp_s']:.2f} s  LCP {median['lcp_s']:.2f} s  "
                  f"TBT {median['tbt_ms']:.0f} ms  CLS {median['cls']:.3f}  DOM {median['dom']}", flush=True)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
