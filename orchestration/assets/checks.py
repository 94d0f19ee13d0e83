"""Asset checks that are not dbt tests: Great Expectations suites and freshness against the release calendars.

The factories are called where the checked assets are defined (sources.py for raw tables, dbt.py for marts), so a
check is declared beside the asset it guards.
"""

from __future__ import annotations

import datetime as dt

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration import calendars
from orchestration.quality import Suite, suites_for, validate
from orchestration.resources import FaultlinesResource


def _key(asset: str) -> AssetKey:
    return AssetKey(asset.split("/"))


def gx_check(suite: Suite):
    @asset_check(asset=_key(suite.asset), name=f"gx_{suite.name}", blocking=suite.blocking,
                 description=f"Great Expectations suite `{suite.path.name if suite.path else suite.name}`: "
                             f"{suite.description}" + (" Blocking: a failure stops everything downstream, "
                                                       "publishing included." if suite.blocking else ""))
    def _check(context, faultlines: FaultlinesResource) -> AssetCheckResult:  # context: AssetCheckExecutionContext
        with faultlines.connect() as con:
            if suite.blocking and suite.asset.startswith("raw_") and \
                    _unchanged_in_this_run(con, context.run.run_id, suite.asset):
                # The rows are those an earlier run loaded and this blocking suite passed (a load that fails it is
                # taken back): validating them again, and importing GX (seconds a process), would repeat its verdict.
                return AssetCheckResult(
                    passed=True, severity=AssetCheckSeverity.ERROR,
                    description=f"{suite.name}: not run again, this run's load did not change the table",
                    metadata={"suite": suite.name, "rows_validated": 0, "unchanged_by_this_run": True})
            result = validate(suite, con, load_ids=_this_runs_load_ids(context, _key(suite.asset)))
        metadata = result.metadata()
        metadata["failures"] = MetadataValue.json(metadata["failures"])
        description = result.summary()
        if not result.success and suite.blocking and suite.asset.startswith("raw_"):
            taken_back = _take_back_this_runs_load(context, faultlines, _key(suite.asset))
            if taken_back:
                metadata["rolled_back_loads"] = taken_back
                description += (f"; this run's load ({taken_back}) was taken back, so the next run fetches the same "
                                "data again")
        return AssetCheckResult(
            passed=result.success, description=description, metadata=metadata,
            severity=AssetCheckSeverity.ERROR if suite.blocking else AssetCheckSeverity.WARN)

    return _check


def _unchanged_in_this_run(con, run_id: str, asset: str) -> bool:
    """This run loaded the table and the load changed nothing. A check run on its own, outside a load, validates
    as always."""
    from orchestration import run_records

    schema, table = asset.split("/")
    return run_records.load_changed(con, run_id, schema.removeprefix("raw_"), table) is False


def _take_back_this_runs_load(context: AssetCheckExecutionContext, faultlines: FaultlinesResource,
                              asset: AssetKey) -> str:
    """Bad rows must not outlive the run that loaded them: the rows of this run's load of the provider are deleted
    and its cursors rewound (ingestion.pipeline.rollback_loads; the lake's files with the Spark engine). Nothing is
    taken back when the table was not loaded in this run (a check re-run on its own judges data that earlier,
    checked runs loaded)."""
    load_ids = _this_runs_load_ids(context, asset)
    if not load_ids:
        return ""
    provider = asset.path[0].removeprefix("raw_")
    deleted = faultlines.rollback_loads(provider, load_ids)
    context.log.warning(f"{provider}: took back load {', '.join(load_ids)} ({sum(deleted.values())} rows) after "
                        f"{asset.to_user_string()} failed its blocking check")
    return ", ".join(load_ids)


def _this_runs_load_ids(context: AssetCheckExecutionContext, asset: AssetKey) -> list[str]:
    """The dlt loads of ``asset`` in this run (none when the check runs on its own)."""
    from dagster import DagsterEventType

    records = context.instance.get_records_for_run(context.run.run_id,
                                                   of_type=DagsterEventType.ASSET_MATERIALIZATION).records
    return [lid for record in records
            if (materialization := record.event_log_entry.asset_materialization) is not None
            and materialization.asset_key == asset and "load_ids" in materialization.metadata
            for lid in materialization.metadata["load_ids"].value.split(",") if lid]


def gx_checks(asset_prefix: str) -> list:
    return [gx_check(suite) for suite in suites_for(asset_prefix)]


def freshness_check(asset: str, calendar: calendars.ReleaseCalendar, latest_sql: str):
    @asset_check(asset=_key(asset), name="fresh_per_release_calendar",
                 description=f"Warns when the newest data is older than the release calendar allows: "
                             f"{calendar.description}.")
    def _check(faultlines: FaultlinesResource) -> AssetCheckResult:
        now = dt.datetime.now(calendars.NEW_YORK)
        with faultlines.connect() as con:
            latest = con.execute(latest_sql).fetchone()[0]
        fresh = calendar.is_fresh(latest, now)
        oldest = calendar.oldest_fresh(now)
        today = now.date()  # New York's, as the sources date their data
        lag = f"newest data {latest}" if latest else "no data"
        if latest and latest > today:
            lag += f", dated after today in New York ({today}): a clock or time zone mixed up upstream"
        return AssetCheckResult(
            passed=fresh, severity=AssetCheckSeverity.WARN,
            description=f"{lag}; fresh from {oldest} ({calendar.name})",
            metadata={"latest_date": str(latest) if latest else "", "expected_latest_date":
                      str(calendar.expected_latest(now)), "oldest_fresh_date": str(oldest),
                      "calendar": calendar.name, "release": calendar.description,
                      "checked_at": now.isoformat(timespec="seconds")})

    return _check


def freshness_checks(asset_prefix: str) -> list:
    return [freshness_check(asset, calendar, sql) for asset, (calendar, sql) in calendars.FRESHNESS.items()
            if asset.startswith(asset_prefix)]
