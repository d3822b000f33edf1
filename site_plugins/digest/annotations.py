"""Problems as output lines that no contributor text can break: GitHub Actions workflow
commands (`::error file=...,line=...,title=...::message`) and plain one-line messages.

The runner reads any output line starting with `::` as a command. A contributor controls file
names, keys and values that end up in messages, so every line we print is escaped: a message can
never end its line early and start a command of its own.
"""

from __future__ import annotations


from .model import Problem, one_line  # noqa: F401 (one_line is part of this module's surface)

TITLE = "make check"  # the annotation's heading: what reproduces it on a laptop

# Line breaks and other control characters, including the Unicode line and paragraph separators.


def escape_data(text: str) -> str:
    """A workflow command's message (after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`): also no `:` or `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(problem: Problem, title: str = TITLE) -> str:
    """`::error ...` or `::notice ...` (an editorial note) for one problem, with its hint."""
    kind = "error" if problem.severity == "error" else "notice"
    message = f"{problem.message} (hint: {problem.hint})" if problem.hint else problem.message
    column = f",col={int(problem.column)}" if problem.column else ""
    return (f"::{kind} file={escape_property(problem.path)},line={int(problem.line)}{column},"
            f"title={escape_property(title)}::{escape_data(message)}")


