"""scripts/send_edition.py against a real SMTP server (aiosmtpd) on 127.0.0.1: STARTTLS with a
certificate made for the test, a login, one message per recipient or hidden batches, and one
clear line for a bad address, a refused login, a refused recipient or a missing edition.
Nothing is ever sent anywhere but 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import FIXTURES, ROOT, build_site, mkdocs_config
from test_newsletter import links_resolve

SCRIPT = ROOT / "scripts" / "send_edition.py"
SITE_URL = "https://digest.example.org/"
USER, PASSWORD = "editor", "correct horse"


@dataclass
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    authenticated: bool

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


class Inbox:
    """An aiosmtpd handler that keeps what arrives and refuses one mailbox, as servers do."""

    def __init__(self) -> None:
        self.arrived: list[Arrived] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("blocked@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.arrived.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                    session.ssl is not None, bool(session.authenticated)))
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (its own authority), made with openssl."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: the STARTTLS tests need it to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign"],
                   check=True, capture_output=True)
    return folder


@pytest.fixture
def tls_server(certificate):
    """SMTP on 127.0.0.1 that requires STARTTLS before anything, and a login."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True, auth_require_tls=True)
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def plain_server():
    """SMTP on 127.0.0.1 without TLS: a local relay."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    build = build_site(FIXTURES / "site", tmp_path_factory.mktemp("send"),
                       config=mkdocs_config(email_editions=2, email_from="The digest <desk@example.org>"))
    assert build.returncode == 0, build.output
    return build.site


def latest(site: Path) -> Path:
    return sorted(site.glob("editions/*/email.eml"))[-1]


def subscribers(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "subscribers.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def send(site: Path, *args: str, port: int | None = None, cafile: Path | None = None, **env: str):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_SMTP_")}
    environ["DIGEST_SMTP_HOST"] = "127.0.0.1"  # never anywhere else
    if port:
        environ["DIGEST_SMTP_PORT"] = str(port)
    if cafile:
        environ["DIGEST_SMTP_CAFILE"] = str(cafile)
    environ.update(env)
    return subprocess.run([sys.executable, str(SCRIPT), "--site", str(site), *args], env=environ,
                          capture_output=True, text=True, timeout=120)


def login() -> dict:
    return {"DIGEST_SMTP_USER": USER, "DIGEST_SMTP_PASSWORD": PASSWORD}


# -- dry run ----------------------------------------------------------------------------------------

def test_a_dry_run_says_what_it_would_send_and_sends_nothing(site, tls_server, certificate, tmp_path):
    controller, inbox = tls_server
    to = subscribers(tmp_path, "# readers", "ana@example.org", "", "Ben <ben@example.org>", "ANA@example.org")
    result = send(site, "--to", str(to), port=controller.port, cafile=certificate / "cert.pem", **login())
    assert result.returncode == 0, result.stderr
    built = message_from_bytes(latest(site).read_bytes(), policy=policy.default)
    assert f"Subject: {built['Subject']}" in result.stdout
    assert "2 recipient(s), one message each" in result.stdout  # ANA is ana
    assert "would send to ana@example.org" in result.stdout and "would send to ben@example.org" in result.stdout
    assert f"127.0.0.1:{controller.port} with STARTTLS, as editor" in result.stdout
    assert "nothing was sent" in result.stdout
    assert inbox.arrived == []


# -- sending ----------------------------------------------------------------------------------------

def test_the_edition_arrives_over_starttls_one_message_per_recipient(site, tls_server, certificate, tmp_path):
    controller, inbox = tls_server
    to = subscribers(tmp_path, "ana@example.org", "ben@example.org", "Chen <chen@example.org>")
    result = send(site, "--to", str(to), "--send", port=controller.port, cafile=certificate / "cert.pem", **login())
    assert result.returncode == 0, result.stderr
    assert "Sent to 3 of 3 recipient(s)." in result.stdout
    assert [a.rcpt_tos for a in inbox.arrived] == [["ana@example.org"], ["ben@example.org"], ["chen@example.org"]]
    built = message_from_bytes(latest(site).read_bytes(), policy=policy.default)
    for arrived, address in zip(inbox.arrived, ("ana@example.org", "ben@example.org", "chen@example.org")):
        assert arrived.tls and arrived.authenticated
        assert arrived.mail_from == "desk@example.org"
        message = arrived.message
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert str(message["To"]) == address  # each reader sees only their own address
        for header in ("Subject", "From", "List-Unsubscribe", "Message-ID"):
            assert str(message[header]) == str(built[header]), header
        assert str(message["Subject"]).startswith("The digest — ")
        assert message["Date"] is not None and str(message["Date"]) != str(built["Date"])  # sent now
        html = message.get_body(("html",)).get_content()
        assert html.count('href="https://digest.example.org/stories/') >= 2
        assert not links_resolve(site, html, SITE_URL)
        text = message.get_body(("plain",)).get_content()
        assert "[1] https://digest.example.org/stories/" in text


def test_batches_hide_the_recipients_from_each_other(site, tls_server, certificate, tmp_path):
    controller, inbox = tls_server
    to = subscribers(tmp_path, "ana@example.org", "ben@example.org", "chen@example.org")
    result = send(site, "--to", str(to), "--send", "--batch", "2", port=controller.port,
                  cafile=certificate / "cert.pem", **login())
    assert result.returncode == 0, result.stderr
    assert [a.rcpt_tos for a in inbox.arrived] == [["ana@example.org", "ben@example.org"], ["chen@example.org"]]
    first = inbox.arrived[0]
    assert str(first.message["To"]) == "undisclosed-recipients:;"
    headers = first.data.split(b"\r\n\r\n", 1)[0]
    assert b"ana@example.org" not in headers and b"ben@example.org" not in headers


def test_a_local_relay_without_tls_takes_the_edition_with_no_starttls(site, plain_server, tmp_path):
    controller, inbox = plain_server
    result = send(site, "--to", str(subscribers(tmp_path, "ana@example.org")), "--send", "--no-starttls",
                  "--date", latest(site).parent.name, port=controller.port)
    assert result.returncode == 0, result.stderr
    assert len(inbox.arrived) == 1 and not inbox.arrived[0].tls
    assert inbox.arrived[0].message.get_body(("plain",)) is not None


# -- what goes wrong, in one line -------------------------------------------------------------------

def one_line_error(result, *words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("send_edition: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_refused_login_is_one_clear_line(site, tls_server, certificate, tmp_path):
    controller, inbox = tls_server
    result = send(site, "--to", str(subscribers(tmp_path, "ana@example.org")), "--send", port=controller.port,
                  cafile=certificate / "cert.pem", DIGEST_SMTP_USER=USER, DIGEST_SMTP_PASSWORD="wrong")
    one_line_error(result, "refused the login of 'editor'", "535")
    assert inbox.arrived == []


def test_an_untrusted_certificate_is_one_clear_line(site, tls_server, tmp_path):
    controller, inbox = tls_server
    result = send(site, "--to", str(subscribers(tmp_path, "ana@example.org")), "--send", port=controller.port,
                  **login())
    one_line_error(result, "TLS with 127.0.0.1", "DIGEST_SMTP_CAFILE")
    assert inbox.arrived == []


def test_a_server_without_starttls_is_not_sent_to_in_clear(site, plain_server, tmp_path):
    controller, inbox = plain_server
    result = send(site, "--to", str(subscribers(tmp_path, "ana@example.org")), "--send", port=controller.port)
    one_line_error(result, "does not offer STARTTLS")
    assert inbox.arrived == []


def test_a_bad_address_is_named_with_its_line_and_nothing_is_sent(site, tls_server, certificate, tmp_path):
    controller, inbox = tls_server
    for bad in ("not-an-address", "ana@", "a@b@example.org", "two@example.org, three@example.org"):
        result = send(site, "--to", str(subscribers(tmp_path, "ok@example.org", bad)), "--send",
                      port=controller.port, cafile=certificate / "cert.pem", **login())
        one_line_error(result, "subscribers.txt:2: not an email address", repr(bad))
    assert inbox.arrived == []


def test_a_recipient_the_server_refuses_is_reported_and_the_others_get_it(site, tls_server, certificate, tmp_path):
    controller, inbox = tls_server
    to = subscribers(tmp_path, "ana@example.org", "blocked@example.org", "ben@example.org")
    result = send(site, "--to", str(to), "--send", port=controller.port, cafile=certificate / "cert.pem", **login())
    assert result.returncode == 1
    assert result.stderr.strip() == "send_edition: 127.0.0.1 refused blocked@example.org: 550 5.1.1 No such mailbox"
    assert [a.rcpt_tos for a in inbox.arrived] == [["ana@example.org"], ["ben@example.org"]]
    assert "Sent to 2 of 3 recipient(s)." in result.stdout


def test_a_missing_edition_is_one_clear_line(site, tmp_path):
    result = send(site, "--to", str(subscribers(tmp_path, "ana@example.org")), "--date", "2030-01-01")
    one_line_error(result, "no email for the edition of 2030-01-01")
    result = send(tmp_path / "nothing-built", "--to", str(subscribers(tmp_path, "ana@example.org")))
    one_line_error(result, "no edition emails in")


def test_no_starttls_is_for_this_machine_only(site, tmp_path):
    # Refused before any connection is attempted: the host is never contacted.
    result = send(site, "--to", str(subscribers(tmp_path, "ana@example.org")), "--send", "--no-starttls",
                  DIGEST_SMTP_HOST="mail.example.org")
    one_line_error(result, "--no-starttls is for a relay on this machine only")
