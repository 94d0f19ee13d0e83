"""The one Dagster ``Definitions`` of faultlines, merged from one piece per domain: the sources (raw tables, their
checks, a job and a schedule per provider), dbt (every model and test), and the end of a run (the run record and
publishing), plus the job that builds everything.

Load it with ``dagster dev -m orchestration.definitions`` (``make ui``) or run it headless with ``faultlines run``.
"""

from orchestration import environment

environment.configure()  # before dlt, dbt and Dagster read their folders from the environment

from dagster import (  # noqa: E402
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    in_process_executor,
)

from orchestration.assets import dbt, publishing, sources  # noqa: E402
from orchestration.calendars import TIMEZONE  # noqa: E402
from orchestration.incremental import BUILD_JOB_NAME  # noqa: E402, F401 (the job's name, with the job)
from orchestration.jobs import build_job  # noqa: E402
from orchestration.resources import default_faultlines_resource  # noqa: E402

# In-process: the multiprocess default starts a Python per step and re-imports this module (~13 s each here).
build_everything = build_job()
weekly_rebuild = ScheduleDefinition(
    name="warehouse_weekly_rebuild", job=build_everything, cron_schedule="0 6 * * 0", execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Sunday 06:00: every source and model, catching revisions the daily jobs skip.")

# One Definitions object at module scope: `dagster dev` refuses a module holding two.
defs = Definitions.merge(
    sources.defs,
    dbt.defs,
    # The run record follows the answers (marts) and the history snapshots; publishing follows everything.
    publishing.end_of_run([key for assets in sources.defs.assets for key in assets.keys],
                          [key for assets in dbt.defs.assets for key in assets.keys]),
    Definitions(jobs=[build_everything], schedules=[weekly_rebuild],
                executor=in_process_executor,  # also for `dagster asset materialize` and runs launched from the UI
                resources={"faultlines": default_faultlines_resource()}),
)
SCHEDULES = [*sources.PROVIDER_SCHEDULES, weekly_rebuild]
