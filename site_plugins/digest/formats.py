"""Formats every output shares: absolute URLs, RFC 3339 and RFC 822 dates, the reproducible build
time, the XML declaration and the feed files' names and media types.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from email.utils import format_datetime

from .kinds import FEED_NAMES

# format -> (file name in the feed's folder, media type, name people know it by)
FEED_FILES = {  # file names from the registry of outputs
    "rss": (FEED_NAMES["rss"], "application/rss+xml", "RSS"),
    "atom": (FEED_NAMES["atom"], "application/atom+xml", "Atom"),
    "json": (FEED_NAMES["json"], "application/feed+json", "JSON Feed"),
}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def absolute_url(site_url: str, url: str) -> str:
    """A site-relative URL ("stories/2024/11/x/", "" for home) made absolute."""
    return site_url.rstrip("/") + "/" + url


def _whole_minutes(moment: dt.datetime) -> dt.datetime:
    """Some zones kept offsets with seconds into the 20th century (Africa/Monrovia -00:44:30 until
    1972); RFC 3339, RFC 822 and HTML dates have none: such a moment is written in UTC."""
    offset = moment.utcoffset()
    return moment.astimezone(dt.timezone.utc) if offset is not None and offset.seconds % 60 else moment


def rfc3339(moment: dt.datetime) -> str:
    return _whole_minutes(moment).isoformat(timespec="seconds")


def rfc822(moment: dt.datetime) -> str:
    return format_datetime(_whole_minutes(moment))


def source_date_epoch(environ: Mapping[str, str] = os.environ) -> dt.datetime | None:
    """The build time reproducible builds agree on (https://reproducible-builds.org/specs/source-date-epoch/)."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(value), dt.timezone.utc) if value else None
