"""The MkDocs adapter: MkDocs events in, calls to the digest's core out.

Content is loaded and indexed once per build (`on_config`, `on_files`); story and generated
pages skip MkDocs' Markdown entirely (`on_page_read_source` returns nothing to render) and get
their HTML from `pages.SitePages`.

Incremental builds (`mkdocs build --dirty`, `mkdocs serve --dirty`: what `make build` and `make
serve` run): every generated page has a fingerprint of its inputs (`pages.PageSpec`) and of the
whole site (`cache.site_key`); a page whose fingerprint matches the one recorded for the file
already in site_dir is not rendered again, and whatever this build does not produce is removed,
so that site_dir ends up byte for byte as a clean build would leave it.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import os
import shutil
import tempfile
import time
import zoneinfo
from pathlib import Path

import jinja2
from markupsafe import Markup, escape
from mkdocs.commands import build as engine_build
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.utils import get_relative_url

from . import bundle, feeds, head, i18n, images, kinds, sanitize, sitemaps
from .cache import BuildCache, site_key
from .collector import IdleCollector
from .index import build_digest
from .loader import DEFAULT_MAX_BYTES, load_content
from .model import Page
from .newsletter import (DEFAULT_SUBJECT, Newsletter, SettingsError, check_sender, check_subject, check_unsubscribe,
                         email_files)
from .pages import PageSpec, SitePages
from .render import MarkdownRenderer
from .search import (ENGINES, PAGEFIND_FOLDER, PART_LIMIT, PagefindIndexer, SearchInput, newest_first, part_keys,
                     part_limit, partition)
from .watcher import use_native_watcher

log = get_plugin_logger(__name__)
PACKAGE = Path(__file__).parent


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


# MkDocs 1.6.1 (`commands/build.py`) warns on every --dirty build that navigation and links may
# be wrong, and --strict counts that warning; it also says stale files are left. The digest's
# dirty builds are exact and leave none (see the module docstring), so both messages are dropped; `tests/test_incremental.py` fails if it changes.
DIRTY_MESSAGES = ("A 'dirty' build is being performed", "The directory contains stale files")


class _ExactDirtyBuilds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DIRTY_MESSAGES)


_DIRTY_FILTER = _ExactDirtyBuilds()


class _Checked(opt.Type):
    """A string option checked by one of newsletter.py's `check_*` functions."""

    def __init__(self, check, default: str | None = None) -> None:
        super().__init__(str, default=default)
        self.check = check

    def run_validation(self, value: object) -> str:
        try:
            return self.check(super().run_validation(value))
        except SettingsError as error:
            raise base.ValidationError(str(error)) from None


class _AtLeastOne(opt.Type):
    def __init__(self, default: int) -> None:
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        number = super().run_validation(value)
        if number < 1:
            raise base.ValidationError("must be at least 1")
        return number


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
    # Stories in one part of the search index, at most: a year above it is split (search.py).
    # Pagefind holds about 210 MiB per 1,000 stories while it indexes a part.
    search_part_size = _AtLeastOne(default=PART_LIMIT)
    feed_size = opt.Type(int, default=50)
    drafts = opt.Optional(opt.Type(bool))  # unset: shown by `mkdocs serve` only
    max_story_bytes = opt.Type(int, default=DEFAULT_MAX_BYTES)
    publication_name = opt.Optional(opt.Type(str))  # Google News name; default: site_name
    language = opt.Optional(opt.Type(str))  # default: theme.language, else "en"
    search = opt.Choice(ENGINES, default="pagefind")
    cache_dir = opt.Type(str, default=".cache")  # next to mkdocs.yml; what `make build` reuses
    # Editions as emails (newsletter.py; README, "The edition by email").
    email = opt.Type(bool, default=True)  # write editions/<date>/email.html, email.txt, email.eml
    email_editions = _AtLeastOne(default=7)  # how many of the newest editions; also the editions feed's size
    email_from = opt.Optional(_Checked(check_sender))  # default: "<site_name>" <noreply@<site_url's host>>
    email_subject = _Checked(check_subject, default=DEFAULT_SUBJECT)  # {site_name}, {date}, {headline}
    email_unsubscribe = opt.Optional(_Checked(check_unsubscribe))  # https:// or mailto:; default: mailto From


class DigestPlugin(BasePlugin[DigestConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.dirty = False
        self.pages: SitePages | None = None
        self.memory: BuildCache | None = None  # kept across `mkdocs serve` rebuilds
        self.indexer: PagefindIndexer | None = None
        self.search_dir: Path | None = None  # serve: the preview's search input, for its lifetime
        self.swept = False  # site_dir was walked once by this process: from then on its files are known
        self.page_objects: dict[str, dict] = {}  # serve: each generated page's fresh MkDocs Page state
        self.known_fingerprints: dict[tuple, str] = {}  # serve: page fingerprints by what they hash
        self.earlier_fingerprints: dict[tuple, str] = {}
        self.lit = None  # the navigation page shown as current while a page out of it is written
        self.collector: IdleCollector | None = None  # serve: the cycle collector between rebuilds

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command, self.dirty = command, dirty
        # MkDocs keeps this object for the process; a build starts from what .cache/ holds.
        self.memory, self.swept, self.indexer, self.last_index = None, False, None, None
        if command == "serve":
            self.collector = IdleCollector()
        if dirty:
            # The logger of the engine's build module: "mkdocs.commands.build", or under ProperDocs
            # (which serves `import mkdocs.x` from properdocs.x) "properdocs.commands.build".
            engine_build.log.addFilter(_DIRTY_FILTER)

    def on_serve(self, server, *, config, builder):
        # A save noticed by the kernel at once, not by walking content/ every half second.
        use_native_watcher(server)
        return server

    def on_shutdown(self) -> None:
        if self.collector is not None:
            self.collector.stop()
        if self.search_dir is not None:
            shutil.rmtree(self.search_dir, ignore_errors=True)

    # Before Material's search plugin, which reads the theme's language file in its own on_config:
    # the digest's theme folder (with partials/languages/fa-AF.html) must be in place by then.
    @event_priority(50)
    def on_config(self, config):
        if self.collector is not None:
            self.collector.begin()  # until on_post_build or on_build_error
        for name in ("home_editions", "page_size", "feed_size"):
            if self.config[name] < 1:
                raise PluginError(f"digest: `{name}` must be at least 1")
        if not config.site_url:
            raise PluginError("digest: set `site_url` in mkdocs.yml (feeds, sitemaps and canonical links need "
                              "absolute URLs), e.g. site_url: https://digest.example.org/")
        if self.config.stories_dir.strip("/") != "stories":
            raise PluginError("digest: `stories_dir` must be `stories` (the contract's URLs are /stories/...)")
        include_drafts = self.config.drafts if self.config.drafts is not None else self.command == "serve"
        material = next((i for i, d in enumerate(config.theme.dirs) if Path(d).name == "templates"
                         and Path(d).parent.name == "material"), len(config.theme.dirs) - 1)
        config.theme.dirs.insert(material, str(PACKAGE / "theme"))
        self.cache_dir = Path(config.config_file_path or ".").parent / self.config.cache_dir / "digest"
        # Lead images' resized files, by the hash of the original and the encoder settings: kept
        # whatever the site_key, so a code change does not mean encoding every image again.
        self.image_store = images.ImageStore(self.cache_dir / "images")
        key = site_key(package=PACKAGE, config_bytes=Path(config.config_file_path).read_bytes()
                       if config.config_file_path else b"", theme_dirs=list(config.theme.dirs),
                       options=(self.command, include_drafts, config.site_url, str(Path(config.site_dir).resolve()),
                                sorted(self.config.items())))
        if self.memory is None or self.memory.site_key != key:
            self.memory = BuildCache.load(self.cache_dir, key) if self.command == "build" else BuildCache(key)
        self.content = load_content(
            config.docs_dir, time_zone=self.config.time_zone, include_drafts=include_drafts,
            max_bytes=self.config.max_story_bytes, cache=self.memory.stories,
            warnings=self.command != "serve",
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
        # One minified stylesheet of ours (digest.css, plus search.css with Pagefind); the search
        # script is not in extra_javascript: theme/main.html loads it on first use (bundle.py).
        self.assets = bundle.site_assets(search=self.config.search == "pagefind")
        config.extra_css.append(bundle.stylesheet(search=self.config.search == "pagefind"))
        self.language = self.config.language or config.theme.get("language") or "en"
        # Interface strings, dates and country names: the site's language (contract), which the
        # `language` option (feeds, news sitemap) only defaults to.
        self.interface_language = config.theme.get("language") or "en"
        self.publisher = self.config.publication_name or config.site_name
        config.extra["digest_search"] = self.config.search
        if self.config.search != "material":
            # Keep Material's search plugin registered (its header partial is ours to override)
            # but stop it indexing: Pagefind does.
            for name, plugin in config.plugins.items():
                if name.endswith("search") and plugin is not self and "enabled" in plugin.config:
                    plugin.config.enabled = False
            config.extra["digest_search_script"] = bundle.search_script()
        return config

    def on_pre_build(self, *, config) -> None:
        manifest = self.memory.manifest
        site_dir = str(Path(config.site_dir).resolve())
        if self.dirty and (manifest.site_key != self.memory.site_key or manifest.site_dir != site_dir):
            # Nothing in site_dir can be trusted to match this build: start from nothing.
            if Path(site_dir).is_dir():
                for entry in Path(site_dir).iterdir():
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            manifest.pages.clear()
            manifest.outputs = set()
        manifest.site_key, manifest.site_dir = self.memory.site_key, site_dir
        if self.command == "build":
            BuildCache.forget(self.cache_dir)  # a build that fails half-way leaves no manifest to trust

    def on_files(self, files: Files, config) -> Files:
        digest = build_digest(self.content, related_count=self.config.related_count, cache=self.memory.related,
                              language=self.interface_language)
        self.pages = SitePages(
            digest, MarkdownRenderer(self.memory.html), home_intro=self.content.home_intro,
            home_editions=self.config.home_editions, page_size=self.config.page_size,
            site_name=config.site_name, language=self.interface_language, email_edition=self.config.email,
        )
        specs = self.pages.specs
        docs_dir = os.path.realpath(config.docs_dir)
        # Image originals are not published: their resized copies are (on_post_build), without
        # the EXIF (camera, GPS position) and colour profile the originals may carry.
        publishable = set(specs) | set(self.content.pages)
        real = functools.lru_cache(maxsize=None)(os.path.realpath)  # a handful of folders, 10,000 files
        for file in list(files):
            from_docs = file.generated_by is None and real(file.src_dir or "") == docs_dir
            if from_docs and file.src_uri not in publishable:
                # The allow-list's second lock: only what the loader accepted is published (not a
                # file added since, a draft, or the intro of a country without stories).
                files.remove(file)
        for uri, spec in specs.items():
            existing = files.get_file_from_path(uri)
            if existing is None:
                existing = File.generated(config, uri, content="")
                files.append(existing)
            existing.inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
        for uri, text in self.assets.items():
            files.append(File.generated(config, uri, content=text))
        files.append(File.generated(config, head.LOGO.path, abs_src_path=str(PACKAGE / "assets" / "logo.png")))
        previous, self.page_objects = self.page_objects, {}
        for file in files.documentation_pages():
            # MkDocs reads ordinary pages and the pages in the navigation (their titles are in every
            # page); ours out of the navigation need no reading (`_prepare` in on_env), and on_env
            # decides what is written.
            spec = specs.get(file.src_uri)
            file.is_modified = _always if spec is None or spec.in_nav else _never
            if spec is not None and not spec.in_nav and self.command == "serve":
                fresh = previous.get(file.src_uri)
                self.page_objects[file.src_uri] = fresh or dict(MkDocsPage(None, file, config).__dict__)
                if fresh:
                    _page_from(fresh, file)
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
        if self._spec(page):
            return ""
        source = self.content.pages.get(page.file.src_uri)
        if source is None:
            return None
        # The body the loader checked, behind an empty front matter block: MkDocs' own front-matter
        # parser (YAML with aliases, MultiMarkdown `key: value` lines) never sees the file's text.
        return "---\n{}\n---\n" + source.body_markdown

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        source = self.content.pages.get(page.file.src_uri)
        if source is not None:
            page.meta = {k: v for k, v in (("title", source.title), ("description", source.description)) if v}
        return markdown

    def on_page_content(self, html_: str, *, page, config, files) -> str:
        spec = self._spec(page)
        if spec is None:
            # An ordinary page (about.md): contributors write these too.
            page.title = escape(_plain_title(page, self.content.pages.get(page.file.src_uri)))
            page.meta = _escaped(page.meta)
            return sanitize.clean(html_, page=True)
        _prepare(page, spec)
        # Rendered just before its template (on_page_context): MkDocs keeps every page's content
        # in memory between its two passes, and listings are large.
        return ""

    def on_env(self, env, *, config, files):
        """Which pages this build writes: those whose fingerprint changed, and ordinary pages.
        The navigation is part of every page, so its titles are part of every fingerprint."""
        # Templates are compiled once, not on every build or preview rebuild (Jinja checks the
        # source's checksum, so an edited template is compiled again).
        env.bytecode_cache = self.pages.env.bytecode_cache = jinja2.FileSystemBytecodeCache(
            str(_folder(self.cache_dir / "jinja")))
        # MkDocs makes a new environment for every build, `mkdocs serve` rebuild included: nothing
        # to reload within one, and checking each template's file time on every include costs 5 %.
        env.auto_reload = False
        self.frames: dict[tuple, str] = {}
        self.frame_keys: dict[str, tuple] = {}
        self.documents = files.documentation_pages()
        self.nav_urls = [f.url for f in self.documents if f.inclusion.is_in_nav()]
        env.globals["digest_frame"] = self._frame
        i18n.install(env, self.interface_language)  # the theme partials' strings (footer, search box)
        env.globals["digest_script_strings"] = self.pages.words.script_strings()  # search.js's, "" in English
        # The navigation's pages by site-relative URL (MkDocs calls the home page's "./")
        self.section_pages = {f.url.removeprefix("./"): f.page for f in self.documents
                              if f.inclusion.is_in_nav() and f.page is not None}
        self.written: list[tuple[str, str]] = []  # (dest path, fingerprint) of the pages written
        self.files = files
        nav = config.nav or []
        nav_key = repr([(f.src_uri, str(f.page.title) if f.page else "") for f in self.documents
                        if f.inclusion.is_in_nav()]) + repr(nav)
        page_key = self.page_key = self.memory.site_key + "\0" + nav_key
        manifest = self.memory.manifest
        # Material's own search indexes every page as it is written: it needs them all.
        exact = self.exact = self.dirty and self.config.search != "material"
        built = 0
        self.earlier_fingerprints, self.known_fingerprints = self.known_fingerprints, {}  # keep only what is used
        self.fingerprints: dict[str, str] = {}
        for file in self.documents:
            spec = self.pages.specs.get(file.src_uri)
            if spec is None:
                continue  # an ordinary page: always written
            fingerprint = self.fingerprints[spec.src_uri] = self._fingerprint(spec, page_key)
            changed = not (exact and manifest.is_current(file.abs_dest_path, fingerprint))
            file.is_modified = _always if changed else _never
            if changed and not spec.in_nav:
                _prepare(file.page, spec)  # what MkDocs' reading of the page would have done
            if changed:
                built += 1
                self.written.append((file.abs_dest_path, fingerprint))
        log.info(f"{built} of {len(self.pages.specs)} generated pages to write; the rest are unchanged")
        self._keep_theme_templates(config, page_key)
        if self.config.search == "pagefind":
            self._index_for_search(config, page_key)
        return env

    def _keep_theme_templates(self, config, page_key: str) -> None:
        """MkDocs renders its sitemap and the theme's 404 page on every build (0.4 s of a 1.5 s
        preview rebuild at 10,000 stories). Each is left out of this build when what it prints is
        unchanged and the file written last time is still there, as written."""
        pages = [file.page for file in self.documents if file.page is not None]
        sitemap = hashlib.sha256(repr((page_key, [(page.is_link, page.canonical_url, page.abs_url, page.update_date)
                                                  for page in pages])).encode("utf-8", "surrogatepass")).hexdigest()
        # 404.html: the frame and the navigation, nothing of any page (`page_key`).
        self.template_keys = {"sitemap.xml": sitemap, "404.html": page_key}
        self.kept_templates: set[str] = set()
        if not self.exact:
            return
        manifest = self.memory.manifest
        for name, key in self.template_keys.items():
            dest = os.path.join(config.site_dir, name)
            if (name in config.theme.static_templates and manifest.is_current(dest, key)
                    and (name != "sitemap.xml" or os.path.isfile(dest + ".gz"))):
                config.theme.static_templates.discard(name)
                self.kept_templates.add(name)

    def _fingerprint(self, spec: PageSpec, page_key: str) -> str:
        """`spec.fingerprint`, remembered across preview rebuilds by the data it hashes (most
        pages' inputs are unchanged objects: a dict lookup instead of a repr and a hash)."""
        key = (page_key, spec.kind.name, spec.src_uri, spec.url, spec.title, spec.description, spec.feeds, spec.inputs)
        found = self.earlier_fingerprints.get(key) or spec.fingerprint(page_key)
        self.known_fingerprints[key] = found
        return found

    def _frame_key(self, page) -> tuple | None:
        """What the cached parts of Material's frame print that varies from page to page: the
        relative links to every page in the navigation and to the site's root (assets). None: not
        cached (pages in the navigation are active in it and have neighbours in the footer;
        ordinary pages have a table of contents)."""
        spec = self._spec(page) if page is not None else None
        if spec is None or spec.in_nav or page.toc or page.meta.get("hide"):
            return None
        key = self.frame_keys.get(page.url)  # four blocks ask for each page's key
        if key is None:
            key = self.frame_keys[page.url] = (get_relative_url("", page.url),
                                               tuple(get_relative_url(url, page.url) for url in self.nav_urls),
                                               spec.section)  # the tab shown as current
        return key

    def _frame(self, block: str, page, render):
        """Material's `block` for `page`, rendered once per `_frame_key`."""
        key = self._frame_key(page)
        if key is None:
            return render()
        html_ = self.frames.get((block, key))
        if html_ is None:
            html_ = self.frames[(block, key)] = render()
        return html_

    def _index_for_search(self, config, page_key: str) -> None:
        """Rewrite the search documents of the stories that changed; index again if any did."""
        manifest = self.memory.manifest
        if self.command == "serve":
            if self.search_dir is None:
                self.search_dir = Path(tempfile.mkdtemp(prefix="digest-search-"))
            folder = self.search_dir
        else:
            folder = self.cache_dir / "search-input"
        search_input = SearchInput(folder, self.language, manifest.search_inputs)
        searchable = {spec.url: spec for spec in self.pages.specs.values() if spec.searchable}
        wanted = {url: self.pages.search_key(spec, page_key) for url, spec in searchable.items()}
        search_input.keep_only(set(wanted))
        # One Pagefind part per year (or part of a year, above search_part_size stories), indexed
        # only when one of its stories' documents changed (search.py says why and what it costs).
        by_part = partition(wanted, part_limit(len(wanted), self.config.search_part_size))
        serving = self.command == "serve"
        output = Path(config.site_dir) / PAGEFIND_FOLDER
        indexer = self.indexer = PagefindIndexer(
            folder, str(output), self.language, parts=part_keys(by_part), waiting=set(by_part),
            after=self.indexer if serving else None, background=serving).start()
        # The documents part by part, in the order Pagefind takes the parts (newest first): it
        # indexes the first while the others' documents are rendered (a cold build's story bodies).
        try:
            for name in newest_first(by_part):
                for url, key in by_part[name]:
                    if not search_input.current(url, key, look=not self.swept):
                        search_input.write(url, key, searchable[url].title, self.pages.search_document(searchable[url]))
                indexer.ready(name)
        finally:
            indexer.ready_all()
        manifest.search_inputs = search_input.fingerprints

    def on_build_error(self, *, error) -> None:
        if self.collector is not None:
            self.collector.end()
        if self.indexer is not None and self.command == "build":
            self.indexer.wait()

    @event_priority(100)  # before the search plugin reads page.content
    def on_page_context(self, context, *, page, config, nav):
        spec = self._spec(page)
        if spec is not None:
            page.content = self.pages.render(spec)
            # The section's tab shows as current (Material marks active navigation items): a topic
            # page lights Topics. MkDocs sets `active` on the page being built the same way.
            section = self.section_pages.get(spec.section) if spec.section is not None else None
            if section is not None and section is not page:
                section.active = True
                self.lit = section
        context["digest_head"] = Markup(head.head_html(spec, page_url=page.url, site_url=config.site_url,
                                                       site_name=config.site_name, language=self.language,
                                                       digest=self.pages.digest if self.pages else None,
                                                       publisher=self.publisher))
        return context

    def on_post_page(self, output: str, *, page, config) -> str:
        if self.lit is not None:
            self.lit.active, self.lit = False, None
        if self._spec(page) is not None:
            page.content = None  # written; nothing reads it again
        return output

    def on_post_build(self, *, config) -> None:
        try:
            self._post_build(config)
        finally:
            if self.collector is not None:
                self.collector.end()

    def _post_build(self, config) -> None:
        """Feeds and the news sitemap, from the same digest and rendered HTML as the pages; then
        what no longer belongs in site_dir goes, and the fingerprints are kept for next time."""
        if self.pages is None:
            return
        epoch = feeds.source_date_epoch()
        site_dir = Path(config.site_dir)
        manifest = self.memory.manifest
        lead_images = [story.image for story in self.pages.digest.stories if story.image is not None]
        image_files = self.image_store.write(lead_images, Path(config.docs_dir), site_dir)
        if self.image_store.encoded:
            log.info(f"{self.image_store.encoded} lead image file(s) encoded; the rest came from the cache")
            self.image_store.encoded = 0
        empty_updated = feeds.empty_feed_updated(self.pages.digest, epoch)
        channels = feeds.channels(self.pages.digest, site_name=config.site_name,
                                  site_description=config.site_description or "", size=self.config.feed_size)
        feed_keys = {channel.folder: hashlib.sha256(repr((
            self.page_key, channel.folder, channel.title, channel.description, empty_updated,
            [self.pages.card_key(story) for story in channel.stories])).encode("utf-8", "surrogatepass")).hexdigest()
            for channel in channels}

        def wanted(channel: feeds.Channel) -> bool:
            return not (self.exact and manifest.feeds.get(channel.folder) == feed_keys[channel.folder]
                        and all((site_dir / path).is_file() for path in feeds.feed_paths(channel)))

        files = feeds.build_feeds(
            self.pages.digest, site_url=config.site_url, site_name=config.site_name,
            site_description=config.site_description or "", language=self.language,
            story_html=self.pages.renderer.story_html, size=self.config.feed_size, epoch=epoch, wanted=wanted,
        )
        manifest.feeds = feed_keys
        files["news-sitemap.xml"] = sitemaps.news_sitemap(
            self.pages.digest.stories, site_url=config.site_url, language=self.language,
            publication_name=self.publisher,
        )
        edition_files = self._editions(config, epoch)
        files.update(edition_files)
        for path, data in files.items():
            target = site_dir / path
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                continue  # unchanged: a preview or a deploy that syncs by time sees nothing new
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for dest, fingerprint in self.written:
            manifest.record(dest, fingerprint)
        if self.indexer is not None and self.command == "build":
            waited = time.perf_counter()
            result = self.last_index = self.indexer.wait()
            if result.error:
                raise PluginError(f"digest: Pagefind could not index the site: {result.error}")
            log.info(f"Pagefind indexed {result.pages} story pages in {result.parts} part(s) in {result.seconds:.2f} s "
                     f"(the build waited {time.perf_counter() - waited:.2f} s for it)")
            self.indexer = None
        pages = {file.abs_dest_path for file in self.documents}
        manifest.pages = {dest: entry for dest, entry in manifest.pages.items() if dest in pages}
        config.theme.static_templates |= self.kept_templates  # as it was: the config may build again
        for name, key in self.template_keys.items():
            if name in config.theme.static_templates:
                manifest.record(os.path.join(config.site_dir, name), key)
        produced = {file.dest_uri for file in self.files} | {"news-sitemap.xml", "sitemap.xml.gz"} | image_files
        produced |= {path for channel in channels for path in feeds.feed_paths(channel)}
        produced |= set(config.theme.static_templates) | set(config.extra_templates)
        if self.config.search == "material":
            produced.add("search/search_index.json")
        produced |= set(edition_files)
        if manifest.outputs and self.swept:
            self._remove(site_dir, manifest.outputs - produced)  # a preview rebuild: what was there is known
        else:
            self._sweep(site_dir, produced)  # the first build of this process looks at everything
            self.swept = True
        manifest.outputs = produced
        renderer = self.pages.renderer
        self.memory.html = {key: html_ for key, html_ in renderer.cache.items() if key in renderer.used}
        if self.command == "build":
            self.memory.save(self.cache_dir)

    def _editions(self, config, epoch) -> dict[str, bytes]:
        """The newest `email_editions` editions as emails (when `email` is on) and the editions
        feed: a handful of editions, written in full each build (only changed bytes reach disk)."""
        newsletter = Newsletter(site_url=config.site_url, site_name=config.site_name,
                                sender=self.config.email_from or "", subject_pattern=self.config.email_subject,
                                unsubscribe=self.config.email_unsubscribe or "", words=self.pages.words)
        editions = self.pages.digest.editions[: self.config.email_editions]
        files = email_files(editions, newsletter) if self.config.email else {}
        files.update(feeds.edition_feeds(
            [newsletter.feed_item(edition) for edition in editions], site_url=config.site_url,
            site_name=config.site_name, title=newsletter.say("editions_title", site=config.site_name),
            description=newsletter.say("editions_description", site=config.site_name), language=self.language,
            empty_updated=feeds.empty_feed_updated(self.pages.digest, epoch)))
        return files

    @staticmethod
    def _remove(site_dir: Path, gone: set[str]) -> None:
        for rel in sorted(gone):
            if rel.startswith(PAGEFIND_FOLDER + "/"):
                continue
            path = site_dir / rel
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == site_dir or not folder.is_dir() or any(folder.iterdir()):
                    break
                folder.rmdir()

    @staticmethod
    def _sweep(site_dir: Path, expected: set[str]) -> None:
        """Remove what this build did not produce (a deleted story's page, an emptied edition):
        a dirty build leaves exactly what a clean one would. The search index is its own."""
        for dirpath, dirnames, filenames in os.walk(site_dir, topdown=False):
            here = Path(dirpath)
            rel_dir = here.relative_to(site_dir).as_posix()
            if rel_dir == PAGEFIND_FOLDER or rel_dir.startswith(PAGEFIND_FOLDER + "/"):
                continue
            for name in filenames:
                rel = f"{rel_dir}/{name}" if rel_dir != "." else name
                if rel not in expected:
                    (here / name).unlink()
            if here != site_dir and not any(here.iterdir()):
                here.rmdir()


# MkDocs 1.6.1 `structure/pages.py`: a preview rebuild at 10,000 stories spends about a second
# making 10,000 `Page`s, mostly in urljoin for canonical URLs that did not change. A generated page
# out of the navigation gets a Page made from the state a fresh one had in the previous rebuild
# (same file path, same site_url); `tests/test_incremental.py` checks it equals a fresh Page.
def _page_from(fresh: dict, file):
    page = MkDocsPage.__new__(MkDocsPage)
    page.__dict__.update(fresh, file=file, toc=[], meta={})
    file.page = page
    return page


def _prepare(page, spec: PageSpec) -> None:
    """Title and metadata of a generated page, as the theme prints them (escaped)."""
    page.title = escape(spec.title)
    page.meta = {"description": escape(spec.description)} if spec.description else {}
    if not spec.searchable:
        page.meta["search"] = {"exclude": True}


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _always() -> bool:
    return True


def _never() -> bool:
    return False


def _plain_title(page, source: Page | None) -> str:
    """An ordinary page's title as plain text: from its front matter, else its first heading
    (which MkDocs gives as HTML text), else its file name (which a contributor chose too)."""
    if source is not None and source.title:
        return source.title
    from_heading = getattr(page, "_title_from_render", None)
    if from_heading:
        return html.unescape(from_heading)
    return str(page.title or "")
