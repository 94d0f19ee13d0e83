"""One writer: DuckDB lets one process write a database file, so runs take turns.

Every run holds an exclusive lock on ``<home>/warehouse/.writer.lock`` while it touches the warehouse, whichever
way it was started (CLI, UI, schedule). A second run waits for it instead of failing on DuckDB's file lock. The lock
is an OS file lock (flock): it is released when the process dies, so a crashed run never blocks the next one. A
run killed with -9 can leave its dbt child writing on without it: the next run ends such orphans before it writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ingestion import settings
from orchestration.dbt_executable import NAMES as DBT_NAMES

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


def end_orphaned_writers(warehouse: Path, grace_seconds: float = 10.0) -> list[int]:
    """End the processes still writing `warehouse` without the lock, and return their ids.

    Called with the lock held, so no live run is writing: a dbt process whose environment names this warehouse as
    FAULTLINES_DUCKDB_PATH (the setting dbt reads) is the child of a run that was killed with -9 while it built.
    Only dbt: every faultlines process carries the variable too (orchestration.environment sets a default that
    the Dagster UI's processes inherit), and this process's ancestors are never touched. SIGTERM, then SIGKILL after
    `grace_seconds`. Linux (/proc) only; elsewhere nothing is found.
    """
    wanted = f"FAULTLINES_DUCKDB_PATH={warehouse}".encode()
    mine = _ancestors()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            pid = int(entry.name)
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if pid not in mine and any(Path(os.fsdecode(arg)).name in DBT_NAMES for arg in argv[:2]) \
                    and wanted in (entry / "environ").read_bytes().split(b"\0"):
                found.append(pid)
        except (OSError, ValueError):  # gone meanwhile, or not ours to read
            continue
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in found):
        time.sleep(0.1)
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return found


def _ancestors() -> set[int]:
    """This process and every process above it."""
    chain, pid = set(), os.getpid()
    while pid > 1 and pid not in chain:
        chain.add(pid)
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return chain


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has stopped writing; its parent (gone) will never reap it
