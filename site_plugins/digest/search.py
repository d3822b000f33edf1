"""The search seam: which engine indexes the site, and the Pagefind indexer.

`material`: Material's own lunr index (one JSON file every visitor downloads), kept for sites
browsed from file://. `pagefind` (default): Pagefind's chunked index of the story pages, whose
`data-pagefind-*` attributes name its filters, meta and sort; a browser fetches only the chunks a
query needs. Pagefind runs in its own process on the stories' main-column HTML, kept in a folder
between builds (`SearchInput`): it indexes on the second core while MkDocs renders, and only when
a story's page changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from .pagefind_stable import stabilise

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


class SearchInput:
    """The story documents Pagefind indexes, one file per story URL in `folder`, kept between
    builds: a build rewrites only the stories whose page changed (`fingerprints` says which)."""

    def __init__(self, folder: Path, language: str, fingerprints: dict[str, str]) -> None:
        self.folder, self.language = folder, language
        self.fingerprints = fingerprints if folder.is_dir() else {}  # URL -> fingerprint of the file
        if not self.fingerprints:
            shutil.rmtree(folder, ignore_errors=True)  # whatever is there is not known to be current

    def current(self, url: str, fingerprint: str, *, look: bool = True) -> bool:
        """Whether the document of `url` is there with `fingerprint`; `look=False` trusts what this
        process wrote (a preview rebuild) instead of looking at the file."""
        return self.fingerprints.get(url) == fingerprint and (not look or (self.folder / url / "index.html").is_file())

    def write(self, url: str, fingerprint: str, title: str, main_html: str) -> None:
        target = self.folder / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f'<!doctype html><html lang="{escape(self.language)}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body>{main_html}</body></html>",
            encoding="utf-8",
        )
        self.fingerprints[url] = fingerprint

    def keep_only(self, urls: set[str]) -> None:
        """Remove the documents of stories that are gone (deleted, renamed, back to draft)."""
        for url in [u for u in self.fingerprints if u not in urls]:
            shutil.rmtree(self.folder / url, ignore_errors=True)
            del self.fingerprints[url]

    def key(self) -> str:
        return hashlib.sha256(repr(sorted(self.fingerprints.items())).encode()).hexdigest()


class PagefindIndexer:
    """Pagefind's index of a `SearchInput` folder, built in a background thread: `add(glob)`
    hands it a part of the folder as soon as that part is written (a month of stories), so it
    indexes on the second core while MkDocs renders; `finish()` lets it write. The index is
    written to a fresh folder and moved into `output_dir` only when complete: a preview keeps
    serving the previous index meanwhile. `after` (an earlier indexer) is waited for first."""

    def __init__(self, input_dir: Path, output_dir: str, language: str, after: "PagefindIndexer | None" = None,
                 *, background: bool = False) -> None:
        self.input_dir = input_dir
        self.background = background  # a preview's index: lowest CPU priority, the rebuild comes first
        self.output_dir = Path(output_dir)
        self.language = language
        self.result = IndexResult()
        self._after = after
        self._globs: queue.Queue[str | None] = queue.Queue()
        self._all_read = False
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def start(self) -> "PagefindIndexer":
        self._thread.start()
        return self

    def add(self, glob: str) -> None:
        """Index the documents under `input_dir` that match `glob` (e.g. "stories/2024/11/**/*.html")."""
        self._globs.put(glob)

    def finish(self) -> None:
        """No more parts: Pagefind writes its files while the build goes on."""
        self._globs.put(None)

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self) -> IndexResult:
        self._thread.join()
        return self.result

    def _run(self) -> None:
        if self._after is not None:
            self._after.wait()
        started = time.perf_counter()
        staging = Path(tempfile.mkdtemp(prefix="digest-pagefind-"))
        try:
            asyncio.run(self._index(staging / PAGEFIND_FOLDER))
            stabilise(staging / PAGEFIND_FOLDER)  # the same pages give the same bytes (Pagefind#638)
            for name in UNUSED_FILES:
                (staging / PAGEFIND_FOLDER / name).unlink(missing_ok=True)
            shutil.rmtree(self.output_dir, ignore_errors=True)
            self.output_dir.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging / PAGEFIND_FOLDER), str(self.output_dir))
        except Exception as error:  # reported by the caller as a build error, never a traceback
            self.result.error = f"{type(error).__name__}: {error}"
            while not self._all_read and self._globs.get() is not None:  # drop what is left
                pass
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.result.seconds = time.perf_counter() - started

    async def _index(self, output: Path) -> None:
        from pagefind.index import IndexConfig, PagefindIndex

        config = IndexConfig(output_path=str(output), force_language=self.language)
        async with PagefindIndex(config=config) as index:  # leaving it writes the files
            if self.background:
                # Pagefind's own threads would take both cores from the next preview rebuild.
                # `_service._backend` is its process in pagefind 1.5.2's Python API (see test_search).
                try:
                    os.setpriority(os.PRIO_PROCESS, index._service._backend.pid, 19)  # type: ignore[union-attr]
                except (AttributeError, OSError):
                    pass
            while (glob := await asyncio.to_thread(self._globs.get)) is not None:
                response = await index.add_directory(str(self.input_dir), glob=glob)
                self.result.pages += int(response.get("page_count", 0)) if isinstance(response, dict) else 0
            self._all_read = True
