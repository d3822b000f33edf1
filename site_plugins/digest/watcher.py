"""The preview's file watcher: the kernel's notifications (inotify, FSEvents, ...) instead of the
engine's polling, which walks all of content/ every half second (10,000 stat calls at 10,000
stories, holding the GIL against the rebuild) and notices a save 0.25 s late on average."""

from __future__ import annotations

import logging

import watchdog.observers
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


class NativeObserver(watchdog.observers.Observer):  # type: ignore[misc, valid-type]
    """Started by `use_native_watcher`, before the server starts it again (a no-op then): a
    failure to start (more folders than the system's watch limit) is ours to handle, not a
    traceback from the server."""

    def start(self) -> None:
        if not self.is_alive():
            super().start()


def use_native_watcher(server) -> bool:
    """Move the watches of the engine's LiveReloadServer (MkDocs 1.6, ProperDocs) from its
    PollingObserver to the platform's native observer, and start it. Returns False, the server
    watching as before, where the platform has no native observer, the server is not laid out as
    expected (another engine), or the native observer cannot start."""
    paths, refs = getattr(server, "_watched_paths", None), getattr(server, "_watch_refs", None)
    polling = getattr(server, "observer", None)
    if (not isinstance(paths, dict) or not isinstance(refs, dict) or type(polling) is not PollingObserver
            or polling.is_alive() or issubclass(watchdog.observers.Observer, PollingObserver)):
        return False
    _move(server, NativeObserver())
    try:
        server.observer.start()
    except OSError as error:  # e.g. inotify's watch limit: poll, as the engine does
        server.observer.stop()
        _move(server, polling)
        log.info(f"digest: the preview polls for changes ({error})")
        return False
    return True


def _move(server, observer) -> None:
    """Schedule the server's watches on `observer` (through the server's own `watch`, which makes
    the handler that asks for a rebuild) and unschedule them from the current one."""
    counts = dict(server._watched_paths)
    for ref in server._watch_refs.values():
        try:
            server.observer.unschedule(ref)
        except KeyError:  # a stopped observer has dropped its watches already
            pass
    server._watched_paths.clear()
    server._watch_refs.clear()
    server.observer = observer
    for path, count in counts.items():
        server.watch(path)
        server._watched_paths[path] = count
