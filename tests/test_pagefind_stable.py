"""Byte-stable Pagefind output: Pagefind indexes the same pages differently in every process (its
filter files and metadata follow a hash map's order); after `stabilise` the folders are byte for
byte the same, with the same file names, and search in a browser finds exactly what it found before.

The pages are tests/fixtures/pagefind: English and French stories with topic, country and year
filters, two sort keys and a word with a diacritic variant (café, cafe).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import cbor2
import pytest

from conftest import FIXTURES

pytest.register_assert_rewrite("browser_support")

from browser_support import StaticHost, new_tab  # noqa: E402
from digest.pagefind_stable import CHECKED_WITH, SIGNATURE, UnexpectedFormat, stabilise  # noqa: E402

pytest_plugins = ["browser_support"]

PAGES = FIXTURES / "pagefind"
RUNS = 4
# One indexing run as a build makes it: its own Python process (with its own hash seed) and its
# own Pagefind process (Rust seeds its hash maps anew in each). It keeps Pagefind's folder as
# written (raw/) and a stabilised copy (stable/).
INDEX_AND_STABILISE = textwrap.dedent("""
    import asyncio, shutil, sys
    from pathlib import Path
    from pagefind.index import IndexConfig, PagefindIndex
    from digest.pagefind_stable import stabilise

    pages, out = sys.argv[1], Path(sys.argv[2])

    async def index():
        async with PagefindIndex(config=IndexConfig(output_path=str(out / "raw"))) as pagefind:
            await pagefind.add_directory(pages)

    asyncio.run(index())
    shutil.copytree(out / "raw", out / "stable")
    stabilise(out / "stable")
""")


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def payload(data: bytes):
    """A Pagefind data file's CBOR payload, decoded."""
    data = gzip.decompress(data)
    assert data.startswith(SIGNATURE)
    return cbor2.loads(data[len(SIGNATURE):])


def pagefind_hash(data: bytes) -> str:
    """Pagefind's `full_hash` of a data file's payload (pagefind/src/utils.rs): SHA-1, every byte
    in hex without zero padding."""
    raw = gzip.decompress(data)[len(SIGNATURE):]
    return "".join(f"{byte:x}" for byte in hashlib.sha1(raw).digest())


def entry(folder: Path) -> dict:
    return json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))


def index(folder: Path) -> dict:
    """What a Pagefind folder says, whatever the order and names of its files: per language, its
    pages, word index ranges, filters (name -> value -> pages), sorts and meta fields."""
    found = {}
    for language, about in entry(folder)["languages"].items():
        meta = payload((folder / f"pagefind.{about['hash']}.pf_meta").read_bytes())
        filters = {}
        for name, hash_ in meta[3]:
            filter_name, values = payload((folder / "filter" / f"{hash_}.pf_filter").read_bytes())
            filters[filter_name] = {value: pages for value, pages in values}
        found[language] = {"version": meta[0], "pages": meta[1], "chunks": [chunk[:2] for chunk in meta[2]],
                           "filters": filters, "sorts": dict(meta[4]), "meta_fields": meta[5],
                           "page_count": about["page_count"], "wasm": about["wasm"]}
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    """RUNS indexing runs of the same pages, each in processes with another hash seed."""
    folders = []
    for run in range(RUNS):
        out = tmp_path_factory.mktemp(f"pagefind-run-{run}")
        result = subprocess.run([sys.executable, "-c", INDEX_AND_STABILISE, str(PAGES), str(out)],
                                env={**os.environ, "PYTHONHASHSEED": str(run + 1)},
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        folders.append(out)
    return folders


def test_pagefind_alone_writes_the_same_pages_differently_from_run_to_run(runs):
    """Why `stabilise` exists. The English pages alone have 11 topics and 19 countries: four runs
    whose hash maps all list them in one order are not to be expected."""
    raw = [files(run / "raw") for run in runs]
    differing = {path for found in raw[1:] for path in found.keys() | raw[0].keys()
                 if found.get(path) != raw[0].get(path)}
    assert differing
    assert {path for path in differing if not (path.startswith("filter/") or path.endswith(".pf_meta"))} \
        == {"pagefind-entry.json"}


def test_stabilised_runs_are_byte_for_byte_identical(runs):
    first, *others = (files(run / "stable") for run in runs)
    for other in others:
        assert other.keys() == first.keys(), sorted(other.keys() ^ first.keys())
        assert [path for path in first if other[path] != first[path]] == []


def test_stabilising_changes_the_order_and_the_names_only(runs):
    for run in runs:
        raw, stable = run / "raw", run / "stable"
        assert index(stable) == index(raw)
        # Fragments, word index chunks, scripts and wasm are not touched.
        before, after = files(raw), files(stable)
        kept = {path: data for path, data in before.items()
                if not (path.startswith("filter/") or path.endswith(".pf_meta") or path == "pagefind-entry.json")}
        assert {path: after.get(path) for path in kept} == kept
        assert len(after) == len(before)
        assert {**entry(stable), "languages": None} == {**entry(raw), "languages": None}


def test_the_canonical_order_is_by_name(runs):
    stable = runs[0] / "stable"
    for about in entry(stable)["languages"].values():
        meta = payload((stable / f"pagefind.{about['hash']}.pf_meta").read_bytes())
        assert [name for name, _ in meta[3]] == sorted(name for name, _ in meta[3]) == ["country", "topic", "year"]
        assert [key for key, _ in meta[4]] == ["date", "title"]
        for _, hash_ in meta[3]:
            values = [value for value, _ in payload((stable / "filter" / f"{hash_}.pf_filter").read_bytes())[1]]
            assert values == sorted(values)
    assert list(entry(stable)["languages"]) == ["en", "fr"]


def test_files_are_named_by_their_content_as_pagefind_names_them(runs):
    """The rule `stabilise` renames by is Pagefind's own: it names Pagefind's files as Pagefind did."""
    for folder in (runs[0] / "raw", runs[0] / "stable"):
        for language, about in entry(folder)["languages"].items():
            meta = folder / f"pagefind.{about['hash']}.pf_meta"
            prefix, length = f"{language}_", len(language) + 8
            assert about["hash"] == prefix + pagefind_hash(meta.read_bytes())[:length]
            for _, hash_ in payload(meta.read_bytes())[3]:
                data = (folder / "filter" / f"{hash_}.pf_filter").read_bytes()
                assert hash_ == (prefix + pagefind_hash(data))[:length]


def test_stabilising_twice_changes_nothing(runs, tmp_path):
    again = shutil.copytree(runs[0] / "stable", tmp_path / "again")
    stabilise(again)
    assert files(again) == files(runs[0] / "stable")


def test_a_format_it_does_not_know_is_refused_and_not_guessed(runs, tmp_path):
    folder = shutil.copytree(runs[0] / "raw", tmp_path / "changed")
    meta = next(folder.glob("pagefind.en_*.pf_meta"))
    fields = payload(meta.read_bytes())
    meta.write_bytes(gzip.compress(SIGNATURE + cbor2.dumps([*fields, ["a new field"]]), mtime=0))
    with pytest.raises(UnexpectedFormat, match="metadata layout"):
        stabilise(folder)

    folder = shutil.copytree(runs[0] / "raw", tmp_path / "mapped")
    meta = next(folder.glob("pagefind.en_*.pf_meta"))
    filter_file = folder / "filter" / f"{payload(meta.read_bytes())[3][0][1]}.pf_filter"
    name, values = payload(filter_file.read_bytes())
    filter_file.write_bytes(gzip.compress(SIGNATURE + cbor2.dumps([name, dict(values)]), mtime=0))
    with pytest.raises(UnexpectedFormat, match="filter layout"):
        stabilise(folder)


def test_the_format_was_checked_against_the_installed_pagefind(runs):
    """`stabilise` knows Pagefind's format as of CHECKED_WITH. After an upgrade, read the files
    named at the top of digest/pagefind_stable.py again in the new version's source (which
    collections are hash-ordered, the layouts, the naming rule), then raise CHECKED_WITH."""
    assert importlib.metadata.version("pagefind") == CHECKED_WITH
    assert {about["version"] for about in index(runs[0] / "raw").values()} == {CHECKED_WITH}


# --- In a browser -------------------------------------------------------------------------

# Search through pagefind.js as the digest's search.js does (no worker), and return everything a
# reader could see: every filter value with its count, and for each query the results in order
# (URL, score, title), their counts per filter value, with and without the query's filters.
SEARCHES = """async (base) => {
    const pagefind = await import(base + "pagefind.js");
    await pagefind.options({noWorker: true});
    const searches = [
        ["climate", {}],
        ["health", {filters: {country: {any: ["KE", "NG", "US"]}}}],
        ["cafe", {}],
        ["café", {}],
        [null, {filters: {topic: "economy"}, sort: {date: "desc"}}],
        [null, {filters: {year: "2023"}, sort: {title: "asc"}}],
        ["the", {filters: {topic: {any: ["climate", "health"]}, year: {none: ["2022"]}}}],
    ];
    const seen = {filters: await pagefind.filters(), searches: []};
    for (const [words, options] of searches) {
        const found = await pagefind.search(words, options);
        const results = [];
        for (const result of found.results) {
            const data = await result.data();
            results.push([data.url, result.score, data.meta.title]);
        }
        seen.searches.push({words, options, results, filters: found.filters,
                            totalFilters: found.totalFilters, unfiltered: found.unfilteredResultCount});
    }
    return seen;
}"""


def searched(browser, host: StaticHost, page: str, base: str) -> dict:
    tab = new_tab(browser)
    try:
        tab.open(host.base + page)
        seen = tab.evaluate(SEARCHES, base)
        assert tab.problems == []  # a renamed file not found would be a 404 here
        return seen
    finally:
        tab.page.context.close()


@pytest.mark.browser
def test_search_in_a_browser_finds_the_same_with_the_stabilised_index(runs, browser):
    """Pagefind's own folder and its stabilised copy, served side by side, searched from an English
    and a French page (pagefind.js picks the index by the page's language): the same results,
    scores and filter counts, and no request for a file that is not there."""
    run = runs[1]
    for language in ("en", "fr"):
        (run / f"{language}.html").write_text(
            f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
            "<title>search</title></head><body></body></html>", encoding="utf-8")
    with StaticHost(run) as host:
        seen = {(language, folder): searched(browser, host, f"{language}.html", f"/{folder}/")
                for language in ("en", "fr") for folder in ("raw", "stable")}
    for language in ("en", "fr"):
        assert seen[language, "stable"] == seen[language, "raw"]
    english, french = seen["en", "raw"], seen["fr", "raw"]
    assert english["filters"]["topic"]["climate"] == 3 and english["filters"]["country"]["KE"] == 2
    assert english["filters"]["year"] == {"2022": 2, "2023": 3, "2024": 5}
    newest_first = [url for url, _, _ in english["searches"][4]["results"]]  # economy, by date
    assert newest_first == ["/grain-corridor/", "/chip-plant/", "/cafe-prices/"]
    assert french["filters"]["topic"] == {"climate": 1, "economy": 1}


def test_files_pagefind_cut_short_are_found(tmp_path):
    """pagefind 1.5.2's Python API can stop Pagefind before its last files reach the disk
    (Pagefind#1271): search.py indexes a part again when `incomplete_files` finds one."""
    import gzip

    from digest.search import incomplete_files

    (tmp_path / "fragment").mkdir()
    whole = gzip.compress(b"pagefind_dcd" + b"x" * 200, mtime=0)
    (tmp_path / "fragment" / "en_1.pf_fragment").write_bytes(whole)
    (tmp_path / "pagefind-worker.js").write_text("self.onmessage = () => {};")
    assert incomplete_files(tmp_path) == []
    (tmp_path / "fragment" / "en_2.pf_fragment").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "pagefind-worker.js").write_bytes(b"")
    assert incomplete_files(tmp_path) == ["fragment/en_2.pf_fragment", "pagefind-worker.js"]
