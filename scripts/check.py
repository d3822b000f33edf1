#!/usr/bin/env python3
"""Validate content/ without building the site: what a contributor runs before a pull request.

Prints every problem as `path:line: message (hint: ...)`; under GitHub Actions
(GITHUB_ACTIONS=true) also one ::error or ::warning workflow command per problem, which GitHub
shows on the pull request's lines. Exit status: 0 valid (warnings allowed), 1 content errors,
2 the check could not run (bad options or configuration, or a bug in the checker).
"""

from __future__ import annotations

import argparse
import os
import sys
import zoneinfo
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_plugins"))

from digest import annotations  # noqa: E402
from digest.loader import DEFAULT_MAX_BYTES, load_content  # noqa: E402

DEFAULTS = {"docs_dir": "content", "time_zone": "UTC", "max_story_bytes": DEFAULT_MAX_BYTES}


class SetupError(Exception):
    """The check cannot run as asked; the message says what to fix."""


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml as data: tags only MkDocs can resolve (`!!python/name:...`, `!ENV`)
    become None instead of failing the whole file."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_options(config_file: Path) -> dict:
    """docs_dir and the digest plugin's time_zone and max_story_bytes from mkdocs.yml; the
    defaults for whatever is missing, or for everything when the file cannot be read."""
    options = dict(DEFAULTS)
    if not config_file.is_file():
        return options
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        print(f"check.py: cannot read {config_file} ({one_line_error(error)}): using the default options",
              file=sys.stderr)
        return options
    if not isinstance(config, dict):
        return options
    if isinstance(config.get("docs_dir"), str):
        options["docs_dir"] = str(config_file.parent / config["docs_dir"])
    for name, plugin_options in _plugins(config.get("plugins")):
        if name == "digest" and isinstance(plugin_options, dict):
            for key in ("time_zone", "max_story_bytes"):
                if plugin_options.get(key) is not None:
                    options[key] = plugin_options[key]
    _validate(options, config_file)
    return options


def _plugins(plugins: object) -> list[tuple[object, object]]:
    """(name, options) of each plugin, whether mkdocs.yml lists them or maps them."""
    if isinstance(plugins, dict):
        return list(plugins.items())
    entries: list[tuple[object, object]] = []
    for plugin in plugins if isinstance(plugins, list) else []:
        if isinstance(plugin, dict) and len(plugin) == 1:
            entries.append(next(iter(plugin.items())))
        else:
            entries.append((plugin, None))
    return entries


def _validate(options: dict, config_file: Path) -> None:
    zone = options["time_zone"]
    try:
        if not isinstance(zone, str):
            raise ValueError
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SetupError(f"{config_file}: digest option `time_zone` is not a known time zone: {zone!r} "
                         "(use an IANA name such as Europe/London)") from None
    limit = options["max_story_bytes"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise SetupError(f"{config_file}: digest option `max_story_bytes` must be a positive whole number, "
                         f"not {limit!r}")


def one_line_error(error: BaseException) -> str:
    return annotations.one_line(" ".join(str(error).split()))


def run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", nargs="?", help="content folder (default: docs_dir of mkdocs.yml, else content)")
    parser.add_argument("--config-file", default="mkdocs.yml", type=Path,
                        help="MkDocs configuration to read the digest's options from (default: mkdocs.yml)")
    parser.add_argument("--files", nargs="*", metavar="FILE",
                        help="check only these changed story files, with the topics and names they need "
                             "(what the pre-commit hook passes); any other changed file checks everything")
    args = parser.parse_args(argv)
    options = read_options(args.config_file)
    content_dir = Path(args.content or options["docs_dir"])
    if not content_dir.is_dir():
        raise SetupError(f"no content folder at {content_dir}: run from the project folder, or name the folder")

    only = None
    if args.files is not None:
        root = content_dir.resolve()
        changed = {Path(name).resolve() for name in args.files}
        rels = {path.relative_to(root).as_posix() for path in changed if path.is_relative_to(root)}
        if all(rel.startswith("stories/") for rel in rels):
            only = rels  # a topic, page or image changed: everything may depend on it
        if not rels:
            print("OK: no content file changed.")
            return 0
    content = load_content(content_dir, time_zone=options["time_zone"], include_drafts=True,
                           max_bytes=options["max_story_bytes"], only=only)
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in content.problems:
        stream = sys.stderr if problem.severity == "error" else sys.stdout
        print(annotations.one_line(str(problem)), file=stream, flush=True)
        for line in problem.context():
            print(line, file=stream, flush=True)
        if github:
            print(annotations.command(problem), flush=True)

    errors, warnings = len(content.errors), len(content.warnings)
    if errors:
        print(f"{errors} problem(s) found: fix them and run `make check` again.", file=sys.stderr)
        return 1
    notes = (f"; {warnings} editorial note{'s' if warnings != 1 else ''} above: advice to weigh, not failures"
             if warnings else "")
    count = len(content.stories)
    print(f"OK: {count} stor{'y' if count == 1 else 'ies'}, {len(content.topics)} topics{notes}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    # A message must reach the reader whatever the terminal's encoding (flags, names in any script).
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return run(argv)
    except SetupError as error:
        print(f"check.py: {annotations.one_line(str(error))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # no traceback for contributors: say what happened and where to report it
        print(f"check.py: the check itself failed ({type(error).__name__}: {one_line_error(error)}). "
              "This is a bug in the checker, not in your content: please report it with this line.",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
