"""The one Dagster ``Definitions`` of faultlines: sources → dbt models → checks → publish, the jobs that build them
and the schedules that follow the release calendars.

Load it with ``dagster dev -m orchestration.definitions`` (``make ui``) or run it headless with ``faultlines run``.
"""

from ingestion import settings

settings.configure_environment()  # before dlt and Dagster read their folders from the environment

from dagster import (  # noqa: E402
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

from ingestion.sources import SOURCES  # noqa: E402
from orchestration import calendars  # noqa: E402
from orchestration.assets.dbt import MART_CHECKS, dbt_models, dbt_resource  # noqa: E402
from orchestration.assets.meta import run_record  # noqa: E402
from orchestration.assets.publish import published_asset  # noqa: E402
from orchestration.assets.sources import PROVIDER_ASSETS, PROVIDER_CHECKS  # noqa: E402
from orchestration.resources import default_faultlines_resource  # noqa: E402

BUILD_JOB_NAME = "build_everything"
TIMEZONE = "America/New_York"

# In-process: the multiprocess default starts a Python per step and re-imports this module (~13 s each here).
build_everything = define_asset_job(
    BUILD_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load every source, build every dbt model, run every check, and publish if all is green.",
)


def provider_job(provider: str):
    """One provider's tables and everything downstream of them (its marts, the run record, publishing)."""
    return define_asset_job(
        f"load_{provider}", selection=AssetSelection.groups(provider).downstream(), executor_def=in_process_executor,
        description=f"Load {provider}, rebuild the models that read it, check, and publish.")


PROVIDER_JOBS = {provider: provider_job(provider) for provider in SOURCES}

# One schedule per release calendar, just after the release (New York time). Off until turned on in the UI:
# a fresh clone should not start calling public APIs on its own.
SCHEDULES = [
    ScheduleDefinition(name=calendar.name, job=job, cron_schedule=calendar.cron,
                       execution_timezone=TIMEZONE, default_status=DefaultScheduleStatus.STOPPED,
                       description=f"{calendar.description} → {job.name}")
    for job, calendar in [
        (PROVIDER_JOBS["fred"], calendars.H41),
        (PROVIDER_JOBS["nyfed"], calendars.NYFED_RATES),
        (PROVIDER_JOBS["treasury"], calendars.TREASURY_DAILY),
        (PROVIDER_JOBS["prices"], calendars.PRICES),
        (PROVIDER_JOBS["sec"], calendars.SEC_FILINGS),
    ]
] + [
    ScheduleDefinition(name="warehouse_weekly_rebuild", job=build_everything, cron_schedule="0 6 * * 0",
                       execution_timezone=TIMEZONE, default_status=DefaultScheduleStatus.STOPPED,
                       description="Sunday 06:00: every source and model, catching revisions the daily jobs skip."),
]

BUILT = [*PROVIDER_ASSETS, dbt_models, run_record]
published_warehouse = published_asset(sorted({key for assets in BUILT for key in assets.keys}))

defs = Definitions(
    assets=[*BUILT, published_warehouse],
    asset_checks=[*PROVIDER_CHECKS, *MART_CHECKS],
    jobs=[build_everything, *PROVIDER_JOBS.values()],
    schedules=SCHEDULES,
    executor=in_process_executor,  # also for `dagster asset materialize` and runs launched from the UI
    resources={
        "dbt": dbt_resource(),
        "faultlines": default_faultlines_resource(),
    },
)
