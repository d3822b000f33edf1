"""`make serve`: the engine's live preview (MkDocs or ProperDocs) with the digest's incremental
rebuilds (`--dirty`: only the pages an edit touches are written again), drafts shown. A busy
address is one line, not a traceback."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "site_plugins"))

from digest import engine  # noqa: E402


def address_in_use(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served, or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        return f"unknown host {host!r} ({error.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return f"{host}:{port} is not free ({error.strerror})"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--config-file", default="mkdocs.yml")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        print(f"make serve: PORT must be a number from 1 to 65535, not {args.port}", file=sys.stderr)
        return 2
    if problem := address_in_use(args.host, args.port):
        print(f"make serve: {problem}: stop the other server, or pick another port, "
              f"e.g. make serve PORT={args.port + 1}", file=sys.stderr)
        return 1
    try:
        # DIGEST_ENGINE (make serve ENGINE=properdocs): `mkdocs serve` or `properdocs serve`.
        program = str(Path(sys.executable).with_name(engine.chosen()))
    except ValueError as error:
        print(f"make serve: {error}", file=sys.stderr)
        return 2
    os.execv(program, [program, "serve", "--dirty", "--dev-addr", f"{args.host}:{args.port}",
                       "--config-file", args.config_file])


if __name__ == "__main__":
    sys.exit(main())
