"""Send a built edition email (site/editions/<date>/email.eml) to a list of subscribers over SMTP.

A dry run unless --send: it says what it would send, to whom and through which server. The server
comes from the environment: DIGEST_SMTP_HOST, DIGEST_SMTP_PORT (587), DIGEST_SMTP_USER,
DIGEST_SMTP_PASSWORD, and DIGEST_SMTP_CAFILE to trust a server's own certificate authority.

    python scripts/send_edition.py --to subscribers.txt                  # the latest edition, dry run
    python scripts/send_edition.py --date 2024-11-29 --to subscribers.txt --send
"""

from __future__ import annotations

import argparse
import os
import re
import smtplib
import ssl
import sys
from collections.abc import Iterator, Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, localtime
from pathlib import Path

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
DEFAULT_PORT = 587  # message submission (RFC 6409), upgraded with STARTTLS


class Refused(Exception):
    """Something the editor must fix; its message is the one line shown."""


def edition_email(site: Path, date: str | None) -> Path:
    """site/editions/<date>/email.eml, or the latest edition's when `date` is None."""
    editions = site / "editions"
    if date is None:
        dated = sorted(p.parent.name for p in editions.glob("*/email.eml") if DATE.match(p.parent.name))
        if not dated:
            raise Refused(f"no edition emails in {editions}/ (build the site first, with the digest's `email` "
                          "option on)")
        date = dated[-1]
    if not DATE.match(date):
        raise Refused(f"--date must be YYYY-MM-DD, not {date!r}")
    path = editions / date / "email.eml"
    if not path.is_file():
        raise Refused(f"no email for the edition of {date}: {path} does not exist (is there an edition that day, "
                      "among the newest `email_editions`, and was the site built?)")
    return path


def recipients(path: Path) -> list[str]:
    """The addresses in `path`, one a line (`a@example.org` or `Name <a@example.org>`; blank lines
    and # comments skipped), each once, as bare addresses."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(f"cannot read the subscribers file {path}: {error}") from None
    found: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            header = policy.SMTP.header_factory("To", line)
            addresses, defects = header.addresses, header.defects
        except (ValueError, IndexError):  # the stdlib's parser fails on some malformed input ("a@")
            addresses, defects = (), ("unparsable",)
        if defects or len(addresses) != 1 or not addresses[0].username or "." not in addresses[0].domain:
            raise Refused(f"{path}:{number}: not an email address: {line!r}")
        found.setdefault(addresses[0].addr_spec.lower(), addresses[0].addr_spec)
    if not found:
        raise Refused(f"{path}: no addresses (one a line; # starts a comment)")
    return list(found.values())


def batches(addresses: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(addresses), size):
        yield addresses[start:start + size]


class Server:
    """Where and how to send, from the environment."""

    def __init__(self, environ: Mapping[str, str], *, starttls: bool = True) -> None:
        self.host = environ.get("DIGEST_SMTP_HOST", "").strip()
        port = environ.get("DIGEST_SMTP_PORT", "").strip() or str(DEFAULT_PORT)
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise Refused(f"DIGEST_SMTP_PORT must be a port number, not {port!r}")
        self.port = int(port)
        self.user = environ.get("DIGEST_SMTP_USER", "")
        self.password = environ.get("DIGEST_SMTP_PASSWORD", "")
        self.cafile = environ.get("DIGEST_SMTP_CAFILE", "") or None
        self.starttls = starttls
        if not starttls and self.host and self.host not in LOOPBACK:
            raise Refused(f"--no-starttls is for a relay on this machine only (127.0.0.1), not {self.host}")
        if not starttls and self.user:
            raise Refused("will not send a password without TLS: drop --no-starttls or DIGEST_SMTP_USER")

    def describe(self) -> str:
        if not self.host:
            return "DIGEST_SMTP_HOST is not set"
        how = "STARTTLS" if self.starttls else "no TLS (local relay)"
        return f"{self.host}:{self.port} with {how}" + (f", as {self.user}" if self.user else ", no login")

    def connect(self) -> smtplib.SMTP:
        if not self.host:
            raise Refused("set DIGEST_SMTP_HOST (and DIGEST_SMTP_PORT, DIGEST_SMTP_USER, DIGEST_SMTP_PASSWORD)")
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=60)
        except OSError as error:
            raise Refused(f"cannot connect to {self.host}:{self.port}: {error}") from None
        try:
            smtp.ehlo()
            if self.starttls:
                if not smtp.has_extn("starttls"):
                    raise Refused(f"{self.host}:{self.port} does not offer STARTTLS; the digest sends only over TLS")
                smtp.starttls(context=ssl.create_default_context(cafile=self.cafile))
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
        except smtplib.SMTPAuthenticationError as error:
            smtp.close()
            raise Refused(f"{self.host} refused the login of {self.user!r}: {error.smtp_code} "
                          f"{_said(error.smtp_error)}") from None
        except ssl.SSLError as error:
            smtp.close()
            raise Refused(f"TLS with {self.host}:{self.port} failed: {error.reason or error} (a private certificate "
                          "authority? set DIGEST_SMTP_CAFILE)") from None
        except (smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise Refused(f"{self.host}:{self.port}: {error}") from None
        return smtp


def _said(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def prepared(message: EmailMessage, to: list[str]) -> EmailMessage:
    """The message for one send: addressed (one recipient by name; a batch hidden, as Bcc is) and
    dated now (the built file carries the edition's time, so that builds are reproducible)."""
    copy = message_from_bytes(message.as_bytes(), policy=policy.SMTP)
    del copy["To"], copy["Date"]
    copy["To"] = to[0] if len(to) == 1 else "undisclosed-recipients:;"
    copy["Date"] = format_datetime(localtime())
    return copy


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", help="the edition, YYYY-MM-DD (default: the latest)")
    parser.add_argument("--to", required=True, type=Path, help="subscribers: one address a line")
    parser.add_argument("--site", type=Path, default=Path("site"), help="the built site (default: site)")
    parser.add_argument("--send", action="store_true", help="send it (without: a dry run)")
    parser.add_argument("--batch", type=int, default=1, metavar="N",
                        help="N recipients a message, addresses hidden (default 1: one message each)")
    parser.add_argument("--no-starttls", dest="starttls", action="store_false",
                        help="plain SMTP to a relay on 127.0.0.1 (never to another host)")
    args = parser.parse_args(argv)
    try:
        if args.batch < 1:
            raise Refused("--batch must be at least 1")
        path = edition_email(args.site, args.date)
        message = message_from_bytes(path.read_bytes(), policy=policy.SMTP)
        to = recipients(args.to)
        server = Server(environ, starttls=args.starttls)
        sender = message["From"].addresses[0].addr_spec
        groups = list(batches(to, args.batch))
        how = "one message each" if args.batch == 1 else f"{len(groups)} message(s) of up to {args.batch}, addresses hidden"
        print(f"Edition: {path}\nSubject: {message['Subject']}\nFrom: {message['From']}\n"
              f"To: {len(to)} recipient(s), {how}\nServer: {server.describe()}")
        if not args.send:
            for group in groups:
                print("  would send to " + ", ".join(group))
            print("Dry run: nothing was sent (add --send to send).")
            return 0
        failed = 0
        smtp = server.connect()
        try:
            for group in groups:
                try:
                    refused = smtp.send_message(prepared(message, group), from_addr=sender, to_addrs=group)
                except smtplib.SMTPRecipientsRefused as error:
                    refused = error.recipients
                except smtplib.SMTPSenderRefused as error:
                    raise Refused(f"{server.host} refused the sender {sender}: {error.smtp_code} "
                                  f"{_said(error.smtp_error)}") from None
                except smtplib.SMTPResponseException as error:
                    raise Refused(f"{server.host} refused the message: {error.smtp_code} {_said(error.smtp_error)}") \
                        from None
                except (smtplib.SMTPException, OSError) as error:
                    raise Refused(f"sending through {server.host} failed: {error}") from None
                for address in group:
                    if address in refused:
                        failed += 1
                        code, said = refused[address]
                        print(f"send_edition: {server.host} refused {address}: {code} {_said(said)}", file=sys.stderr)
                    else:
                        print(f"sent to {address}")
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
        print(f"Sent to {len(to) - failed} of {len(to)} recipient(s).")
        return 1 if failed else 0
    except Refused as error:
        print(f"send_edition: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
