"""The engine setting: DIGEST_ENGINE (make's ENGINE) picks MkDocs or ProperDocs for every build,
and both build the same site, byte for byte, apart from the two places that name the engine."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from conftest import ENGINE, FIXTURES, ROOT, build_site
from digest import engine

spec = importlib.util.spec_from_file_location("compare_engines", ROOT / "scripts" / "compare_engines.py")
compare_engines = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_engines)

OTHER = {"mkdocs": "properdocs", "properdocs": "mkdocs"}[ENGINE]


def installed(distribution: str) -> bool:
    # Not find_spec("mkdocs"): under ProperDocs `mkdocs` is ProperDocs itself (conftest).
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


needs_both = pytest.mark.skipif(not (installed("mkdocs") and installed("properdocs")),
                                reason="needs MkDocs and ProperDocs installed side by side (the lock has both)")


def engine_named(page: str) -> tuple[str, str]:
    """(the generator meta tag's content, the engine the footer credits)."""
    generator = re.search(r'<meta name="generator" content="([^"]*)">', page)
    footer = re.search(r'Made with <a href="[^"]*" rel="noopener">([^<]*)</a>', page)
    assert generator and footer, "a page without the generator tag or the footer credit"
    return generator[1], footer[1]


def test_the_engine_setting_decides_which_engine_builds(seed_build):
    generator, credited = engine_named(seed_build.page(""))
    if ENGINE == "properdocs":
        assert generator.startswith(f"mkdocs-ProperDocs {metadata.version('properdocs')},"), generator
        assert credited == "ProperDocs"
    else:
        assert generator.startswith(f"mkdocs-{metadata.version('mkdocs')},"), generator
        assert credited == "MkDocs"


def test_an_unknown_engine_is_an_error_not_the_default():
    assert engine.chosen({}) == "mkdocs"
    assert engine.chosen({"DIGEST_ENGINE": ""}) == "mkdocs"
    assert engine.command("build", environ={"DIGEST_ENGINE": "properdocs"})[1:] == ["-m", "properdocs", "build"]
    with pytest.raises(ValueError, match="mkdocs, properdocs"):
        engine.chosen({"DIGEST_ENGINE": "mkdoc"})


@pytest.mark.parametrize("setting, program", [("", "mkdocs"), ("ENGINE=properdocs", "properdocs"),
                                              ("DIGEST_ENGINE=properdocs", "properdocs")])
def test_make_build_runs_the_chosen_engine(setting, program):
    result = subprocess.run(["make", "-n", "build", *filter(None, [setting])], cwd=ROOT, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f".venv/bin/{program} build --strict --dirty --config-file mkdocs.yml" in result.stdout.splitlines()


def test_make_refuses_an_unknown_engine():
    result = subprocess.run(["make", "-n", "build", "ENGINE=mkdoc"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "ENGINE=mkdoc: the engine is mkdocs or properdocs" in result.stderr


@needs_both
def test_both_engines_build_the_same_site(seed_build, tmp_path):
    other = build_site(ROOT / "content", tmp_path, env={"DIGEST_ENGINE": OTHER})
    assert other.returncode == 0, other.output
    assert engine_named(other.page(""))[1] == {"mkdocs": "MkDocs", "properdocs": "ProperDocs"}[OTHER]
    named, different = compare_engines.differences(seed_build.site, other.site)
    assert different == []
    # Every page in Material's frame names the engine; nothing else (feeds, sitemaps, the search
    # index, the edition emails) does.
    framed = {page.relative_to(seed_build.site).as_posix() for page in seed_build.site.rglob("*.html")
              if b'<meta name="generator"' in page.read_bytes()}
    assert "index.html" in framed and set(named) == framed


@needs_both
def test_a_dirty_build_with_the_other_engine_rewrites_every_page(tmp_path):
    """`make build ENGINE=...` after a build with the other engine: the pages name the engine that
    built them last (the engine is part of the digest's cache key), as a clean build does."""
    dirty = ("build", "--strict", "--dirty")
    first = build_site(FIXTURES / "site", tmp_path / "project", env={"DIGEST_ENGINE": OTHER}, command=dirty)
    assert first.returncode == 0, first.output
    second = build_site(FIXTURES / "site", tmp_path / "project", env={"DIGEST_ENGINE": ENGINE}, command=dirty)
    assert second.returncode == 0, second.output
    clean = build_site(FIXTURES / "site", tmp_path / "clean")
    assert clean.returncode == 0, clean.output
    named, different = compare_engines.differences(second.site, clean.site)
    assert (named, different) == ([], [])
