"""Offline: the real build makes no network call, and built pages make readers load nothing
from a third-party host (no Google Fonts, no CDN scripts or styles).

The build runs in a child process with networking unavailable: in a network namespace of its
own (`unshare -rn`, or `unshare -n` as root) where the system permits it, and always with a
socket guard installed through a `sitecustomize.py` on the child's PYTHONPATH that logs and
refuses every connect and name lookup. The test fails if anything was attempted, even when the
build caught the error and carried on.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SOURCE_DATE_EPOCH, mkdocs_config
from digest import engine
from test_security import Audit, third_party
GUARD = textwrap.dedent('''
    """Written by tests/test_offline.py: every network call of this process is logged, then refused."""
    import os
    import socket

    _LOG = os.environ["DIGEST_NETWORK_LOG"]


    def _refuse(what):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(what + "\\n")
        raise OSError(f"network access refused by tests/test_offline.py: {what}")


    def _guard(method):
        original = getattr(socket.socket, method)

        def guarded(self, address, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _refuse(f"socket.{method} {address!r}")
            return original(self, address, *args)
        return guarded


    for _method in ("connect", "connect_ex", "sendto"):
        setattr(socket.socket, _method, _guard(_method))
    socket.getaddrinfo = lambda host, *args, **kwargs: _refuse(f"getaddrinfo {host!r}")
    socket.gethostbyname = lambda host: _refuse(f"gethostbyname {host!r}")
    socket.gethostbyname_ex = lambda host: _refuse(f"gethostbyname_ex {host!r}")
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write("guard installed\\n")
''')
# Elements and attributes through which a page makes the browser fetch something.
LOADS = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"),
    "audio": ("src",), "iframe": ("src",), "embed": ("src",), "object": ("data",), "track": ("src",),
    "input": ("src",), "image": ("href", "xlink:href"), "use": ("href", "xlink:href"),
}
LOADING_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "prefetch",
                 "preconnect", "dns-prefetch", "manifest", "mask-icon", "prerender"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def unshare_prefix() -> list[str]:
    """The command prefix that gives a child no network, or [] where the system forbids it."""
    if not shutil.which("unshare"):
        return []
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            pass
    return []


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """How to run a child offline: (command prefix, environment, network log)."""
    folder = tmp_path_factory.mktemp("offline")
    (folder / "guard").mkdir()
    (folder / "guard" / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = folder / "network.log"
    python_path = os.pathsep.join(filter(None, [str(folder / "guard"), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path, "DIGEST_NETWORK_LOG": str(log),
           "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    return unshare_prefix(), env, log


def attempts(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert "guard installed" in lines, "the socket guard was not loaded in the child"
    return [line for line in lines if line != "guard installed"]


def test_the_guard_refuses_and_logs_a_network_call(offline):
    """The test of the test: a child that fetches a URL is refused, and the log says so."""
    prefix, env, log = offline
    log.unlink(missing_ok=True)
    fetch = "import urllib.request; urllib.request.urlopen('https://fonts.googleapis.com/css', timeout=5)"
    result = subprocess.run([sys.executable, "-c", fetch], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert attempts(log) == ["getaddrinfo 'fonts.googleapis.com'"]


def test_the_namespace_has_no_network(offline):
    prefix, env, log = offline
    if not prefix:
        pytest.skip("unshare is not permitted here: the socket guard alone keeps the build offline")
    probe = ("import socket; s = socket.socket(); s.settimeout(5)\n"
             "try:\n    s.connect(('192.0.2.1', 80)); print('connected')\n"
             "except OSError as error:\n    print(error.errno)")
    result = subprocess.run([*prefix, sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() not in ("", "connected"), result


def test_the_real_build_makes_no_network_call(offline, tmp_path):
    prefix, env, log = offline
    log.unlink(missing_ok=True)
    shutil.copytree(ROOT / "content", tmp_path / "content", symlinks=True)
    config = {**mkdocs_config(), "docs_dir": "content", "site_dir": "site"}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = subprocess.run([*prefix, *engine.command("build", "--strict")], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    mode = " ".join(prefix) or "socket guard only"
    assert result.returncode == 0, f"[{mode}]\n{result.stdout}{result.stderr}"
    assert attempts(log) == [], f"[{mode}] the build tried the network"
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_configuration_fetches_nothing_at_build_time():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"].get("font") is False, "theme.font must be false: Google Fonts are a third-party load"
    names = {next(iter(p)) if isinstance(p, dict) else p for p in config.get("plugins", [])}
    assert not names & {"privacy", "material/privacy", "social", "material/social", "optimize", "material/optimize"}


def third_party_loads(site: Path) -> list[str]:
    """Every reference on a built page or stylesheet that makes a browser fetch from another host.
    Images in contributor HTML are links the policy allows (as GitHub does), so they are left out."""
    found = []
    for path in sorted(site.rglob("*.html")):
        audit = Audit(fragment=False)
        audit.feed(path.read_text(encoding="utf-8"))
        audit.finish()
        where = path.relative_to(site)
        for element in audit.elements:
            attributes = list(LOADS.get(element.tag, ()))
            rel = set((element.attrs.get("rel") or "").lower().split())
            if element.tag == "link" and rel & LOADING_LINKS:
                attributes.append("href")
            if element.tag == "img" and element.in_content:
                continue
            for name in attributes:
                for url in (element.attrs.get(name) or "").split(","):
                    if third_party(url.strip().split(" ")[0]):
                        found.append(f"{where}: <{element.tag} {name}={url.strip()!r}>")
            for url, imported in CSS_URL.findall(element.attrs.get("style") or ""):
                if third_party(url or imported):
                    found.append(f"{where}: style url {url or imported!r}")
        for style in audit.styles:
            found += [f"{where}: <style> url {u or i!r}" for u, i in CSS_URL.findall(style) if third_party(u or i)]
    for path in sorted(site.rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(site)}: url {u or i!r}" for u, i in CSS_URL.findall(text) if third_party(u or i)]
    return found


def test_built_pages_load_nothing_from_a_third_party_host(seed_build):
    assert not third_party_loads(seed_build.site)
    assert "fonts.googleapis.com" not in seed_build.page("")


def test_contributor_content_cannot_add_a_third_party_load_either(fixture_build):
    """The hostile fixture tries <script src>, <link rel=stylesheet>, <iframe>, <video>: all dropped."""
    build = fixture_build("hostile")
    assert build.returncode == 0, build.output
    assert not third_party_loads(build.site)
