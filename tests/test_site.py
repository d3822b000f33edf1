"""The built site: pages, links between them, pagination, drafts, navigation, search index."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import yaml

from conftest import FIXTURES, build_site, mkdocs_config
from digest import engine
from html_support import parse


@pytest.fixture(scope="module")
def site(fixture_build):
    build = fixture_build("site", page_size=3)
    assert build.returncode == 0, build.output
    return build


def pages(build) -> list[Path]:
    return sorted(build.site.rglob("*.html"))


def test_every_story_has_its_page_and_drafts_have_none(site):
    stories = sorted(p.parent.name for p in (site.site / "stories").rglob("index.html"))
    assert len(stories) == 11
    assert "draft-story" not in stories
    for path in site.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            assert "Secret draft story" not in path.read_text(encoding="utf-8"), path


def test_a_story_page_shows_lead_sources_chips_related_and_neighbours(site):
    html = site.page("stories/2024/11/security-story-4/")
    assert re.search(r"<h1[^>]*>Security story number 4</h1>", html)
    assert re.search(r'<p class="dg-lead"[^>]*>Security summary 4.</p>', html)
    assert "Sources" in html and "TASS" in html
    assert 'href="../../../../topics/security/"' in html
    assert 'href="../../../../countries/af/"' in html and "Afghanistan" in html
    related = html.split("Related stories", 1)[1].split("</section>", 1)[0]
    assert related.count("<li>") == 5 and "Security story number" in related
    assert "Previous story" in html and "Next story" in html
    assert html.count("<h1") == 1


def test_editions_order_stories_by_weight_then_newest_and_link_their_neighbours(site):
    html = site.page("editions/2024-11-27/")
    assert html.index("Norway and Sweden agree") < html.index("Security story number 7")  # weight 0, then 1
    assert "Previous edition" in html and "Next edition" in html
    assert 'href="../../editions/2024-11-26/" rel="prev"' in html


def test_the_home_page_shows_the_latest_edition_then_earlier_headlines(site):
    html = site.page("")
    assert "Welcome to the fixture digest." in html
    latest = html.split('id="dg-latest"', 1)[1].split("Earlier editions", 1)[0]
    assert "Saturday 30 November 2024" in latest  # 23:30 in New York is the 30th in UTC
    assert "Late night in New York" in latest
    earlier = html.split("Earlier editions", 1)[1]
    assert "Security story number 7" in earlier and "Norway and Sweden agree" in earlier


def test_a_long_topic_is_paginated(site):
    first = site.page("topics/security/")
    assert "Intro to security." in first
    assert first.count('class="dg-card"') == 3
    second = site.page("topics/security/page/2/")
    third = site.page("topics/security/page/3/")
    assert second.count('class="dg-card"') == 3 and third.count('class="dg-card"') == 1
    assert "Page 2 of 3" in second
    assert 'href="../../../../topics/security/page/3/" rel="next"' in second
    assert 'href="../../../../topics/security/" rel="prev"' in second
    assert not (site.site / "topics/security/page/4").exists()
    assert "Security story number 7" in first and "Security story number 1" in third  # newest first


def test_topic_and_country_indexes_count_their_stories(site):
    topics = site.page("topics/")
    assert re.search(r"Security</strong></a>\s*<span class=\"dg-count\">7 stories", topics)
    countries = site.page("countries/")
    assert "Norway" in countries and "🇳🇴" in countries and "Sweden" in countries
    assert not (site.site / "countries/de").exists()  # an intro alone makes no page
    assert "Our Afghanistan coverage." in site.page("countries/af/")
    assert "Norway and Sweden agree" in site.page("countries/no/")


def test_the_archive_lists_every_month_by_year_with_its_counts(site):
    html = site.page("archive/")
    assert html.index(">2024<") < html.index(">2023<")
    assert html.index("November 2024") < html.index("October 2024") < html.index("December 2023")
    assert 'href="../archive/2024/11/">November 2024</a>' in html
    assert html.count('href="../archive/20') == 3 and 'href="../editions/' not in html


def test_a_month_of_the_archive_shows_its_editions_with_their_headlines(site):
    html = site.page("archive/2024/11/")
    assert "<title>Archive: November 2024 - " in html
    assert html.count('href="../../../editions/2024-11-') == 8
    assert "Norway and Sweden agree" in html and 'href="../../../stories/2024/11/norway-and-sweden-agree/"' in html
    assert "Secret draft story" not in html
    assert 'href="../../../archive/2024/10/"' in html and "Previous month" in html and "Next month" not in html
    older = site.page("archive/2023/12/")
    assert "Next month</span> October 2024" in older and "Previous month" not in older


def test_every_internal_link_resolves(site):
    broken = []
    for page in pages(site):
        base = "/" + page.relative_to(site.site).as_posix()
        for href in [a.get("href") for a in parse(page.read_text(encoding="utf-8")).iter("a") if a.get("href")]:
            if urlsplit(href).scheme or href.startswith("#"):
                continue
            target = urlsplit(urljoin(base, urldefrag(href)[0])).path
            path = site.site / target.lstrip("/")
            if not (path.is_file() or (path / "index.html").is_file()):
                broken.append(f"{page.relative_to(site.site)} -> {href}")
    assert not broken, broken


def test_the_navigation_holds_the_sections_and_no_story(site):
    nav = [a.text() for a in parse(site.page("about/")).iter("a", class_="md-nav__link")]
    for section in ("Home", "Topics", "Countries", "Archive", "About"):
        assert section in nav
    assert not [link for link in nav if "story" in link.lower() or "Norway" in link]


def test_search_indexes_stories_with_their_country_names_and_skips_listings(fixture_build):
    site = fixture_build("site", page_size=3, search="material")  # Material's index; Pagefind's: test_search.py
    index = json.loads((site.site / "search/search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    assert any(loc.startswith("stories/2024/11/norway-and-sweden-agree/") for loc in locations)
    assert not any(loc.startswith(("topics/", "countries/", "editions/", "archive/")) for loc in locations)
    norway = " ".join(d["text"] for d in index["docs"] if d["location"].startswith("stories/2024/11/norway"))
    assert "Norway" in norway and "Oslo and Stockholm agreed" in norway
    assert "zebrafish3" in json.dumps(index)


def test_the_search_page_reads_q_from_its_address(site):
    html = site.page("search/")
    assert 'name="q"' in html and 'role="search"' in html


def test_invalid_content_fails_the_build_with_every_problem_and_no_traceback(tmp_path):
    build = build_site(FIXTURES / "broken", tmp_path)
    assert build.returncode != 0
    assert "Traceback" not in build.output
    assert "content/stories/2024/11/unknown-tag.md:5: unknown tag 'refugee'" in build.output
    assert "content/stories/2024/11/not-utf8.md:2: file is not valid UTF-8" in build.output
    assert build.output.count("content/stories/") >= 26


def test_the_seed_digest_has_every_page(seed_build):
    from digest.loader import load_content
    from conftest import ROOT

    content = load_content(ROOT / "content")
    assert len(content.stories) == 7
    for story in content.stories:
        html = seed_build.page(story.url)
        assert story.title.replace("'", "&#39;") in html
        assert story.title.replace("'", "&#39;") in seed_build.page(f"editions/{story.edition.isoformat()}/")
        for tag in story.tags:
            assert story.url.split("/")[-2] in seed_build.page(f"topics/{tag}/")
        for code in story.countries:
            assert story.url.split("/")[-2] in seed_build.page(f"countries/{code}/")
    assert len(list((seed_build.site / "pagefind").glob("*/fragment/*"))) == len(content.stories)  # Pagefind's parts


def test_mkdocs_serve_shows_drafts(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    shutil.copytree(FIXTURES / "site", tmp_path / "content")
    config = mkdocs_config()
    config.update(docs_dir="content")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    server = subprocess.Popen(
        engine.command("serve", "--dev-addr", f"127.0.0.1:{port}", "--no-livereload"),
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/stories/2024/11/draft-story/", timeout=5) as r:
                    page = r.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "Secret draft story" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert "Secret draft story" in r.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_story_kicker_shows_each_country_with_its_flag_and_the_name_readers_use(site):
    html = site.page("stories/2024/11/norway-and-sweden-agree/")
    kicker = html[html.index('class="dg-kicker"'):].split("</p>")[0]
    assert '<span class="dg-flag" aria-hidden="true">\U0001F1F3\U0001F1F4</span> Norway' in kicker
    assert "Sweden" in kicker and "NO" not in kicker.replace("NOV", "")
