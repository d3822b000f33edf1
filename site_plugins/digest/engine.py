"""The build engine: MkDocs 1.6 (the default) or ProperDocs, its maintained drop-in fork, chosen
by one setting (`make ... ENGINE=properdocs`, which exports DIGEST_ENGINE to scripts and tests)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

ENGINES = ("mkdocs", "properdocs")
VARIABLE = "DIGEST_ENGINE"


def chosen(environ: Mapping[str, str] | None = None) -> str:
    """The engine DIGEST_ENGINE names (unset or empty: mkdocs); anything else is an error, so
    that a typo never silently builds with the default."""
    name = (os.environ if environ is None else environ).get(VARIABLE) or "mkdocs"
    if name not in ENGINES:
        raise ValueError(f"{VARIABLE}={name!r}: the engine must be one of {', '.join(ENGINES)}")
    return name


def command(*args: str, python: str | None = None, environ: Mapping[str, str] | None = None) -> list[str]:
    """`<engine> ARGS` run by this interpreter (`python -m mkdocs` or `python -m properdocs`)."""
    return [python or sys.executable, "-m", chosen(environ), *args]


def running() -> str:
    """The engine this process imported, with its version: ProperDocs puts itself in
    sys.modules["mkdocs"], so what `import mkdocs` gives is the engine, whichever is installed."""
    module = sys.modules.get("mkdocs")
    if module is None:
        return "none"
    return f"{module.__name__} {getattr(module, '__version__', '?')}"
