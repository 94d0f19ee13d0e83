"""The one Dagster ``Definitions`` of faultlines: sources → dbt models → checks, and the job that builds them all.

Load it with ``dagster dev -m orchestration.definitions`` (``make ui``) or run it headless with ``faultlines run``.
"""

from ingestion import settings

settings.configure_environment()  # before dlt and Dagster read their folders from the environment

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor  # noqa: E402

from orchestration.assets.dbt import dbt_models, dbt_resource  # noqa: E402
from orchestration.assets.meta import run_record  # noqa: E402
from orchestration.assets.sources import PROVIDER_ASSETS  # noqa: E402
from orchestration.resources import default_faultlines_resource  # noqa: E402

BUILD_JOB_NAME = "build_everything"

# In-process: the multiprocess default starts a Python per step and re-imports this module (~13 s each here).
build_everything = define_asset_job(
    BUILD_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load every source, build every dbt model and run every check, in one process.",
)

defs = Definitions(
    assets=[*PROVIDER_ASSETS, dbt_models, run_record],
    jobs=[build_everything],
    executor=in_process_executor,  # also for `dagster asset materialize` and runs launched from the UI
    resources={
        "dbt": dbt_resource(),
        "faultlines": default_faultlines_resource(),
    },
)
