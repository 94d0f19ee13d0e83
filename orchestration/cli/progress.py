"""What `faultlines run` shows on the terminal while the job works: one progress line that says which step is
running, for how long, and what it has done so far; faultlines' own warnings as one line each; every library's
log lines in the run's log file instead (on the terminal too with --verbose)."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
import time
from dataclasses import dataclass, field

from rich.markup import escape
from rich.progress import Progress

from ingestion import progress as loads
from orchestration.cli.app import err

OWN_LOGGERS = ("ingestion", "orchestration")
# dbt's line for a node it starts: "  12 of 95 START sql table model marts.mart_claims ...... [RUN]".
DBT_START = re.compile(r"\b(\d+) of (\d+) START \S*\s*(?:\S+ )*?(?:model|snapshot|seed|test) (\S+)")


class _TerminalLines(logging.Handler):
    """faultlines' own warnings (a source being retried, a wait) as one line each on the terminal while a run
    works: a long wait is never silent, and says how to stop it."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "retry" in message:
            message += " (Ctrl-C stops the run)"
        err.print(f"[yellow]faultlines:[/] {escape(message)}", soft_wrap=True, highlight=False)


class _LibraryLines(logging.Handler):
    """--verbose: a library's log line on the terminal, above the progress line."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in OWN_LOGGERS:
            return  # faultlines' own lines are on the terminal already (_TerminalLines)
        err.print(f"[dim]{escape(record.name)}: {escape(record.getMessage())}[/]", soft_wrap=True, highlight=False)


@contextlib.contextmanager
def terminal_and_log_file(log_file: io.TextIOBase, verbose: bool = False):
    """For the run: faultlines' warnings on the terminal; every log line (libraries' too: dlt, Dagster, Python
    warnings) in the log file; the libraries' stream handlers (dlt's writes to stderr) taken off the terminal.

    dlt keeps its logger apart (`propagate = False`) and, when it sets its logging up during the run, reuses the
    first handler the logger has: the file handler put there first."""
    to_file = logging.StreamHandler(log_file)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    own = _TerminalLines(logging.WARNING)
    library = _LibraryLines(logging.INFO if verbose else logging.CRITICAL + 1)
    saved = {}
    for name in ("", "dlt"):  # the root logger and dlt's
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.level)
        for handler in logger.handlers[:]:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                logger.removeHandler(handler)
        logger.handlers.insert(0, to_file)
        logger.addHandler(library)
    logging.getLogger().setLevel(min(logging.getLogger().level or logging.WARNING, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).addHandler(own)
    was_capturing = logging.getLogger("py.warnings").handlers  # Python warnings (UserWarning, …) as log lines
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(bool(was_capturing))
        for name in OWN_LOGGERS:
            logging.getLogger(name).removeHandler(own)
        for name, (handlers, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)


@dataclass
class _Step:
    key: str
    started: float
    loads_at_start: loads.Snapshot


@dataclass
class RunDisplay:
    """The progress line's state: the steps running (from the run's event log), the assets built, the load
    counters (ingestion/progress.py) and dbt's node under way (its output, which goes through `dbt_output`)."""

    providers: frozenset[str]
    running: dict[str, _Step] = field(default_factory=dict)
    built: set = field(default_factory=set)
    last_built: str | None = None
    dbt_node: str | None = None

    def describe(self) -> str:
        if not self.running:
            # Before the first step: the run's resources (the writer lock, sample data, the API emulator).
            return f"built {self.last_built}" if self.last_built else "preparing the run"
        step = next(iter(self.running.values()))
        parts = [f"{self._label(step.key)} {_clock(time.monotonic() - step.started)}"]
        if step.key in self.providers:
            now = loads.snapshot()
            parts.append(f"{now.requests - step.loads_at_start.requests:,} requests")
            parts.append(f"{now.rows - step.loads_at_start.rows:,} rows")
            if now.stage and now.stage != "Extract":
                parts.append(now.stage.lower())
        elif step.key.startswith("dbt"):
            parts.append(self.dbt_node or "starting dbt")
        return " · ".join(parts)

    def _label(self, key: str) -> str:
        if key in self.providers:
            return f"loading {key}"
        return "dbt build" if key.startswith("dbt") else f"running {_short(key, 40)}"

    def dbt_line(self, line: str) -> None:
        if match := DBT_START.search(line):
            done, total, name = match.groups()
            self.dbt_node = f"{done}/{total} {_short(name, 48)}"


def _short(name: str, width: int) -> str:
    """A long name cut in the middle (dbt's test names run to 120 characters): the line stays one line."""
    return name if len(name) <= width else f"{name[:width // 2 - 1]}…{name[-(width - width // 2):]}"


class DbtOutput(io.TextIOBase):
    """The run's stdout: dbt's event lines (dagster-dbt echoes them) go to the log file as they are, and each
    node dbt starts is shown on the progress line."""

    def __init__(self, log_file: io.TextIOBase, display: RunDisplay) -> None:
        self._log_file = log_file
        self._display = display

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self._display.dbt_line(line)
        return self._log_file.write(text)

    def flush(self) -> None:
        self._log_file.flush()

    def isatty(self) -> bool:
        return False


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


def watch_run(instance, run_id: str, display: RunDisplay, progress: Progress, task, stop: threading.Event) -> None:
    """Redraw the progress line twice a second from the run's event log: the step under way with its clock and
    counters (so a step that runs for minutes still shows it is alive), the assets built."""
    from dagster import DagsterEventType

    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
             DagsterEventType.ASSET_MATERIALIZATION}
    cursor = None
    while not stop.wait(0.5):
        try:
            result = instance.get_records_for_run(run_id, cursor=cursor, of_type=kinds)
        except Exception:  # the run may not exist yet  # noqa: S112
            result = None
        if result is not None:
            cursor = result.cursor
            for record in result.records:
                _apply(display, record.event_log_entry.dagster_event)
        progress.update(task, completed=len(display.built), description=display.describe())


def _apply(display: RunDisplay, event) -> None:
    from dagster import DagsterEventType

    if event.event_type == DagsterEventType.STEP_START:
        display.running[event.step_key] = _Step(event.step_key, time.monotonic(), loads.snapshot())
        display.dbt_node = None
    elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
        display.running.pop(event.step_key, None)
    elif event.asset_key not in display.built:
        display.built.add(event.asset_key)
        display.last_built = event.asset_key.to_user_string()
