"""The MkDocs adapter: MkDocs events in, calls to the digest's core out.

Content is loaded and indexed once per build (`on_config`, `on_files`); story and generated
pages skip MkDocs' Markdown entirely (`on_page_read_source` returns nothing to render) and get
their HTML from `pages.SitePages`.
"""

from __future__ import annotations

import time
import zoneinfo
from pathlib import Path

from markupsafe import Markup, escape
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from . import feeds, head, sanitize, sitemaps
from .index import build_digest
from .loader import DEFAULT_MAX_BYTES, load_content
from .pages import PageSpec, SitePages
from .render import MarkdownRenderer
from .search import ENGINES, PAGEFIND_FOLDER, PagefindIndexer

log = get_plugin_logger(__name__)
PACKAGE = Path(__file__).parent
STYLESHEET = "assets/digest/digest.css"
SEARCH_SCRIPT, SEARCH_STYLESHEET = "assets/digest/search.js", "assets/digest/search.css"  # search: pagefind


class _TimeZone(opt.Type):
    def __init__(self, default: str = "UTC") -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise base.ValidationError(f"unknown time zone {name!r}; use an IANA name such as Europe/London") from None
        return name


def _escaped(value):
    """Front matter of an ordinary page as the theme prints it: every string escaped, inside
    lists and mappings too (Material prints `page.meta.description` whatever its type)."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    return value


class DigestConfig(base.Config):
    stories_dir = opt.Type(str, default="stories")
    time_zone = _TimeZone()
    home_editions = opt.Type(int, default=10)
    page_size = opt.Type(int, default=50)
    related_count = opt.Type(int, default=5)
    feed_size = opt.Type(int, default=50)
    drafts = opt.Optional(opt.Type(bool))  # unset: shown by `mkdocs serve` only
    max_story_bytes = opt.Type(int, default=DEFAULT_MAX_BYTES)
    publication_name = opt.Optional(opt.Type(str))  # Google News name; default: site_name
    language = opt.Optional(opt.Type(str))  # default: theme.language, else "en"
    search = opt.Choice(ENGINES, default="pagefind")


class DigestPlugin(BasePlugin[DigestConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.pages: SitePages | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config):
        for name in ("home_editions", "page_size", "feed_size"):
            if self.config[name] < 1:
                raise PluginError(f"digest: `{name}` must be at least 1")
        if not config.site_url:
            raise PluginError("digest: set `site_url` in mkdocs.yml (feeds, sitemaps and canonical links need "
                              "absolute URLs), e.g. site_url: https://digest.example.org/")
        if self.config.stories_dir.strip("/") != "stories":
            raise PluginError("digest: `stories_dir` must be `stories` (the contract's URLs are /stories/...)")
        include_drafts = self.config.drafts if self.config.drafts is not None else self.command == "serve"
        self.content = load_content(
            config.docs_dir, time_zone=self.config.time_zone, include_drafts=include_drafts,
            max_bytes=self.config.max_story_bytes,
        )
        if self.content.warnings:
            log.info(f"{len(self.content.warnings)} content warning(s): `make check` lists them")
        if self.content.errors:
            # One line per problem (Problem escapes control characters): a contributor's text
            # cannot start a CI workflow command in the build log.
            raise PluginError(
                f"{len(self.content.errors)} problem(s) in the content; nothing was built:\n"
                + "\n".join(str(p) for p in self.content.errors)
            )
        material = next((i for i, d in enumerate(config.theme.dirs) if Path(d).name == "templates"
                         and Path(d).parent.name == "material"), len(config.theme.dirs) - 1)
        config.theme.dirs.insert(material, str(PACKAGE / "theme"))
        config.extra_css.append(STYLESHEET)
        self.language = self.config.language or config.theme.get("language") or "en"
        self.publisher = self.config.publication_name or config.site_name
        config.extra["digest_search"] = self.config.search
        if self.config.search != "material":
            # Keep Material's search plugin registered (its header partial is ours to override)
            # but stop it indexing: Pagefind does.
            for name, plugin in config.plugins.items():
                if name.endswith("search") and plugin is not self and "enabled" in plugin.config:
                    plugin.config.enabled = False
            config.extra_css.append(SEARCH_STYLESHEET)
            config.extra_javascript.append(SEARCH_SCRIPT)
        return config

    def on_files(self, files: Files, config) -> Files:
        digest = build_digest(self.content, related_count=self.config.related_count)
        self.pages = SitePages(
            digest, MarkdownRenderer(), home_intro=self.content.home_intro,
            home_editions=self.config.home_editions, page_size=self.config.page_size,
            site_name=config.site_name,
        )
        specs = self.pages.specs
        for file in list(files):
            uri = file.src_uri
            ours = uri.startswith("stories/") or (
                file.is_documentation_page() and (uri.startswith(("topics/", "countries/")) or uri == "index.md"))
            if ours and uri not in specs:
                # Drafts, country intros of countries without stories; and never a raw file
                # from stories/ (the loader refuses those, this is the second lock).
                files.remove(file)
        for uri, spec in specs.items():
            existing = files.get_file_from_path(uri)
            if existing is None:
                existing = File.generated(config, uri, content="")
                files.append(existing)
            existing.inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, STYLESHEET, abs_src_path=str(PACKAGE / "assets" / "digest.css")))
        if self.config.search == "pagefind":
            for uri in (SEARCH_SCRIPT, SEARCH_STYLESHEET):
                files.append(File.generated(config, uri, abs_src_path=str(PACKAGE / "assets" / Path(uri).name)))
        return files

    def _spec(self, page) -> PageSpec | None:
        return self.pages.specs.get(page.file.src_uri) if self.pages else None

    def on_pre_page(self, page, *, config, files):
        if self._spec(page) is not None:
            # Our pages have no Markdown for MkDocs: skip building a Python-Markdown instance
            # with every configured extension per page (4 s at 10,000 stories). MkDocs 1.6 is
            # its last release, so this call site will not move.
            page.render = lambda config, files: setattr(page, "content", "")
        return page

    def on_page_read_source(self, *, page, config) -> str | None:
        return "" if self._spec(page) else None

    def on_page_content(self, html: str, *, page, config, files) -> str:
        spec = self._spec(page)
        if spec is None:
            # An ordinary page (about.md): contributors write these too.
            title = page.meta.get("title")
            page.title = Markup(page.title or "") if title is None else _escaped(str(title))
            page.meta = _escaped(page.meta)
            return sanitize.clean(html, page=True)
        page.title = escape(spec.title)
        page.meta = {"description": escape(spec.description)} if spec.description else {}
        if not spec.searchable:
            page.meta["search"] = {"exclude": True}
        # Rendered just before its template (on_page_context): MkDocs keeps every page's content
        # in memory between its two passes, and listings are large.
        return ""

    def on_env(self, env, *, config, files):
        self.rendered: dict[str, str] = {}
        self.indexer = None
        if self.config.search == "pagefind" and self.pages is not None:
            # Story pages first, handed to Pagefind in batches: it indexes and writes on the
            # other core while MkDocs renders every page (the HTML is kept for on_page_context).
            self.indexer = PagefindIndexer(str(Path(config.site_dir) / PAGEFIND_FOLDER), self.language).start()
            for spec in self.pages.specs.values():
                if spec.searchable:
                    html = self.rendered[spec.src_uri] = self.pages.render(spec)
                    self.indexer.add(spec.url, spec.title, html)
            self.indexer.finish()
        return env

    def on_build_error(self, *, error) -> None:
        if getattr(self, "indexer", None) is not None:
            self.indexer.finish()

    @event_priority(100)  # before the search plugin reads page.content
    def on_page_context(self, context, *, page, config, nav):
        spec = self._spec(page)
        if spec is not None:
            page.content = self.rendered.pop(spec.src_uri, None) or self.pages.render(spec)
        context["digest_head"] = Markup(head.head_html(spec, page_url=page.url, site_url=config.site_url,
                                                       site_name=config.site_name, language=self.language,
                                                       digest=self.pages.digest if self.pages else None,
                                                       publisher=self.publisher))
        return context

    def on_post_page(self, output: str, *, page, config) -> str:
        if self._spec(page) is not None:
            page.content = None  # written; nothing reads it again
        return output

    def on_post_build(self, *, config) -> None:
        """Feeds and the news sitemap, from the same digest and rendered HTML as the pages."""
        if self.pages is None:
            return
        epoch = feeds.source_date_epoch()
        files = feeds.build_feeds(
            self.pages.digest, site_url=config.site_url, site_name=config.site_name,
            site_description=config.site_description or "", language=self.language,
            story_html=self.pages.renderer.story_html, size=self.config.feed_size, epoch=epoch,
        )
        files["news-sitemap.xml"] = sitemaps.news_sitemap(
            self.pages.digest.stories, site_url=config.site_url, language=self.language,
            publication_name=self.publisher,
        )
        site_dir = Path(config.site_dir)
        for path, data in files.items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if self.indexer is not None:
            waited = time.perf_counter()
            result = self.indexer.wait()
            if result.error:
                raise PluginError(f"digest: Pagefind could not index the site: {result.error}")
            log.info(f"Pagefind indexed {result.pages} story pages in {result.seconds:.2f} s "
                     f"(the build waited {time.perf_counter() - waited:.2f} s for it)")
