"""The search seam: which engine indexes the built site, and its indexing job.

`material`: Material's own lunr index (one JSON file every visitor downloads), kept for sites
browsed from file://. `pagefind` (default): Pagefind's chunked index, built after the pages are
written from the story pages' `data-pagefind-*` attributes; a browser fetches only the chunks a
query needs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("pagefind", "material")
PAGEFIND_FOLDER = "pagefind"
STORY_PAGES = "stories/**/index.html"
# Pagefind's ready-made UIs: our own search.js talks to pagefind.js, so these are never fetched.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
                "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


@dataclass
class IndexResult:
    pages: int = 0
    seconds: float = 0.0  # the indexing job's own wall time
    error: str = ""


class PagefindJob:
    """Indexes the story pages of a built site in a background thread (Pagefind's own process
    does the work), so that the rest of the post-build (feeds) runs meanwhile."""

    def __init__(self, site_dir: str, language: str) -> None:
        self.site_dir = site_dir
        self.language = language
        self.result = IndexResult()
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def start(self) -> "PagefindJob":
        self._thread.start()
        return self

    def wait(self) -> IndexResult:
        self._thread.join()
        return self.result

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            asyncio.run(self._index())
        except Exception as error:  # reported by the caller as a build error, never a traceback
            self.result.error = f"{type(error).__name__}: {error}"
        self.result.seconds = time.perf_counter() - started

    async def _index(self) -> None:
        from pagefind.index import IndexConfig, PagefindIndex

        config = IndexConfig(output_path=f"{self.site_dir}/{PAGEFIND_FOLDER}", force_language=self.language)
        async with PagefindIndex(config=config) as index:
            response = await index.add_directory(self.site_dir, glob=STORY_PAGES)
            self.result.pages = int(response.get("page_count", 0)) if isinstance(response, dict) else 0
        for name in UNUSED_FILES:
            Path(self.site_dir, PAGEFIND_FOLDER, name).unlink(missing_ok=True)
