"""Contributor Markdown to safe HTML: a fixed set of harmless extensions, then the sanitiser.

One `MarkdownRenderer` renders each text once; story bodies are cached on the story so that
the story page, feeds and search records reuse the same HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
from markdown.treeprocessors import Treeprocessor

from . import sanitize
from .model import Story

# No attr_list (it lets a writer add onclick), no md_in_html, no snippets or includes.
EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "def_list", "abbr", "toc"]
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}, "toc": {"permalink": False}}


class _DemoteHeadings(Treeprocessor):
    """The page's title is its only h1: a body that uses `#` has all its headings moved one
    level down (a body that starts at `##` already fits under the title)."""

    def run(self, root: etree.Element) -> None:
        if root.find(".//h1") is None:
            return
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5"):
                element.tag = "h" + str(int(element.tag[1]) + 1)


class _SafeStoryMarkdown(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (markdown's API)
        md.treeprocessors.register(_DemoteHeadings(md), "digest-demote-headings", 1)


class MarkdownRenderer:
    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=[*EXTENSIONS, _SafeStoryMarkdown()], extension_configs=EXTENSION_CONFIGS
        )

    def html(self, text: str) -> str:
        """Sanitised HTML for contributor Markdown."""
        if not text.strip():
            return ""
        self._md.reset()
        return sanitize.clean(self._md.convert(text))

    def story_html(self, story: Story) -> str:
        if not story.html and story.body_markdown.strip():
            story.html = self.html(story.body_markdown)
        return story.html
