"""The CLI's Dagster event log (one engine per SQLite file): what it stores, Dagster's own storage reads."""

from dagster import AssetKey, DagsterInstance, asset, materialize
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.event_log import OneEngineSqliteEventLogStorage, storage_overrides


@asset
def upstream() -> int:
    return 1


@asset
def downstream(upstream: int) -> int:
    return upstream + 1


def test_a_run_stored_with_one_engine_per_file_reads_back_through_dagsters_own_storage(tmp_path):
    home = str(tmp_path)
    ours = DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides=storage_overrides(home)))
    assert isinstance(ours.event_log_storage, OneEngineSqliteEventLogStorage)
    result = materialize([upstream, downstream], instance=ours)
    assert result.success
    # The engines are kept per file: if an upgrade of Dagster stopped calling the overridden _connect, none would be.
    assert {result.run_id, "index"} <= set(ours.event_log_storage.engines)

    stock = DagsterInstance.from_ref(InstanceRef.from_dir(home))  # as the UI and `faultlines status` open it
    assert type(stock.event_log_storage) is SqliteEventLogStorage
    events = stock.all_logs(result.run_id)
    assert len(events) > 10 and len(events) == len(ours.all_logs(result.run_id))
    latest = stock.get_latest_materialization_event(AssetKey("downstream"))
    assert latest is not None and latest.run_id == result.run_id
    assert stock.get_run_by_id(result.run_id).is_success
    ours.dispose()
