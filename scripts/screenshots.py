#!/usr/bin/env python3
"""Screenshots of every page kind of a built site, at a phone's and a desktop's width, in the light
and the dark palette, for people to look at before a change goes in:

    python scripts/screenshots.py SITE_DIR OUT_DIR     # OUT_DIR/<kind>-<width>-<light|dark>.png

Also the header's search box with results (phone and desktop, light). Chromium from
scripts/static_host.py (DIGEST_CHROMIUM).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lighthouse import pages  # noqa: E402
from static_host import CHROMIUM_ARGS, StaticHost, chromium_path  # noqa: E402

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site")
    parser.add_argument("out")
    parser.add_argument("--query", default="Pakistan", help="words for the search screenshot")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    site, out = Path(args.site).resolve(), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    found = pages(site)
    with StaticHost(site, gzip=True) as host, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for viewport in WIDTHS.values():
            for scheme in ("light", "dark"):
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                for kind, path in found.items():
                    page.goto(host.base + path, wait_until="networkidle")
                    page.screenshot(path=str(out / f"{kind}-{viewport['width']}-{scheme}.png"), full_page=True,
                                    animations="disabled")
                if scheme == "light":
                    page.goto(host.base + found["story"], wait_until="networkidle")
                    page.keyboard.press("/")
                    page.locator("[data-dg-search] input[name=q]").fill(args.query)
                    page.wait_for_function("document.querySelector('[data-dg-search] [data-dg-results]')"
                                           ".getAttribute('aria-busy') === 'false'")
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(out / f"search-box-{viewport['width']}-{scheme}.png"), animations="disabled")
                context.close()
        browser.close()
    print(f"screenshots of {len(found)} page kinds in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
