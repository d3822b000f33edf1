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
    """Front matter that is not YAML we accept; `line` is 0-based within the front matter."""

    def __init__(self, message: str, line: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


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
        raise FrontMatterError(f"broken YAML: {problem}", mark.line if mark else 0, _yaml_hint(problem)) from None
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


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return 'put the value in double quotes when it contains ": "'
    if "quoted scalar" in problem:
        return "a quote opened on this line is not closed"
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    return "check the quotes and indentation on this line"


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
