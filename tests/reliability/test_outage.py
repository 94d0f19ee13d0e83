"""A source that is down: the terminal says what is being waited for, the run ends with a clear error in seconds
(not after Dagster's minutes-long provider retries, which are for schedules), and Ctrl-C stops it cleanly."""

import signal
import subprocess
import time

import pytest

from tests.conftest import FAULTLINES, cli_env
from tests.e2e.conftest import _free_port
from tests.utils import held_by_another

pytestmark = pytest.mark.slow


@pytest.fixture
def down_emulator(sample_dir, tmp_path):
    """An emulator that answers every request with HTTP 500 (`faultlines emulator --fault 500`)."""
    port = _free_port()
    server = subprocess.Popen([FAULTLINES, "emulator", "--data-dir", str(sample_dir), "--port", str(port),
                               "--fault", "500"], env=cli_env(tmp_path / "emulator-home"), stdout=subprocess.PIPE,
                              text=True)
    try:
        while "emulator serving" not in server.stdout.readline():
            assert server.poll() is None
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run(home, base_url) -> subprocess.Popen:
    return subprocess.Popen([FAULTLINES, "run", "--mode", "replay", "--base-url", base_url, "--select", "group:fred"],
                            env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_down_source_is_reported_with_each_wait_on_screen(down_emulator, tmp_path):
    home = tmp_path / "home"
    run = _run(home, down_emulator)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 1
    waits = [line for line in stderr.splitlines() if "retry" in line and "Ctrl-C stops the run" in line]
    assert waits and all("FRED" in line and "HTTP 500" in line for line in waits), stderr
    error = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "FRED" in error[0] and "HTTP 500" in error[0], stderr
    assert not (home / "published").exists()


def test_ctrl_c_stops_a_waiting_run_at_once_and_releases_the_lock(down_emulator, tmp_path):
    home = tmp_path / "home"
    run = _run(home, down_emulator)
    seen = []
    for line in run.stderr:  # the waits are announced as they start
        seen.append(line)
        if "retry 1/" in line:
            break
    assert any("Ctrl-C stops the run" in line for line in seen), "".join(seen)
    interrupted = time.monotonic()
    run.send_signal(signal.SIGINT)
    rest = run.stderr.read()
    run.wait(timeout=30)
    stopped_after = time.monotonic() - interrupted
    assert run.returncode == 130 and "interrupted (Ctrl-C)" in rest, rest
    assert "Traceback" not in rest
    assert stopped_after < 15, f"Ctrl-C took {stopped_after:.0f}s"  # not the seconds of the backoff left
    assert not (home / "published").exists() and not held_by_another(home / "warehouse" / ".writer.lock")
