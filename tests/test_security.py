"""Nothing a contributor writes runs in a reader's browser.

Hostile content (tests/fixtures/hostile) is built into a site and every built page is parsed:
no <script> that is not the theme's, no event-handler attribute, no javascript:/data:/vbscript:
URL, no attribute break-out, no id that clobbers the theme's. Feeds, sitemaps and the search
index are read the same way. Front matter with HTML (tests/fixtures/hostile-frontmatter) is
refused at validation with `path:line` messages.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import ROOT
from digest import render, sanitize

SITE_HOST = urlsplit(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).hostname
SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "srcset", "imagesrcset", "xlink:href", "poster", "data",
    "background", "cite", "lowsrc", "dynsrc", "ping", "longdesc", "usemap", "codebase", "archive",
    "manifest", "icon", "profile",
}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "fencedframe"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
DROPPED_FROM_CONTRIBUTOR_HTML = {"script", "style", "form", "input", "button", "textarea", "select", "svg", "math",
                                 "link", "meta"}
URL_KEYS = ("url", "link", "loc", "href", "guid", "id", "src", "uri")  # of feed, sitemap and JSON fields
ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_.:-]*$")
# Where contributor HTML lands on a page: story bodies, intros, sources, ordinary pages.
CONTENT_REGIONS = {"dg-body", "dg-intro", "dg-sources", "md-content__inner"}
CONTRIBUTOR_REGIONS = {"dg-body", "dg-intro"}  # nothing but contributor HTML inside
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: tabs and newlines removed anywhere, controls and spaces
    stripped at both ends (WHATWG URL parsing); html.parser has already decoded entities."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip(_C0_AND_SPACE)
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def unsafe_url(value: str) -> bool:
    scheme = url_scheme(value)
    return scheme is not None and scheme not in SAFE_SCHEMES


def third_party(value: str) -> bool:
    """An absolute or protocol-relative URL to a host other than the site's."""
    cleaned = value.strip(_C0_AND_SPACE)
    if not (url_scheme(cleaned) in ("http", "https") or cleaned.startswith("//")):
        return False
    return (urlsplit(cleaned).hostname or "") != SITE_HOST


def normalise_script(text: str) -> str:
    """Material's inline scripts differ between pages only by the relative path to the root."""
    return re.sub(r'(?:\.\./)*\.\.(?=[",/])|(?<=")\.(?=")', "REL", text.strip())


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: list[str] = field(default_factory=list)
    in_content: bool = False  # inside a region where contributor HTML lands


class Audit(HTMLParser):
    """Reads one HTML document (or fragment) and lists what could run in a browser."""

    def __init__(self, *, fragment: bool, links: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.links = links  # check rel on external links
        self.problems: list[str] = []
        self.scripts: list[Element] = []  # inline and external, with their text
        self.styles: list[str] = []  # <style> texts
        self.style_attributes: list[str] = []
        self.ids: Counter[str] = Counter()
        self.theme_ids: set[str] = set()  # ids outside story bodies and intros
        self.elements: list[Element] = []  # every start tag with its text, in order
        self._open: list[Element] = []  # elements whose text is being collected
        self._regions: list[list] = []  # [tag, depth, contributor only?] of the content regions we are in
        self._raw: Element | None = None  # the <script> or <style> being read

    # -- parsing ------------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), in_content=self.fragment or bool(self._regions))
        self.elements.append(element)
        self._check(element, attrs)
        if tag in ("script", "style"):
            self._raw = element
        elif tag not in ("br", "hr", "img", "input", "link", "meta", "source", "wbr", "area", "col", "embed"):
            self._open.append(element)
        classes = set((element.attrs.get("class") or "").split())
        for region in self._regions:
            if region[0] == tag:
                region[1] += 1
        if classes & CONTENT_REGIONS:
            self._regions.append([tag, 1, bool(classes & CONTRIBUTOR_REGIONS)])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self._raw is not None and tag == self._raw.tag:
            if tag == "script":
                self.scripts.append(self._raw)
            else:
                self.styles.append("".join(self._raw.text))
            self._raw = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break
        for region in self._regions:
            if region[0] == tag:
                region[1] -= 1
        self._regions = [region for region in self._regions if region[1] > 0]

    def handle_data(self, data):
        if self._raw is not None:
            self._raw.text.append(data)
            return
        for element in self._open:
            element.text.append(data)

    # -- the rules ----------------------------------------------------------------------------
    def _problem(self, element: Element, message: str) -> None:
        attributes = "".join(f" {k}" if v is None else f' {k}="{v}"' for k, v in element.attrs.items())
        shown = f"<{element.tag}{attributes}>"
        self.problems.append(f"{message}: {shown[:200]}")

    def _check(self, element: Element, attrs: list[tuple[str, str | None]]) -> None:
        tag = element.tag
        in_content = self.fragment or bool(self._regions)
        if tag in FORBIDDEN_TAGS:
            self._problem(element, "forbidden element")
        if tag == "meta" and (element.attrs.get("http-equiv") or "").lower() == "refresh":
            self._problem(element, "meta refresh")
        if self.fragment and tag in DROPPED_FROM_CONTRIBUTOR_HTML:
            self._problem(element, "element the sanitiser must drop")
        for name, value in attrs:
            value = value or ""
            if not ATTRIBUTE_NAME.match(name):
                self._problem(element, f"attribute name {name!r} (an attribute break-out?)")
            if name.startswith("on"):
                self._problem(element, f"event-handler attribute {name}")
            if name in ("srcdoc", "formaction"):
                self._problem(element, f"attribute {name}")
            if name in URL_ATTRIBUTES:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name.endswith("srcset") else [value]
                for url in urls:
                    if unsafe_url(url):
                        self._problem(element, f"unsafe URL in {name}")
            if name == "style":
                self.style_attributes.append(value)
                if in_content:
                    self._problem(element, "style attribute in contributor HTML")
            if name == "id":
                self.ids[value] += 1
                contributor = self.fragment or any(region[2] for region in self._regions)
                if not contributor:
                    self.theme_ids.add(value)
                elif sanitize.RESERVED_ID.match(value):
                    self._problem(element, f"contributor id {value!r} in the theme's namespace")
            if in_content and name.startswith("data-md"):
                self._problem(element, f"theme attribute {name} in contributor HTML")
        if tag == "a" and element.attrs.get("target") and "noopener" not in (element.attrs.get("rel") or ""):
            self._problem(element, "target without rel=noopener")
        if self.links and in_content and tag == "a" and third_party(element.attrs.get("href") or ""):
            rel = set((element.attrs.get("rel") or "").split())
            if not {"noopener", "noreferrer", "nofollow"} <= rel:
                self._problem(element, "external link in contributor HTML without rel=noopener noreferrer nofollow")
        if self.fragment and element.attrs.get("class"):
            if not set(element.attrs["class"].split()) <= sanitize.CLASSES.get(tag, set()):
                self._problem(element, "class attribute in contributor HTML")

    def finish(self) -> list[str]:
        self.close()
        for name, count in self.ids.items():
            if count > 1 and name in self.theme_ids and not self.fragment:
                self.problems.append(f"id {name!r} of the page appears {count} times (DOM clobbering of the theme)")
        return self.problems


def audit_fragment(markup: str, *, links: bool = True) -> list[str]:
    """Problems in contributor HTML on its own (a story body, a feed entry, a search record):
    no script, style, handler, unsafe URL, form, inline style or theme attribute at all."""
    audit = Audit(fragment=True, links=links)
    audit.feed(markup)
    return audit.finish()


@dataclass
class Baseline:
    """What the theme itself puts on pages built from harmless content."""

    inline_scripts: set[str]
    styles: set[str]
    style_attributes: set[str]
    script_files: set[str]  # site-relative paths of the theme's script files


def script_file(src: str, page: Path, site: Path) -> str | None:
    """The site-relative path a same-origin <script src> loads, or None if it leaves the site."""
    if url_scheme(src) or src.startswith("//"):
        return None
    target = (site / src.split("?")[0].lstrip("/")) if src.startswith("/") else (page.parent / src.split("?")[0])
    try:
        return target.resolve().relative_to(site.resolve()).as_posix() if target.is_file() else None
    except ValueError:
        return None


def baseline_of(site: Path) -> Baseline:
    scripts, styles, style_attributes, files = set(), set(), set(), set()
    for path in site.rglob("*.html"):
        audit = Audit(fragment=False)
        audit.feed(path.read_text(encoding="utf-8"))
        audit.finish()
        files |= {script_file(s.attrs["src"] or "", path, site) for s in audit.scripts if "src" in s.attrs} - {None}
        scripts |= {normalise_script("".join(s.text)) for s in audit.scripts
                    if "src" not in s.attrs and (s.attrs.get("type") or "").lower() not in DATA_SCRIPT_TYPES}
        styles |= {normalise_script(s) for s in audit.styles}
        style_attributes |= set(audit.style_attributes)
    return Baseline(scripts, styles, style_attributes, files)


def audit_page(path: Path, site: Path, baseline: Baseline) -> list[str]:
    """Problems on one built page, judged against the theme's own scripts and styles."""
    audit = Audit(fragment=False)
    audit.feed(path.read_text(encoding="utf-8"))
    problems = audit.finish()
    for script in audit.scripts:
        src = script.attrs.get("src")
        kind = (script.attrs.get("type") or "").lower()
        text = "".join(script.text)
        if src is not None:
            if script_file(src, path, site) not in baseline.script_files:
                problems.append(f"script that is not one of the theme's files: {src}")
        elif kind in DATA_SCRIPT_TYPES:
            try:
                json.loads(text)
            except ValueError:
                problems.append(f"{kind} script that is not JSON (broken out of?): {text[:120]!r}")
        elif normalise_script(text) not in baseline.inline_scripts:
            problems.append(f"inline script that the theme does not write: {text[:120]!r}")
    for style in audit.styles:
        if normalise_script(style) not in baseline.styles:
            problems.append(f"<style> that the theme does not write: {style[:120]!r}")
    for value in audit.style_attributes:
        if value not in baseline.style_attributes:
            problems.append(f"style attribute that the theme does not write: {value[:120]!r}")
    return problems


def strings_of(data) -> list[tuple[str, str]]:
    """(key, string) for every string in a JSON document."""
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += [(key, value)] if isinstance(value, str) else strings_of(value)
    elif isinstance(data, list):
        for value in data:
            found += [("", value)] if isinstance(value, str) else strings_of(value)
    return found


def audit_data_file(path: Path) -> list[str]:
    """Every text of a feed, sitemap or JSON file, read as HTML the way a feed reader or the
    theme's search box might, is inert; every URL-valued field has a safe scheme."""
    problems = []
    if path.suffix == ".json":
        texts = strings_of(json.loads(path.read_text(encoding="utf-8")))
    else:
        root = ET.parse(path).getroot()  # a break-out would make the XML malformed
        texts = []
        for element in root.iter():
            local = element.tag.rsplit("}", 1)[-1]
            texts += [(local, element.text or ""), (local, element.tail or "")]
            texts += [(name.rsplit("}", 1)[-1], value) for name, value in element.attrib.items()]
    for key, text in texts:
        if key.lower().endswith(URL_KEYS) and unsafe_url(text.strip()):
            problems.append(f"{path.name}: unsafe URL in {key}: {text[:120]!r}")
        if "<" in text:
            problems += [f"{path.name} {key}: {p}" for p in audit_fragment(text, links=False)]
    return problems


# --- the hostile site ---------------------------------------------------------------------------

BREAKOUT_TITLE = 'x" onmouseover="alert(1)'
SINGLE_QUOTE_TITLE = "x' onmouseover='alert(1)' data-x='"
TEMPLATE_TITLE = "Template {{ 7*7 }} and {% raw %} in a title ${alert(1)}"
BREAKOUT_STORY = "stories/2024/11/raw-html-elements/"


@pytest.fixture(scope="module")
def hostile(fixture_build):
    build = fixture_build("hostile")
    assert build.returncode == 0, build.output
    assert "Traceback" not in build.output, build.output
    return build


@pytest.fixture(scope="module")
def hostile_material(fixture_build):
    """The hostile site with `search: material`, whose search index is one JSON file."""
    build = fixture_build("hostile", search="material")
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="module")
def baseline(seed_build) -> Baseline:
    return baseline_of(seed_build.site)


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def parsed(build, url: str) -> Audit:
    audit = Audit(fragment=False)
    audit.feed(build.page(url))
    audit.finish()
    return audit


def texts(audit: Audit, tag: str, **attrs: str) -> list[str]:
    """Text of every `tag` element whose attributes contain `attrs` (class matched by word)."""
    found = []
    for element in audit.elements:
        if element.tag != tag:
            continue
        if all((v in (element.attrs.get("class") or "").split()) if k == "class_" else element.attrs.get(k) == v
               for k, v in attrs.items()):
            found.append(" ".join("".join(element.text).split()))
    return found


def meta(audit: Audit, key: str) -> list[str]:
    return [e.attrs.get("content") or "" for e in audit.elements
            if e.tag == "meta" and key in (e.attrs.get("name"), e.attrs.get("property"))]


def test_the_audit_catches_what_it_is_meant_to_catch():
    """The checker itself, on markup that must fail it (a test that can fail)."""
    for bad in ['<a href="java&#x09;script:alert(1)">x</a>', '<a href=" JaVaScRiPt:alert(1)">x</a>',
                '<img src="data:text/html,x">', '<p onclick="x">', '<p x" onmouseover="y">', '<script>x</script>',
                '<iframe src="https://example.org/">', '<img srcset="javascript:x 1x">', '<a href="vbscript:x">',
                '<a href="https://evil.example/">x</a>', '<p style="color:red">', '<div class="md-typeset">x</div>',
                '<form action="javascript:x">', '<a href="x" target="_blank" rel="nofollow">x</a>',
                '<h2 id="__config">x</h2>']:
        assert audit_fragment(bad), bad
    for good in ['<a href="https://example.org/" rel="noopener noreferrer nofollow">x</a>', '<a href="../x/">x</a>',
                 '<a href="mailto:desk@example.org">x</a>', '<img src="https://example.org/a.png" alt="">',
                 "<p>javascript:alert(1) &lt;script&gt; x\" onmouseover=\"y</p>"]:
        assert not audit_fragment(good), good


def test_hostile_content_builds_and_did_render(hostile):
    """The valid hostile stories build (strict), and their bodies are really on the pages."""
    for url, sentinel in [(BREAKOUT_STORY, "HOSTILE-RAW-HTML-END"),
                          ("stories/2024/11/javascript-links/", "HOSTILE-LINKS end"),
                          ("stories/2024/11/attr-list/", "HOSTILE-ATTR"),
                          ("stories/2024/11/dom-clobbering/", "HOSTILE-CLOBBER"),
                          ("stories/2024/11/code-blocks/", "HOSTILE-CODE"),
                          ("", "HOSTILE-HOME-INTRO"), ("topics/security/", "HOSTILE-TOPIC-INTRO"),
                          ("countries/af/", "HOSTILE-COUNTRY-INTRO"), ("about/", "HOSTILE-ABOUT-BODY")]:
        assert sentinel in hostile.page(url), url
    links = parsed(hostile, "stories/2024/11/javascript-links/")
    safe = [e for e in links.elements if e.tag == "a" and e.attrs.get("href") == "https://example.org/safe"]
    assert safe and safe[0].attrs.get("rel") == sanitize.LINK_REL


def test_no_built_page_runs_anything_a_contributor_wrote(hostile, baseline):
    problems = []
    pages = html_pages(hostile.site)
    assert len(pages) > 15
    for path in pages:
        problems += [f"{path.relative_to(hostile.site)}: {p}" for p in audit_page(path, hostile.site, baseline)]
    assert not problems, "\n".join(problems)


def test_the_theme_pages_pass_the_same_audit(seed_build, baseline):
    """The rules hold on harmless content too, so they do not just flag everything."""
    problems = []
    for path in html_pages(seed_build.site):
        problems += [f"{path.relative_to(seed_build.site)}: {p}" for p in audit_page(path, seed_build.site, baseline)]
    assert not problems, "\n".join(problems)
    assert baseline.inline_scripts, "the theme's inline scripts were not found"


def test_feeds_sitemaps_and_search_index_are_inert(hostile_material):
    files = [p for p in hostile_material.site.rglob("*") if p.suffix in (".xml", ".json") and "assets" not in p.parts]
    assert any(p.name == "search_index.json" for p in files)
    problems = []
    for path in files:
        problems += audit_data_file(path)
    assert not problems, "\n".join(problems)


def test_search_records_show_titles_as_text(hostile_material):
    """Material's search box writes record titles and texts into the page as HTML."""
    index = json.loads((hostile_material.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {html.unescape(doc["title"]) for doc in index["docs"]}
    assert BREAKOUT_TITLE in titles and SINGLE_QUOTE_TITLE in titles
    for doc in index["docs"]:
        assert not audit_fragment(doc["title"]) and not audit_fragment(doc["text"]), doc


def test_a_title_and_summary_with_quotes_come_out_as_text_everywhere(hostile):
    story = parsed(hostile, BREAKOUT_STORY)
    assert texts(story, "title") == [f"{BREAKOUT_TITLE} - The digest"]
    assert meta(story, "description") == [BREAKOUT_TITLE]
    assert texts(story, "h1") == [BREAKOUT_TITLE]
    assert texts(story, "p", class_="dg-lead") == [BREAKOUT_TITLE]
    for key in ("og:title", "twitter:title", "og:description", "twitter:description"):
        assert meta(story, key) in ([], [BREAKOUT_TITLE]), key
    sources = texts(story, "section", class_="dg-sources")[0]
    assert 'Agency x" onmouseover="alert(1)' in sources and "x' onfocus='alert(1)' autofocus='" in sources
    hrefs = [e.attrs.get("href") for e in story.elements if e.tag == "a" and e.in_content]
    assert "https://example.org/story?a=1&amp;b=javascript:alert(1)" in hrefs
    single = parsed(hostile, "stories/2024/11/title-breakout-single/")
    assert "https://example.org/?q=x'onmouseover='alert(1)" in [e.attrs.get("href") for e in single.elements]
    for url in ("", "editions/2024-11-29/", "topics/security/", "countries/af/"):
        cards = parsed(hostile, url)
        assert BREAKOUT_TITLE in texts(cards, "h2", class_="dg-card__title"), url
        assert BREAKOUT_TITLE in texts(cards, "p", class_="dg-card__summary"), url
    single = parsed(hostile, "stories/2024/11/title-breakout-single/")
    assert texts(single, "title") == [f"{SINGLE_QUOTE_TITLE} - The digest"]
    assert texts(single, "h1") == [SINGLE_QUOTE_TITLE]


def test_topic_country_and_ordinary_page_front_matter_come_out_as_text(hostile):
    topic = parsed(hostile, "topics/security/")
    assert meta(topic, "description") == [BREAKOUT_TITLE]
    diplomacy = parsed(hostile, "topics/diplomacy/")
    assert texts(diplomacy, "title") == ["Diplomacy' onmouseover='alert(1) - The digest"]
    assert meta(diplomacy, "description") == ["x' onfocus='alert(1)' autofocus='"]
    about = parsed(hostile, "about/")
    assert texts(about, "title") == [f"About {BREAKOUT_TITLE} - The digest"]
    assert meta(about, "description") == ['About" onmouseover="alert(1)']
    assert meta(about, "author") == []  # refused in front matter, never reaches the theme


def test_an_ordinary_page_with_lists_or_theme_keys_in_its_front_matter_is_refused(fixture_build):
    """Ordinary pages are checked like stories: text fields are text, and no other key (Material's
    `template`, `hide`, an `author` list) reaches the theme."""
    build = fixture_build("hostile-page-meta")
    assert build.returncode != 0
    assert "content/about.md:2: `title` is not text" in build.output, build.output
    assert "content/about.md:3: `description` is not text" in build.output, build.output
    assert "content/about.md:4: unknown key `author` (hint: allowed keys: title, description)" in build.output
    assert not (build.site / "about" / "index.html").exists()


def test_template_syntax_in_content_stays_text(hostile):
    story = parsed(hostile, "stories/2024/11/template-injection/")
    assert texts(story, "h1") == [TEMPLATE_TITLE]
    assert "{{ config }}" in texts(story, "p", class_="dg-lead")[0]
    assert any("{{ self.__init__.__globals__ }}" in t for t in texts(story, "section", class_="dg-sources"))
    assert "{{ 7*7 }}" in texts(story, "div", class_="dg-body")[0]


def test_markup_in_code_is_shown_as_text(hostile):
    code = " ".join(texts(parsed(hostile, "stories/2024/11/code-blocks/"), "code"))
    assert '<script>alert("inline code")</script>' in code and '<script>alert("fenced")</script>' in code


def test_ids_in_content_do_not_clobber_the_theme(hostile):
    """`## __config` or <a id="__config"> must not shadow the theme's config element."""
    story = parsed(hostile, "stories/2024/11/dom-clobbering/")
    first = next(e for e in story.elements if e.attrs.get("id") == "__config")
    assert first.tag == "script"
    for theme_id in ("__config", "__search", "__drawer", "dg-sources-heading"):
        assert story.ids[theme_id] == 1, theme_id
    # renamed, not dropped: a contributor's heading keeps an anchor
    assert story.ids["user-content-__config"] == 2 and story.ids["user-content-__toc"] == 1
    # footnotes keep working: each footnote link points at an id on the page
    refs = [e.attrs["href"][1:] for e in story.elements if "footnote-ref" in (e.attrs.get("class") or "")]
    assert refs and all(story.ids[r] == 1 for r in refs)


def test_no_extension_reads_files_into_a_story(hostile):
    page = hostile.page("stories/2024/11/attr-list/")
    assert "root:" not in page and "site_url:" not in page
    assert {"attr_list", "md_in_html", "pymdownx.snippets", "markdown_include.include"}.isdisjoint(render.EXTENSIONS)


# --- contributor text in the terminal and CI logs ----------------------------------------------

def test_problems_print_no_control_characters(tmp_path):
    """`make check` and the build print problems: a key like "\\e[2J" must not clear a terminal,
    and a newline must not forge a line of output."""
    from digest.loader import load_content

    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "security.md").write_text('---\ntitle: "S"\ndescription: "D"\n---\n', encoding="utf-8")
    stories = tmp_path / "stories" / "2024" / "11"
    stories.mkdir(parents=True)
    (stories / "keys.md").write_text(
        '---\ntitle: "T"\ndate: 2024-11-28\nsummary: "S"\ntags: [security]\nsources: [{name: "N"}]\n'
        '"\\e[2J\\e]8;;https://evil.example\\e\\\\": 1\n"x\\ncontent OK: 3 stories": 2\n---\nBody.\n', encoding="utf-8")
    (stories / "\x1b[31mred.md").write_text("no front matter\n", encoding="utf-8")
    problems = [str(p) for p in load_content(tmp_path, shown_root="content").problems]
    assert len(problems) == 3, problems  # two keys; the file name (the file itself is left unread)
    for shown in problems:
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", shown), repr(shown)


# --- the sanitising policy, directly ------------------------------------------------------------

@pytest.mark.parametrize("markup", [
    '<a href="javascript:alert(1)">x</a>', '<a href="JaVaScRiPt:alert(1)">x</a>', '<a href="java&#x09;script:x">x</a>',
    '<a href=" javascript:x">x</a>', '<a href="&#1;javascript:x">x</a>', '<a href="data:text/html,x">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>',
    '<iframe src="https://example.org/"></iframe>', '<object data="x"></object>', '<form><input></form>',
    '<style>*{}</style>', '<a style="color:red" href="#x">x</a>', '<p class="md-header">x</p>',
    '<a data-md-component="search-query">x</a>', '<details open ontoggle=alert(1)><summary>s</summary></details>',
    '<a href="https://example.org/" target="_blank">x</a>', '<math><mi xlink:href="javascript:x">x</mi></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', '<a id="__config">{}</a>',
])
def test_the_policy_leaves_nothing_that_runs(markup):
    cleaned = sanitize.clean(markup)
    assert not audit_fragment(cleaned), cleaned
    assert 'id="__' not in cleaned


def test_the_policy_keeps_what_github_keeps():
    markup = ('<h2 id="a">h</h2><p>p <strong>b</strong> <em>i</em> <code>c</code> <a href="https://example.org/">x</a> '
              '<a href="../rel/">r</a> <a href="mailto:desk@example.org">m</a></p><ul><li>l</li></ul>'
              '<table><thead><tr><th align="left">h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>'
              '<blockquote>q</blockquote><pre><code>x</code></pre><details><summary>s</summary>d</details>'
              '<figure><img src="https://example.org/a.png" alt="a"><figcaption>c</figcaption></figure>')
    cleaned = sanitize.clean(markup)
    for kept in ("<h2", "<strong>", "<em>", "<code>", "<ul>", "<table>", '<th align="left">', "<blockquote>",
                 "<pre>", "<details>", "<summary>", "<figure>", '<img src="https://example.org/a.png"', "<figcaption>",
                 'href="../rel/"', 'href="mailto:desk@example.org"'):
        assert kept in cleaned, kept
    assert f'href="https://example.org/" rel="{sanitize.LINK_REL}"' in cleaned


# --- front matter with HTML is refused ----------------------------------------------------------

P = "content/stories/2024/11/"
REFUSED = [
    (P + "title-closes-title.md:2", "`title` contains HTML"),
    (P + "summary-img-onerror.md:4", "`summary` contains HTML"),
    (P + "title-entity.md:2", "`title` contains HTML"),
    (P + "title-svg.md:2", "`title` contains HTML"),
    (P + "title-comment.md:2", "`title` contains HTML"),
    (P + "source-name-html.md:7", "`name` contains HTML"),
    (P + "source-title-html.md:8", "`title` contains HTML"),
    (P + "source-url-javascript.md:8", "`url` must be an absolute http(s) URL"),
    (P + "source-url-javascript-mixed-case.md:8", "`url` must be an absolute http(s) URL"),
    (P + "source-url-javascript-leading-space.md:8", "`url` must be an absolute http(s) URL"),
    (P + "source-url-data.md:8", "`url` must be an absolute http(s) URL"),
    (P + "source-url-breakout.md:8", "`url` must be an absolute http(s) URL"),
    (P + "source-url-html.md:8", "`url` must be an absolute http(s) URL"),
    (P + "source-url-quotes.md:8", "`url` must be an absolute http(s) URL"),
    (P + "tag-html.md:5", "is not a topic slug"),
    (P + "title-control-character.md:2", "`title` contains the control character U+001B at character 16"),
    ("content/topics/html-title.md:2", "`title` contains HTML"),
    ("content/topics/html-description.md:3", "`description` contains HTML"),
    ("content/countries/af.md:2", "`description` contains HTML"),
]


@pytest.fixture(scope="module")
def refused(fixture_build):
    return fixture_build("hostile-frontmatter")


def test_front_matter_html_fails_the_build(refused):
    assert refused.returncode != 0
    assert "Traceback" not in refused.output
    assert not (refused.site / "index.html").exists()


@pytest.mark.parametrize("where, message", REFUSED)
def test_front_matter_html_is_reported_at_its_line(refused, where, message):
    lines = [line for line in refused.output.splitlines() if line.lstrip().startswith(where + ":")]
    assert lines, f"{where} not reported:\n{refused.output}"
    assert any(message in line for line in lines), lines
