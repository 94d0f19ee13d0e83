"""Asset checks that are not dbt tests: Great Expectations suites and freshness against the release calendars.

The factories are called where the checked assets are defined (sources.py for raw tables, dbt.py for marts), so a
check is declared beside the asset it guards.
"""

from __future__ import annotations

import datetime as dt

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

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
    def _check(faultlines: FaultlinesResource) -> AssetCheckResult:
        with faultlines.connect() as con:
            result = validate(suite, con)
        metadata = result.metadata()
        metadata["failures"] = MetadataValue.json(metadata["failures"])
        return AssetCheckResult(
            passed=result.success, description=result.summary(), metadata=metadata,
            severity=AssetCheckSeverity.ERROR if suite.blocking else AssetCheckSeverity.WARN)

    return _check


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
        lag = f"newest data {latest}" if latest else "no data"
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
