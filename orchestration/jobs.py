"""The build job, and the same job over the load alone, which the CLI runs without importing the dbt project."""

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from orchestration.incremental import BUILD_JOB_NAME


def build_job():
    """The job of every asset; a run selects what it builds (orchestration/definitions.py, load_job below)."""
    return define_asset_job(
        BUILD_JOB_NAME, selection=AssetSelection.all(), executor_def=in_process_executor,
        description="Load every source, build every dbt model, run every check, and publish if all is green.")


def load_job():
    """The build job over the sources, their checks and the end of a run (run record, publishing) only, without
    the dbt project: it runs the load and a second run that rebuilds nothing, so a run with nothing new never imports
    dagster-dbt, which imports dbt (2.3 s of a 16 s run at bench scale 10). The one Definitions of the project
    (orchestration/definitions.py) holds the same assets; the models here are the manifest's keys, which the run
    record and publishing follow (tests/unit/test_definitions.py checks they are the dbt assets' keys)."""
    from orchestration.assets import publishing, sources
    from orchestration.dbt_manifest import ensure_manifest, node_keys
    from orchestration.resources import default_faultlines_resource

    end_of_run = publishing.end_of_run([key for assets in sources.PROVIDER_ASSETS for key in assets.keys],
                                       node_keys(ensure_manifest()))
    return Definitions(assets=[*sources.PROVIDER_ASSETS, *end_of_run.assets], asset_checks=sources.PROVIDER_CHECKS,
                       jobs=[build_job()], executor=in_process_executor,
                       resources={"faultlines": default_faultlines_resource()}).resolve_job_def(BUILD_JOB_NAME)
