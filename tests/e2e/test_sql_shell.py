"""`make sql` as a person uses it, in a real terminal (tmux): a statement and its answer, the history (Up, kept in
a file), Ctrl-C clearing the line without leaving, Tab completing a table name, a dot command."""

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import _env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]  # over the shared sample build

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    """One tmux session on a private server socket (never the user's tmux)."""

    def __init__(self, socket: Path, env: dict) -> None:
        self.socket, self.env = socket, env

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", str(self.socket), *args], env=self.env, capture_output=True,
                              text=True, check=True, timeout=30).stdout

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "sql", "-l", text)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "sql", *keys)

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-S", str(self.socket), "has-session", "-t", "sql"], env=self.env,
                              capture_output=True, timeout=30).returncode == 0

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "sql")

    def wait_for(self, condition, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.2)
        pytest.fail(f"the terminal never showed what was expected:\n{self.screen()}")


def _prompt_line(screen: str) -> str:
    """The last line with text; "" while the terminal is still blank (make has printed nothing yet)."""
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")
def test_make_sql_has_history_completion_and_survives_ctrl_c(first_run, home, tmp_path):
    assert first_run.returncode == 0, first_run.stderr
    terminal = Terminal(tmp_path / "tmux.sock", _env(home))
    terminal.tmux("new-session", "-d", "-s", "sql", "-x", "160", "-y", "50", f"make -C {ROOT} sql MODE=sample")
    try:
        terminal.wait_for(lambda screen: _prompt_line(screen).startswith("sample>"), timeout=120)

        # A trailing space: tmux would read an argument ending in ';' as its own command separator.
        terminal.type("select 41 + 1 as answer; ")
        terminal.keys("Enter")
        terminal.wait_for(lambda screen: "│     42 │" in screen)

        terminal.keys("Up")  # the history brings the statement back
        terminal.wait_for(lambda screen: _prompt_line(screen) == "sample> select 41 + 1 as answer;")
        terminal.keys("C-c")  # clears the line; the shell stays
        terminal.wait_for(lambda screen: _prompt_line(screen) == "sample>")

        terminal.type("select count(*) > 0 as has_days from marts.mart_rese")
        terminal.keys("Tab")  # completes the table name from the published copy's catalog
        terminal.wait_for(lambda screen: "from marts.mart_reserve_adequacy" in screen)
        terminal.type("; ")
        terminal.keys("Enter")
        terminal.wait_for(lambda screen: "│ True " in screen.rsplit("has_days", 1)[-1])

        terminal.type(".tables marts")
        terminal.keys("Enter")
        terminal.wait_for(lambda screen: "mart_reserve_adequacy" in screen and _prompt_line(screen) == "sample>")

        # A Ctrl-D sent the instant the prompt appeared was lost in 1 of 3 full runs (likely prompt_toolkit still
        # setting up its input after drawing; not confirmed): the key goes once the prompt has settled.
        time.sleep(1)
        terminal.keys("C-d")  # leaves: the session's only program ends, and the session with it
        deadline = time.monotonic() + 30
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not terminal.alive(), terminal.screen()
    finally:
        subprocess.run(["tmux", "-S", str(tmp_path / "tmux.sock"), "kill-server"], capture_output=True, timeout=30)
    history = (home / "sql_history").read_text()
    assert "select 41 + 1 as answer;" in history and "from marts.mart_reserve_adequacy;" in history
