"""The digest's own static assets as the site serves them: one minified stylesheet (digest.css,
plus search.css with `search: pagefind`) and the minified search script, named by their content.

No minifier is among the locked dependencies, so the minification here is deliberately
conservative: comments and layout whitespace go, every token stays as written (no renaming, no
rewriting of values, line breaks kept in JavaScript so that automatic semicolon insertion reads
the code exactly as before). `tests/test_search.py` checks the results parse and behave.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
FOLDER = "assets/digest/"
STYLESHEETS = ("digest.css",)  # always, in this order
SEARCH_STYLESHEETS = ("search.css",)  # with `search: pagefind`
SEARCH_SCRIPT_SOURCE = "search.js"


# --- CSS ---------------------------------------------------------------------------------------

_CSS_TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<space>\s+)
  | (?P<punct>[{};,>:])
  | (?P<other>[^"'/\s{};,>:]+|/)
""", re.X | re.S)
# Whitespace next to these is never significant in CSS. Not "(" (`and (min-width...)` needs its
# space), not ":" before it (`a :hover` is not `a:hover`); after ":" only a declaration or a media
# feature can follow, where the space means nothing.
_CSS_TIGHT_BOTH = set("{};,>")
_CSS_TIGHT_AFTER = _CSS_TIGHT_BOTH | {":"}


def minify_css(text: str) -> str:
    """Comments out, whitespace collapsed and dropped where CSS ignores it, `;` before `}` dropped.
    Strings are kept byte for byte."""
    out: list[str] = []
    pending_space = False
    position = 0
    for match in _CSS_TOKEN.finditer(text):
        if match.start() != position:
            raise ValueError(f"CSS not understood at offset {position}")
        position = match.end()
        kind, token = match.lastgroup, match.group()
        if kind == "comment":
            pending_space = pending_space or bool(out)  # `a/**/b` stays two tokens
            continue
        if kind == "space":
            pending_space = True
            continue
        if pending_space and out:
            previous = out[-1][-1]
            if previous not in _CSS_TIGHT_AFTER and token[0] not in _CSS_TIGHT_BOTH:
                out.append(" ")
        pending_space = False
        if token == "}" and out and out[-1] == ";":
            out.pop()
        out.append(token)
    if position != len(text):
        raise ValueError(f"CSS not understood at offset {position}")
    return "".join(out).strip() + "\n"


# --- JavaScript --------------------------------------------------------------------------------

# A "/" starts a regular expression after these characters or keywords, a division otherwise.
_REGEX_AFTER_CHARS = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_AFTER_WORDS = {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw",
                      "instanceof", "yield", "await"}


def minify_js(text: str) -> str:
    """Comments out, each line's indentation and trailing space out, runs of spaces inside a line
    made one, empty lines dropped. Strings, template literals and regular expressions are kept
    byte for byte; line breaks stay where they were (so semicolon insertion is unchanged)."""
    out: list[str] = []
    i, n = 0, len(text)
    last_significant = ""  # the last token that was not space or a comment (for "/" after it)
    while i < n:
        char = text[i]
        if char in "\"'`":
            end = _string_end(text, i)
            out.append(text[i:end])
            last_significant, i = text[i:end], end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError(f"unclosed comment at offset {i}")
            # A comment that spans lines separates like a line break does (semicolon insertion).
            out.append("\n" if "\n" in text[i:end] else " ")
            i = end + 2
        elif char == "/" and _regex_may_start(last_significant):
            end = _regex_end(text, i)
            out.append(text[i:end])
            last_significant, i = text[i:end], end
        elif char in " \t\r\n":
            end = i
            while end < n and text[end] in " \t\r\n":
                end += 1
            out.append("\n" if "\n" in text[i:end] else " ")
            i = end
        else:
            end = i + 1
            if char.isalnum() or char in "_$":
                while end < n and (text[end].isalnum() or text[end] in "_$"):
                    end += 1
            out.append(text[i:end])
            last_significant, i = text[i:end], end
    lines = (line.strip(" ") for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line) + "\n"


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if quote == "`" and text.startswith("${", i):
            raise ValueError(f"template literal with a substitution at offset {start}: not supported")
        if text[i] == quote:
            return i + 1
        if text[i] == "\n" and quote != "`":
            break
        i += 1
    raise ValueError(f"unclosed string at offset {start}")


def _regex_may_start(previous: str) -> bool:
    if not previous:
        return True
    if previous[-1] in _REGEX_AFTER_CHARS:
        return True
    return previous in _REGEX_AFTER_WORDS


def _regex_end(text: str, start: int) -> int:
    i, in_class = start + 1, False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "\n":
            break
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            i += 1
            while i < len(text) and (text[i].isalpha()):
                i += 1  # flags
            return i
        i += 1
    raise ValueError(f"unclosed regular expression at offset {start}")


# --- What the site serves -------------------------------------------------------------------------

def _named(stem: str, suffix: str, text: str) -> str:
    """A content-named path, as Material names its own assets: a reader's browser may keep it for
    ever, and a new version is a new file."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{FOLDER}{stem}.{digest}.min{suffix}"


@lru_cache(maxsize=8)
def _built(sources: tuple[tuple[str, float], ...], search: bool) -> dict[str, str]:
    css = "".join(minify_css((ASSETS / name).read_text(encoding="utf-8")).rstrip("\n") for name, _ in sources
                  if name.endswith(".css")) + "\n"
    files = {_named("digest", ".css", css): css}
    if search:
        js = minify_js((ASSETS / SEARCH_SCRIPT_SOURCE).read_text(encoding="utf-8"))
        files[_named("search", ".js", js)] = js
    return files


def site_assets(*, search: bool) -> dict[str, str]:
    """{site path: text} of the digest's assets: the stylesheet first, then (with `search`) the
    search script. Made again only when a source file changes."""
    names = STYLESHEETS + (SEARCH_STYLESHEETS + (SEARCH_SCRIPT_SOURCE,) if search else ())
    sources = tuple((name, (ASSETS / name).stat().st_mtime) for name in names)
    return dict(_built(sources, search))


def stylesheet(*, search: bool) -> str:
    """The site path of the one stylesheet (for `extra_css`)."""
    return next(path for path in site_assets(search=search) if path.endswith(".css"))


def search_script() -> str:
    """The site path of the minified search script (loaded by theme/partials/digest-search.html)."""
    return next(path for path in site_assets(search=True) if path.endswith(".js"))
