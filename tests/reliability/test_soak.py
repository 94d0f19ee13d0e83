"""The soak test, short: consecutive incremental runs with random faults while four readers query the published
copy (benchmarks/soak.py; `make bench` runs the long one)."""

import pytest

from benchmarks.soak import soak

pytestmark = pytest.mark.slow


def test_runs_with_faults_and_readers_leave_a_clean_build(tmp_path):
    result = soak(tmp_path, runs=4, readers=4)
    assert result.reader_errors == [], result.reader_errors[:5]
    assert result.bad_run_endings == [], result.bad_run_endings
    assert result.reads > 20, "the readers were reading all along"
    assert any(run.faults for run in result.runs) and result.runs[-1].returncode == 0
    assert result.equals_clean_build, result.differing_tables
