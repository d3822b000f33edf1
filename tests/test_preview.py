"""`make serve`: the live preview shows an edit on every page it touches, removes what is
deleted, and a busy address is a one-line error. (How fast is `make bench --preview`'s business.)"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, mkdocs_config

SERVE = ROOT / "scripts" / "serve.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def wait_for(check, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"the preview never showed {what}")


@pytest.fixture
def preview(tmp_path):
    import yaml

    shutil.copytree(FIXTURES / "site", tmp_path / "content")
    config = mkdocs_config(page_size=2)
    config.update(docs_dir="content")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVE), "--port", str(port)], cwd=tmp_path,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: fetch(base)[0] == 200, "the home page")
        yield tmp_path, base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_an_edit_shows_on_the_story_and_on_the_pages_that_list_it(preview):
    project, base = preview
    story = project / "content" / "stories" / "2024" / "11" / "norway-and-sweden-agree.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Norway and Sweden agree", "Oslo and Stockholm sign"),
                     encoding="utf-8")
    wait_for(lambda: "Oslo and Stockholm sign" in fetch(base + "stories/2024/11/norway-and-sweden-agree/")[1],
             "the new headline on the story page")
    for page in ("editions/2024-11-27/", "topics/diplomacy/", "countries/no/"):
        assert "Oslo and Stockholm sign" in fetch(base + page)[1], page


def test_a_deleted_story_is_no_longer_served(preview):
    project, base = preview
    assert fetch(base + "stories/2024/10/october-story/")[0] == 200
    (project / "content" / "stories" / "2024" / "10" / "october-story.md").unlink()
    wait_for(lambda: fetch(base + "stories/2024/10/october-story/")[0] == 404, "the story gone")


def test_drafts_are_shown_in_the_preview(preview):
    _, base = preview
    assert "Secret draft story" in fetch(base + "stories/2024/11/draft-story/")[1]


def test_a_busy_port_is_one_line_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, str(SERVE), "--port", str(port)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"make serve: 127.0.0.1:{port} is not free (Address already in use): stop the other server, "
        f"or pick another port, e.g. make serve PORT={port + 1}"]


def test_the_makefile_passes_host_and_port():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "scripts/serve.py --host $(HOST) --port $(PORT)" in makefile
    assert "HOST ?= 127.0.0.1" in makefile and "PORT ?= 8000" in makefile


def test_a_story_in_a_new_month_folder_shows(preview):
    # The native watcher must follow folders created after it started (a new month's folder).
    project, base = preview
    source = project / "content" / "stories" / "2024" / "10" / "october-story.md"
    folder = project / "content" / "stories" / "2024" / "12"
    folder.mkdir()
    (folder / "december-story.md").write_text(
        source.read_text(encoding="utf-8").replace("2024-10-", "2024-12-").replace("October", "December"),
        encoding="utf-8")
    wait_for(lambda: fetch(base + "stories/2024/12/december-story/")[0] == 200, "the new month's story")


def live_reload_server(tmp_path):
    from mkdocs.livereload import LiveReloadServer

    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path))
    server.watch(str(tmp_path))
    return server


def rebuild_wanted(server, path: Path) -> bool:
    """Whether a save to `path` makes the server want a rebuild (within 10 s)."""
    path.write_text(f"saved {time.monotonic()}\n", encoding="utf-8")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not server._want_rebuild:
        time.sleep(0.05)
    return server._want_rebuild


def test_the_preview_is_told_of_a_save_by_the_kernel_not_by_polling(tmp_path):
    from watchdog.observers.polling import PollingObserver

    from digest.watcher import use_native_watcher

    server = live_reload_server(tmp_path)
    assert use_native_watcher(server)
    try:
        assert not isinstance(server.observer, PollingObserver) and server.observer.is_alive()
        assert list(server._watched_paths) == [str(tmp_path)]
        assert rebuild_wanted(server, tmp_path / "story.md")
    finally:
        server.observer.stop()
        server.observer.join()


def test_without_a_native_watcher_the_preview_still_polls(tmp_path, monkeypatch):
    from watchdog.observers.polling import PollingObserver

    from digest import watcher

    def refuse(self):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watcher.NativeObserver, "start", refuse)
    server = live_reload_server(tmp_path)
    assert not watcher.use_native_watcher(server)
    assert type(server.observer) is PollingObserver
    server.observer.start()
    try:
        assert rebuild_wanted(server, tmp_path / "story.md")
    finally:
        server.observer.stop()
        server.observer.join()
