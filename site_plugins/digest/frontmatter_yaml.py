"""Front matter as YAML nodes with line numbers, read the way a contributor expects.

PyYAML speaks YAML 1.1, where `NO` is false, `010` is 8 and `10:00` is 600. Stories need the
YAML 1.2 core schema: only true/false are booleans, dates stay text (we parse them ourselves),
and aliases are refused so that a "billion laughs" document costs nothing.
"""

from __future__ import annotations

import re
import unicodedata

import frontmatter
import yaml

MAX_DEPTH = 10


class FrontMatterError(Exception):
    """Front matter that is not YAML we accept; `line` is 0-based within the front matter,
    `column` 1-based (0: the whole line)."""

    def __init__(self, message: str, line: int, hint: str = "", column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint
        self.column = column


# libyaml scans and parses (eight times faster than pure Python, which matters at 10,000
# stories); composing stays in Python so that aliases and depth are checked per node.
_LIBYAML = yaml.__with_libyaml__
_PARSER = (yaml._yaml.CParser,) if _LIBYAML else (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser)


class _Loader(yaml.composer.Composer, *_PARSER, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """YAML 1.2 core-schema scalars, no aliases and bounded nesting."""

    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream: str) -> None:
        if _LIBYAML:
            yaml._yaml.CParser.__init__(self, stream)
        else:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._lines = stream.split("\n")
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise FrontMatterError(
                "YAML aliases (*name) are not allowed in front matter",
                event.start_mark.line,
                "write the value out in full",
            )
        event = self.peek_event()
        if getattr(event, "tag", None) not in (None, "!"):
            # `!!python/object`, `!custom`, `!!binary`: constructors that SafeLoader refuses with
            # an exception, or values no story needs. Refused here, with the line.
            raise FrontMatterError(
                "YAML tags (`!name` before a value) are not allowed in front matter",
                event.start_mark.line,
                "remove the tag; put text in double quotes",
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise FrontMatterError(
                f"front matter is nested more than {MAX_DEPTH} levels deep",
                event.start_mark.line,
                "stories need at most two levels (sources: - name: ...)",
            )
        try:
            node = yaml.composer.Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.ScalarNode) and not node.style:
            # A plain scalar followed by ` #...`: YAML dropped the rest of the line as a comment.
            end = node.end_mark
            rest = self._lines[end.line][end.column:] if end.line < len(self._lines) else ""
            node.cut_by_comment = bool(re.match(r"\s+#", rest))
        return node


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), list("~nN") + [""])
# YAML 1.2 ints: PyYAML's constructor would read "010" as octal; decimal it is.
def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int | str:
    try:
        return int(node.value, 0) if node.value[:2] in ("0o", "0x") else int(node.value, 10)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits()): text
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of `text`, or None for an empty document."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        # An unclosed quote or bracket is reported at the end of the text; its start is the
        # line to fix.
        unclosed = (error.context or "").startswith(("while scanning a quoted", "while parsing a flow"))
        mark = (error.context_mark if unclosed else None) or error.problem_mark or error.context_mark
        problem = ", ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        line = mark.line if mark else 0
        message, hint, line, column = explain(text, line, (mark.column + 1) if mark else 0, problem)
        raise FrontMatterError(message, line, hint, column) from None
    except yaml.reader.ReaderError as error:
        # A character YAML takes nowhere (a C0 or C1 control written as it is, U+FFFE, U+FFFF):
        # its line and column. libyaml counts its position in bytes: find the character instead.
        code, at = error.character, text.find(chr(error.character))
        what, why = ((f"the control character U+{code:04X}", "it is invisible, and terminals and other programs may act on it")
                     if unicodedata.category(chr(code)) == "Cc" else (f"U+{code:04X}", "it is not a character YAML accepts"))
        raise FrontMatterError(
            f"line contains {what} at character {at - text.rfind(chr(10), 0, at)} ({why})",
            max(0, text.count("\n", 0, at)),
            f"delete it: most editors do not show it, so search for \\u{code:04X} with regular expressions on",
        ) from None
    except yaml.YAMLError as error:
        raise FrontMatterError(f"broken YAML: {error}", 0) from None
    finally:
        loader.dispose()


_constructor = _Loader("")  # one constructor for every value: a parser per value cost 10% of loading


def construct(node: yaml.Node):
    """The Python value of one node (after `compose`, aliases are already refused)."""
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, TypeError, ValueError):
        return None  # e.g. a list used as a mapping key: no field accepts it, and its checker says so
    finally:
        _constructor.constructed_objects.clear()
        _constructor.recursive_objects.clear()


def _key_column(line: str) -> int:
    """0-based column where the line's key starts (after any `- ` of a list item)."""
    return len(re.match(r"^[ ]*(?:-[ ]+)?", line).group())


def _unclosed_quote(lines: list[str], upto: int) -> int | None:
    """The first line up to `upto` whose value opens a double quote it does not close."""
    for number, line in enumerate(lines[: upto + 1]):
        value = re.match(r'^\s*-?\s*[\w-]+:\s*(".*)$', line)
        if value and len(re.findall(r'(?<!\\)"', value.group(1))) % 2 == 1:
            return number
    return None


def explain(text: str, line: int, column: int, problem: str) -> tuple[str, str, int, int]:
    """What PyYAML's `problem` at `line` (0-based) means for someone who has never seen YAML:
    (message, hint, the line to fix, 1-based column), naming the usual causes in plain words."""
    lines = text.split("\n")
    here = lines[line] if 0 <= line < len(lines) else ""
    tabs = [i for i, l in enumerate(lines) if "\t" in l[: len(l) - len(l.lstrip(" \t"))]]
    if tabs:
        first = tabs[0]
        return ("this line is indented with a tab, which YAML does not accept",
                "indent with spaces only (two per level); your editor can turn tabs into spaces",
                first, lines[first].index("\t") + 1)
    key = re.match(r"^(\s*-?\s*)([A-Za-z_][\w-]*):\s", here)
    if "mapping values are not allowed" in problem and key:
        value_at = key.end()
        return (f"the value of `{key.group(2)}` contains a colon followed by a space, which YAML reads as the "
                "start of another key",
                f'put the whole value in double quotes: {key.group(2)}: "{here[value_at:].strip()}"', line, value_at + 1)
    opened = _unclosed_quote(lines, line)
    if "quoted scalar" in problem or opened is not None:
        at = opened if opened is not None else line
        quote = lines[at].find('"') if '"' in lines[at] else lines[at].find("'")
        return ("a quote opened on this line is not closed",
                "end the value with the same quote it starts with, on the same line", at, quote + 1 if quote >= 0 else 0)
    if "flow" in problem or "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return ("a bracket `[` or `{` opened on this line is not closed, or an item in it is missing a comma",
                "close every [ with ] and every { with }, and separate items with commas", line, column)
    previous = next((l for l in reversed(lines[:line]) if l.strip()), "")
    if here.strip() and previous and ("indicator" in problem or "expected key" in problem
                                      or "expected <block end>" in problem):
        name = re.match(r"^\s*-?\s*([\w-]+)", here)
        above = re.match(r"^\s*-?\s*([\w-]+)", previous)
        what = f"`{name.group(1)}:`" if name else "this line"
        return (f"{what} starts in column {_key_column(here) + 1}, but "
                f"{f'`{above.group(1)}:`' if above else 'the line'} above it starts in column {_key_column(previous) + 1}: "
                "the indentation does not line up",
                "keys of the same entry start in the same column: put `url:` directly under `name:`, "
                "and each `- name:` of a list under the first one", line, _key_column(here) + 1)
    return (f"YAML cannot read this line ({problem})",
            "look for a missing quote, a colon inside an unquoted value, or indentation that does not line up",
            line, column)


_handler = frontmatter.YAMLHandler()


def split(text: str) -> tuple[str, int, str, int] | None:
    """Split a document into (front matter, its first line, body, its first line), lines
    1-based; None when the document does not start with a `---` line."""
    start = _handler.FM_BOUNDARY.match(text)
    if not start:
        return None
    try:
        fm, body = _handler.split(text)
    except ValueError:
        raise FrontMatterError("front matter is not closed", 0, "end the front matter with a line `---`") from None
    fm_line = text.count("\n", 0, start.end()) + 1
    body_line = len(text) - len(body)
    return fm, fm_line, body, text.count("\n", 0, body_line) + 1
