"""What the loads of this process have done so far (requests sent, rows extracted, dlt's stage), for a terminal
to show while a step runs for minutes.

dlt reports its progress to a collector (`dlt.pipeline(progress=...)`); its own collectors draw bars or write log
lines, and a terminal that already draws one progress line needs the numbers instead, so this one only counts.
Counters are process-wide and only grow: a reader takes the difference between two snapshots (the CLI runs one
step at a time, so the difference since a step started is that step's).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from dlt.common.runtime.collector_base import Collector

_lock = threading.Lock()
_requests = 0
_rows = 0
_stage = ""


@dataclass(frozen=True)
class Snapshot:
    requests: int
    rows: int
    stage: str  # dlt's step under way: "Extract", "Normalize", "Load" (empty between loads)


def snapshot() -> Snapshot:
    with _lock:
        return Snapshot(_requests, _rows, _stage)


def count_request() -> None:
    """One HTTP request sent (every attempt, retries included)."""
    global _requests
    with _lock:
        _requests += 1


class RowCounter(Collector):
    """A dlt collector that adds the rows each resource extracts to the process's counter."""

    step: str | None = None

    def update(self, name: str, inc: int = 1, total: int | None = None, inc_total: int | None = None,
               message: str | None = None, label: str | None = None) -> None:
        global _rows
        # Extract counts items per table; "Resources" counts generators, Normalize and Load count the same rows
        # again or files and jobs.
        if self.step and self.step.startswith("Extract") and name != "Resources":
            with _lock:
                _rows += inc

    def _start(self, step: str) -> None:
        global _stage
        self.step = step
        with _lock:
            _stage = step.split()[0]

    def _stop(self) -> None:
        global _stage
        self.step = None
        with _lock:
            _stage = ""
