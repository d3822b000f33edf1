"""The theme's copies of Material templates still match the upstream they were made from: a
Material update that changes one fails here, with how to carry the change over."""

from __future__ import annotations

import hashlib
import re
from importlib import metadata
from pathlib import Path

import pytest

THEME = Path(__file__).resolve().parent.parent / "site_plugins" / "digest" / "theme"
# In the first comment of each copy: the Material version and template (or one block of it) it was
# made from, and the sha256 of that upstream text.
UPSTREAM = re.compile(r"Upstream: Material (?P<version>\S+) (?P<path>\S+?)(?: block (?P<block>\w+))?, "
                      r"sha256 (?P<sha256>[0-9a-f]{64})")


def material_templates() -> Path:
    import material

    return Path(material.__file__).resolve().parent / "templates"


def upstream_text(path: str, block: str | None) -> str:
    text = (material_templates() / path).read_text(encoding="utf-8")
    if block is None:
        return text
    found = re.search(r"\{%-? block " + block + r" -?%\}.*?\{%-? endblock -?%\}", text, re.S)
    assert found, f"Material's {path} has no block {block} any more"
    return found.group(0)


def theme_files() -> list[Path]:
    return sorted(p for p in THEME.rglob("*.html"))


def test_every_theme_file_that_replaces_a_material_template_says_what_it_was_made_from():
    """A file here with a Material template's path shadows that template: it must name the
    upstream it follows, or an update of Material would go unnoticed."""
    shadowing = [p for p in theme_files() if (material_templates() / p.relative_to(THEME)).is_file()]
    assert {p.relative_to(THEME).as_posix() for p in shadowing} >= {"partials/header.html", "partials/search.html"}
    missing = [p.relative_to(THEME).as_posix() for p in shadowing if not UPSTREAM.search(p.read_text(encoding="utf-8"))]
    assert not missing, f"add an `Upstream: Material <version> <template>, sha256 <hash>` line to {missing}"


@pytest.mark.parametrize("copy", [p.relative_to(THEME).as_posix() for p in theme_files()
                                  if UPSTREAM.search(p.read_text(encoding="utf-8"))])
def test_the_upstream_a_theme_copy_was_made_from_is_unchanged(copy):
    installed = metadata.version("mkdocs-material")
    for line in UPSTREAM.finditer((THEME / copy).read_text(encoding="utf-8")):
        what = line["path"] + (f" (block {line['block']})" if line["block"] else "")
        now = hashlib.sha256(upstream_text(line["path"], line["block"]).encode("utf-8")).hexdigest()
        assert now == line["sha256"], (
            f"Material {installed} changed its {what} since {line['version']}, from which "
            f"site_plugins/digest/theme/{copy} was made. To re-sync: diff the new upstream "
            f"({material_templates() / line['path']}) with the copy, carry the digest's own change "
            f"(the copy's first comment says which) over into the new text, then set the `Upstream:` "
            f"line to Material {installed} and sha256 {now}. Or keep mkdocs-material at "
            f"{line['version']} in requirements.lock (make lock)."
        )
