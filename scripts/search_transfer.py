#!/usr/bin/env python3
"""What one search costs a reader: the bytes Chromium transfers, measured on a built site
(`search: pagefind`) served on 127.0.0.1.

Each step starts with a cold cache. A story page is opened: its own first load, every request
(none may be a search index). Then the query is entered into the header's search box at once,
and every Pagefind file fetched until the results are on screen is counted. Then the search page
/search/?q=<query> is opened in a fresh browser, and its facets are opened (they fetch each part's
facet table, counted apart). The index is in parts (pagefind/<part>/, listed in pagefind/parts.json: one
per year of stories, or one "all"); `by_part` splits each step's bytes by part. Bytes are
Chromium's own count (CDP Network.loadingFinished encodedDataLength: headers and body as received).
The server logs what it sent too, so that a request the page's network log did not see (a web
worker's) is reported, not lost.

    python scripts/search_transfer.py SITE_DIR [--query WORDS] [--story stories/.../] [--gzip]

`measure_search_transfer(site_dir, ...)` returns the same record as a dict. Without --gzip
files are served as they are (Pagefind's index files are compressed already, its scripts are
not); with --gzip text files are gzipped, as most static hosts do.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_plus, unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from static_host import CHROMIUM, CHROMIUM_ARGS, StaticHost, chromium_path  # noqa: E402

VIEWPORT = {"width": 1280, "height": 900}
SEARCH_FOLDER = "pagefind/"
MATERIAL_INDEX = "search/search_index.json"
QUIET_SECONDS = 0.5   # the network counts as done after this long without a request in flight
TIMEOUT_SECONDS = 60


class MeasureError(Exception):
    """The measurement could not be made; the message says why."""


# --- What a page fetched -----------------------------------------------------------------------------

class _Network:
    """A page's requests through CDP: URL, resource type, bytes received, finished or failed."""

    def __init__(self, context, page) -> None:
        self.requests: dict[str, dict] = {}
        self.session = context.new_cdp_session(page)
        self.session.on("Network.requestWillBeSent", self._sent)
        self.session.on("Network.responseReceived", self._response)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.on("Network.loadingFailed", self._failed)
        self.session.send("Network.enable")
        self.mark = 0.0

    def _sent(self, event) -> None:
        if event["request"]["url"].startswith("data:"):
            return  # inline in a stylesheet: nothing is transferred
        self.requests[event["requestId"]] = {"url": event["request"]["url"], "type": event.get("type", ""),
                                             "at": time.monotonic(), "done": False, "bytes": 0, "status": None}

    def _response(self, event) -> None:
        if request := self.requests.get(event["requestId"]):
            request["status"] = event["response"]["status"]
            request["encoding"] = {k.lower(): v for k, v in event["response"]["headers"].items()}.get(
                "content-encoding", "")

    def _finished(self, event) -> None:
        if request := self.requests.get(event["requestId"]):
            request.update(done=True, bytes=int(event["encodedDataLength"]))

    def _failed(self, event) -> None:
        if request := self.requests.get(event["requestId"]):
            request.update(done=True, failed=event.get("errorText", "failed"))

    def start(self) -> None:
        """Count from now on."""
        self.mark = time.monotonic()

    def since_start(self) -> list[dict]:
        return [r for r in self.requests.values() if r["at"] >= self.mark]

    def wait_until_quiet(self, page) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            page.wait_for_timeout(100)
            if any(not r["done"] for r in self.requests.values()):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_SECONDS:
                return
        raise MeasureError("the network did not settle within a minute")


def _site_path(url: str, base: str) -> str:
    return unquote(url[len(base):].split("?")[0].split("#")[0]) if url.startswith(base) else url


def _summary(requests: list[dict], base: str) -> dict:
    files: dict[str, int] = {}
    for request in requests:
        path = _site_path(request["url"], base) or "/"
        files[path] = files.get(path, 0) + request["bytes"]
    return {"requests": len(requests), "bytes": sum(files.values()), "files": dict(sorted(files.items()))}


def _by_part(files: dict[str, int]) -> dict[str, int]:
    """Bytes of Pagefind's files by part of the index (pagefind/<part>/...), and "shared" for
    pagefind.js and parts.json, which serve every part."""
    parts: dict[str, int] = {}
    for path, size in files.items():
        if path.startswith(SEARCH_FOLDER):
            rest = path[len(SEARCH_FOLDER):]
            part = rest.split("/", 1)[0] if "/" in rest else "shared"
            parts[part] = parts.get(part, 0) + size
    return dict(sorted(parts.items()))


def _kind(path: str) -> str:
    if path.startswith(SEARCH_FOLDER) or path == MATERIAL_INDEX:
        return "search index"
    suffix = Path(path).suffix
    return {".html": "html", ".css": "css", ".js": "js", ".png": "images", ".svg": "images",
            ".ico": "images"}.get(suffix, "html" if path.endswith("/") or path == "/" else "other")


# --- The measurement -----------------------------------------------------------------------------------

class _Title(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, []

    def handle_starttag(self, tag, attrs):
        self.inside = self.inside or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text.append(data)


def default_story(site: Path) -> str:
    """The first story page in path order: stories/<YYYY>/<MM>/<slug>/."""
    pages = sorted((site / "stories").glob("*/*/*/index.html"))
    if not pages:
        raise MeasureError(f"{site} has no story pages (stories/<YYYY>/<MM>/<slug>/index.html)")
    return pages[0].parent.relative_to(site).as_posix() + "/"


def default_query(site: Path, story: str) -> str:
    """The story's longest title word: a word the index certainly holds."""
    parser = _Title()
    parser.feed((site / story / "index.html").read_text(encoding="utf-8"))
    words = re.findall(r"\w{3,}", " ".join(parser.text))
    if not words:
        raise MeasureError(f"no title word found on {story}")
    return max(words, key=len).lower()


def _launch(playwright):
    executable = chromium_path()
    if not executable:
        raise MeasureError(f"Chromium not found at {CHROMIUM} (set DIGEST_CHROMIUM)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def _results_shown(page, region: str) -> None:
    page.wait_for_function(
        """(region) => { const r = document.querySelector(region);
            return r && r.getAttribute('aria-busy') === 'false' && r.querySelector('.dg-search__status').textContent; }""",
        arg=region, timeout=TIMEOUT_SECONDS * 1000)


def measure_search_transfer(site_dir: str | Path, *, query: str | None = None, story: str | None = None,
                            compress: bool = False) -> dict:
    """Serve `site_dir`, measure a story page's first load and one search from its header box and
    from the search page, all with a cold cache. Returns a JSON-ready dict (bytes as received)."""
    from playwright.sync_api import sync_playwright

    site = Path(site_dir).resolve()
    if not (site / SEARCH_FOLDER / "pagefind.js").is_file():
        raise MeasureError(f"{site} has no {SEARCH_FOLDER}pagefind.js: build it with `search: pagefind`")
    story = story or default_story(site)
    query = query or default_query(site, story)
    record: dict = {"site": str(site), "story": story, "query": query,
                    "served": "gzip for text files" if compress else "files as they are"}
    with StaticHost(site, gzip=compress) as server, sync_playwright() as playwright:
        base = server.base
        browser = _launch(playwright)
        try:
            # 1. The story page, then one search from the header's box, in one cold browser.
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            network = _Network(context, page)
            network.start()
            page.goto(base + story, wait_until="load")
            network.wait_until_quiet(page)
            first_load = network.since_start()
            by_kind: dict[str, dict] = {}
            for path, size in _summary(first_load, base)["files"].items():
                kind = by_kind.setdefault(_kind(path), {"files": 0, "bytes": 0})
                kind["files"] += 1
                kind["bytes"] += size
            record["story_page"] = {**_summary(first_load, base), "by_kind": by_kind,
                                    "search_index_bytes": by_kind.get("search index", {}).get("bytes", 0)}

            server.sent.clear()
            network.start()
            page.keyboard.press("/")
            page.locator("[data-dg-search] input[name=q]").fill(query)
            _results_shown(page, "[data-dg-search] [data-dg-results]")
            network.wait_until_quiet(page)
            searched = [r for r in network.since_start() if _site_path(r["url"], base).startswith(SEARCH_FOLDER)]
            seen = {_site_path(r["url"], base) for r in network.since_start()}
            record["header_search"] = {
                **_summary(searched, base),
                "by_part": _by_part(_summary(searched, base)["files"]),
                "results_shown": page.locator("[data-dg-search] .dg-hit").count(),
                "status": page.locator("[data-dg-search] .dg-search__status").inner_text(),
                "missed_by_browser": sorted({p.lstrip("/") for p, _ in server.sent} - seen - {""}),
            }
            context.close()

            # 2. The search page with the query, in a fresh cold browser: results and facets.
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            network = _Network(context, page)
            server.sent.clear()
            network.start()
            page.goto(f"{base}search/?q={quote_plus(query)}", wait_until="load")
            _results_shown(page, ".dg-search-results[data-dg-results]")
            network.wait_until_quiet(page)
            searched = [r for r in network.since_start() if _site_path(r["url"], base).startswith(SEARCH_FOLDER)]
            record["search_page"] = {
                **_summary(searched, base),
                "by_part": _by_part(_summary(searched, base)["files"]),
                "results_shown": page.locator(".dg-search-results .dg-hit").count(),
                "status": page.locator(".dg-search-results .dg-search__status").inner_text(),
            }

            # 3. Then the reader opens the facets: their data (facet tables), counted on its own.
            network.start()
            page.locator("[data-dg-search-page] .dg-search__filters > summary").click()
            page.locator("[data-dg-search-page] .dg-facet").first.wait_for(timeout=TIMEOUT_SECONDS * 1000)
            _results_shown(page, ".dg-search-results[data-dg-results]")
            network.wait_until_quiet(page)
            record["facets_opened"] = {
                **_summary(network.since_start(), base),
                "by_part": _by_part(_summary(network.since_start(), base)["files"]),
                "facet_values": page.locator("[data-dg-search-page] .dg-facet__value").count(),
            }
            context.close()
        finally:
            browser.close()
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", help="a built site folder (mkdocs site_dir) with pagefind/")
    parser.add_argument("--query", help="the words to search (default: the longest title word of the story)")
    parser.add_argument("--story", help="the story page to open, e.g. stories/2024/11/slug/ (default: the first)")
    parser.add_argument("--gzip", action="store_true", help="gzip text files, as most static hosts do")
    args = parser.parse_args(argv)
    try:
        record = measure_search_transfer(args.site, query=args.query, story=args.story, compress=args.gzip)
    except MeasureError as error:
        print(f"search_transfer: {error}", file=sys.stderr)
        return 2
    print(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
