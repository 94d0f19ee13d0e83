"""The CLI as a subprocess, and one sample warehouse built by it that the CLI and UI tests share."""

import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FAULTLINES, cli_env

SAMPLE_END = "2026-06-30"


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


@pytest.fixture(scope="session")
def first_run(home):
    """`faultlines run --mode sample` from nothing: the build every e2e test after it reuses (warm)."""
    return faultlines(home, "run", "--mode", "sample")
