"""Shared test helpers: build a content folder into a site with the real `mkdocs build` (or
`properdocs build`: DIGEST_ENGINE)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from digest import engine

# The engine every build in the tests runs (DIGEST_ENGINE; `make test ENGINE=properdocs`).
ENGINE = engine.chosen()
if ENGINE == "properdocs":
    # What the properdocs command does first: `import mkdocs...` (tests that build in-process, the
    # plugin, Material) then gets ProperDocs, whether or not MkDocs is installed.
    import properdocs.replacement  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SOURCE_DATE_EPOCH = "1733011200"  # 2024-12-01T00:00:00Z


@dataclass
class Build:
    returncode: int
    output: str  # stdout and stderr together
    site: Path
    project: Path

    def page(self, url: str) -> str:
        """The HTML of a site-relative directory URL such as "topics/refugees/"."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def mkdocs_config(**plugin_options) -> dict:
    """The repository's mkdocs.yml with the digest plugin's options overridden."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = []
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "digest" in plugin:
            plugin = {"digest": {**(plugin["digest"] or {}), **plugin_options}}
        plugins.append(plugin)
    config["plugins"] = plugins
    return config


def build_site(content: Path, workdir: Path, *, config: dict | None = None, env: dict | None = None,
               command: tuple[str, ...] = ("build", "--strict")) -> Build:
    """Copy `content` into `workdir`, write mkdocs.yml there and run `mkdocs build --strict`."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(content, workdir / "content", symlinks=True, dirs_exist_ok=True)
    cfg = dict(config or mkdocs_config())
    cfg.update(docs_dir="content", site_dir="site")
    (workdir / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **(env or {})}
    result = subprocess.run(
        engine.command(*command, environ=full_env), cwd=workdir, env=full_env,
        capture_output=True, text=True, timeout=600,
    )
    return Build(result.returncode, result.stdout + result.stderr, workdir / "site", workdir)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> Build:
    """The repository's own content, built once for the whole session."""
    build = build_site(ROOT / "content", tmp_path_factory.mktemp("seed"))
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory):
    """Build a fixture folder under tests/fixtures once per session (cached by name+options)."""
    cache: dict = {}

    def get(name: str, **plugin_options) -> Build:
        key = (name, tuple(sorted(plugin_options.items())))
        if key not in cache:
            cache[key] = build_site(FIXTURES / name, tmp_path_factory.mktemp(name),
                                    config=mkdocs_config(**plugin_options))
        return cache[key]

    return get


# tests/fixtures/feeds with these options: the build that the feed, sitemap and metadata tests read.
FEEDS_OPTIONS = {"feed_size": 3, "publication_name": "The Digest & Co", "language": "en-GB"}


@pytest.fixture(scope="session")
def feeds_site(fixture_build) -> Build:
    build = fixture_build("feeds", **FEEDS_OPTIONS)
    assert build.returncode == 0, build.output
    return build
