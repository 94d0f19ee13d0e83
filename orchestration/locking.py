"""One writer: DuckDB lets one process write a database file, so runs take turns.

Every run holds an exclusive lock on ``<home>/warehouse/.writer.lock`` while it touches the warehouse, whichever
way it was started (CLI, UI, schedule). A second run waits for it instead of failing on DuckDB's file lock. The lock
is an OS file lock (flock): it is released when the process dies, so a crashed run never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator

from ingestion import settings

# Whether this process holds the lock: an flock taken twice in one process would wait for itself, so code that
# needs the lock (publishing removes leftovers no one else may be writing) checks this instead.
_held = False


def lock_path():
    return settings.home() / "warehouse" / ".writer.lock"


def holds_writer_lock() -> bool:
    return _held


@contextlib.contextmanager
def writer_lock(note: Callable[[str], None] = lambda _: None, holder: str = "") -> Iterator[float]:
    """Hold the writer lock; yields the seconds spent waiting for it."""
    global _held
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        started = time.monotonic()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            note(f"another run is writing the warehouse ({handle.read().strip() or 'unknown'}); waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        waited = time.monotonic() - started
        handle.seek(0)
        handle.truncate()
        handle.write(f"{holder} pid {os.getpid()}")
        handle.flush()
        _held = True
        try:
            yield waited
        finally:
            _held = False
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
