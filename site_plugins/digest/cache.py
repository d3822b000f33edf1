"""What one build leaves for the next, so that it redoes only what changed: validated stories,
rendered Markdown and the fingerprint of every page written, in memory across `make serve`
rebuilds and under `.cache/digest/` across `make build` runs.

Everything that can change a page without changing its own inputs (configuration, the plugin's
code, templates, theme, dependency versions) is in the `site_key`: when it changes, nothing is
reused. SOURCE_DATE_EPOCH is not: no page prints it (MkDocs' sitemap, rewritten by every build,
does; so do empty feeds, whose fingerprints include it), and `make build` sets it to the last
commit's time, which changes with every commit.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import engine
from .index import RelatedCache
from .loader import StoryCache

FORMAT = 2  # bump when the pickled structures change shape
# Distributions whose code or files end up in the output.
DEPENDENCIES = ("mkdocs", "properdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2",
                "markupsafe", "nh3", "pycountry", "pyyaml", "pagefind", "pagefind-bin-extended", "babel",
                "pygments", "the-digest")


def _files_digest(folders: list[Path]) -> bytes:
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _versions() -> str:
    found = []
    for name in DEPENDENCIES:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}: absent")
    return ";".join(found)


def site_key(*, package: Path, config_bytes: bytes, theme_dirs: list[str], options: tuple) -> str:
    """The fingerprint of everything every page depends on. The theme folders are hashed file by
    file except installed packages' own (their version stands for them)."""
    digest = hashlib.sha256()
    # The engine that runs (both may be installed): pages name it in their generator tag, so a
    # --dirty build with the other engine must not keep them.
    digest.update(f"{FORMAT};{sys.version};{engine.running()};{_versions()}".encode())
    digest.update(config_bytes)
    digest.update(repr(options).encode("utf-8", "surrogatepass"))
    own = [package] + [Path(d) for d in theme_dirs if "site-packages" not in Path(d).parts]
    digest.update(_files_digest(own))
    return digest.hexdigest()


@dataclass
class Manifest:
    """What the last build wrote into site_dir: each page's fingerprint and the size and time of
    the file written (a file changed by anyone else does not match and is rebuilt)."""

    site_key: str = ""
    site_dir: str = ""
    pages: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # dest path -> (fingerprint, size, mtime_ns)
    search_inputs: dict[str, str] = field(default_factory=dict)  # story URL -> fingerprint of its indexed HTML
    feeds: dict[str, str] = field(default_factory=dict)  # feed folder -> fingerprint of its three files
    outputs: set[str] = field(default_factory=set)  # every file the build left in site_dir, relative

    def is_current(self, dest: str, fingerprint: str) -> bool:
        recorded = self.pages.get(dest)
        if recorded is None or recorded[0] != fingerprint:
            return False
        try:
            status = os.stat(dest)
        except OSError:
            return False
        return (status.st_size, status.st_mtime_ns) == recorded[1:]

    def record(self, dest: str, fingerprint: str) -> None:
        try:
            status = os.stat(dest)
        except OSError:
            return  # not written (MkDocs skips empty output): rebuilt next time
        self.pages[dest] = (fingerprint, status.st_size, status.st_mtime_ns)


@dataclass
class BuildCache:
    """The in-memory state that one build hands to the next."""

    site_key: str = ""
    stories: StoryCache = field(default_factory=StoryCache)
    html: dict[str, str] = field(default_factory=dict)  # sha256 of Markdown -> sanitised HTML
    related: RelatedCache = field(default_factory=RelatedCache)
    manifest: Manifest = field(default_factory=Manifest)

    @classmethod
    def load(cls, folder: Path, site_key: str) -> "BuildCache":
        """The cache saved under `folder` if it was made with the same `site_key`, else an empty one."""
        try:
            with (folder / "build.pickle").open("rb") as file:
                saved = pickle.load(file)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return cls(site_key)
        if not isinstance(saved, cls) or saved.site_key != site_key:
            return cls(site_key)
        return saved

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / "build.pickle.partial"
        with partial.open("wb") as file:
            pickle.dump(self, file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(folder / "build.pickle")  # a build stopped half-way leaves the old one whole

    @staticmethod
    def forget(folder: Path) -> None:
        (folder / "build.pickle").unlink(missing_ok=True)
