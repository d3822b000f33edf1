"""What a page carries in its <head> beyond the theme's: feed autodiscovery links.

Every value is escaped here; the theme prints the result as is.
"""

from __future__ import annotations

from markupsafe import escape

from .pages import PageSpec

FEED_TYPES = (
    ("feed.xml", "application/rss+xml", "RSS"),
    ("atom.xml", "application/atom+xml", "Atom"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)


def feed_links(folder: str, label: str, site_url: str) -> list[str]:
    base = site_url.rstrip("/") + "/" + folder
    return [
        f'<link rel="alternate" type="{kind}" title="{escape(label)} ({name})" href="{escape(base + file)}">'
        for file, kind, name in FEED_TYPES
    ]


def head_html(spec: PageSpec | None, *, page_url: str, site_url: str, site_name: str, language: str) -> str:
    links = feed_links("", site_name, site_url)
    if spec is not None and spec.feeds:
        links += feed_links(spec.feeds, f"{site_name}: {spec.context['listing'].title}", site_url)
    return "\n".join(links)
