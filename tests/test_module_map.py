"""The plugin's module map, as README's "How it works" draws it: reference data, shared formats and
feeds in their own modules, so that a change to one output does not reach into another."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_plugins" / "digest"


def imports_of(module: str) -> set[str]:
    """The package's own modules `module` imports (`from .x import y`, `from . import x`)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {alias.name for alias in node.names}
    return found


MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))


def test_feeds_is_a_leaf_only_the_plugin_and_the_newsletter_import():
    assert sorted(m for m in MODULES if "feeds" in imports_of(m)) == ["newsletter", "plugin"]


def test_the_indexes_take_countries_from_reference_data_not_from_the_loader():
    assert "loader" not in imports_of("index") and "countries" in imports_of("index")


def test_head_sitemaps_and_pages_take_urls_and_dates_from_the_formats_module():
    for module in ("head", "sitemaps", "pages", "feeds"):
        assert "formats" in imports_of(module), module
    assert imports_of("formats") <= {"kinds"}  # below every output: it imports none of them
