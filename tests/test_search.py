"""Search, in both modes. `search: pagefind` (the default): Pagefind's index of the story pages,
the header's box with results as you type, facets with counts (topic, country, year), the search
page whose address holds the search (/search/?q=...&topic=...). `search: material`: Material's own
box and index, for a site that must work from file://.
"""

from __future__ import annotations

import functools
import itertools
import re
import gzip
import json
import os
import shutil
import time
from collections import Counter
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from digest.index import build_digest
from digest.loader import load_content
from digest.search import PART_LIMIT, IndexResult, PagefindIndexer, SearchInput, part_keys, part_limit, part_months, partition

pytest.register_assert_rewrite("browser_support")  # before the import: its asserts explain themselves

from browser_support import (DESKTOP, HEADER_RESULTS, PAGE_RESULTS, PHONE, SCREENSHOTS, Served, StaticHost, Tab,  # noqa: E402
                             header_search_with_facets, new_tab, open_search_result, search, seed_pages, serve_build,
                             wait_for_results)
from conftest import FIXTURES, ROOT, build_site, mkdocs_config  # noqa: E402
from screenshot_checks import screenshot_problems  # noqa: E402

pytest_plugins = ["browser_support"]

# A story of the seed content and a word only its body uses (as in test_browser.py).
BODY_WORD, BODY_STORY = "confiscated", "Afghan refugees in Pakistan reach 3.5 million, UN agency says"
HOSTILE_TITLE = 'x" onmouseover="alert(1)'


@functools.cache
def seed():
    return build_digest(load_content(ROOT / "content"))


def titles_where(predicate) -> set[str]:
    return {story.title for story in seed().stories if predicate(story)}


def topic_title(tag: str) -> str:
    return seed().topics[tag].title


def shown(tab: Tab, region: str) -> list[str]:
    return [" ".join(t.split()) for t in tab.locator(f"{region} .dg-hit__title").all_inner_texts()]


def fetched_search_index(urls: list[str]) -> list[str]:
    return [url for url in urls if "/pagefind/" in url or url.endswith("search_index.json")]


# --- What the build writes ------------------------------------------------------------------------

def part_files(site, kind: str) -> list:
    """The files of one kind ("fragment", "filter", "index") in every part of the Pagefind index."""
    return sorted((site / "pagefind").glob(f"*/{kind}/*"))


def test_the_default_build_indexes_every_story_with_pagefind(seed_build):
    site = seed_build.site
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert len(part_files(site, "fragment")) == len(seed().stories)  # one per story
    parts = json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"]
    assert sorted(path.name for path in (site / "pagefind").iterdir()) == sorted(
        ["pagefind.js", "parts.json"] + [part["name"] for part in parts])
    assert not (site / "search" / "search_index.json").exists()
    for url in seed_pages().values():
        html = seed_build.page(url)
        # The search script is named on every page but loaded only on first use (theme/main.html).
        assert "data-dg-search" in html and 'data-dg-script="' in html and "search." in html, url
        assert not re.search(r'<script[^>]+src="[^"]*search\.[0-9a-f]{8}\.min\.js"', html), url
        # Material's bundle would bind its search to these and fetch an index that is not there.
        assert 'data-md-component="search' not in html, url


def pagefind_records(site) -> list[dict]:
    """The story records of a Pagefind index: its fragment files, gzipped JSON after a signature."""
    return [fragment_record(path) for path in part_files(site, "fragment")]


def test_pagefind_indexes_story_pages_with_their_filters_and_nothing_else(fixture_build):
    build = fixture_build("site", page_size=3)
    assert build.returncode == 0, build.output
    records = {record["url"]: record for record in pagefind_records(build.site)}
    stories = sorted(p.parent.relative_to(build.site).as_posix() for p in (build.site / "stories").rglob("index.html"))
    assert sorted(url.strip("/") for url in records) == stories  # no listing, edition or other page
    norway = records["/stories/2024/11/norway-and-sweden-agree/"]
    assert "Oslo and Stockholm agreed" in norway["content"]
    # No year filter: the year is the index's part (one per year), which search.js uses as the facet.
    assert "Norway" in norway["filters"]["country"] and "year" not in norway["filters"]
    assert norway["filters"]["topic"] and set(norway["meta"]) >= {"title", "date", "summary"}
    assert any("zebrafish3" in record["content"] for record in records.values())
    for record in records.values():  # what readers see of a page is the page's own text only
        assert "Related stories" not in record["content"] and "Follow The digest" not in record["content"]
        # Excerpts come from the story's own text: not its sources, chips or kicker.
        assert "Sources" not in record["content"] and not record["content"].rstrip().endswith(tuple(record["filters"]["topic"]))


def test_material_mode_keeps_materials_search_box_and_index(fixture_build):
    build = fixture_build("site", page_size=3, search="material")
    assert build.returncode == 0, build.output
    assert (build.site / "search" / "search_index.json").is_file()
    assert not (build.site / "pagefind").exists()
    assert not list((build.site / "assets" / "digest").glob("search*.js"))
    html = build.page("about/")
    assert 'data-md-component="search"' in html and "data-dg-search" not in html
    assert 'name="q"' in build.page("search/")


# --- The index in parts, one per year ----------------------------------------------------------------
# tests/fixtures/years: six stories over 2022-2024, "ferry" in four of them (two in 2024).

YEARS = FIXTURES / "years"


@functools.cache
def years_digest():
    return build_digest(load_content(YEARS))


def search_documents(build):
    """The folder of story documents a build gave Pagefind (kept between builds under .cache/)."""
    return build.project / ".cache" / "digest" / "search-input"


def index_by_year(documents, output, parts=None) -> IndexResult:
    """Index `documents` in parts (`parts`: name -> key; by default one per year, each with the
    key "1") into `output`."""
    if parts is None:
        parts = {folder.name: "1" for folder in (documents / "stories").iterdir()}
    result = PagefindIndexer(documents, str(output), "en", parts=parts).start().wait()
    assert not result.error, result.error
    return result


def snapshot(folder) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: its bytes and the time it was last written."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_each_year_is_a_part_and_only_a_changed_year_is_indexed_again(fixture_build, tmp_path):
    build = fixture_build("years")
    assert build.returncode == 0, build.output
    documents, output = tmp_path / "documents", tmp_path / "pagefind"
    shutil.copytree(search_documents(build), documents)
    (output / "fragment").mkdir(parents=True)  # an index in the single-folder layout of before
    (output / "fragment" / "en_1234567.pf_fragment").write_bytes(b"old")
    (output / "pagefind-entry.json").write_text("{}")
    first = index_by_year(documents, output)
    assert (first.parts, first.pages) == (3, 6)
    listed = json.loads((output / "parts.json").read_text(encoding="utf-8"))["parts"]
    assert [part["name"] for part in listed] == ["2024", "2023", "2022"]  # newest first: the primary
    assert sorted(path.name for path in output.iterdir()) == ["2022", "2023", "2024", "pagefind.js", "parts.json"]
    for year in ("2022", "2023", "2024"):
        urls = {record["url"] for record in map(fragment_record, (output / year / "fragment").iterdir())}
        assert urls == {"/" + story.url for story in years_digest().stories if story.edition.year == int(year)}, year
        assert {path.name for path in (output / year).iterdir() if path.is_file()} >= {"pagefind-entry.json",
                                                                                       "wasm.en.pagefind"}
        assert not list((output / year).glob("pagefind*.js")), "one pagefind.js, at the top"

    before = snapshot(output)
    again = index_by_year(documents, output)
    assert (again.parts, again.pages) == (0, 0) and snapshot(output) == before  # nothing changed: nothing done

    changed = index_by_year(documents, output, parts={"2024": "1", "2023": "2", "2022": "1"})
    assert (changed.parts, changed.pages) == (1, 2)
    after = snapshot(output)
    assert after.keys() == before.keys()
    assert all(after[path] == before[path] for path in after if not path.startswith("2023/"))  # untouched
    assert all(after[path][0] == before[path][0] for path in after)  # the same documents, the same bytes

    (output / "2022" / "pagefind-entry.json").write_text("{}")  # a part changed by someone else
    assert index_by_year(documents, output, parts={"2024": "1", "2023": "2", "2022": "1"}).parts == 1
    assert snapshot(output)["2022/pagefind-entry.json"][0] == before["2022/pagefind-entry.json"][0]
    (output / "2022" / "facets.pf_facets").unlink()  # a part written before facet tables existed
    assert index_by_year(documents, output, parts={"2024": "1", "2023": "2", "2022": "1"}).parts == 1
    assert snapshot(output)["2022/facets.pf_facets"][0] == before["2022/facets.pf_facets"][0]

    fewer = index_by_year(documents, output, parts={"2024": "1", "2023": "2"})  # 2022's last story is gone
    assert fewer.parts == 0 and not (output / "2022").exists()
    assert [part["name"] for part in json.loads((output / "parts.json").read_text())["parts"]] == ["2024", "2023"]

    # From nothing, the same documents give the same files (what an incremental build relies on).
    fresh = tmp_path / "fresh"
    index_by_year(documents, fresh, parts={"2024": "1", "2023": "2"})
    assert {k: v[0] for k, v in snapshot(fresh).items()} == {k: v[0] for k, v in snapshot(output).items()}


def test_a_part_is_indexed_only_once_its_documents_are_said_to_be_written(fixture_build, tmp_path):
    build = fixture_build("years")
    documents, output = tmp_path / "documents", tmp_path / "pagefind"
    shutil.copytree(search_documents(build), documents)
    indexer = PagefindIndexer(documents, str(output), "en", parts={"2024": "1", "2023": "1", "2022": "1"},
                              waiting={"2024", "2023", "2022"}).start()
    time.sleep(0.5)
    assert not (output / "2024").exists() and indexer._thread.is_alive()  # the newest part waits first
    indexer.ready("2024")
    indexer.ready_all()  # what a build that stops half-way does: nothing waits for ever
    result = indexer.wait()
    assert not result.error and (result.parts, result.pages) == (3, 6)


def test_without_years_the_index_is_one_part_fed_glob_by_glob(fixture_build, tmp_path):
    build = fixture_build("years")
    documents = tmp_path / "documents"
    shutil.copytree(search_documents(build), documents)
    indexer = PagefindIndexer(documents, str(tmp_path / "pagefind"), "en").start()
    for month in ("2024/03", "2023/11", "2022/08"):
        indexer.add(f"stories/{month}/**/*.html")
    indexer.finish()
    result = indexer.wait()
    assert not result.error and (result.parts, result.pages) == (1, 3)
    listed = json.loads((tmp_path / "pagefind" / "parts.json").read_text())["parts"]
    assert [part["name"] for part in listed] == ["all"]
    assert len(list((tmp_path / "pagefind" / "all" / "fragment").iterdir())) == 3


def parts_of(documents: SearchInput, limit: int = PART_LIMIT) -> dict[str, str]:
    """The parts of the documents written, with their keys, as the plugin gives them to Pagefind."""
    return part_keys(partition(documents.fingerprints, limit))


def test_a_year_key_changes_only_when_its_stories_do(tmp_path):
    folder = tmp_path / "search-input"
    folder.mkdir()
    documents = SearchInput(folder, "en", {})
    for url in ("stories/2024/01/a/", "stories/2024/02/b/", "stories/2023/05/c/"):
        documents.write(url, "v1", "Title", "<p>Text</p>")
    keys = parts_of(documents)
    assert sorted(keys) == ["2023", "2024"]
    documents.write("stories/2024/02/b/", "v2", "Title", "<p>Other text</p>")
    rewritten = parts_of(documents)
    assert rewritten["2023"] == keys["2023"] and rewritten["2024"] != keys["2024"]
    documents.keep_only({"stories/2024/01/a/", "stories/2024/02/b/"})
    assert sorted(parts_of(documents)) == ["2024"] and parts_of(documents)["2024"] == rewritten["2024"]


def test_a_year_above_the_part_size_is_split_into_the_fewest_parts_under_it(tmp_path):
    folder = tmp_path / "search-input"
    folder.mkdir()
    documents = SearchInput(folder, "en", {})

    def stories(*months):
        documents.keep_only(set())
        for number, month in enumerate(months):
            documents.write(f"stories/{month}/s{number}/", "v1", "Title", "<p>Text</p>")
        return documents

    assert sorted(parts_of(stories("2024/01", "2024/02", "2024/08", "2023/05"), limit=3)) == ["2023", "2024"]
    assert sorted(parts_of(stories("2024/01", "2024/02", "2024/08", "2023/05"), limit=2)) == [
        "2023", "2024-h1", "2024-h2"]  # halves: January-June, July-December
    assert sorted(parts_of(stories("2024/01", "2024/04", "2024/12"), limit=1)) == ["2024-q1", "2024-q2", "2024-q4"]
    # A month above the limit cannot be split (its stories are one folder): a part all the same.
    assert sorted(parts_of(stories("2024/01", "2024/01", "2024/02"), limit=1)) == ["2024-01", "2024-02"]
    keys = parts_of(stories("2024/01", "2024/02", "2024/08", "2023/05"), limit=2)
    documents.write("stories/2024/08/s2/", "v2", "Title", "<p>Other text</p>")
    changed = parts_of(documents, limit=2)
    assert [name for name in keys if keys[name] != changed[name]] == ["2024-h2"]  # the other parts are kept
    assert part_months("2024-h2") == [7, 8, 9, 10, 11, 12] and part_months("2024-q1") == [1, 2, 3]
    assert part_months("2024") == list(range(1, 13)) and part_months("2024-05") == [5]


def test_parts_are_bounded_by_memory_and_by_a_share_of_the_archive():
    assert part_limit(10_000) == 3000  # memory: about 630 MiB of Pagefind
    assert part_limit(2_000) == 667  # a third: an edit re-indexes a third of the archive or less
    assert part_limit(7) == 250 and part_limit(500) == 250  # a small archive: one part a year
    assert part_limit(2_000, most=100) == 100  # search_part_size has the last word
    # Two years of 1,000 stories: halves of about 500, so a warm build re-indexes a quarter.
    fingerprints = {f"stories/{year}/{month:02d}/s{n}/": "1" for year in (2023, 2024)
                    for month in range(1, 13) for n in range(83)}
    assert sorted(partition(fingerprints, part_limit(len(fingerprints)))) == ["2023-h1", "2023-h2", "2024-h1", "2024-h2"]


def test_a_split_years_parts_hold_its_months_stories(fixture_build, tmp_path):
    build = fixture_build("years")
    documents, output = tmp_path / "documents", tmp_path / "pagefind"
    shutil.copytree(search_documents(build), documents)
    parts = part_keys(partition({url: "1" for url in (
        "stories/2024/01/new-ferry-route/", "stories/2024/02/port-wages/", "stories/2024/03/ferry-strike-ends/",
        "stories/2023/05/port-strike/", "stories/2023/11/ferry-sinks/", "stories/2022/08/first-ferry/")}, limit=1))
    assert (index_by_year(documents, output, parts=parts).parts) == 6
    listed = [part["name"] for part in json.loads((output / "parts.json").read_text(encoding="utf-8"))["parts"]]
    assert listed == ["2024-03", "2024-02", "2024-01", "2023-h2", "2023-h1", "2022"]
    for name in listed:
        urls = {record["url"] for record in map(fragment_record, (output / name / "fragment").iterdir())}
        assert urls == {"/" + story.url for story in years_digest().stories
                        if story.edition.year == int(name[:4]) and story.edition.month in part_months(name)}, name


def fragment_record(path) -> dict:
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(b"pagefind_dcd"), path
    return json.loads(data[len(b"pagefind_dcd"):])


# --- The header's box (search: pagefind) -------------------------------------------------------------

@pytest.mark.browser
def test_a_story_page_fetches_no_search_index_until_the_reader_searches(seed_site, tab):
    requested: list[str] = []
    tab.page.on("request", lambda request: requested.append(request.url))
    tab.open(seed_site.url(seed_pages()["story"]), settle=True)
    assert not fetched_search_index(requested), requested
    # Nor the search script itself: it comes when the reader starts to search (theme/main.html).
    assert not [url for url in requested if re.search(r"/search\.[0-9a-f]{8}\.min\.js$", url)], requested

    tab.keyboard.press("/")
    box = tab.locator("[data-dg-search] input[name=q]")
    assert tab.evaluate("document.activeElement.name") == "q"
    assert tab.evaluate("document.getElementById('__search').checked")  # the box is open
    box.type("Iran", delay=40)
    wait_for_results(tab, HEADER_RESULTS)
    assert fetched_search_index(requested)
    naming_iran = titles_where(lambda s: "ir" in s.countries)
    assert naming_iran <= set(shown(tab, HEADER_RESULTS))
    first = tab.locator(f"{HEADER_RESULTS} .dg-hit").first
    assert first.locator("time[datetime]").count() == 1
    assert first.locator(".dg-hit__excerpt mark").count() >= 1  # the words, highlighted
    assert first.locator(".dg-chip--topic").count() >= 1 and first.locator(".dg-chip--country").count() >= 1
    assert [re.search(r"/search\.[0-9a-f]{8}\.min\.js$", url) is not None for url in requested].count(True) == 1
    # Country chips carry their flag, as on the story page (hidden from screen readers there too).
    flag = first.locator(".dg-chip--country .dg-flag[aria-hidden=true]").first
    assert flag.inner_text() in {c.country.flag for c in seed().countries.values()}
    excerpt = first.locator(".dg-hit__excerpt").inner_text()
    assert "Sources" not in excerpt and "·" not in excerpt  # the story's text, not its boxes or kicker
    assert "stories for \u201cIran\u201d" in tab.locator(f"{HEADER_RESULTS} .dg-search__status").inner_text()
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_keys_open_the_box_and_walk_the_results_and_escape_closes_it(seed_site, tab):
    tab.open(seed_site.url(seed_pages()["story"]))
    box = tab.locator("[data-dg-search] input[name=q]")
    tab.keyboard.press("s")
    assert tab.evaluate("document.activeElement.name") == "q"
    assert box.input_value() == ""  # the key opened the box; it was not typed into it
    tab.keyboard.type(BODY_WORD)
    wait_for_results(tab, HEADER_RESULTS)
    assert shown(tab, HEADER_RESULTS) == [BODY_STORY]
    tab.keyboard.press("ArrowDown")
    assert tab.evaluate("document.activeElement.textContent") == BODY_STORY
    tab.keyboard.press("ArrowUp")
    assert tab.evaluate("document.activeElement.name") == "q"
    tab.keyboard.press("Escape")
    assert tab.evaluate("document.activeElement.name") != "q"
    assert not tab.evaluate("document.getElementById('__search').checked")
    # Enter takes the words to the search page, where the address can be shared.
    tab.keyboard.press("/")
    with tab.expect_navigation(wait_until="load"):
        tab.keyboard.press("Enter")
    assert seed_site.path_of(tab.url) == "search/" and parse_qs(urlsplit(tab.url).query) == {"q": [BODY_WORD]}
    wait_for_results(tab)
    assert shown(tab, PAGE_RESULTS) == [BODY_STORY]
    # In a text field, / and s are letters.
    tab.locator("#dg-search-q").fill("")
    tab.locator("#dg-search-q").type("s/")
    assert tab.locator("#dg-search-q").input_value() == "s/"
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_the_header_box_filters_by_topic_too(seed_site, tab):
    tab.open(seed_site.url(""))
    tab.keyboard.press("/")
    tab.keyboard.type("Afghanistan")
    wait_for_results(tab, HEADER_RESULTS)
    before = shown(tab, HEADER_RESULTS)
    tab.locator(f"{HEADER_RESULTS} summary").click()
    facet = tab.locator(f"{HEADER_RESULTS} .dg-facet__label").filter(has_text=topic_title("narcotics"))
    facet.wait_for()
    facet.click()
    tab.wait_for_function("(r) => document.querySelector(r).getAttribute('aria-busy') === 'false'", arg=HEADER_RESULTS)
    wait_for_results(tab, HEADER_RESULTS)
    after = shown(tab, HEADER_RESULTS)
    assert set(after) == titles_where(lambda s: "narcotics" in s.tags) & set(before), (before, after)
    assert len(after) < len(before)
    assert not tab.problems, tab.problems


# --- The search page --------------------------------------------------------------------------------

@pytest.mark.browser
def test_a_topic_filter_narrows_the_results_and_the_address_keeps_it(seed_site, tab):
    everything = search(tab, seed_site, "Afghanistan")
    assert len(everything) >= 4
    tab.locator("form .dg-search__filters summary").click()
    refugees = tab.locator(".dg-facet__label").filter(has_text=topic_title("refugees"))
    expected = titles_where(lambda s: "refugees" in s.tags) & set(everything)
    assert refugees.locator(".dg-facet__count").inner_text() == str(len(expected))  # the count is the outcome
    refugees.click()
    tab.wait_for_function("() => /topic=/.test(location.search)")
    wait_for_results(tab)
    narrowed = shown(tab, PAGE_RESULTS)
    assert set(narrowed) == expected and len(narrowed) < len(everything)
    assert parse_qs(urlsplit(tab.url).query) == {"q": ["Afghanistan"], "topic": [topic_title("refugees")]}
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_a_filter_alone_lists_its_stories_newest_first(seed_site, tab):
    tab.open(seed_site.url("search/?topic=" + quote_plus(topic_title("migration"))))
    wait_for_results(tab)
    migration = [s for s in seed().stories if "migration" in s.tags]
    titles = shown(tab, PAGE_RESULTS)
    assert set(titles) == {s.title for s in migration}
    dates = tab.locator(f"{PAGE_RESULTS} .dg-hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)
    assert "newest first" in tab.locator(f"{PAGE_RESULTS} .dg-search__status").inner_text()
    assert tab.locator(".dg-facet__box:checked").evaluate_all("els => els.map(e => e.value)") == [topic_title("migration")]
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_a_shared_link_brings_back_the_words_and_filters(seed_site, tab):
    tab.open(seed_site.url("search/?q=Iran&country=Afghanistan&year=2024"))
    wait_for_results(tab)
    assert tab.locator("#dg-search-q").input_value() == "Iran"
    assert sorted(tab.locator(".dg-facet__box:checked").evaluate_all("els => els.map(e => e.value)")) == [
        "2024", "Afghanistan"]
    expected = titles_where(lambda s: "ir" in s.countries and "af" in s.countries)
    assert expected and set(shown(tab, PAGE_RESULTS)) == expected
    # Typing changes the address too (the reader can copy it at any moment).
    tab.locator("#dg-search-q").fill(BODY_WORD)
    tab.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === '{BODY_WORD}'")
    assert parse_qs(urlsplit(tab.url).query)["country"] == ["Afghanistan"]
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_more_results_come_ten_at_a_time_and_take_the_keyboard_along(fixture_site, tab):
    tab.open(fixture_site.url("search/?year=2024&year=2023"))  # every story of the fixture site: 11
    wait_for_results(tab)
    assert tab.locator(f"{PAGE_RESULTS} .dg-search__status").inner_text() == (
        "11 stories from 2024 or 2023, newest first")
    assert len(shown(tab, PAGE_RESULTS)) == 10
    tab.get_by_role("button", name="More results").click()
    wait_for_results(tab)
    titles = shown(tab, PAGE_RESULTS)
    assert len(titles) == 11 and titles[-1] == "Last year", titles
    assert tab.evaluate("document.activeElement.textContent") == titles[10]  # the first new result
    assert tab.get_by_role("button", name="More results").is_hidden()
    assert not tab.problems, tab.problems


# --- The parts searched as one (tests/fixtures/years, one part per year) ---------------------------------

@pytest.fixture(scope="module")
def years_site(browser, tmp_path_factory):
    """tests/fixtures/years served, its search index one part per year."""
    site = serve_build(YEARS, tmp_path_factory.mktemp("years-served"))
    served = next(site)
    index_by_year(search_documents(served.build), served.build.site / "pagefind")
    yield served
    site.close()


def facet_counts(tab: Tab) -> dict[str, dict[str, int]]:
    """What the search page's facets show, once every count is there: legend -> {value: count}."""
    tab.wait_for_function("""() => { const counts = [...document.querySelectorAll('form .dg-facet__count')];
        return counts.length > 0 && counts.every(count => count.textContent !== ''); }""")
    return tab.locator("form .dg-facet").evaluate_all("""facets => Object.fromEntries(facets.map(facet => [
        facet.querySelector('legend').textContent,
        Object.fromEntries([...facet.querySelectorAll('.dg-facet__value:not([hidden])')].map(value => [
            value.querySelector('.dg-facet__name').textContent, +value.querySelector('.dg-facet__count').textContent]))]))""")


def counted(stories) -> dict[str, dict[str, int]]:
    """The facet counts `stories` should give: topic titles, country names, years."""
    digest = years_digest()
    return {"Topic": dict(Counter(digest.topics[tag].title for story in stories for tag in story.tags)),
            "Country": dict(Counter(digest.countries[code].title for story in stories for code in story.countries)),
            "Year": dict(Counter(str(story.edition.year) for story in stories))}


@pytest.mark.browser
def test_words_find_the_stories_of_every_year_part_with_counts_over_all(years_site, tab):
    requested: list[str] = []
    tab.page.on("request", lambda request: requested.append(request.url))
    titles = search(tab, years_site, "ferry")
    ferry = [story for story in years_digest().stories if "ferry" in story.body_markdown.lower()]
    assert {story.edition.year for story in ferry} == {2022, 2023, 2024}
    assert set(titles) == {story.title for story in ferry}
    assert tab.locator(f"{PAGE_RESULTS} .dg-search__status").inner_text() == f"{len(ferry)} stories for \u201cferry\u201d"
    first = tab.locator(f"{PAGE_RESULTS} .dg-hit").first
    assert first.locator(".dg-hit__excerpt mark").count() >= 1
    assert first.locator(".dg-hit__title a").evaluate("link => link.href").startswith(years_site.url("stories/"))
    tab.locator("form .dg-search__filters summary").click()
    assert facet_counts(tab) == counted(ferry)
    # Every part's entry and metadata once; Pagefind's script and WebAssembly once for all of them.
    fetched = [years_site.path_of(url) for url in requested if url.startswith(years_site.url("pagefind/"))]
    assert [path for path in fetched if path.endswith((".js", ".pagefind"))] == [
        "pagefind/pagefind.js", "pagefind/2024/wasm.en.pagefind"]
    for year in ("2024", "2023", "2022"):
        assert fetched.count(f"pagefind/{year}/pagefind-entry.json") == 1, fetched
        # The facets come from each part's facet table, fetched once; Pagefind's filter files never.
        assert fetched.count(f"pagefind/{year}/facets.pf_facets") == 1, fetched
    assert not [path for path in fetched if "/filter/" in path], fetched
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_a_year_split_in_parts_is_one_year_to_the_reader(browser, tmp_path_factory):
    """search_part_size: 1 splits 2024 into months and 2023 into halves: the same results, and the
    year facet counts each year once."""
    site = serve_build(YEARS, tmp_path_factory.mktemp("split-served"), search_part_size=1)
    served = next(site)
    try:
        listed = json.loads((served.build.site / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"]
        assert [part["name"] for part in listed] == ["2024-03", "2024-02", "2024-01", "2023-h2", "2023-h1", "2022"]
        tab = new_tab(browser)
        ferry = [story for story in years_digest().stories if "ferry" in story.body_markdown.lower()]
        assert set(search(tab, served, "ferry")) == {story.title for story in ferry}
        tab.locator("form .dg-search__filters summary").click()
        assert facet_counts(tab) == counted(ferry)
        tab.open(served.url("search/?year=2024"))
        wait_for_results(tab)
        in_2024 = sorted((story for story in years_digest().stories if story.edition.year == 2024),
                         key=lambda story: story.published, reverse=True)
        assert shown(tab, PAGE_RESULTS) == [story.title for story in in_2024]
        assert not tab.problems, tab.problems
        tab.page.context.close()
    finally:
        site.close()


@pytest.mark.browser
def test_filtered_results_are_those_pagefinds_own_filters_give_in_its_order(years_site, tab):
    """search.js filters from the facet tables, not with Pagefind's filter files: same results, same
    order as Pagefind's own filtered search of the merged parts (asked here, in the same page)."""
    ferry = [story for story in years_digest().stories if "ferry" in story.body_markdown.lower()]
    code, _ = Counter(code for story in ferry for code in story.countries).most_common(1)[0]
    title = years_digest().countries[code].title
    tab.open(years_site.url(f"search/?q=ferry&country={quote_plus(title)}"))
    wait_for_results(tab)
    shown_links = tab.locator(f"{PAGE_RESULTS} .dg-hit__title a").evaluate_all("links => links.map(a => a.href)")
    assert 2 <= len(shown_links) < len(ferry)
    own = tab.evaluate("""async (title) => {
        const pagefind = await import(new URL('../pagefind/pagefind.js', location.href).href);
        const found = await pagefind.search('ferry', {filters: {country: {any: [title]}}});
        return Promise.all(found.results.slice(0, 10).map(async r => new URL((await r.data()).url, location.href).href));
    }""", title)
    assert shown_links == own
    assert not tab.problems, tab.problems


@pytest.mark.browser
@pytest.mark.parametrize("tag", ["transport", "labour"])
def test_a_filter_alone_lists_every_years_stories_newest_first(years_site, tab, tag):
    """Pagefind sorts each part on its own and would interleave them; search.js asks part by part."""
    digest = years_digest()
    tab.open(years_site.url("search/?topic=" + quote_plus(digest.topics[tag].title)))
    wait_for_results(tab)
    tagged = sorted((story for story in digest.stories if tag in story.tags), key=lambda story: story.published,
                    reverse=True)
    assert len({story.edition.year for story in tagged}) >= 2
    assert shown(tab, PAGE_RESULTS) == [story.title for story in tagged]
    assert tab.locator(f"{PAGE_RESULTS} .dg-search__status").inner_text() == (
        f"{len(tagged)} stories about {digest.topics[tag].title}, newest first")
    # The ticked topic counts what ticking another would add: every story's topics.
    assert facet_counts(tab) == {**counted(tagged), "Topic": counted(digest.stories)["Topic"]}
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_search_fits_a_320px_phone_in_the_header_and_on_the_page(seed_site, browser):
    tab = new_tab(browser, viewport={"width": 320, "height": 640})
    tab.open(seed_site.url(seed_pages()["story"]))
    tab.locator('label.md-header__button[for="__search"]').click()  # the magnifier opens the box
    assert tab.evaluate("document.activeElement.name") == "q"
    tab.keyboard.type("Iran")
    wait_for_results(tab, HEADER_RESULTS)
    assert tab.locator(f"{HEADER_RESULTS} .dg-hit").first.is_visible()
    panel = tab.locator("#dg-search-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 320, panel
    tab.open(seed_site.url("search/?q=Afghanistan&topic=" + quote_plus(topic_title("refugees"))))
    wait_for_results(tab)
    assert tab.locator(".dg-facet").count() == 3
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    tab.page.context.close()
    assert not tab.problems, tab.problems


@pytest.mark.browser
def test_results_show_hostile_titles_and_markup_as_text(browser, tmp_path_factory):
    dialogs: list[str] = []
    site = serve_build(FIXTURES / "hostile", tmp_path_factory.mktemp("hostile-served"))
    served = next(site)
    try:
        tab = new_tab(browser)
        tab.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        titles = search(tab, served, "alert")
        assert HOSTILE_TITLE in titles, titles
        results = tab.locator(PAGE_RESULTS)
        assert results.locator("script, img, iframe, object, embed, svg, style, form").count() == 0
        handlers = results.evaluate("r => [...r.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                                    ".map(a => a.name).filter(n => n.startsWith('on'))")
        assert handlers == []
        assert results.locator(".dg-hit__excerpt > :not(mark)").count() == 0  # text and <mark> only
        tab.page.context.close()
    finally:
        site.close()
    assert not dialogs


@pytest.mark.browser
def test_search_works_under_a_path_prefix(browser, tmp_path_factory):
    """Served from /news/digest/ (site_url says so), results still lead to the stories."""
    workdir = tmp_path_factory.mktemp("prefixed")
    root = workdir / "root" / "news"
    root.mkdir(parents=True)
    host = StaticHost(workdir / "root")
    config = mkdocs_config()
    config["site_url"] = host.base + "news/digest/"
    build = build_site(ROOT / "content", workdir, config=config)
    assert build.returncode == 0, build.output
    os.symlink(build.site, root / "digest")
    with host:
        served = Served(build, config["site_url"])
        tab = new_tab(browser)
        assert search(tab, served, BODY_WORD) == [BODY_STORY]
        open_search_result(tab, BODY_STORY)
        assert served.path_of(tab.url).startswith("stories/2024/11/afghan-refugees-in-pakistan")
        tab.open(served.url(seed_pages()["story"]))
        tab.keyboard.press("/")
        tab.keyboard.type(BODY_WORD)
        wait_for_results(tab, HEADER_RESULTS)
        assert tab.locator(f"{HEADER_RESULTS} .dg-hit__title a").get_attribute("href").startswith("/news/digest/")
        assert not tab.problems, tab.problems
        tab.page.context.close()


@pytest.mark.browser
def test_from_a_file_the_box_says_search_needs_http(seed_build, tab):
    tab.open((seed_build.site / "about" / "index.html").as_uri())
    tab.keyboard.press("/")
    tab.keyboard.type("Iran")
    wait_for_results(tab, HEADER_RESULTS)
    assert "served over http" in tab.locator(f"{HEADER_RESULTS} .dg-search__status").inner_text()


@pytest.mark.browser
def test_screenshots_of_search(seed_site, browser):
    """The header's box with results and facets, and the search page with its facets, at 1280 and
    390 px in both palettes, in tests/screenshots/ for people to look at (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    for viewport in (DESKTOP, PHONE):
        for scheme in ("light", "dark"):
            tab = new_tab(browser, viewport=viewport, color_scheme=scheme)
            header_search_with_facets(tab, seed_site.url(seed_pages()["story"]), "Iran")
            written.append(SCREENSHOTS / f"search-box-{viewport['width']}-{scheme}.png")
            tab.screenshot(path=str(written[-1]), animations="disabled")
            tab.open(seed_site.url("search/?q=Afghanistan&topic=" + quote_plus(topic_title("refugees"))))
            wait_for_results(tab)
            written.append(SCREENSHOTS / f"search-page-{viewport['width']}-{scheme}.png")
            tab.screenshot(path=str(written[-1]), full_page=True, animations="disabled")
            tab.page.context.close()
    # blank, wider than the screen, or in the wrong palette: what a reader would notice
    assert not [problem for path in written for problem in screenshot_problems(path)]


# --- search: material -----------------------------------------------------------------------------------

@pytest.mark.browser
def test_material_mode_finds_a_body_word_with_materials_own_search(material_site, tab):
    requested: list[str] = []
    tab.page.on("request", lambda request: requested.append(request.url))
    assert search(tab, material_site, BODY_WORD) == [BODY_STORY]
    assert any(url.endswith("search/search_index.json") for url in requested)
    assert not any("/pagefind/" in url for url in requested)
    open_search_result(tab, BODY_STORY)
    assert material_site.path_of(tab.url).startswith("stories/2024/11/afghan-refugees-in-pakistan")
    assert not tab.problems, tab.problems


def test_the_pagefind_process_is_where_the_preview_lowers_its_priority():
    """search.py lowers the priority of Pagefind's process during `make serve` through
    `PagefindIndex._service._backend` (pagefind 1.5.2): fails if the Python API moves it."""
    import inspect

    from pagefind.service import PagefindService

    assert "_backend" in inspect.getsource(PagefindService)
    assert "_service" in inspect.getsource(__import__("pagefind.index", fromlist=["PagefindIndex"]).PagefindIndex)


# --- Lighter first searches: pagefind_stable.compact ------------------------------------------------

def pagefind_index(pages, out):
    """`pages` (a folder of HTML) indexed by Pagefind into `out`, as the digest's indexer does."""
    import asyncio
    import concurrent.futures

    from pagefind.index import IndexConfig, PagefindIndex

    async def index():
        async with PagefindIndex(config=IndexConfig(output_path=str(out), force_language="en")) as pagefind:
            await pagefind.add_directory(str(pages))

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, index()).result()
    return out


def common_word_pages(pages):
    """120 pages (enough for `compact` to cap common words) that all say "common" five times and
    once "rare<n>", in the folder `pages`."""
    for number in range(120):
        page = pages / f"p{number:03d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<html lang=en><body><h1>Page {number}</h1><p>common one common two common three "
                        f"common four common five rare{number}</p></body></html>", encoding="utf-8")
    return pages


def test_compacting_caps_common_words_and_shortens_page_names(tmp_path):
    """120 pages that all say "common" five times and once "rare<n>": after `compact` every page
    keeps 3 positions of "common" and all of its own rare word, fragments have short names, and
    the metadata names only files that exist."""
    import gc

    from digest.pagefind_stable import COMMON_POSITIONS, _read, compact, stabilise

    out = pagefind_index(common_word_pages(tmp_path / "pages"), tmp_path / "index")
    compact(out)
    assert gc.isenabled()  # compact turns it off while it decodes, and on again
    stabilise(out)
    entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = _read(out / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    names = [page[0] for page in meta[1]]
    assert len(names) == 120 and all(re.fullmatch(r"[0-9a-f]{8}_[0-9a-z]{1,2}", name) for name in names)
    assert all((out / "fragment" / f"{name}.pf_fragment").is_file() for name in names)
    assert len(list((out / "fragment").iterdir())) == 120
    words = {}
    for chunk in meta[2]:
        for word in _read(out / "index" / f"{chunk[2]}.pf_index")[0]:
            words[word[0]] = word[1]
    assert len(words["common"]) == 120
    assert all(len([loc for loc in page[1] if loc >= 0]) == COMMON_POSITIONS for page in words["common"])
    assert all(len([loc for loc in page[1] if loc >= 0]) == 1 for page in words["rare7"])  # untouched


@pytest.fixture(scope="module")
def common_word_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("common-word-index")
    return pagefind_index(common_word_pages(folder / "pages"), folder / "index")


@pytest.mark.parametrize("change", ["indefinite length", "bignum tag", "shared value", "float", "map"])
def test_compacting_refuses_an_index_chunk_pagefind_would_not_write(common_word_index, tmp_path, change):
    """An index chunk with CBOR that Pagefind does not write is refused (`compact` does not encode
    each chunk again to compare, it decodes strictly), even where it decodes to the same numbers
    (an indefinite length, a bignum, a shared value), and the garbage collector is on again."""
    import gc

    import cbor2

    from digest.pagefind_stable import SIGNATURE, UnexpectedFormat, _read, compact

    out = shutil.copytree(common_word_index, tmp_path / "index")
    chunk = sorted((out / "index").iterdir())[0]
    words = _read(chunk)
    page = words[0][0][1][0]  # the first page of the chunk's first word: [delta, locations, ...]
    if change == "indefinite length":
        payload = cbor2.dumps(words)
        assert payload[0] == 0x81  # an array of one item (the words) ...
        payload = b"\x9f" + payload[1:] + b"\xff"  # ... written without its length
    else:
        if change == "bignum tag":
            page[0] = cbor2.CBORTag(2, page[0].to_bytes(2, "big"))  # decodes to the same integer
        elif change == "shared value":
            page[1] = cbor2.CBORTag(28, page[1])  # decodes to the same list
        elif change == "float":
            page[1] = [float(location) for location in page[1]]
        else:
            page[1] = dict(enumerate(page[1]))
        payload = cbor2.dumps(words)
    chunk.write_bytes(gzip.compress(SIGNATURE + payload, mtime=0))
    with pytest.raises(UnexpectedFormat, match="CBOR is not|word layout"):
        compact(out)
    assert gc.isenabled()


def test_pages_are_numbered_by_date_and_the_facet_table_holds_their_filter_values(tmp_path):
    """150 pages, dated in another order than Pagefind numbers them, with a topic or two and, for a
    "place" filter, one of 100 values (more than one character can number). After `compact` the
    page numbers are the date order (the date sort is left out) and every number still leads to
    its page (index and fragment);
    decoded as search.js decodes it, the facet table gives every page the values its own fragment
    lists, and it is smaller than Pagefind's filter files."""
    from digest.pagefind_stable import FACET_ALPHABET, FACETS_FILE, _read, compact, stabilise, write_facets

    pages = tmp_path / "pages"
    for number in range(150):
        page = pages / f"p{number:03d}" / "index.html"
        page.parent.mkdir(parents=True)
        topics = "".join(f'<span data-pagefind-filter="topic">Topic {t}</span>' for t in {number % 7, number % 3})
        topics += f"<p>every{number % 5}th</p>"  # a word on a fifth of the pages
        date = f"2024-{1 + (number * 7) % 12:02d}-{1 + (number * 11) % 28:02d}"
        page.write_text(f'<html lang=en><body data-pagefind-sort="date:{date}"><h1>Page {number}</h1>'
                        f"<p>words w{number}x</p>{topics}"
                        f'<span data-pagefind-filter="place">Place {number % 100}</span></body></html>',
                        encoding="utf-8")
    out = pagefind_index(pages, tmp_path / "index")
    entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert dict(_read(out / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")[4])["date"] != list(range(150))
    compact(out)
    stabilise(out)
    written = write_facets(out)
    table = json.loads(gzip.decompress((out / FACETS_FILE).read_bytes()))
    assert table == written and table["pages"] == 150
    assert table["filters"]["topic"]["width"] == 1 and table["filters"]["place"]["width"] == 2
    entry = json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = _read(out / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    assert "date" not in dict(meta[4])  # the page numbers are the date order (search.js reads them)
    urls = [fragment_record(out / "fragment" / f"{page[0]}.pf_fragment")["url"] for page in meta[1]]
    dates = [re.search(r'date:([0-9-]+)', (pages / url.strip("/") / "index.html").read_text()).group(1) for url in urls]
    assert dates == sorted(dates) and len(set(dates)) > 50  # numbered in date order
    found = {}
    for chunk in meta[2]:
        for word in _read(out / "index" / f"{chunk[2]}.pf_index")[0]:
            numbers = list(itertools.accumulate(page[0] for page in word[1]))  # delta-encoded page numbers
            found[word[0]] = [urls[number] for number in numbers]
    assert all(found[f"w{number}x"] == [f"/p{number:03d}/"] for number in range(150))
    for fifth in range(5):
        assert sorted(found[f"every{fifth}th"]) == [f"/p{n:03d}/" for n in range(150) if n % 5 == fifth]

    def values(name: str, page: int) -> list[str]:  # as Table.prototype.values in search.js
        facet = table["filters"][name]
        codes = facet["pages"].split(",")[page]
        width = facet["width"]
        numbers = [functools.reduce(lambda n, c: n * len(FACET_ALPHABET) + FACET_ALPHABET.index(c), codes[i:i + width], 0)
                   for i in range(0, len(codes), width)]
        return [facet["values"][n] for n in numbers]

    assert len(table["filters"]["topic"]["pages"].split(",")) == 150
    fragments = sorted((out / "fragment").iterdir())
    assert len(fragments) == 150
    for path in fragments:
        prefix, _, number = path.stem.partition("_")
        assert prefix == table["prefix"]
        record = fragment_record(path)
        for name in ("topic", "place"):
            assert sorted(values(name, int(number, 36))) == sorted(record["filters"][name]), (path.name, name)
    filter_bytes = sum(path.stat().st_size for path in (out / "filter").iterdir())
    assert (out / FACETS_FILE).stat().st_size < filter_bytes
