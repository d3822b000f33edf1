"""The preview's cycle collector: off during a rebuild, everything collected once idle, nothing
kept that a rebuild let go of (site_plugins/digest/collector.py)."""

from __future__ import annotations

import gc
import time
import weakref

import pytest

from digest.collector import IdleCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cycle collector frees it


def wait_until(check, limit: float = 10.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not check():
        time.sleep(0.01)
    return check()


@pytest.fixture
def collector():
    collector = IdleCollector(idle_seconds=0.05)
    yield collector
    collector.stop()
    assert gc.isenabled() and gc.get_freeze_count() == 0  # as Python has it by default


def test_a_rebuilds_cyclic_garbage_is_freed_once_idle_and_the_rest_frozen(collector):
    collector.begin()
    assert not gc.isenabled()
    garbage = weakref.ref(Node())
    kept = Node()
    collector.end()
    assert wait_until(lambda: collector.collections == 1)
    assert garbage() is None and weakref.ref(kept)() is kept
    assert gc.get_freeze_count() > 0  # what is left is not walked by the next rebuild's collections
    # What a later rebuild replaces is freed too, although it was frozen meanwhile.
    replaced = weakref.ref(kept)
    collector.begin()
    del kept
    collector.end()
    assert wait_until(lambda: collector.collections == 2)
    assert replaced() is None


def test_a_save_before_the_preview_is_idle_puts_the_collection_off(collector):
    collector.begin()
    collector.end()
    collector.begin()  # the next save, at once
    time.sleep(0.2)
    assert collector.collections == 0 and not gc.isenabled()
    collector.end()
    assert wait_until(lambda: collector.collections == 1)


def test_an_idle_preview_keeps_collecting(collector):
    collector.every_seconds = 0.05
    collector.begin()
    collector.end()
    garbage = None
    assert wait_until(lambda: collector.collections >= 1)
    garbage = weakref.ref(Node())  # made while serving pages, no rebuild since
    assert wait_until(lambda: garbage() is None)
