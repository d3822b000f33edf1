"""The edition email as a reader sees it, in Chromium: one column that fits a phone from 320 px
without sideways scrolling, 600 px at most, readable contrast in light and dark, nothing fetched.
Screenshots at 600 and 375 px, light and dark, go to tests/screenshots/ (git-ignored)."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("browser_support")  # before the import, as in test_browser.py

from browser_support import SCREENSHOTS  # noqa: E402
from conftest import ROOT, build_site  # noqa: E402

pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser

# Text colour against the nearest painted background, as WCAG computes contrast.
CONTRAST = """(selector) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  return [...document.querySelectorAll(selector)].map((element) => {
    let node = element, background = null;
    while (node && node.nodeType === 1) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { background = colour.slice(0, 3); break; }
      node = node.parentElement;
    }
    background = background || [255, 255, 255];
    const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}"""
TEXT = ".site, .dateline, .headline a, .summary, .more a, .footer p, .footer a"


@pytest.fixture(scope="module")
def email_html(browser, tmp_path_factory):
    """The seed's edition with the most stories, as built."""
    build = build_site(ROOT / "content", tmp_path_factory.mktemp("email-browser"))
    assert build.returncode == 0, build.output
    emails = sorted(build.site.glob("editions/*/email.html"),
                    key=lambda p: p.read_text(encoding="utf-8").count('class="story"'))
    return emails[-1]


def open_email(browser, path, *, width: int, scheme: str):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    fetched: list[str] = []

    def refuse(route):
        fetched.append(route.request.url)
        route.abort()

    page.route("http*://**/*", refuse)  # an email opened offline: it must need nothing else
    page.goto(path.as_uri())
    return page, fetched


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [600, 375])
def test_screenshots_of_the_email(browser, email_html, width, scheme):
    page, fetched = open_email(browser, email_html, width=width, scheme=scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"email-{width}-{scheme}.png"), full_page=True)
    assert fetched == []  # no web fonts, remote CSS or tracking pixels
    page.context.close()


@pytest.mark.parametrize("width", [320, 375])
def test_a_phone_reads_the_email_without_sideways_scrolling(browser, email_html, width):
    page, _ = open_email(browser, email_html, width=width, scheme="light")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    frame = page.locator(".frame").bounding_box()
    assert frame["width"] <= width
    # The text keeps a readable size and the story column its padding.
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.summary')).fontSize)") >= 16
    page.context.close()


def test_the_column_is_600_pixels_on_a_wide_screen(browser, email_html):
    page, _ = open_email(browser, email_html, width=1280, scheme="light")
    frame = page.locator(".frame").bounding_box()
    assert frame["width"] == 600 and abs(frame["x"] - (1280 - 600) / 2) <= 1  # centred
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_text_has_aa_contrast_in_light_and_dark(browser, email_html, scheme):
    page, _ = open_email(browser, email_html, width=600, scheme=scheme)
    ratios = page.evaluate(CONTRAST, TEXT)
    assert ratios and min(ratios) >= 4.5, ratios
    background = page.evaluate("getComputedStyle(document.querySelector('.frame')).backgroundColor")
    assert (background == "rgb(255, 255, 255)") == (scheme == "light")  # the dark colours apply
    page.context.close()
