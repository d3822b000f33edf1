"""The site in a real browser (headless Chromium): search, chips, pagination, no console errors,
phones from 320 px, the palette toggle, screenshots of every page kind and a story's page weight.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from digest.bundle import minify_css, minify_js
from digest.loader import load_content

pytest.register_assert_rewrite("browser_support")  # before the import: its asserts explain themselves

from browser_support import (DESKTOP, PHONE, SCREENSHOTS, Tab, new_tab, open_search_result,  # noqa: E402
                             search, seed_pages, serve_build)
from conftest import ROOT  # noqa: E402
from screenshot_checks import screenshot_problems  # noqa: E402

pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

# A story of the seed content and a word only its body uses.
BODY_WORD, BODY_STORY = "confiscated", "Afghan refugees in Pakistan reach 3.5 million, UN agency says"


def seed_stories():
    return load_content(ROOT / "content").stories


def h1(tab: Tab) -> str:
    return " ".join(tab.locator("h1").inner_text().split())


def test_a_word_from_a_story_body_finds_the_story_and_opens_it(seed_site, tab):
    titles = search(tab, seed_site, BODY_WORD)
    assert titles == [BODY_STORY]
    open_search_result(tab, BODY_STORY)
    assert seed_site.path_of(tab.url).startswith("stories/2024/11/afghan-refugees-in-pakistan")
    assert h1(tab) == BODY_STORY
    assert not tab.problems, tab.problems


def test_a_country_name_finds_every_story_that_names_the_country(seed_site, tab):
    naming_iran = {s.title for s in seed_stories() if "ir" in s.countries}
    assert len(naming_iran) >= 2
    titles = search(tab, seed_site, "Iran")
    assert naming_iran <= set(titles), titles
    assert not tab.problems, tab.problems


def test_a_story_is_found_by_its_own_words_not_by_its_neighbours_titles(seed_site, tab):
    def words(story) -> str:
        sources = " ".join(f"{s.name} {s.title or ''}" for s in story.sources)
        return f"{story.title} {story.summary} {story.body_markdown} {sources}".lower()

    stories = seed_stories()
    mentioning = {s.title for s in stories if "islamabad" in words(s)}
    linking = {s.title for s in stories} - mentioning  # related stories and neighbours link to them
    assert mentioning and linking
    assert set(search(tab, seed_site, "Islamabad")) == mentioning


# Three stories for headline searches: a word only in a headline, the same word in another story's
# text, and a word in one story's headline and text.
HEADLINE_STORIES = {
    "quagga-counts": ("Quagga counts rise along the northern border", "Rangers on the northern border counted more "
                      "grazing herds this year than last.", "The herds were counted from the air in October."),
    "herat-officials": ("Border officials meet in Herat", "Officials from both sides met for two days.",
                        "A ranger told the meeting that a quagga herd had been seen near the crossing."),
    "teachers-return": ("Herat teachers return to their classrooms", "Schools reopened on Saturday.",
                        "Most teachers were back at work by noon, the education office said."),
}


@pytest.fixture(scope="module")
def headline_site(browser, tmp_path_factory):
    content = tmp_path_factory.mktemp("headline-content") / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("stories"))
    tag = sorted(path.stem for path in (content / "topics").glob("*.md"))[0]
    for slug, (title, summary, body) in HEADLINE_STORIES.items():
        story = content / "stories" / "2024" / "10" / f"{slug}.md"
        story.parent.mkdir(parents=True, exist_ok=True)
        story.write_text(f'---\ntitle: "{title}"\ndate: 2024-10-01\nsummary: "{summary}"\ntags: [{tag}]\n'
                         f'sources:\n  - name: "Agency"\n---\n{body}\n', encoding="utf-8")
    yield from serve_build(content, tmp_path_factory.mktemp("headline"))


def excerpts(tab: Tab) -> list[str]:
    return [" ".join(t.split()) for t in tab.locator(".dg-search-results .dg-hit__excerpt").all_inner_texts()]


def test_a_headline_word_finds_its_story_first_with_an_excerpt_from_the_story_not_the_headline(headline_site, tab):
    """The headline is not the excerpt's first words: it is the result's title already."""
    quagga, herat, teachers = (HEADLINE_STORIES[slug] for slug in ("quagga-counts", "herat-officials", "teachers-return"))
    # Only in a headline: still found, and above a story that has the word once in its text.
    assert search(tab, headline_site, "quagga") == [quagga[0], herat[0]]
    first = excerpts(tab)[0]
    assert not first.startswith(quagga[0].split()[0]) and quagga[0] not in first, first
    assert first.startswith(quagga[1])  # no word of the text matched: its beginning, the summary
    # In the headline and the text: the excerpt is the text around the word, highlighted.
    assert search(tab, headline_site, "teachers") == [teachers[0]]
    assert not excerpts(tab)[0].startswith(teachers[0].split()[0]), excerpts(tab)
    assert tab.locator(".dg-search-results .dg-hit__excerpt mark").first.inner_text().lower() == "teachers"
    assert not tab.problems, tab.problems


def test_a_story_shows_dates_for_people_and_machines_at_a_readable_line_length(seed_site, tab):
    tab.open(seed_site.url(seed_pages()["story"]))
    times = tab.locator("main time").evaluate_all(
        "els => els.map(e => [e.getAttribute('datetime'), e.textContent.trim()])")
    assert times
    for machine, person in times:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.]+([+-]\d{2}:\d{2}|Z))?", machine or ""), machine
        assert re.fullmatch(r"(\w+day )?\d{1,2} \w+ \d{4}", person), person  # Friday 29 November 2024
    # Characters per line of the body text, measured with its own font (WCAG 1.4.8: at most 80).
    per_line = tab.evaluate("""() => {
        const p = document.querySelector('.dg-body p'), style = getComputedStyle(p);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontSize} ${style.fontFamily}`;
        const average = ctx.measureText(p.textContent).width / p.textContent.length;
        return p.getBoundingClientRect().width / average;
    }""")
    assert 45 <= per_line <= 80, per_line


def test_a_topic_chip_and_a_country_chip_lead_to_their_pages(seed_site, tab):
    story = seed_pages()["story"]
    tab.open(seed_site.url(story))
    topic = tab.locator(".dg-story .dg-chip--topic").first
    name = topic.inner_text()
    tab.follow(topic)
    assert seed_site.path_of(tab.url).startswith("topics/")
    assert h1(tab).endswith(name)
    assert tab.locator(f'.dg-card a[href$="{story}"]').count() == 1  # the story is listed there

    tab.open(seed_site.url(story))
    country = tab.locator(".dg-story .dg-chip--country").first
    name = " ".join(country.inner_text().split())  # flag and name
    tab.follow(country)
    assert seed_site.path_of(tab.url).startswith("countries/")
    assert h1(tab).endswith(name)
    assert tab.locator(f'.dg-card a[href$="{story}"]').count() == 1
    assert not tab.problems, tab.problems


def test_a_long_topic_pages_through_older_and_newer_stories(fixture_site, tab):
    tab.open(fixture_site.url("topics/security/"))
    seen = []
    for number in (1, 2, 3):
        assert f"Page {number} of 3" in tab.locator(".dg-pager").inner_text()
        seen += tab.locator(".dg-card__title").all_inner_texts()
        if number < 3:
            tab.follow(tab.get_by_role("link", name="Older stories"))
    assert fixture_site.path_of(tab.url) == "topics/security/page/3/"
    assert tab.get_by_role("link", name="Older stories").count() == 0
    assert seen == [f"Security story number {n}" for n in range(7, 0, -1)]  # newest first, none twice
    tab.follow(tab.get_by_role("link", name="Newer stories"))
    assert fixture_site.path_of(tab.url) == "topics/security/page/2/"
    assert not tab.problems, tab.problems


def test_no_page_has_console_errors_or_failed_requests(seed_site, fixture_site, browser):
    tab = new_tab(browser)
    pages = [seed_site.url(path) for path in seed_pages().values()]
    pages += [fixture_site.url("topics/security/page/2/"), seed_site.url("no-such-page/")]
    problems = {}
    for url in pages:
        tab.problems.clear()
        tab.open(url, settle=True)
        expected = url.endswith("no-such-page/")  # the 404 page itself answers 404
        if found := [p for p in tab.problems if not (expected and p.endswith((url, f"({url})")))]:
            problems[url] = found
    tab.page.context.close()
    assert not problems, json.dumps(problems, indent=1)


def test_pages_do_not_fetch_the_sitemap(seed_site, browser):
    tab = new_tab(browser)
    fetched = []
    tab.page.on("request", lambda request: fetched.append(request.url) if "sitemap" in request.url else None)
    for kind in ("story", "topic", "country"):
        tab.open(seed_site.url(seed_pages()[kind]), settle=True)
    tab.page.context.close()
    assert not fetched, fetched
    assert not tab.sitemap_probe_404s, tab.sitemap_probe_404s


def test_every_page_kind_fits_a_320px_phone_without_sideways_scrolling(seed_site, fixture_site, browser):
    tab = new_tab(browser, viewport={"width": 320, "height": 640})
    pages = {kind: seed_site.url(path) for kind, path in seed_pages().items()}
    pages["topic-page-2"] = fixture_site.url("topics/security/page/2/")
    wide = {}
    for kind, url in pages.items():
        tab.open(url)
        if (width := tab.evaluate("document.documentElement.scrollWidth")) > 320:
            wide[kind] = width
    tab.page.context.close()
    assert not wide, f"wider than 320 px: {wide}"


def test_an_editions_count_under_its_date_on_a_phone_starts_where_the_date_starts(seed_site, browser):
    """The archive month's and the home page's edition headings: a date too long for the line
    with its count sends the whole count to the next line, flush with the date, not indented."""
    edition = seed_pages()["edition"].split("/")[1]  # editions/<yyyy-mm-dd>/
    tab = new_tab(browser, viewport=PHONE)
    wrapped, misplaced = 0, []
    for path, heading in ((f"archive/{edition[:4]}/{edition[5:7]}/", ".dg-archive-edition h2"),
                          ("", ".dg-earlier__edition h3")):
        tab.open(seed_site.url(path))
        boxes = tab.evaluate("""(heading) => [...document.querySelectorAll(heading)].map(h => {
            const date = h.querySelector('a').getBoundingClientRect();
            const count = h.querySelector('.dg-count').getBoundingClientRect();
            return {text: h.textContent.trim(), date: [date.left, date.bottom], count: [count.left, count.top],
                    lines: h.querySelector('.dg-count').getClientRects().length}; })""", heading)
        assert boxes, f"no {heading} on /{path}"
        for box in boxes:
            if box["lines"] > 1:
                misplaced.append((path, box))  # half a count: "4" beside the date, "stories" under it
            elif box["count"][1] >= box["date"][1] - 1:  # the count is under the date
                wrapped += 1
                if abs(box["count"][0] - box["date"][0]) > 0.5:
                    misplaced.append((path, box))
    tab.page.context.close()
    assert wrapped, "no count wrapped at 390 px: this test would prove nothing"
    assert not misplaced, misplaced


def test_the_palette_toggle_switches_between_light_and_dark(seed_site, tab):
    tab.open(seed_site.url(seed_pages()["story"]))
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert tab.evaluate(scheme) == "default"
    background = "getComputedStyle(document.body).backgroundColor"
    light = tab.evaluate(background)
    tab.locator('label[title="Switch to dark mode"]').click()  # Material's toggle: a label for a radio
    assert tab.evaluate(scheme) == "slate"
    assert tab.evaluate(background) != light
    tab.locator('label[title="Switch to light mode"]').click()
    assert tab.evaluate(scheme) == "default"


def test_screenshots_of_every_page_kind(seed_site, fixture_site, browser):
    """Full-page screenshots of every page kind at 1280 and 390 px, and of a few in the dark
    palette, in tests/screenshots/ for people to look at (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {kind: seed_site.url(path) for kind, path in seed_pages().items()}
    pages["topic-page-2"] = fixture_site.url("topics/security/page/2/")
    dark = ("home", "story", "topic-index", "country")
    written = []
    for viewport, scheme, kinds in ((DESKTOP, "light", pages), (PHONE, "light", pages),
                                    (DESKTOP, "dark", dark), (PHONE, "dark", dark)):
        tab = new_tab(browser, viewport=viewport, color_scheme=scheme)
        for kind in kinds:
            tab.open(pages[kind])
            path = SCREENSHOTS / f"{kind}-{viewport['width']}-{scheme}.png"
            tab.screenshot(path=str(path), full_page=True, animations="disabled")
            written.append(path)
        if scheme == "light":
            search(tab, seed_site, "Pakistan")
            path = SCREENSHOTS / f"search-results-{viewport['width']}-{scheme}.png"
            tab.screenshot(path=str(path), animations="disabled")
            written.append(path)
        tab.page.context.close()
    # blank, wider than the screen, or in the wrong palette: what a reader would notice
    assert not [problem for path in written for problem in screenshot_problems(path)]


def test_a_story_page_first_load_weighs_under_the_budget(seed_site, browser):
    """Bytes a reader's browser fetches for a story page with a cold cache, by kind: as served here
    (no compression) and as a host that gzips text would send them. Written to
    tests/screenshots/page-weight.json and reported in BENCHMARKS.md."""
    tab = new_tab(browser, viewport=PHONE)
    finished = []
    tab.page.on("requestfinished", lambda request: finished.append(request))
    tab.open(seed_site.url(seed_pages()["story"]), settle=True)  # the search index comes after load
    rows = {}
    for request in finished:
        url = seed_site.path_of(request.url) or "/"
        if url in rows:  # the same file again (Material asks for sitemap.xml once per feed link)
            rows[url]["requests"] += 1
            continue
        body = request.response().body()
        rows[url] = {"kind": _kind(url, request.resource_type), "requests": 1, "bytes": len(body),
                     "gzip": len(gzip.compress(body, compresslevel=6)) if _compressible(url) else len(body)}
    tab.page.context.close()
    totals = {}
    for row in rows.values():
        total = totals.setdefault(row["kind"], {"requests": 0, "bytes": 0, "gzip": 0})
        for key in total:
            total[key] += row[key]
    totals["all"] = {key: sum(t[key] for t in totals.values()) for key in ("requests", "bytes", "gzip")}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "page-weight.json").write_text(json.dumps({"totals": totals, "files": rows}, indent=1))
    assert {"html", "css", "js"} <= set(totals), totals
    # Pagefind's index comes only when the reader searches; Material's with every page.
    assert ("search index" in totals) == (seed_site.engine == "material"), totals
    assert totals["all"]["gzip"] < 250_000, totals  # budget: a phone on a slow network


def _kind(url: str, resource_type: str) -> str:
    if url.endswith("search_index.json") or url.startswith("pagefind/"):
        return "search index"
    if url.endswith("sitemap.xml"):
        return "sitemap (Material's alternate-link probe)"
    if url.endswith(".js"):
        return "js"  # the search worker's script counts as "other" to the browser
    if url.endswith((".png", ".svg", ".ico")):
        return "images"  # the favicon too
    return {"document": "html", "stylesheet": "css", "image": "images", "font": "fonts"}.get(resource_type, "other")


def _compressible(url: str) -> bool:
    return not url.endswith((".png", ".jpg", ".webp", ".woff2"))


# --- Phones: one stylesheet of ours, minified; search.js on demand; listings under 800 elements ---

LISTING_CARDS = 50  # a full topic page (page_size)
DOM_BUDGET = 800  # Lighthouse flags a DOM above this size ("avoid an excessive DOM size")


def _crowded_content(folder: Path) -> tuple[Path, list[str], list[str]]:
    """The seed's topics and countries with 50 stories of its first topic, every one with the most
    chips a story of the bench carries (scripts/bench.py: 4 topics and 3 countries; the schema
    itself sets no maximum, and each chip is one element of a card). No seed story: page 1 is
    these 50 cards and nothing lighter."""
    from bench import COUNTRIES_PER_STORY, TAGS_PER_STORY

    content = folder / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("stories"))
    tags = sorted(path.stem for path in (content / "topics").glob("*.md"))[:TAGS_PER_STORY[1]]
    countries = ["af", "pk", "ir", "sy", "ua", "ru"][:COUNTRIES_PER_STORY[1]]
    for number in range(LISTING_CARDS):
        story = content / "stories" / "2024" / "10" / f"listing-story-{number:02d}.md"
        story.parent.mkdir(parents=True, exist_ok=True)
        story.write_text(
            f'---\ntitle: "Listing story {number} with a headline of a usual length for a news digest"\n'
            f"date: 2024-10-{1 + number % 28:02d}\n"
            'summary: "A summary of two lines or so, as the stories of the digest have them, to fill the card."\n'
            f"tags: [{', '.join(tags)}]\ncountries: [{', '.join(countries)}]\n"
            'sources:\n  - name: "Agency"\n    url: "https://example.org/a"\n  - name: "Paper"\n---\n'
            "Body text of the story.\n", encoding="utf-8")
    return content, tags, countries


@pytest.fixture(scope="module")
def crowded_site(browser, tmp_path_factory):
    content, tags, countries = _crowded_content(tmp_path_factory.mktemp("crowded-content"))
    for served in serve_build(content, tmp_path_factory.mktemp("crowded")):
        yield served, tags, countries


@pytest.mark.parametrize("kind", ["topic", "country"])
def test_a_listing_of_fifty_cards_with_the_most_chips_stays_under_800_elements(crowded_site, tab, kind):
    """Counted as Lighthouse counts, in the page the browser holds once Material's scripts ran;
    every card keeps its date, source count and every chip."""
    site, tags, countries = crowded_site
    tab.open(site.url(f"topics/{tags[0]}/" if kind == "topic" else f"countries/{countries[0]}/"), settle=True)
    cards = tab.locator("article.dg-card")
    assert cards.count() == LISTING_CARDS  # a full page
    for card in cards.all()[::7]:
        assert card.locator("time[datetime]").count() == 1 and "2 sources" in card.inner_text()
        assert card.locator(".dg-chip--topic").count() == len(tags)
        assert card.locator(".dg-chip--country[data-flag]").count() == len(countries)
    elements = tab.evaluate("document.getElementsByTagName('*').length")
    per_card = cards.first.evaluate("card => card.getElementsByTagName('*').length + 1")
    assert elements < DOM_BUDGET, f"{elements} elements, {per_card} of them in each card"


def test_our_css_is_one_minified_stylesheet_and_search_js_is_not_in_the_page(seed_build):
    html = seed_build.page(seed_pages()["story"])
    ours = re.findall(r'<link rel="stylesheet" href="([^"]*assets/digest/[^"]+)"', html)
    assert len(ours) == 1 and re.search(r"digest\.[0-9a-f]{8}\.min\.css$", ours[0]), ours
    css = (seed_build.site / seed_pages()["story"] / ours[0]).resolve().read_text(encoding="utf-8")
    assert "/*" not in css and "\n" not in css.strip() and ".dg-hit" in css  # digest.css and search.css
    assert not re.search(r'<script[^>]+src="[^"]*assets/digest/', html)  # loaded on first use only
    script = re.search(r'data-dg-script="([^"]+)"', html).group(1)
    assert re.fullmatch(r"(\.\./)*assets/digest/search\.[0-9a-f]{8}\.min\.js", script), script
    assert (seed_build.site / seed_pages()["story"] / script).resolve().is_file()


# Conservative minification (bundle.py): what changes and what never does.
@pytest.mark.parametrize("source, expected", [
    # A space before ":" stays: in a selector it is a descendant combinator (".x :hover").
    ("a , b > c { color : red ; }", "a,b>c{color :red}"),
    ("@media screen and (min-width: 60em) { .x :hover { a: b } }", "@media screen and (min-width:60em){.x :hover{a:b}}"),
    ('.x::before { content: "/* kept */  " / ""; }', '.x::before{content:"/* kept */  " / ""}'),
    ("a { margin: 0 /* gone */ auto; }", "a{margin:0 auto}"),
])
def test_css_minification_keeps_every_token(source, expected):
    assert minify_css(source) == expected + "\n"


@pytest.mark.parametrize("source, expected", [
    ("var a = 1;   // note\n\n  var b = /\\/\\//.test(x) ? 2 : a / 2;", 'var a = 1;\nvar b = /\\/\\//.test(x) ? 2 : a / 2;'),
    ('x = "// not a comment";  /* a\n b */ y()', 'x = "// not a comment";\ny()'),
    ("return /[/]/g", "return /[/]/g"),
])
def test_js_minification_keeps_every_token_and_line_break(source, expected):
    assert minify_js(source) == expected + "\n"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the minified search.js is not parsed")
def test_the_minified_search_script_parses(tmp_path):
    script = tmp_path / "search.min.js"
    script.write_text(minify_js((ROOT / "site_plugins" / "digest" / "assets" / "search.js").read_text(encoding="utf-8")))
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
