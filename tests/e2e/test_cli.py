"""The CLI as users run it, over the shared e2e sample warehouse: a subprocess, its output, its exit codes."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import FAULTLINES, SAME_HISTORY, _env, _one_line_error, faultlines
from tests.utils import seed_claim_ids

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]  # one worker: they share one sample build


def test_sample_run_says_so_first_and_last(first_run):
    assert first_run.returncode == 0, first_run.stderr
    lines = [line for line in first_run.stdout.splitlines() if line.strip()]
    assert "SAMPLE MODE" in lines[0] and "SAMPLE MODE" in lines[-1]
    assert "marts.mart_reserve_adequacy" in first_run.stdout
    assert "Warehouse: " in first_run.stdout and "sample.duckdb" in first_run.stdout


# The progress line as the terminal shows it: spinner, what runs (step, its clock, its counters), bar, count, clock.
PROGRESS_LINE = re.compile(r"^\S (?P<what>.+?) [━╺╸]+ \d+/\d+ assets")
STEP_CLOCK = re.compile(r"^(?P<step>.+?) (?P<clock>\d+:\d\d)(?: · |$)")


def test_first_run_shows_the_longest_step_alive_every_two_seconds(first_run):
    """A step that runs for a minute (dbt's build on a first run) must not look frozen: the line says which step
    runs and moves (its clock, rows and requests so far, dbt's node) at least every 2 seconds."""
    assert first_run.returncode == 0, first_run.stderr
    by_step: dict[str, list[tuple[float, str]]] = {}
    for at, line in first_run.frames:
        if (shown := PROGRESS_LINE.match(line)) and (step := STEP_CLOCK.match(shown["what"])):
            by_step.setdefault(step["step"], []).append((at, shown["what"]))
    assert {"loading fred", "dbt build"} <= set(by_step), sorted(by_step)
    longest = max(by_step, key=lambda name: by_step[name][-1][0] - by_step[name][0][0])
    frames = by_step[longest]
    changes = [at for (at, what), (_, before) in zip(frames[1:], frames, strict=False) if what != before]
    assert len(changes) >= 3, frames
    moments = [frames[0][0], *changes, frames[-1][0]]
    gaps = [later - earlier for earlier, later in zip(moments, moments[1:], strict=False)]
    assert max(gaps) <= 2.0, f"{longest}: the line stood still for {max(gaps):.1f} s"
    assert any("rows" in what and "requests" in what for at, what in by_step["loading fred"])


def test_first_run_shows_no_library_log_lines(first_run, home):
    """dlt, Dagster and Python warnings go to the run's log file; the terminal shows faultlines' own lines only."""
    terminal = [line for _, line in first_run.frames] + first_run.stdout.splitlines()
    assert not [line for line in terminal if re.search(r"WARNING|Warning\b|\|dlt\||Traceback", line)]
    assert list((home / "logs").glob("run-*.log"))


def test_first_run_parsed_the_dbt_project_beside_its_loads(first_run, home):
    """In a new home dbt parses the project while the providers load (dbt_manifest.parse_ahead): the build's dbt
    finds that parse and does not parse everything again (5 s of a first run)."""
    first_log = min((home / "logs").glob("run-*.log"), key=lambda path: path.stat().st_mtime)
    dbt_lines = first_log.read_text()
    assert "Running with dbt=" in dbt_lines  # the build's dbt wrote here
    assert "Unable to do partial parsing" not in dbt_lines
    assert (home / "dbt-target" / "sample" / "partial_parse.msgpack").is_file()


def test_sql_prints_a_positive_count_as_csv(first_run, home):
    result = faultlines(home, "sql", "--mode", "sample", "select count(*) as n from marts.mart_reserve_adequacy")
    assert result.returncode == 0, result.stderr
    header, value = result.stdout.strip().splitlines()
    assert header == "n" and int(value) > 7000


def test_sql_is_read_only(first_run, home):
    line = _one_line_error(faultlines(home, "sql", "--mode", "sample", "create table marts.x as select 1"))
    assert "read-only" in line.lower()


def test_sql_error_is_one_line(first_run, home):
    _one_line_error(faultlines(home, "sql", "--mode", "sample", "select * from no_such_table"))


def _read_while(running, published: Path) -> dict:
    """Query the published copy in a loop while `running()` (a fresh read-only connection each time)."""
    import threading

    import duckdb

    seen: dict = {"reads": 0, "errors": [], "claims": set()}

    def loop():
        while running():
            try:
                with duckdb.connect(str(published), read_only=True) as con:
                    claims, days = con.execute("select (select count(*) from marts.mart_claims), "
                                               "(select count(*) from marts.mart_reserve_adequacy)").fetchone()
                seen["claims"].add(claims)
                assert days > 7000
                seen["reads"] += 1
            except Exception as exc:  # any failure to read is what this test is looking for
                seen["errors"].append(repr(exc))
            time.sleep(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    seen["thread"] = thread
    return seen


def test_two_runs_at_once_take_turns_and_load_nothing_new(first_run, home):
    """One writer: the second run waits for the first instead of failing on DuckDB's lock."""
    # FRED (the series asset loads all FRED tables) and what follows every run (run record, publishing).
    runs = [subprocess.Popen([FAULTLINES, "run", "--mode", "sample", "--select", "key:raw_fred/series"], env=_env(home),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reads = _read_while(lambda: any(run.poll() is None for run in runs), home / "published" / "sample.duckdb")
    outputs = [run.communicate(timeout=600) for run in runs]
    reads["thread"].join(timeout=10)
    assert reads["errors"] == [] and reads["reads"] >= 5
    assert reads["claims"] == {len(seed_claim_ids())}, "a reader only ever sees whole published copies"
    for run, (stdout, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stderr
        assert "Loaded 0 new rows" in stdout
    waited = [stderr for _, stderr in outputs if "another run is writing the warehouse" in stderr]
    assert len(waited) == 1, "exactly one run found the warehouse busy and waited"
    recorded = faultlines(home, "sql", "--mode", "sample", "select count(*) from meta.runs")
    assert int(recorded.stdout.strip().splitlines()[1]) >= 3, "both runs recorded after the first"
    count = faultlines(home, "sql", "--mode", "sample",
                       "select count(*) - count(distinct (series_id, date)) from raw_fred.observations")
    assert count.stdout.strip().splitlines()[1] == "0", "no duplicate rows"


def test_full_refresh_of_a_selection_reloads_without_duplicates(first_run, home):
    result = faultlines(home, "run", "--mode", "sample", "--select", "group:fred", "--full-refresh")
    assert result.returncode == 0, result.stderr
    counts = faultlines(home, "sql", "--mode", "sample", """
        select (select count(*) from raw_fred.observations),
               (select count(distinct (series_id, date)) from raw_fred.observations),
               (select rows_fetched from meta.runs order by finished_at desc limit 1),
               (select count(*) from raw_fred.series),
               (select count(*) from raw_fred.vintages)""")
    total, distinct, reloaded, series, vintages = map(int, counts.stdout.strip().splitlines()[1].split(","))
    assert total == distinct > 20_000 and vintages > 0
    assert reloaded == total + series + vintages, "everything refetched (observations, series, the sample's ALFRED " \
                                                  "vintages), recorded in meta.runs"


def test_status_shows_runs_freshness_and_checks(first_run, home):
    result = faultlines(home, "status", "--mode", "sample")
    assert result.returncode == 0, result.stderr
    assert "build_everything" in result.stdout and "SUCCESS" in result.stdout
    assert "raw_fred.observations" in result.stdout and "2026-06-30" in result.stdout
    # The sample ends on the pinned 2026-06-30, months ago: every dated source is late, and says so.
    assert "late" in result.stdout and "fresh_per_release_calendar" in result.stdout
    assert "Checks: " in result.stdout
    header = next(line for line in result.stdout.splitlines() if "newest data" in line)
    assert "verdict" in header, "every column of the freshness table has a header"
    run_id = newest_run_id(home)
    row = next(line for line in result.stdout.splitlines() if run_id[:8] in line)
    assert re.search(r"build_everything\s*│\s*sample\s*│", row), row


def newest_run_id(home) -> str:
    runs = faultlines(home, "sql", "--mode", "sample", "select run_id from meta.runs order by finished_at desc limit 1")
    return runs.stdout.strip().splitlines()[1]


IN_PROCESS = """
import sys
from orchestration.cli import main
sys.argv = ["faultlines", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("loaded:", [name for name in {heavy!r} if name in sys.modules])
"""


def _in_process(home, heavy: tuple[str, ...], *args: str, timeout: float) -> subprocess.CompletedProcess:
    """`faultlines ARGS` in one Python that prints, last, which of the ``heavy`` modules it loaded."""
    return subprocess.run([sys.executable, "-c", IN_PROCESS.format(heavy=heavy), *args], env=_env(home),
                          capture_output=True, text=True, timeout=timeout)


def test_status_answers_without_loading_the_dagster_definitions(first_run, home):
    """Status reads what runs recorded; the definitions (dbt's manifest, every asset) took 15 s to load, and
    importing Dagster and dlt at all 2.8 s of the 3.5 s it took before it read Dagster's SQLite files itself."""
    result = _in_process(home, ("orchestration.definitions", "dagster_dbt", "orchestration.assets.dbt", "dagster",
                                "dlt"), "status", "--mode", "sample", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Checks: " in result.stdout and result.stdout.strip().splitlines()[-1] == "loaded: []"


def test_a_run_with_nothing_new_imports_neither_dbt_nor_great_expectations(first_run, home):
    """Most scheduled runs find nothing new: they load, check and record the run, and import neither dbt (2 s, through
    dagster-dbt) nor GX (2.5 s). A run just before makes sure nothing is left to build from earlier tests."""
    assert faultlines(home, "run", "--mode", "sample").returncode == 0
    result = _in_process(home, ("dbt", "dagster_dbt", "orchestration.assets.dbt", "orchestration.definitions",
                                "great_expectations"), "run", "--mode", "sample", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Loaded 0 new rows" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "loaded: []"


def test_status_reads_the_run_history_dagster_reads(first_run, home):
    """The status's own reader of Dagster's SQLite files against Dagster's API: a Dagster upgrade that changes the
    layout fails here, not in front of a user."""
    result = subprocess.run([sys.executable, "-c", SAME_HISTORY], env=_env(home), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    runs, checks, _failing = map(int, result.stdout.split())
    assert runs >= 1 and checks > 100, result.stdout


def test_sql_reads_a_script_from_stdin(first_run, home):
    result = subprocess.run([FAULTLINES, "sql", "--mode", "sample"], env=_env(home), capture_output=True, text=True,
                            input="select count(*) as claims from marts.mart_claims", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == ["claims", str(len(seed_claim_ids()))]
