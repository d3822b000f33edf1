"""Incremental builds: after any sequence of edits, `mkdocs build --dirty` on the previous
site/ and .cache/ leaves exactly the bytes of a clean build of the same content, and rewrites
only the pages the edit touches.

Builds run in this process (MkDocs' own `build`, as its CLI calls it) to keep the property test
fast; the plugin object is new for each build, as in `make build`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import FIXTURES, SOURCE_DATE_EPOCH, mkdocs_config

PAGEFIND = "pagefind/"
OPTIONS = {"page_size": 2, "home_editions": 2, "related_count": 2, "feed_size": 3, "email_editions": 2}


def run_build(project: Path, *, dirty: bool):
    """Build as `mkdocs build [--dirty]` does; returns the digest plugin object."""
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    config = load_config(config_file=str(project / "mkdocs.yml"), strict=True)
    config.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(config, dirty=dirty)
    finally:
        config.plugins.on_shutdown()
    return config.plugins["digest"]


def new_project(root: Path, content: Path = FIXTURES / "site") -> Path:
    shutil.copytree(content, root / "content")
    config = mkdocs_config(**OPTIONS)
    config.update(docs_dir="content", site_dir="site")
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def digests(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def assert_same_site(incremental: Path, clean: Path) -> None:
    """File by file, the search index included."""
    first, second = digests(incremental), digests(clean)
    assert any(p.startswith(PAGEFIND) and "/fragment/" in p for p in first)  # in its parts
    assert first.keys() == second.keys(), sorted(first.keys() ^ second.keys())
    different = sorted(p for p in first if first[p] != second[p])
    assert not different, different


def clean_build_of(project: Path, workdir: Path) -> Path:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    shutil.copytree(project / "content", workdir / "content")
    shutil.copy(project / "mkdocs.yml", workdir / "mkdocs.yml")
    run_build(workdir, dirty=False)
    return workdir / "site"


# --- the edits a newsroom makes -------------------------------------------------------------------

def stories(project: Path) -> list[Path]:
    return sorted((project / "content" / "stories").rglob("*.md"))


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8-sig")
    _, fm, body = text.split("---\n", 2)
    return yaml.safe_load(fm), body


def write_story(path: Path, fm: dict, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Quoted strings throughout: YAML 1.1 must not read a country code as a boolean.
    path.write_text("---\n" + yaml.safe_dump(fm, sort_keys=False, default_style=None, allow_unicode=True)
                    + "---\n" + body, encoding="utf-8")


def with_date(path: Path, fm: dict, body: str, day: str) -> None:
    fm["date"] = day
    fm.pop("updated", None)
    target = path.parents[2] / day[:4] / day[5:7] / path.name
    path.unlink()
    write_story(target, fm, body)


DAYS = ["2024-11-21", "2024-11-27", "2024-11-28", "2024-10-02", "2024-12-01", "2023-12-30"]


def edit(project: Path, action: str, pick: int, variant: int) -> None:
    """One edit of the kinds the issue lists, applied to the `pick`-th story (or topic)."""
    found = stories(project)
    path = found[pick % len(found)]
    fm, body = front_matter(path)
    fm["countries"] = [str(c).lower() if c is not False else "no" for c in fm.get("countries", [])]
    if action == "body":
        write_story(path, fm, body + f"\nOne more paragraph, number {variant}.\n")
    elif action == "retitle":
        fm["title"] = f"A new headline, version {variant}"
        write_story(path, fm, body)
    elif action == "retag":
        fm["tags"] = [["refugees"], ["diplomacy", "security"], ["security"]][variant % 3]
        write_story(path, fm, body)
    elif action == "countries":
        fm["countries"] = [[], ["af"], ["de", "pk"], ["ir"]][variant % 4]
        write_story(path, fm, body)
    elif action == "date":
        with_date(path, fm, body, DAYS[variant % len(DAYS)])
    elif action == "draft":
        fm["draft"] = not fm.get("draft", False)
        write_story(path, fm, body)
    elif action == "add":
        day = DAYS[variant % len(DAYS)]
        new = project / "content" / "stories" / day[:4] / day[5:7] / f"added-story-{variant}-{pick}.md"
        if not new.exists():
            write_story(new, {"title": f"Added story {variant}", "date": day, "summary": "Added.",
                              "tags": ["refugees"], "countries": ["af"], "sources": [{"name": "TASS"}]}, "Text.\n")
    elif action == "delete":
        if len(found) > 2:
            path.unlink()
    elif action == "rename":
        path.unlink()
        write_story(path.with_name(f"renamed-{variant}-{path.name}"), fm, body)
    elif action == "topic":
        topic = sorted((project / "content" / "topics").glob("*.md"))[pick % 3]
        topic.write_text(f"---\ntitle: Topic title {variant}\ndescription: What it covers, {variant}.\n---\n"
                         f"An intro, version {variant}.\n", encoding="utf-8")
    elif action == "country":
        code = ["af", "de", "pk"][variant % 3]
        (project / "content" / "countries" / f"{code}.md").write_text(
            f"---\ndescription: About {code}, {variant}.\n---\nA country intro, version {variant}.\n", encoding="utf-8")
    elif action == "home":
        (project / "content" / "index.md").write_text(f"Welcome, version {variant}.\n", encoding="utf-8")
    elif action == "page":
        (project / "content" / "about.md").write_text(f"# About us {variant}\n\nWho we are.\n", encoding="utf-8")


ACTIONS = ["body", "retitle", "retag", "countries", "date", "draft", "add", "delete", "rename", "topic",
           "country", "home", "page"]
EDITS = st.tuples(st.sampled_from(ACTIONS), st.integers(0, 20), st.integers(0, 5))


@pytest.fixture(autouse=True)
def quiet_mkdocs():
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    yield


@settings(max_examples=int(os.environ.get("DIGEST_INCREMENTAL_EXAMPLES", "6")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(EDITS, min_size=1, max_size=4))
def test_any_sequence_of_edits_builds_the_bytes_of_a_clean_build(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("incremental")
    project = new_project(root / "project")
    run_build(project, dirty=True)
    for step, (action, pick, variant) in enumerate(edits):
        edit(project, action, pick, variant)
        run_build(project, dirty=True)
        clean = clean_build_of(project, root / f"clean-{step}")
        assert_same_site(project / "site", clean)


def test_every_kind_of_edit_in_turn(tmp_path):
    """The issue's list, each edit once, compared with a clean build after each."""
    project = new_project(tmp_path / "project")
    run_build(project, dirty=True)
    for step, action in enumerate(ACTIONS):
        edit(project, action, step, step)
        run_build(project, dirty=True)
        assert_same_site(project / "site", clean_build_of(project, tmp_path / "clean"))


def written(project: Path) -> dict[str, int]:
    return {p.relative_to(project / "site").as_posix(): p.stat().st_mtime_ns
            for p in (project / "site").rglob("*.html")}


def test_a_body_edit_rewrites_its_pages_and_leaves_the_others(tmp_path):
    project = new_project(tmp_path / "project")
    run_build(project, dirty=True)
    before = written(project)
    story = project / "content" / "stories" / "2023" / "12" / "last-year.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA correction.\n", encoding="utf-8")
    run_build(project, dirty=True)
    after = written(project)
    changed = {page for page in after if after[page] != before.get(page)}
    assert "stories/2023/12/last-year/index.html" in changed
    assert "A correction." in (project / "site" / "stories/2023/12/last-year/index.html").read_text()
    # Its edition and the listings that show its card are rewritten; pages that never show it are not.
    assert "editions/2023-12-30/index.html" in changed or any(p.startswith("editions/2023-12") for p in changed)
    untouched = {"stories/2024/11/norway-and-sweden-agree/index.html", "search/index.html", "archive/index.html"}
    assert not changed & untouched, changed & untouched
    assert len(changed) < len(after) / 2, sorted(changed)


def test_a_change_to_the_configuration_rebuilds_everything(tmp_path):
    project = new_project(tmp_path / "project")
    run_build(project, dirty=True)
    before = written(project)
    config = yaml.safe_load((project / "mkdocs.yml").read_text())
    config["site_name"] = "Another name"
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    run_build(project, dirty=True)
    after = written(project)
    assert all(after[page] != before.get(page) for page in after)
    assert_same_site(project / "site", clean_build_of(project, tmp_path / "clean"))


def test_a_file_changed_in_site_by_hand_is_rebuilt(tmp_path):
    project = new_project(tmp_path / "project")
    run_build(project, dirty=True)
    page = project / "site" / "archive" / "index.html"
    page.write_text("tampered")
    (project / "site" / "stray.html").write_text("left over")
    run_build(project, dirty=True)
    assert_same_site(project / "site", clean_build_of(project, tmp_path / "clean"))


def test_the_dirty_warning_mkdocs_prints_is_still_the_one_we_drop():
    """MkDocs 1.6.1 warns on every --dirty build, and --strict counts warnings: the plugin drops
    that one message because its dirty builds are exact. If MkDocs rewords it, this fails."""
    import mkdocs.commands.build as mkdocs_build
    from digest.plugin import DIRTY_MESSAGES

    source = Path(mkdocs_build.__file__).read_text(encoding="utf-8")
    for message in DIRTY_MESSAGES:
        assert re.search(re.escape(message), source), message


def test_a_page_made_from_a_fresh_pages_state_equals_a_fresh_page():
    """The preview reuses MkDocs' Page state (plugin._page_from): if MkDocs' Page starts to keep
    anything that depends on more than the file's path and site_url, this fails."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    from digest.plugin import _page_from

    config = MkDocsConfig()
    config.load_dict({"site_name": "x", "site_url": "https://digest.example.org/", "docs_dir": "/tmp"})
    config.validate()
    first = File("stories/2024/11/a.md", "/tmp", "/tmp/site", True)
    state = dict(Page(None, first, config).__dict__)
    second = File("stories/2024/11/a.md", "/tmp", "/tmp/site", True)
    reused = _page_from(state, second)
    fresh = Page(None, File("stories/2024/11/a.md", "/tmp", "/tmp/site", True), config)
    assert second.page is reused and reused.file is second
    assert {k: v for k, v in reused.__dict__.items() if k != "file"} == {
        k: v for k, v in fresh.__dict__.items() if k != "file"}


def test_frame_parts_rendered_once_per_link_pattern_are_those_of_each_page(tmp_path, monkeypatch):
    """The plugin renders parts of Material's frame (tabs, sidebars, footer, config) once per set
    of relative links (`DigestPlugin._frame_key`): rendering them for every page gives the same bytes."""
    from digest.plugin import DigestPlugin

    cached = new_project(tmp_path / "cached")
    plugin = run_build(cached, dirty=False)
    assert {block for block, _ in plugin.frames} == {"tabs", "site_nav", "footer", "config"}
    keys = {key for _, key in plugin.frames}
    assert 1 < len(keys) < len(plugin.pages.specs) / 4, keys
    monkeypatch.setattr(DigestPlugin, "_frame_key", lambda self, page: None)
    every = new_project(tmp_path / "every")
    run_build(every, dirty=False)
    assert_same_site(cached / "site", every / "site")


def test_an_edit_re_indexes_the_search_part_of_its_year_only(tmp_path):
    """Search is indexed in one part per year; a story's search document leaves out its related
    stories, so editing a 2023 story re-indexes 2023 alone, and editing nothing re-indexes nothing."""
    project = new_project(tmp_path / "project")
    first = run_build(project, dirty=True)
    assert first.last_index.parts == 2  # 2023 and 2024
    story = project / "content" / "stories" / "2023" / "12" / "last-year.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA correction.\n", encoding="utf-8")
    edited = run_build(project, dirty=True)
    assert (edited.last_index.parts, edited.last_index.pages) == (1, 1)
    again = run_build(project, dirty=True)
    assert again.last_index.parts == 0


def test_make_clean_removes_the_cache_and_the_site():
    from conftest import ROOT

    clean = next(line for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
                 if line.startswith("\trm -rf") and "site" in line)
    assert {"site", ".cache"} <= set(clean.split())
