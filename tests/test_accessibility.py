"""Accessibility of every page kind in a real browser: axe-core finds no serious or critical
WCAG 2 A/AA violation in either palette, and the basics a screen-reader or keyboard user relies
on hold: language, one h1, landmarks, link text that makes sense alone, visible focus.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.register_assert_rewrite("browser_support")  # before the import: its asserts explain themselves

from browser_support import PHONE, axe_violations, header_search_with_facets, new_tab, search, seed_pages  # noqa: E402
from conftest import ROOT  # noqa: E402

pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

KINDS = list(seed_pages())
# Link texts that say nothing once read out of context (a screen reader's list of links).
VAGUE = {"here", "click here", "more", "read more", "link", "this", "details", "rss", "atom", "json feed"}


@pytest.fixture(scope="module")
def tabs(browser):
    """One light and one dark desktop page, reused by the module's tests."""
    opened = {scheme: new_tab(browser, color_scheme=scheme) for scheme in ("light", "dark")}
    yield opened
    for tab in opened.values():
        tab.page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_violation(seed_site, tabs, kind, scheme):
    tab = tabs[scheme]
    tab.open(seed_site.url(seed_pages()[kind]))
    violations = axe_violations(tab)
    assert not violations, "\n".join(violations)


def test_axe_finds_no_serious_violation_on_a_phone(seed_site, fixture_site, browser):
    tab = new_tab(browser, viewport=PHONE)
    found = {}
    pages = [seed_site.url(seed_pages()[kind]) for kind in ("home", "story", "country")]
    for url in pages + [fixture_site.url("topics/security/page/2/")]:
        tab.open(url)
        if violations := axe_violations(tab):
            found[url] = violations
    tab.page.context.close()
    assert not found, found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_serious_violation_in_search_results_and_facets(seed_site, browser, scheme, viewport):
    """The search page with results and its facets open, and the header's box open with results."""
    tab = new_tab(browser, color_scheme=scheme, **({"viewport": PHONE} if viewport == "phone" else {}))
    found = {}
    assert search(tab, seed_site, "Afghanistan")
    if seed_site.engine == "pagefind":
        tab.locator("form .dg-search__filters summary").click()
        tab.locator(".dg-facet").first.wait_for()
    found["search page"] = axe_violations(tab)
    if seed_site.engine == "pagefind":
        header_search_with_facets(tab, seed_site.url(seed_pages()["story"]), "Iran")
        found["header box"] = axe_violations(tab)
    tab.page.context.close()
    assert not any(found.values()), found


@pytest.mark.parametrize("kind", KINDS)
def test_language_one_h1_and_landmarks(seed_site, tabs, kind):
    tab = tabs["light"]
    tab.open(seed_site.url(seed_pages()[kind]))
    assert tab.evaluate("document.documentElement.lang") == "en"
    assert tab.locator("h1").count() == 1
    for role in ("banner", "main", "contentinfo"):
        assert tab.get_by_role(role).count() == 1, role
    assert tab.get_by_role("navigation").count() >= 1
    assert tab.get_by_role("search").count() >= 1


@pytest.mark.parametrize("kind", KINDS)
def test_every_link_in_the_main_column_makes_sense_alone(seed_site, tabs, kind):
    tab = tabs["light"]
    tab.open(seed_site.url(seed_pages()[kind]))
    names = tab.evaluate("""() => [...document.querySelectorAll('main a[href], footer a[href]')]
        .filter(a => a.offsetParent !== null)
        .map(a => (a.getAttribute('aria-label') || a.textContent).replace(/\\s+/g, ' ').trim())""")
    assert names
    assert not [n for n in names if not n or n.lower() in VAGUE], names


def test_keyboard_focus_is_visible_on_every_stop_of_a_story_page(seed_site, tabs):
    tab = tabs["light"]
    tab.open(seed_site.url(seed_pages()["story"]))
    invisible, stops_in_main = [], 0
    for _ in range(40):
        tab.keyboard.press("Tab")
        focused = tab.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            const s = getComputedStyle(e);
            const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            return {what: e.tagName + ' ' + (e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 40),
                    inMain: !!e.closest('main'), ring, shadow: s.boxShadow !== 'none'};
        }""")
        if focused and focused["inMain"]:
            stops_in_main += 1
            if not (focused["ring"] or focused["shadow"]):
                invisible.append(focused["what"])
    assert stops_in_main >= 10
    assert not invisible, invisible


# --- Valid HTML: the Nu HTML checker (vnu.jar) on every page kind ----------------------------------

# What Material 9.8's base.html itself emits on every page, which the digest does not override
# (base.html is Material's, not a block): its two toggles, <input type="checkbox"
# autocomplete="off"> for the drawer and the search, carry an attribute HTML allows only on text-like
# inputs (Material sets it so that Firefox does not restore a toggle's state on reload).
MATERIAL_BASE = (re.compile(r"Attribute “autocomplete” is only allowed when the input type is"),)


def vnu_jar() -> str | None:
    """vnu.jar from $VNU_JAR, else the one make installs from tools/package-lock.json (npm)."""
    jar = os.environ.get("VNU_JAR") or str(ROOT / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
    return jar if Path(jar).is_file() else None


def test_every_page_kind_is_valid_html_apart_from_materials_base_template(seed_build, fixture_build):
    jar = vnu_jar()
    if jar is None or shutil.which("java") is None:
        if os.environ.get("DIGEST_REQUIRE_BROWSER"):  # CI (.ci/run) installs Java: a skip there is a failure
            pytest.fail("the Nu HTML checker needs java on the PATH and vnu.jar (make installs it with npm)")
        pytest.skip("the Nu HTML checker is not installed: run the tests with make "
                    "(it installs vnu.jar with npm) or set VNU_JAR, and have java on the PATH")
    pages = [seed_build.site / url / "index.html" for url in seed_pages().values()] + [seed_build.site / "404.html"]
    paged = fixture_build("site", page_size=3)
    pages += [paged.site / "topics" / "security" / "page" / "2" / "index.html", paged.site / "archive" / "2024" / "11" / "index.html"]
    result = subprocess.run(["java", "-jar", jar, "--format", "json", "--exit-zero-always", *map(str, pages)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert len({m["url"] for m in messages if any(p.search(m["message"]) for p in MATERIAL_BASE)}) == len(pages)
    left = [f'{m["url"].split("/site/")[-1]}:{m.get("lastLine")}: {m["type"]} {m.get("subType", "")}: {m["message"]}'
            for m in messages if not any(p.search(m["message"]) for p in MATERIAL_BASE)]
    assert not left, "\n".join(left)
