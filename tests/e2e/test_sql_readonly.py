"""The SQL surfaces are read-only: `faultlines sql` (argument, stdin, shell) and `faultlines serve-sql` (psql,
psycopg) refuse everything that reaches the host, the warehouse or another session, and serve-sql stops runaway
queries, checks a password, and caps its connections.

Over a small warehouse published by the real `publish()`, so these run on any worker without the e2e build.
"""

import contextlib
import hashlib
import os
import pty
import re
import select
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from tests.conftest import FAULTLINES, cli_env
from tests.e2e.conftest import _free_port, _one_line_error

pytestmark = pytest.mark.slow

# Never ends on its own (1e14 products); the small side keeps it within any memory limit.
RUNAWAY = "select sum(a.range * b.range) from range(1000000000) a, range(100000) b"
CLAIMS = "select count(*) from marts.mart_claims"
PASSWORD = "sentinel-password-4f9c"
NO_PGPASS = "/nonexistent/.pgpass"  # a ~/.pgpass must not answer for the tests


def _publish(home: Path, claims: int) -> None:
    from orchestration.locking import writer_lock
    from orchestration.readers.publish import publish

    warehouse = home / "warehouse" / "sample.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.mart_claims as "
                    f"select 'claim_' || range as claim_id, 'supported' as verdict from range({claims})")
    with writer_lock():  # publishing is a writer's job (it cleans up after killed publishes)
        publish(warehouse, home / "published" / "sample.duckdb", home / "published" / "sample-parquet")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("sql-home")
    _publish(home, claims=6)
    return home


def _env(home: Path, **extra: str) -> dict:
    return cli_env(home, COLUMNS="200", **extra)


def _sql(home: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([FAULTLINES, "sql", "--mode", "sample", *args], env=_env(home, **env), input=stdin,
                          capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def _serve(home: Path, **env: str):
    """`faultlines serve-sql` on a free loopback port, with settings from `env`; yields (port, process)."""
    port = _free_port()
    server = subprocess.Popen([FAULTLINES, "serve-sql", "--mode", "sample", "--port", str(port)],
                              env=_env(home, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "serve-sql did not start listening"
            time.sleep(0.2)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=10)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _psql(port: int, sql: str, password: str | None = None, user: str = "analyst",
          timeout: float = 60) -> subprocess.CompletedProcess:
    env = {"PGCONNECT_TIMEOUT": "10", "PGPASSFILE": NO_PGPASS, **({"PGPASSWORD": password} if password else {})}
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", "sample", "-w", "-A", "-t",
                           "-c", sql], capture_output=True, text=True, timeout=timeout, env=env)


def _pg(port: int, password: str | None = None) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="analyst", dbname="sample", password=password,
                           autocommit=True, connect_timeout=10)


@pytest.fixture(scope="module")
def endpoint(home):
    """serve-sql with the default settings but a long time limit (the runaway tests stop queries by other means)."""
    with _serve(home, FAULTLINES_SQL_TIMEOUT_SECONDS="600") as (port, _):
        yield port


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


EXTERNAL = "files, network and extensions are off"

# (name, statement, what the refusal says). {warehouse}, {published}, {parquet} and {out} are filled in per test.
REFUSALS = [
    ("read_text", "select content from read_text('/etc/hostname')", EXTERNAL),
    ("read_csv of /etc/passwd", "select * from read_csv('/etc/passwd', delim=':', header=false)",
     EXTERNAL),
    ("read_parquet of a path", "select count(*) from read_parquet('{parquet}')", EXTERNAL),
    ("COPY TO a file", "copy (select 7 as x) to '{out}/pwn.csv'", EXTERNAL),
    ("EXPORT DATABASE", "export database '{out}/export'", EXTERNAL),
    ("ATTACH the writable warehouse", "attach '{warehouse}' as w (read_only false); "
     "create table w.main.pwned as select 1", "ATTACH is off"),
    ("ATTACH the published copy read-write", "attach '{published}' as p (read_write); "
     "update p.marts.mart_claims set verdict = 'pwned'", "ATTACH is off"),
    # DuckDB itself allows this one: a detached file stays on its external-access allow-list.
    ("DETACH then ATTACH read-write", "use memory; detach sample; attach '{published}' as sample (read_write); "
     "update sample.marts.mart_claims set verdict = 'pwned'", "DETACH is off"),
    ("DETACH the published copy", "use memory; detach sample", "DETACH is off"),
    ("INSTALL", "install httpfs", EXTERNAL),
    ("LOAD", "load httpfs", EXTERNAL),
    ("SET memory_limit", "set memory_limit = '1MB'", "settings are locked"),
    ("SET enable_external_access back to true", "set enable_external_access = true", "settings are locked"),
    ("SET lock_configuration to false", "set lock_configuration = false", "settings are locked"),
    ("CREATE TABLE", "create table marts.pwned as select 1", "the published copy is read-only"),
]


def _statement(template: str, home: Path, out: Path) -> str:
    return template.format(warehouse=home / "warehouse" / "sample.duckdb", published=home / "published" /
                           "sample.duckdb", parquet=home / "published" / "sample-parquet" / "mart_claims.parquet",
                           out=out)


@pytest.mark.parametrize("surface", ["faultlines sql", "psql over serve-sql"])
@pytest.mark.parametrize(("statement", "refusal"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refused(surface, statement, refusal, home, endpoint, tmp_path):
    files = {p: _digest(p) for p in (home / "warehouse" / "sample.duckdb", home / "published" / "sample.duckdb")}
    sql = _statement(statement, home, tmp_path)
    if surface == "faultlines sql":
        line = _one_line_error(_sql(home, sql))
    else:
        result = _psql(endpoint, sql)
        assert result.returncode != 0 and result.stdout == "", result.stdout
        line = result.stderr.strip()
        assert line.startswith("ERROR:  refused: ") and "\n" not in line, result.stderr
    assert f"refused: {refusal}" in line
    assert {p: _digest(p) for p in files} == files, "neither the warehouse nor the published copy changed"
    assert list(tmp_path.iterdir()) == [], "no file was written"


def test_a_stdin_script_is_refused_as_a_whole(home, tmp_path):
    """A script whose last statement is harmless still stops at the DETACH before it, and writes nothing."""
    published = home / "published" / "sample.duckdb"
    before = _digest(published)
    script = (f"use memory;\ndetach sample;\nattach '{published}' as sample (read_write);\n"
              "update sample.marts.mart_claims set verdict = 'pwned';\nselect 1;")
    assert "refused: DETACH is off" in _one_line_error(_sql(home, stdin=script))
    assert _digest(published) == before


def test_the_interactive_shell_refuses_and_goes_on(home):
    controller, terminal = pty.openpty()
    shell = subprocess.Popen([FAULTLINES, "sql", "--mode", "sample"], env=_env(home), stdin=terminal,
                             stdout=terminal, stderr=terminal, close_fds=True)
    os.close(terminal)
    try:
        os.write(controller, b"select content from read_text('/etc/hostname');\n" + CLAIMS.encode() + b";\n.quit\n")
        output = b""
        while shell.poll() is None or select.select([controller], [], [], 0)[0]:
            if select.select([controller], [], [], 30)[0]:
                try:
                    output += os.read(controller, 65536)
                except OSError:  # the shell exited and closed the terminal
                    break
            else:
                pytest.fail(f"the shell is stuck: {output.decode(errors='replace')}")
    finally:
        os.close(controller)
        shell.wait(timeout=10)
    text = output.decode(errors="replace")
    assert "refused: files, network and extensions are off" in text
    assert re.search(r"│ +6 │", text), "the next statement was answered (rich's table)"
    assert shell.returncode == 0


def test_one_client_cannot_change_another(endpoint):
    with _pg(endpoint) as first, _pg(endpoint) as second:
        limit = second.execute("select current_setting('memory_limit')").fetchone()[0]
        for statement in ("set memory_limit = '1MB'", "use memory; detach sample"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="refused"):
                first.execute(statement)
        # Allowed, and private to the session: its own scratch catalog and its own USE.
        first.execute("use memory; create table scratch as select 42 as answer")
        assert first.execute("select answer from scratch").fetchone() == (42,)
        with _pg(endpoint) as later:
            for other in (second, later):
                assert other.execute(CLAIMS).fetchone() == (6,), "still on the published copy"
                assert other.execute("select current_setting('memory_limit')").fetchone()[0] == limit
                with pytest.raises(psycopg.Error, match="scratch"):
                    other.execute("select * from memory.main.scratch")


def test_new_sessions_see_a_new_published_copy(tmp_path):
    _publish(tmp_path, claims=6)
    with _serve(tmp_path) as (port, _), _pg(port) as before:
        assert before.execute(CLAIMS).fetchone() == (6,)
        _publish(tmp_path, claims=7)
        with _pg(port) as after:
            assert after.execute(CLAIMS).fetchone() == (7,)
        assert before.execute(CLAIMS).fetchone() == (6,), "an open session finishes on the copy it opened"


def _run_in_thread(port: int, sql: str) -> tuple[threading.Thread, dict, psycopg.Connection]:
    connection = _pg(port)
    outcome: dict = {}

    def run():
        try:
            outcome["rows"] = connection.execute(sql).fetchall()
        except psycopg.Error as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome, connection


def _answered_meanwhile(port: int, thread: threading.Thread) -> int:
    """A second client (psql) queries while `thread` runs: each answer within 10 s, or TimeoutExpired fails the test."""
    answers, deadline = 0, time.monotonic() + 60
    while thread.is_alive():
        assert time.monotonic() < deadline, "the runaway query was not stopped"
        result = _psql(port, CLAIMS, timeout=10)
        assert result.stdout.strip() == "6", result.stderr
        answers += 1
    return answers


def test_a_runaway_query_is_stopped_by_the_time_limit(home):
    with _serve(home, FAULTLINES_SQL_TIMEOUT_SECONDS="3") as (port, _):
        thread, outcome, connection = _run_in_thread(port, RUNAWAY)
        assert _answered_meanwhile(port, thread) >= 1
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert isinstance(outcome.get("error"), psycopg.errors.QueryCanceled), outcome
        assert "statement timeout" in str(outcome["error"]) and "FAULTLINES_SQL_TIMEOUT_SECONDS=3" in str(
            outcome["error"])
        assert connection.execute(CLAIMS).fetchone() == (6,), "the session goes on"
        connection.close()


def test_a_cancel_request_stops_a_runaway_query(endpoint):
    thread, outcome, connection = _run_in_thread(endpoint, RUNAWAY)
    time.sleep(1)
    assert _psql(endpoint, CLAIMS, timeout=10).stdout.strip() == "6", "answered while the runaway query runs"
    assert thread.is_alive()
    connection.cancel()
    thread.join(timeout=30)
    assert not thread.is_alive(), "cancelled, not left to the 600 s time limit"
    assert isinstance(outcome.get("error"), psycopg.errors.QueryCanceled), outcome
    assert "user request" in str(outcome["error"])
    assert connection.execute(CLAIMS).fetchone() == (6,), "the session goes on"
    connection.close()


def test_psql_ctrl_c_cancels_a_runaway_query(endpoint):
    psql = subprocess.Popen(["psql", "-h", "127.0.0.1", "-p", str(endpoint), "-U", "analyst", "-d", "sample",
                             "-c", RUNAWAY], env={"PGPASSFILE": NO_PGPASS}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    psql.send_signal(signal.SIGINT)
    _, stderr = psql.communicate(timeout=30)
    assert psql.returncode == 1
    assert "canceling statement due to user request" in stderr


def test_the_connection_cap_answers_with_an_error(home):
    with _serve(home, FAULTLINES_SQL_MAX_CONNECTIONS="2") as (port, _):
        first, second = _pg(port), _pg(port)
        with pytest.raises(psycopg.OperationalError, match="too many clients already"):
            _pg(port)
        assert first.execute(CLAIMS).fetchone() == (6,), "the clients inside are still served"
        second.close()
        _connect_within(port, seconds=10).close()
        first.close()


def _connect_within(port: int, seconds: float) -> psycopg.Connection:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _pg(port)
        except psycopg.OperationalError as exc:
            if "too many clients" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_client_that_hangs_up_leaves_no_query_running(home):
    """Both slots held by runaway queries whose psql is killed: the server stops them and frees the slots, long
    before the 600 s time limit would."""
    with _serve(home, FAULTLINES_SQL_MAX_CONNECTIONS="2", FAULTLINES_SQL_TIMEOUT_SECONDS="600") as (port, _):
        def runaway() -> subprocess.Popen:
            return subprocess.Popen(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "analyst", "-d", "sample",
                                     "-c", RUNAWAY], env={"PGPASSFILE": NO_PGPASS}, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)

        clients = [runaway(), runaway()]
        deadline = time.monotonic() + 90  # psql starting beside a runaway on a busy 2-core machine
        while True:  # until both runaways hold their slot
            time.sleep(2)
            # A psql that found both slots taken (by the other and this probe) exits: start it again.
            clients = [client if client.poll() is None else runaway() for client in clients]
            try:
                _pg(port).close()
            except psycopg.OperationalError as exc:
                assert "too many clients" in str(exc)
                break
            assert time.monotonic() < deadline
        for client in clients:
            client.kill()
            client.wait()
        with _connect_within(port, seconds=10) as connection:
            assert connection.execute(CLAIMS).fetchone() == (6,)


def test_a_password_is_required_when_set(home):
    with _serve(home, FAULTLINES_SQL_PASSWORD=PASSWORD) as (port, server):
        missing = _psql(port, CLAIMS)
        assert missing.returncode != 0 and "no password supplied" in missing.stderr
        wrong = _psql(port, CLAIMS, password="not-" + PASSWORD)
        assert wrong.returncode != 0 and 'password authentication failed for user "analyst"' in wrong.stderr
        right = _psql(port, CLAIMS, password=PASSWORD, user="anyone")
        assert right.returncode == 0 and right.stdout.strip() == "6", right.stderr
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            _pg(port, password="wrong")
        with _pg(port, password=PASSWORD) as connection:
            assert connection.execute(CLAIMS).fetchone() == (6,)
    out, err = server.communicate()
    assert "password required" in out
    assert PASSWORD not in out + err


def test_listening_beyond_loopback_needs_a_password(home):
    result = subprocess.run([FAULTLINES, "serve-sql", "--mode", "sample", "--host", "0.0.0.0", "--port",
                             str(_free_port())], env=_env(home), capture_output=True, text=True, timeout=60)
    line = _one_line_error(result)
    assert "refused to listen on 0.0.0.0" in line and "FAULTLINES_SQL_PASSWORD" in line


@pytest.mark.parametrize(("command", "setting", "value"), [
    ("serve-sql", "FAULTLINES_SQL_TIMEOUT_SECONDS", "soon"),
    ("serve-sql", "FAULTLINES_SQL_MAX_CONNECTIONS", "0"),
    ("serve-sql", "FAULTLINES_SQL_MEMORY_LIMIT", "banana"),
    ("sql", "FAULTLINES_SQL_MEMORY_LIMIT", "banana"),
])
def test_a_bad_setting_is_named(command, setting, value, home):
    args = ["--port", str(_free_port())] if command == "serve-sql" else ["select 1"]
    result = subprocess.run([FAULTLINES, command, "--mode", "sample", *args], env=_env(home, **{setting: value}),
                            capture_output=True, text=True, timeout=60)
    assert f"{setting}={value!r}" in _one_line_error(result)
