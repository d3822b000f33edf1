"""Search, in both modes. `search: pagefind` (the default): Pagefind's index of the story pages,
the header's box with results as you type, facets with counts (topic, country, year), the search
page whose address holds the search (/search/?q=...&topic=...). `search: material`: Material's own
box and index, for a site that must work from file://.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from digest.index import build_digest
from digest.loader import load_content

pytest.register_assert_rewrite("browser_support")  # before the import: its asserts explain themselves

from browser_support import (DESKTOP, HEADER_RESULTS, PAGE_RESULTS, PHONE, SCREENSHOTS, Served, StaticHost, Tab,  # noqa: E402
                             header_search_with_facets, new_tab, open_search_result, search, seed_pages, serve_build,
                             wait_for_results)
from conftest import FIXTURES, ROOT, build_site, mkdocs_config  # noqa: E402

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

def test_the_default_build_indexes_every_story_with_pagefind(seed_build):
    site = seed_build.site
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert len(list((site / "pagefind" / "fragment").iterdir())) == len(seed().stories)  # one per story
    assert not (site / "search" / "search_index.json").exists()
    for url in seed_pages().values():
        html = seed_build.page(url)
        assert "data-dg-search" in html and "assets/digest/search.js" in html, url
        # Material's bundle would bind its search to these and fetch an index that is not there.
        assert 'data-md-component="search' not in html, url


def pagefind_records(site) -> list[dict]:
    """The story records of a Pagefind index: its fragment files, gzipped JSON after a signature."""
    records = []
    for path in sorted((site / "pagefind" / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        records.append(json.loads(data[len(b"pagefind_dcd"):]))
    return records


def test_pagefind_indexes_story_pages_with_their_filters_and_nothing_else(fixture_build):
    build = fixture_build("site", page_size=3)
    assert build.returncode == 0, build.output
    records = {record["url"]: record for record in pagefind_records(build.site)}
    stories = sorted(p.parent.relative_to(build.site).as_posix() for p in (build.site / "stories").rglob("index.html"))
    assert sorted(url.strip("/") for url in records) == stories  # no listing, edition or other page
    norway = records["/stories/2024/11/norway-and-sweden-agree/"]
    assert "Oslo and Stockholm agreed" in norway["content"]
    assert "Norway" in norway["filters"]["country"] and norway["filters"]["year"] == ["2024"]
    assert norway["filters"]["topic"] and set(norway["meta"]) >= {"title", "date", "summary"}
    assert any("zebrafish3" in record["content"] for record in records.values())
    for record in records.values():  # what readers see of a page is the page's own text only
        assert "Related stories" not in record["content"] and "Follow The digest" not in record["content"]


def test_material_mode_keeps_materials_search_box_and_index(fixture_build):
    build = fixture_build("site", page_size=3, search="material")
    assert build.returncode == 0, build.output
    assert (build.site / "search" / "search_index.json").is_file()
    assert not (build.site / "pagefind").exists()
    assert not (build.site / "assets" / "digest" / "search.js").exists()
    html = build.page("about/")
    assert 'data-md-component="search"' in html and "data-dg-search" not in html
    assert 'name="q"' in build.page("search/")


# --- The header's box (search: pagefind) -------------------------------------------------------------

@pytest.mark.browser
def test_a_story_page_fetches_no_search_index_until_the_reader_searches(seed_site, tab):
    requested: list[str] = []
    tab.page.on("request", lambda request: requested.append(request.url))
    tab.open(seed_site.url(seed_pages()["story"]), settle=True)
    assert not fetched_search_index(requested), requested

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
    assert all(path.stat().st_size > 5_000 for path in written)


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
