"""Each recent edition as an email: HTML for mail clients (CSS inlined), a plain-text alternative
and the complete MIME message, all reproducible byte for byte; and the editions feed's items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import string
import textwrap
import unicodedata
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import css_inline
import jinja2

from .feeds import EditionItem
from .formats import absolute_url, rfc822
from .i18n import Words, direction
from .index import Edition
from .kinds import EMAIL_NAMES

TEMPLATES = Path(__file__).parent / "templates" / "email"
WIDTH = 72  # columns of the plain-text part
CONTENT_WIDTH = 552  # pixels: the 600-pixel column less its padding (lead images' width)
DEFAULT_SUBJECT = "{site_name} — {date}"
SUBJECT_FIELDS = {"site_name": "the site's name", "date": "the edition's date, as readers say it",
                  "headline": "the edition's first headline"}


def N_(*message: str) -> str | tuple[str, str]:
    """Marks a message for `make messages` (locales/babel.cfg: `N_("…")`, or `N_(singular, plural)`);
    it is translated when the email says it, in the site's language."""
    return message[0] if len(message) == 1 else message


# Every word the email says, in English; translated in the site's catalogue (Newsletter.say).
STRINGS = {
    "read_more": N_("Read more"),
    # Translators: the hidden label of a story's "Read more" link, for screen readers.
    "read_more_about": N_("Read more: %(title)s"),
    "web_version": N_("Read this edition on the web"),
    "unsubscribe": N_("Unsubscribe"),
    # Translators: the email's footer; %(site)s is the site's name.
    "why": N_("You receive this email because you subscribed to %(site)s."),
    # Translators: in the plain-text email, followed by the unsubscribe link's number.
    "unsubscribe_text": N_("To stop receiving it, unsubscribe:"),
    "count": N_("%(num)s story", "%(num)s stories"),
    # Translators: under a story's picture; %(credit)s is the photographer or agency.
    "image_credit": N_("Image: %(credit)s"),
    # Translators: the heading of the numbered links at the end of the plain-text email.
    "links": N_("Links"),
    # Translators: the editions feed's title (for newsletter services); %(site)s is the site's name.
    "editions_title": N_("%(site)s: editions"),
    "editions_description": N_("Every edition of %(site)s as one item, with its headlines, summaries and links: "
                               "for services that send a feed as an email newsletter."),
}

# Header values must stay on one line: control characters, line and paragraph separators and
# other line breaks in front matter become spaces (a title cannot add a header of its own).
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, minify_css=True)


class SettingsError(ValueError):
    """A newsletter option in mkdocs.yml that cannot work; the message says which and why."""


def one_line(text: str) -> str:
    return _SPACES.sub(" ", _BREAKS.sub(" ", text)).strip()


def check_sender(value: str) -> str:
    """`value` (`email_from`) as a From header: one mailbox with a domain, else SettingsError."""
    try:
        header = policy.default.header_factory("From", one_line(value))
        addresses, defects = header.addresses, header.defects
    except (ValueError, IndexError):  # the stdlib's parser fails on some malformed input ("a@")
        addresses, defects = (), ("unparsable",)
    if defects or len(addresses) != 1 or not addresses[0].domain or not addresses[0].username:
        raise SettingsError(f"`email_from` must be one address, like `The digest <digest@example.org>`; got {value!r}")
    return str(header)


def check_subject(pattern: str) -> str:
    """`pattern` (`email_subject`): text with {site_name}, {date} or {headline}, nothing else."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(pattern)
                  if name is not None]
    except ValueError as error:
        raise SettingsError(f"`email_subject` {pattern!r}: {error} (write {{{{ and }}}} for braces)") from None
    for name, spec, conversion in fields:
        if name not in SUBJECT_FIELDS or spec or conversion:
            known = ", ".join("{" + f + "}" for f in SUBJECT_FIELDS)
            raise SettingsError(f"`email_subject` {pattern!r}: unknown field {{{name}}}; use {known}")
    return pattern


def check_unsubscribe(value: str) -> str:
    """`value` (`email_unsubscribe`): an https or mailto URL, as List-Unsubscribe needs."""
    value = value.strip()
    parts = urlsplit(value)
    if _BREAKS.search(value) or " " in value or parts.scheme not in ("https", "http", "mailto") \
            or not (parts.netloc if parts.scheme != "mailto" else parts.path):
        raise SettingsError("`email_unsubscribe` must be an https:// address or a mailto: link, "
                            f"like mailto:digest@example.org?subject=unsubscribe; got {value!r}")
    return value


def default_sender(site_name: str, site_url: str) -> str:
    """From when `email_from` is not set: the site's name at noreply@ the site's host."""
    host = urlsplit(site_url).hostname or "localhost"
    return check_sender(f"{_quoted(site_name)} <noreply@{host}>")


def _quoted(name: str) -> str:
    return '"' + one_line(name).replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Newsletter:
    """How editions are written as emails for one site (the plugin's `email_*` options)."""

    site_url: str
    site_name: str
    sender: str = ""  # From; default_sender() when empty
    subject_pattern: str = DEFAULT_SUBJECT
    unsubscribe: str = ""  # List-Unsubscribe; mailto: the sender when empty
    words: Words = Words("en")

    def __post_init__(self) -> None:
        sender = check_sender(self.sender) if self.sender else default_sender(self.site_name, self.site_url)
        object.__setattr__(self, "sender", sender)
        check_subject(self.subject_pattern)
        if not self.unsubscribe:
            address = policy.default.header_factory("From", sender).addresses[0].addr_spec
            object.__setattr__(self, "unsubscribe", f"mailto:{address}?subject=unsubscribe")
        object.__setattr__(self, "unsubscribe", check_unsubscribe(self.unsubscribe))

    # -- words -------------------------------------------------------------------------------

    def say(self, key: str, **values) -> str:
        message = STRINGS[key]
        if isinstance(message, tuple):
            return self.words.translations.ngettext(message[0], message[1], values["num"]) % {
                **values, "num": self.words.number(values["num"])}
        translated = self.words.translations.gettext(message)
        return translated % values if values else translated

    def url(self, path: str) -> str:
        return absolute_url(self.site_url, path)

    def subject(self, edition: Edition) -> str:
        headline = edition.stories[0].title if edition.stories else ""
        text = self.subject_pattern.format(site_name=self.site_name, date=self.words.long_date(edition.date),
                                           headline=headline)
        return one_line(text)

    # -- the three files ---------------------------------------------------------------------

    @cached_property
    def _env(self) -> jinja2.Environment:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                                 lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        env.globals.update(say=self.say, url=self.url, one_line=one_line)
        return env

    def _context(self, edition: Edition) -> dict:
        return {
            "edition": edition, "subject": self.subject(edition), "site_name": self.site_name,
            "date": self.words.long_date(edition.date), "language": self.words.language,
            "direction": direction(self.words.language), "home": self.url(""), "web": self.url(edition.url),
            "unsubscribe": self.unsubscribe, "width": CONTENT_WIDTH, "images": [_lead_image(s) for s in edition.stories],
            "preview": " · ".join(one_line(s.title) for s in edition.stories)[:200],
        }

    def html(self, edition: Edition) -> str:
        """The email's HTML: one column of at most 600 pixels, styles inlined for mail clients that
        drop <style> (Gmail's apps, Outlook), dark colours in a media query for those that do not."""
        page = self._env.get_template("edition.html").render(self._context(edition))
        return _INLINER.inline(page)

    def feed_html(self, edition: Edition) -> str:
        """An edition as an item of the editions feed: headlines, summaries and links, no styles (a
        newsletter service sets its own)."""
        return self._env.get_template("feed-item.html").render(self._context(edition)).strip()

    def text(self, edition: Edition) -> str:
        """The plain-text part: wrapped at 72 columns, links as numbered references at the end."""
        links: list[str] = []

        def ref(url: str) -> str:
            links.append(url)
            return f"[{len(links)}]"

        def para(text: str, indent: str = "") -> str:
            return textwrap.fill(one_line(text), WIDTH, initial_indent=indent, subsequent_indent=indent,
                                 break_long_words=False, break_on_hyphens=False)

        date = self.words.long_date(edition.date)
        count = self.say("count", num=len(edition.stories))
        blocks = [para(self.site_name.upper()) + "\n" + para(f"{date} · {count}")]
        for story in edition.stories:
            title = one_line(story.title)
            blocks.append(para(title) + "\n" + "-" * min(WIDTH, _columns(title)))
            blocks.append(para(story.summary))
            blocks.append(para(f"{self.say('read_more')} {ref(self.url(story.url))}"))
        blocks.append("-- ")  # the signature separator: mail clients fold what follows
        blocks.append(para(f"{self.say('web_version')} {ref(self.url(edition.url))}"))
        blocks.append(para(f"{self.say('why', site=self.site_name)} "
                           f"{self.say('unsubscribe_text')} {ref(self.unsubscribe)}"))
        blocks.append(self.say("links") + ":\n" + "\n".join(f"[{i}] {url}" for i, url in enumerate(links, 1)))
        return "\n\n".join(blocks) + "\n"

    def message_id(self, edition: Edition) -> str:
        """The same for an edition in every build: the date, and the site's address hashed (two
        sites on one host differ); a client that already has it shows it once."""
        site = hashlib.sha256(self.site_url.encode("utf-8")).hexdigest()[:12]
        host = urlsplit(self.site_url).hostname or "localhost"
        return f"<edition-{edition.date.isoformat()}.{site}@{host}>"

    def message(self, edition: Edition, *, html: str | None = None, text: str | None = None) -> bytes:
        """The complete MIME message (multipart/alternative: plain text, then HTML), CRLF line ends.
        Date is the edition's newest story's time, and the boundary is derived from the parts, so
        the same content gives the same bytes; send_edition.py sets the date it is sent."""
        html = self.html(edition) if html is None else html
        text = self.text(edition) if text is None else text
        message = EmailMessage(policy=policy.SMTP)
        message["Subject"] = self.subject(edition)
        message["From"] = self.sender
        message["Date"] = rfc822(edition_time(edition))
        message["Message-ID"] = self.message_id(edition)
        message["List-Unsubscribe"] = f"<{self.unsubscribe}>"
        # quoted-printable: 7-bit safe on any relay, lines within SMTP's limit whatever the HTML.
        message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        message["Content-Language"] = self.words.language  # after: making the multipart moves Content-* down
        # "=_" never occurs in quoted-printable text (every "=" there is "=3D"): a safe boundary.
        message.set_boundary("=_digest_" + hashlib.sha256((text + "\0" + html).encode("utf-8")).hexdigest()[:32])
        return message.as_bytes()

    def files(self, edition: Edition) -> dict[str, bytes]:
        """Site-relative path -> bytes of the edition's email.html, email.txt and email.eml."""
        html, text = self.html(edition), self.text(edition)
        html_name, text_name, message_name = (edition.url + name for name in EMAIL_NAMES)
        return {html_name: html.encode("utf-8"), text_name: text.encode("utf-8"),
                message_name: self.message(edition, html=html, text=text)}

    def feed_item(self, edition: Edition) -> EditionItem:
        return EditionItem(url=edition.url, title=self.subject(edition), content_html=self.feed_html(edition),
                           summary=" · ".join(one_line(s.title) for s in edition.stories),
                           published=edition_time(edition), updated=max(s.modified for s in edition.stories))


def edition_time(edition: Edition) -> dt.datetime:
    """When an edition was complete: its newest story's publication time."""
    return max(story.published for story in edition.stories)


def email_files(editions: list[Edition], newsletter: Newsletter) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for edition in editions:
        files.update(newsletter.files(edition))
    return files


def _lead_image(story) -> dict | None:
    """The story's lead image for mail clients: the JPEG or PNG fallback (many clients show no
    WebP), scaled to the column."""
    image = story.image
    if image is None or not image.variants:
        return None
    shown = image.default
    height = round(shown.height * CONTENT_WIDTH / shown.width)
    return {"path": shown.path, "width": CONTENT_WIDTH, "height": height, "alt": image.alt, "credit": image.credit}


def _columns(text: str) -> int:
    """Columns `text` takes in a monospaced font (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


__all__ = ["Newsletter", "SettingsError", "STRINGS", "check_sender", "check_subject",
           "check_unsubscribe", "email_files"]
