"""What a run rebuilds: tables a load changed (run_records.changes) and dbt nodes edited since the last build
(incremental.edited_since)."""

import json

import duckdb
from dagster import AssetKey

from orchestration import incremental, run_records


def _manifest(path, model_sql="a", test_sql="t", macro_sql="m", materialized="table"):
    def node(name, kind, schema, checksum, depends_on=()):
        return {"resource_type": kind, "schema": schema, "name": name, "checksum": {"checksum": checksum},
                "config": {"materialized": materialized}, "depends_on": {"nodes": list(depends_on)}}

    path.write_text(json.dumps({"metadata": {"project_name": "faultlines"}, "nodes": {
        "model.faultlines.stg_x": node("stg_x", "model", "staging", "s"),
        "model.faultlines.mart_x": node("mart_x", "model", "marts", model_sql, ["model.faultlines.stg_x"]),
        "test.faultlines.unique_mart_x": node("unique_mart_x", "test", "marts", test_sql,
                                              ["model.faultlines.mart_x"]),
    }, "macros": {"macro.faultlines.helper": {"package_name": "faultlines", "macro_sql": macro_sql},
                  "macro.dbt.other": {"package_name": "dbt", "macro_sql": "x"}}}))
    return path


def test_edits_select_the_edited_node_a_test_its_model_a_macro_everything(tmp_path):
    built_from = incremental.dbt_checksums(_manifest(tmp_path / "built.json"))
    assert incremental.edited_since(_manifest(tmp_path / "same.json"), built_from) == []
    mart = [AssetKey(["marts", "mart_x"])]
    assert incremental.edited_since(_manifest(tmp_path / "model.json", model_sql="b"), built_from) == mart
    assert incremental.edited_since(_manifest(tmp_path / "config.json", materialized="view"), built_from) == [
        AssetKey(["marts", "mart_x"]), AssetKey(["staging", "stg_x"])]
    assert incremental.edited_since(_manifest(tmp_path / "test.json", test_sql="u"), built_from) == mart
    assert incremental.edited_since(_manifest(tmp_path / "macro.json", macro_sql="n"), built_from) is None


def test_a_reread_that_changed_nothing_is_no_change_and_a_revised_value_is():
    con = duckdb.connect()
    con.execute("create schema raw_p; create table raw_p.t as select 1 as k, 10.0 as v, 'load-1' as _dlt_load_id")
    counts = {"t": 1}
    first, checksums = run_records.changes(con, "p", ["t"], {"t": 1}, {"t": 0}, counts)
    run_records.record_loads(con, "run-1", "p", "sample", ["t"], {"t": 1}, {"t": 0}, counts, first, checksums)
    assert first == {"t": True}
    # The same row again (a look-back window), under another load id: unchanged.
    con.execute("update raw_p.t set _dlt_load_id = 'load-2'")
    again, checksums = run_records.changes(con, "p", ["t"], {"t": 1}, counts, counts)
    run_records.record_loads(con, "run-2", "p", "sample", ["t"], {"t": 1}, counts, counts, again, checksums)
    assert again == {"t": False}
    assert run_records.changes(con, "p", ["t"], {}, counts, counts)[0] == {"t": False}, "nothing fetched"
    con.execute("update raw_p.t set v = 11.0")  # a revision: same rows, another value
    assert run_records.changes(con, "p", ["t"], {"t": 1}, counts, counts)[0] == {"t": True}
