"""The search seam: which engine indexes the site, and the Pagefind indexer.

`material`: Material's own lunr index (one JSON file every visitor downloads), kept for sites
browsed from file://. `pagefind` (default): Pagefind's chunked index of the story pages, whose
`data-pagefind-*` attributes name its filters, meta and sort; a browser fetches only the chunks a
query needs. Pagefind runs in its own process: we hand it the stories' main-column HTML in
batches before MkDocs renders the pages, so it indexes on the second core meanwhile.
"""

from __future__ import annotations

import asyncio
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

ENGINES = ("pagefind", "material")
PAGEFIND_FOLDER = "pagefind"
# Pagefind's ready-made UIs: our own search.js talks to pagefind.js, so these are never fetched.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
                "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


@dataclass
class IndexResult:
    pages: int = 0
    seconds: float = 0.0  # the indexing job's own wall time
    error: str = ""


class PagefindIndexer:
    """Pagefind's index, fed batches of story documents from the build and written to
    `output_dir` once `finish()` is called, all in a background thread."""

    def __init__(self, output_dir: str, language: str) -> None:
        self.output_dir = Path(output_dir)
        self.language = language
        self.result = IndexResult()
        self._batches: queue.Queue[Path | None] = queue.Queue()
        self._workdir = Path(tempfile.mkdtemp(prefix="digest-pagefind-"))
        self._batch: Path | None = None
        self._count = 0
        self._all_read = False
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def start(self) -> "PagefindIndexer":
        self._thread.start()
        return self

    def add(self, url: str, title: str, main_html: str, batch_size: int = 500) -> None:
        """One story page's main column, at its site-relative URL ("stories/2024/11/x/")."""
        if self._batch is None:
            self._batch = self._workdir / f"batch-{self._count // batch_size:05d}"
        target = self._batch / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f'<!doctype html><html lang="{escape(self.language)}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body>{main_html}</body></html>",
            encoding="utf-8",
        )
        self._count += 1
        if self._count % batch_size == 0:
            self._flush()

    def finish(self) -> None:
        """No more stories: Pagefind writes its files while the build goes on."""
        self._flush()
        self._batches.put(None)

    def wait(self) -> IndexResult:
        self._thread.join()
        shutil.rmtree(self._workdir, ignore_errors=True)
        return self.result

    def _flush(self) -> None:
        if self._batch is not None:
            self._batches.put(self._batch)
            self._batch = None

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            asyncio.run(self._index())
            for name in UNUSED_FILES:
                (self.output_dir / name).unlink(missing_ok=True)
        except Exception as error:  # reported by the caller as a build error, never a traceback
            self.result.error = f"{type(error).__name__}: {error}"
            while not self._all_read and self._batches.get() is not None:  # drop what is left
                pass
        self.result.seconds = time.perf_counter() - started

    async def _index(self) -> None:
        from pagefind.index import IndexConfig, PagefindIndex

        config = IndexConfig(output_path=str(self.output_dir), force_language=self.language)
        async with PagefindIndex(config=config) as index:  # leaving it writes the files
            while (batch := await asyncio.to_thread(self._batches.get)) is not None:
                response = await index.add_directory(str(batch))
                self.result.pages += int(response.get("page_count", 0)) if isinstance(response, dict) else 0
            self._all_read = True
