"""Contributor Markdown to safe HTML: a fixed set of harmless extensions, then the sanitiser.

One `MarkdownRenderer` renders each text once: its HTML is kept by the text's hash, so the story
page, feeds and search records reuse it, and so do later builds (`cache` is saved in .cache/).
"""

from __future__ import annotations

import hashlib
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
    def __init__(self, cache: dict[str, str] | None = None) -> None:
        self._md: markdown.Markdown | None = None  # built on first use: a warm build may need none
        self.cache = {} if cache is None else cache  # sha256 of the Markdown -> sanitised HTML
        self.used: set[str] = set()  # the keys this build asked for: what is worth saving

    def html(self, text: str) -> str:
        """Sanitised HTML for contributor Markdown, rendered once per text."""
        if not text.strip():
            return ""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        self.used.add(key)
        html = self.cache.get(key)
        if html is None:
            if self._md is None:
                self._md = markdown.Markdown(
                    extensions=[*EXTENSIONS, _SafeStoryMarkdown()], extension_configs=EXTENSION_CONFIGS
                )
            self._md.reset()
            html = self.cache[key] = sanitize.clean(self._md.convert(text))
        return html

    def story_html(self, story: Story) -> str:
        return self.html(story.body_markdown)
