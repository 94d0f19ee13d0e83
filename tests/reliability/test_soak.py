"""The soak test, short (two runs, the first with faults): incremental runs while four readers query the published
copy (benchmarks/soak.py; `make bench` runs the long one: 20 runs, FRED and Treasury, every fault kind)."""

import pytest

from benchmarks.soak import soak
from tests.reliability.test_failed_runs import _file_rows, _observations

pytestmark = pytest.mark.slow

# Kept short for `make test`: FRED only, and faults whose retries cost seconds, not minutes (the HTTP client backs
# off 1, 2, 4, 8 s); one that no retry mends (an HTML page with status 200) makes some run fail in one clear line.
FAULTS = [{"kind": "429", "rate": 0.3}, {"kind": "500", "rate": 0.1}, {"kind": "truncated", "rate": 0.1},
          {"kind": "reset", "rate": 0.1}, {"kind": "html_200", "rate": 0.1}]


def test_runs_with_faults_and_readers_leave_a_clean_build(tmp_path):
    # Readers pause 0.25 s between queries here (0.05 s in the bench): four busy readers would halve the runs' speed.
    result = soak(tmp_path, runs=2, readers=4, providers=("fred",), faults=FAULTS, clean_build=False,
                  reader_pause=0.25)
    assert result.reader_errors == [], result.reader_errors[:5]
    assert result.bad_run_endings == [], result.bad_run_endings
    assert result.reads > 20, "the readers were reading all along"
    assert any(run.faults for run in result.runs) and result.runs[-1].returncode == 0
    # What a clean build of the final data loads (FRED only): every row of its files, nothing else.
    final = tmp_path / f"day-{result.runs[-1].day}"
    assert _observations(tmp_path / "home" / "warehouse" / "replay.duckdb") == _file_rows(final)
