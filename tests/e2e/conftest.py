"""The CLI as a subprocess, and one sample warehouse built by it that the CLI and UI tests share."""

import fcntl
import os
import pty
import re
import socket
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import FAULTLINES, cli_env

SAMPLE_END = "2026-06-30"


# Status's reader of Dagster's SQLite files (orchestration/run_history.py) against Dagster's API on a home: equal,
# and readable without the fallback (from_sqlite raises on a layout it does not know). Prints runs, checks, failing.
SAME_HISTORY = """
import os
from pathlib import Path
from orchestration import environment, run_history
environment.configure()
runs, checks = run_history.from_sqlite(Path(os.environ["DAGSTER_HOME"]), 20)
dagster_runs, dagster_checks = run_history.from_dagster(20)
for ours, theirs in zip(runs, dagster_runs, strict=True):
    assert ours == theirs, f"the SQLite reader and Dagster's API disagree on a run: {ours} != {theirs}"
for key in checks.keys() | dagster_checks.keys():
    assert checks.get(key) == dagster_checks.get(key), f"they disagree on a check: {checks.get(key)} != " \
                                                       f"{dagster_checks.get(key)}"
print(len(runs), len(checks), sum(not c.passed for c in checks.values()))
"""


def _env(home: Path) -> dict:
    # A pinned sample end: two runs either side of midnight must still see the same sample data.
    return cli_env(home, COLUMNS="200", FAULTLINES_SAMPLE_END=SAMPLE_END)


def faultlines(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([FAULTLINES, *args], env=_env(home), capture_output=True, text=True, timeout=timeout)


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def in_terminal(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`faultlines ARGS` with stderr on a pseudo-terminal (where the progress line is drawn) and stdout on a pipe.

    The result's stderr is what the terminal received, escape codes taken out; `frames` holds each line drawn on
    it, with the time it arrived (seconds since the start)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    started = time.monotonic()
    chunks: list[tuple[float, bytes]] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append((time.monotonic() - started, data))

    process = subprocess.Popen([FAULTLINES, *args], env=_env(home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=terminal, text=True)
    os.close(terminal)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        stdout, _ = process.communicate(timeout=timeout)
    finally:
        reader.join(timeout=10)
        os.close(controller)
    frames = []
    for at, data in chunks:
        for line in re.split(r"[\r\n]", ANSI.sub("", data.decode("utf-8", "replace"))):
            if line.strip():
                frames.append((at, line.strip()))
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout,
                                         "\n".join(line for _, line in frames))
    result.frames = frames
    return result


@pytest.fixture(scope="session")
def first_run(home):
    """`faultlines run --mode sample` from nothing, in a terminal: the build every e2e test after it reuses (warm)."""
    return in_terminal(home, "run", "--mode", "sample")
