"""A built site served on 127.0.0.1 the way a static host serves it, and where Debian's Chromium
is: shared by the browser tests and scripts/search_transfer.py.

    with StaticHost(Path("site")) as host:   # host.base == "http://127.0.0.1:<port>/"
        ...
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map"}


def chromium_path() -> str | None:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files as they are (text gzipped if the host compresses), 404.html for what is missing,
    no log lines; every response is remembered in `server.sent`."""

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        pass

    def send_response(self, code, message=None) -> None:
        self.server.sent.append((urlsplit(self.path).path, code))
        super().send_response(code, message)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        wants_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if not (self.server.gzip and wants_gzip and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().do_GET()
        self._send(200, self.guess_type(str(path)), gzip.compress(path.read_bytes(), compresslevel=6, mtime=0),
                   encoding="gzip")

    def send_error(self, code, message=None, explain=None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        self._send(404, "text/html; charset=utf-8", page.read_bytes())

    def _send(self, code: int, content_type: str, body: bytes, encoding: str = "") -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class StaticHost(http.server.ThreadingHTTPServer):
    """Serves `root` from a thread while in a `with` block. The port is taken at once, so a
    build can be told its site_url (`base`) before the files exist."""

    daemon_threads = True

    def __init__(self, root: Path, *, gzip: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
        self.gzip = gzip
        self.sent: list[tuple[str, int]] = []
        self.base = f"http://127.0.0.1:{self.server_port}/"
        self._thread = threading.Thread(target=self.serve_forever, name=f"serve {root}", daemon=True)

    def handle_error(self, request, client_address) -> None:
        pass  # a browser closing a connection early is not an error of the site

    def __enter__(self) -> "StaticHost":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
