"""Build one project with MkDocs and with ProperDocs and compare the two site/ trees file by file:
they must be byte-identical apart from the generator tag and the footer credit that name the
engine. The content is content/ (the default) or N synthetic stories from scripts/bench.py."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DATE_EPOCH = "1733011200"  # 2024-12-01, as the tests and the benchmark
# What names the engine in a page, and is allowed to differ: Material's generator meta tag
# (`mkdocs-1.6.1` against `mkdocs-ProperDocs 1.6.7`) and our footer's "Made with" link.
ENGINE_MARKS = (
    re.compile(rb'<meta name="generator" content="[^"]*">'),
    re.compile(rb'Made with <a href="[^"]*" rel="noopener">[^<]*</a>'),
)


def without_engine(data: bytes) -> bytes:
    for mark in ENGINE_MARKS:
        data = mark.sub(b"<engine>", data)
    return data


def differences(one: Path, other: Path) -> tuple[list[str], list[str]]:
    """(files that differ only where the engine is named, files that differ otherwise or exist in
    one tree only), as paths relative to the trees."""
    names = {p.relative_to(root).as_posix() for root in (one, other) for p in root.rglob("*") if p.is_file()}
    named, other_diffs = [], []
    for name in sorted(names):
        a, b = one / name, other / name
        if not (a.is_file() and b.is_file()):
            other_diffs.append(f"{name} (only in {one if a.is_file() else other})")
            continue
        left, right = a.read_bytes(), b.read_bytes()
        if left == right:
            continue
        (named if without_engine(left) == without_engine(right) else other_diffs).append(name)
    return named, other_diffs


def build(project: Path, python: str, engine: str) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([python, "-m", engine, "build", "--strict", "--config-file", "mkdocs.yml"],
                            cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"compare_engines: the {engine} build with {python} failed:\n{result.stderr[-3000:]}")


def write_project(root: Path, stories: int) -> None:
    if stories:
        sys.path.insert(0, str(ROOT / "scripts"))
        import bench

        bench.write_digest_project(root, bench.generate_stories(stories, seed=1))
        return
    shutil.copytree(ROOT / "content", root / "content", symlinks=True)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir="content", site_dir="site")
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=0, metavar="N",
                        help="build N synthetic stories (scripts/bench.py, seed 1) instead of content/")
    parser.add_argument("--mkdocs-python", default=sys.executable,
                        help="the interpreter that runs `-m mkdocs` (default: this one)")
    parser.add_argument("--properdocs-python", default=sys.executable,
                        help="the interpreter that runs `-m properdocs`, e.g. one of a venv without MkDocs "
                             "(default: this one)")
    parser.add_argument("--workdir", help="keep the two projects here (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="digest-engines-"))
    try:
        sites = {}
        for engine, python in (("mkdocs", args.mkdocs_python), ("properdocs", args.properdocs_python)):
            project = workdir / engine
            shutil.rmtree(project, ignore_errors=True)
            write_project(project, args.stories)
            build(project, python, engine)
            sites[engine] = project / "site"
        files = sum(1 for p in sites["mkdocs"].rglob("*") if p.is_file())
        named, other = differences(sites["mkdocs"], sites["properdocs"])
        print(f"compare_engines: {files} files; {files - len(named) - len(other)} byte-identical, "
              f"{len(named)} differ only where they name the engine, {len(other)} differ otherwise")
        for name in other[:50]:
            print(f"  differs: {name}")
        return 1 if other else 0
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
