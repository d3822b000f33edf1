"""The search seam: which engine indexes the site, and the Pagefind indexer.

`material`: Material's own lunr index (one JSON file every visitor downloads), kept for sites
browsed from file://. `pagefind` (default): Pagefind's chunked index of the story pages, whose
`data-pagefind-*` attributes name its filters, meta and sort; a browser fetches only the chunks a
query needs. Pagefind runs in its own process on the stories' main-column HTML, kept in a folder
between builds (`SearchInput`): it indexes on the second core while MkDocs renders, and only when
a story's page changed.

The index is in parts that the browser searches as one (Pagefind's `mergeIndex`, in
assets/search.js): one part, "all", or one per year of stories, each indexed by a Pagefind process
of its own. Pagefind's process holds about 210 MiB per 1,000 pages, so a part costs what its
stories cost, not what the archive costs, and an edit indexes again only the part it touches; each
part adds to a first search, though (an index chunk per part for each word: measured at 10,000
stories, +8 % with two parts). A year of more than `search_part_size` stories (default 3,000,
about 650 MiB), or of more than a third of the archive (`part_limit`: an edit re-indexes a fraction
of a small archive too), is split into half-years, quarters or months, the coarsest that keeps
every part of it under the limit: Pagefind's memory is bounded whatever the archive's size or pace.
Layout of `site/pagefind/`:

    pagefind.js       Pagefind's script, the same for every part
    parts.json        {"parts": [{"name": "2024", "tag": "..."}, ...]}, newest first
    2024/, 2023/ ...  one Pagefind bundle each (entry, metadata, index, fragments, filters, wasm),
                      and facets.pf_facets: its pages' topics and countries, which search.js
                      counts and filters with (pagefind_stable.write_facets): Pagefind's own
                      filter files, twice the size, stay there unfetched; a split year's parts
                      are 2024-h2, 2024-h1 (half-years), 2024-q4 ... (quarters) or 2024-12 ...

A part lies within a year, so the year facet is the part's year (`mergeFilter` in search.js), not
a filter file every search with facets would download; each part is compacted
(`pagefind_stable.compact`: short page names, pages numbered in date order instead of a date
sort, capped positions of the words most pages contain) before it is made byte-stable.
`tag` changes whenever the part's files do (search.js passes it to Pagefind as `metaCacheTag`).
Which documents each part was indexed from (its key, `part_keys`) is kept with the
documents, not in the site (the key depends on the build's folder): a part whose key and files are
unchanged is not indexed again. A new part is added to parts.json; no page changes.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from .pagefind_stable import ENTRY_FILE, FACETS_FILE, compact, stabilise, write_facets

ENGINES = ("pagefind", "material")
PAGEFIND_FOLDER = "pagefind"
PARTS_FILE = "parts.json"
INDEXED_FILE = ".indexed.json"  # in the documents' folder: {part: {"key": ..., "tag": ...}}
ALL = "all"  # the one part of an index not split by year
SCRIPT = "pagefind.js"  # one copy at the top; search.js imports it and points it at the parts
# Pagefind's ready-made UIs and its worker: our own search.js talks to pagefind.js on the page's
# thread (`noWorker`), so these are never fetched.
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
                "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js", "pagefind-worker.js")
# A story's document is stories/<YYYY>/<MM>/<slug>/index.html: its year and month name its part.
STORY_MONTH = re.compile(r"stories/(\d{4})/(\d{2})/")
PART_LIMIT = 3000  # stories in a part, at most (unless one month has more): about 650 MiB
SHARE = 3  # and at most a third of the archive's stories, so that an edit re-indexes a fraction,
SMALLEST = 250  # but parts of at least this many: each part costs a first search an index chunk
SPANS = {12: "{year}", 6: "{year}-h{n}", 3: "{year}-q{n}", 1: "{year}-{month:02d}"}  # months per part
PART_NAME = re.compile(r"(\d{4})(?:-h([12])|-q([1-4])|-(0[1-9]|1[0-2]))?")


def newest_first(names) -> list[str]:
    """Parts in the order they are indexed and listed: the newest, the one searched most, first
    (names sort as their dates do: "2024-h2" > "2024-h1" > "2023")."""
    return sorted(names, reverse=True)


def part_limit(stories: int, most: int = PART_LIMIT) -> int:
    """How many stories a part may hold in an archive of `stories`: `most` (memory), and a third
    of the archive (a warm build's re-indexing), but no fewer than SMALLEST (unless `most` says
    so): 3,000 at 10,000 stories, 667 at 2,000, 250 at 500."""
    return min(most, max(SMALLEST, -(-stories // SHARE)))


def month_of(url: str) -> tuple[str, int]:
    """A story document's year and month: "stories/2024/11/x/" -> ("2024", 11)."""
    match = STORY_MONTH.match(url)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{url!r} is not under stories/<YYYY>/<MM>/")
    return match.group(1), int(match.group(2))


def part_name(year: str, month: int, span: int) -> str:
    """The part of a story of `year` and `month` when its year is split in parts of `span` months."""
    return SPANS[span].format(year=year, n=(month - 1) // span + 1, month=month)


def part_months(name: str) -> list[int]:
    """The months a part holds: "2024" -> 1..12, "2024-h2" -> 7..12, "2024-q1" -> 1..3, "2024-05" -> 5."""
    match = PART_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not the name of a part of a year")
    _, half, quarter, month = match.groups()
    if month:
        return [int(month)]
    span, n = (6, int(half)) if half else (3, int(quarter)) if quarter else (12, 1)
    return list(range((n - 1) * span + 1, n * span + 1))


def split_year(months: Mapping[int, int], limit: int) -> int:
    """How many months each part of a year spans (`months`: month -> stories): the most, from
    12 down to 1, that keeps every part at `limit` stories or fewer (1 if no span does)."""
    for span in SPANS:
        totals: dict[int, int] = {}
        for month, count in months.items():
            totals[(month - 1) // span] = totals.get((month - 1) // span, 0) + count
        if max(totals.values(), default=0) <= limit:
            return span
    return 1


@dataclass
class IndexResult:
    pages: int = 0  # pages of the parts indexed by this run
    parts: int = 0  # parts indexed by this run (the others were current)
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



def partition(fingerprints: Mapping[str, str], limit: int = PART_LIMIT) -> dict[str, list[tuple[str, str]]]:
    """The story documents (URL -> fingerprint) of each part of the index: a year, or the parts of
    a year of more than `limit` stories; each part's documents in URL order."""
    months: dict[str, dict[int, list[tuple[str, str]]]] = {}
    for url, fingerprint in sorted(fingerprints.items()):
        year, month = month_of(url)
        months.setdefault(year, {}).setdefault(month, []).append((url, fingerprint))
    by_part: dict[str, list[tuple[str, str]]] = {}
    for year, documents in months.items():
        span = split_year({month: len(them) for month, them in documents.items()}, limit)
        for month in sorted(documents):
            by_part.setdefault(part_name(year, month, span), []).extend(documents[month])
    return by_part


def part_keys(by_part: Mapping[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Each part with the key of its documents: it changes when one of them is written anew,
    added or removed (PagefindIndexer indexes a part again only then)."""
    return {name: hashlib.sha256(repr(documents).encode()).hexdigest() for name, documents in by_part.items()}


class PagefindIndexer:
    """Pagefind's index of a `SearchInput` folder, built in a background thread, in parts (see the
    module's docstring for the layout of `output_dir`).

    With `parts` (name -> key, from `part_keys`): one part per year or part of a year.
    A part indexed from documents with the same key, and still in `output_dir` as it was
    written, is kept; the others are indexed one after the other, newest first, each by a
    Pagefind process of its own, and finished (`finish_part`) while the next one is indexed;
    parts no longer listed are removed.

    Without `parts` (the calling convention of the single index): one part, "all", that
    `add(glob)` feeds as soon as a part of the folder is written ("stories/2024/11/**/*.html") and
    `finish()` ends; it is indexed every time.

    `waiting` names parts whose documents are still being written: each is indexed once
    `ready(name)` says they are (a cold build writes them part by part, newest first, the order
    in which they are indexed, so that Pagefind starts on the first part while the build renders
    the documents of the others).

    Each part is written to a fresh folder and put in place only when complete: a preview keeps
    serving the previous one meanwhile. `after` (an earlier indexer) is waited for first;
    `background` (a preview) runs Pagefind at the lowest CPU priority."""

    def __init__(self, input_dir: Path, output_dir: str, language: str, after: "PagefindIndexer | None" = None,
                 *, background: bool = False, parts: Mapping[str, str] | None = None,
                 waiting: set[str] | frozenset[str] = frozenset()) -> None:
        self.input_dir = input_dir
        self.background = background  # a preview's index: lowest CPU priority, the rebuild comes first
        self.output_dir = Path(output_dir)
        self.language = language
        self.parts = None if parts is None else {_checked_name(name, ALL): key for name, key in parts.items()}
        self.result = IndexResult()
        self._ready = {name: threading.Event() for name in waiting}
        self._after = after
        self._globs: queue.Queue[str | None] = queue.Queue()
        self._all_read = False
        self._seen: list[str] = []  # the globs add() gave, in order
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)

    def start(self) -> "PagefindIndexer":
        self._thread.start()
        return self

    def ready(self, name: str) -> None:
        """The documents of part `name` are written."""
        if name in self._ready:
            self._ready[name].set()

    def ready_all(self) -> None:
        """Every part's documents are written (or the build stopped: nothing waits for ever)."""
        for event in self._ready.values():
            event.set()

    def add(self, glob: str) -> None:
        """Without `parts`: index the documents under `input_dir` that match `glob`."""
        self._globs.put(glob)

    def finish(self) -> None:
        """Without `parts`: no more globs; Pagefind writes its files while the build goes on."""
        self._globs.put(None)

    def wait(self) -> IndexResult:
        self._thread.join()
        return self.result

    def _run(self) -> None:
        if self._after is not None:
            self._after.wait()
        started = time.perf_counter()
        try:
            self._index({ALL: ""} if self.parts is None else self.parts)
        except Exception as error:  # reported by the caller as a build error, never a traceback
            self.result.error = f"{type(error).__name__}: {error}"
            while self.parts is None and not self._all_read and self._globs.get() is not None:
                pass  # drop what is left
        self.result.seconds = time.perf_counter() - started

    def _index(self, wanted: dict[str, str]) -> None:
        output = self.output_dir
        output.mkdir(parents=True, exist_ok=True)
        self.input_dir.mkdir(parents=True, exist_ok=True)
        served = {part["name"]: part["tag"] for part in read_parts(output)}
        indexed = _read_json(self.input_dir / INDEXED_FILE)
        parts = {name: served[name] for name in wanted if name in served}  # name -> tag
        todo = [name for name in newest_first(wanted)
                if not (wanted[name] and parts.get(name) and _tag(output / name) == parts[name]
                        and indexed.get(name) == {"key": wanted[name], "tag": parts[name]})]  # else: as indexed
        # One part is finished (in a process of its own, seconds of CPU) while Pagefind indexes the
        # next: a cold build of several parts waits for the last one's finishing only. A worker
        # of one: the parts land in order, and only it changes `parts` and `indexed`.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind-finish") as finisher:
            landing = []
            for name in todo:
                if name in self._ready:
                    self._ready[name].wait()
                globs = None if name == ALL else [f"stories/{name[:4]}/{month:02d}/**/*.html"
                                                  for month in part_months(name)]  # None: from add()
                staging = Path(tempfile.mkdtemp(dir=output, prefix=".staging-"))
                pages = self._complete_part(staging / name, globs)
                landing.append(finisher.submit(self._land, name, wanted[name], staging, pages, parts, indexed))
            for landed in landing:
                landed.result()  # the first error, if any
        write_parts(output, parts)
        _write_json(self.input_dir / INDEXED_FILE, {name: indexed[name] for name in parts if name in indexed})
        if not (output / SCRIPT).is_file():  # no story yet: Pagefind's script still has to be there
            with tempfile.TemporaryDirectory(dir=output, prefix=".staging-") as staging:
                asyncio.run(self._index_part(Path(staging) / ALL, []))
                self._finish_bundle(Path(staging) / ALL)
        keep = {SCRIPT, PARTS_FILE} | set(parts)
        for path in output.iterdir():  # parts now empty or split otherwise, an interrupted run's
            if path.name not in keep:
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()

    def _land(self, name: str, key: str, staging: Path, pages: int, parts: dict, indexed: dict) -> None:
        """Finish the part Pagefind wrote in `staging` and put it in place of the served one."""
        try:
            bundle = staging / name
            self._finish_bundle(bundle)
            if pages:
                parts[name] = _tag(bundle)
                _swap(bundle, self.output_dir / name)
            else:  # no story (yet): no part; search.js finds nothing without asking Pagefind
                parts.pop(name, None)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.result.pages += pages
        self.result.parts += 1
        write_parts(self.output_dir, parts)  # a reader gets each part as soon as it is there
        indexed[name] = {"key": key, "tag": parts.get(name, "")}
        _write_json(self.input_dir / INDEXED_FILE, indexed)

    def _complete_part(self, bundle: Path, globs: list[str] | None, attempts: int = 3) -> int:
        """Index a part, again if Pagefind left a file incomplete: pagefind 1.5.2's Python API can
        stop its process before the last files reach the disk (Pagefind#1271, fixed after 1.5.2;
        seen here once in about eight builds as an empty pagefind-worker.js)."""
        for _ in range(attempts):
            pages = asyncio.run(self._index_part(bundle, globs if globs is not None else None))
            if globs is None:
                globs = self._seen  # what add() named, for another attempt
            if not (broken := incomplete_files(bundle)):
                return pages
            shutil.rmtree(bundle, ignore_errors=True)
        raise RuntimeError(f"Pagefind wrote incomplete files {attempts} times: {', '.join(broken[:5])}")

    def _finish_bundle(self, bundle: Path) -> None:
        """Make a Pagefind output folder a part: byte-stable, its script moved to the top (it is
        the same for every part), what search.js never fetches removed."""
        # Seconds of Python per 5,000 stories (CBOR in and out) in a process of its own: in this
        # thread it would hold the GIL from the preview rebuild or the build's page rendering.
        # The child lowers its own priority (a preexec_fn is not safe in this threaded process).
        finished = subprocess.run([sys.executable, "-m", __name__, *(["--nice"] if self.background else []),
                                   str(bundle)], capture_output=True, text=True)
        if finished.returncode:
            raise RuntimeError(f"could not finish the search part {bundle.name}: "
                               + (finished.stderr.strip().splitlines() or ["no message"])[-1])
        script, target = bundle / SCRIPT, self.output_dir / SCRIPT
        if not (target.is_file() and target.read_bytes() == script.read_bytes()):
            os.replace(script, target)
        script.unlink(missing_ok=True)

    async def _index_part(self, bundle: Path, globs: list[str] | None) -> int:
        """Index the documents matching `globs` (None: those `add()` names) into `bundle` with a
        Pagefind process of its own, whose memory goes when the part is written. Returns the
        number of pages indexed."""
        from pagefind.index import IndexConfig, PagefindIndex

        pages = 0
        config = IndexConfig(output_path=str(bundle), force_language=self.language)
        async with PagefindIndex(config=config) as index:  # leaving it writes the files
            if self.background:
                # Pagefind's own threads would take both cores from the next preview rebuild.
                # `_service._backend` is its process in pagefind 1.5.2's Python API (see test_search).
                try:
                    os.setpriority(os.PRIO_PROCESS, index._service._backend.pid, 19)  # type: ignore[union-attr]
                except (AttributeError, OSError):
                    pass
            async for glob in self._added() if globs is None else _each(globs):
                response = await index.add_directory(str(self.input_dir), glob=glob)
                pages += int(response.get("page_count", 0)) if isinstance(response, dict) else 0
        return pages

    async def _added(self):
        while (glob := await asyncio.to_thread(self._globs.get)) is not None:
            self._seen.append(glob)
            yield glob
        self._all_read = True


def incomplete_files(bundle: Path) -> list[str]:
    """Files of a Pagefind output folder that are empty, or compressed and cut short."""
    broken = []
    for path in sorted(bundle.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if not data:
            broken.append(path.relative_to(bundle).as_posix())
        elif data[:2] == b"\x1f\x8b":
            try:
                gzip.decompress(data)
            except (EOFError, OSError, zlib.error):
                broken.append(path.relative_to(bundle).as_posix())
    return broken


async def _each(items):
    for item in items:
        yield item


def read_parts(output_dir: Path) -> list[dict]:
    """The parts listed in `output_dir`'s parts.json, newest first; none if it is missing or not ours."""
    try:
        parts = json.loads((output_dir / PARTS_FILE).read_text(encoding="utf-8"))["parts"]
        return [{"name": _checked_name(part["name"]), "tag": str(part["tag"])} for part in parts]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def write_parts(output_dir: Path, parts: Mapping[str, str]) -> None:
    """parts.json (part name -> tag), newest part first: the one search.js makes Pagefind's primary."""
    listed = [{"name": name, "tag": parts[name]} for name in newest_first(parts)]
    _write_json(output_dir / PARTS_FILE, {"parts": listed})


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_json(path: Path, value) -> None:
    """Compact, sorted JSON, replaced at once, and only if it changes (a preview's file stays put)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    staged = path.with_name(f".staging-{path.name}")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


def _checked_name(name: str, *other: str) -> str:
    """A part's name, which becomes a folder name and a URL: a year or part of one ("2024",
    "2024-h1", "2024-q3", "2024-05") or "all", nothing else (`other` names are refused too)."""
    if not (isinstance(name, str) and (PART_NAME.fullmatch(name) or name == ALL) and name not in other):
        raise ValueError(f"{name!r} is not the name of a part (a year, part of a year, or {ALL!r})")
    return name


def _tag(bundle: Path) -> str:
    """What changes whenever a part's files do: its entry file names its metadata file, whose
    name is the hash of its content, which names every index and filter file; and its facet
    table, whose name does not change (search.js asks for it with the tag) ("" if either is
    missing: a part written before facet tables existed is indexed again)."""
    try:
        return hashlib.sha256((bundle / ENTRY_FILE).read_bytes() + (bundle / FACETS_FILE).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def _swap(bundle: Path, target: Path) -> None:
    """Put a complete part in place of the previous one, which is served until the last moment."""
    if target.exists():
        old = target.with_name(f".staging-old-{target.name}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(bundle, target)
        shutil.rmtree(old)
    else:
        os.replace(bundle, target)


def finish_part(bundle: Path) -> None:
    """A part as search.js reads it: lighter, byte-stable, with its facet table (`_finish_bundle`
    runs this in a process of its own: `python -m digest.search <bundle>`)."""
    compact(bundle)  # lighter first searches (pagefind_stable.py says how)
    stabilise(bundle)  # the same pages give the same bytes (Pagefind#638)
    write_facets(bundle)  # what opening the facets fetches, instead of Pagefind's filter files
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1] == "--nice":  # the preview: after the rebuild, on whatever CPU is left
        os.nice(19)
    finish_part(Path(sys.argv[-1]))
