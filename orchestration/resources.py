"""Dagster resources: where the data comes from (mode → endpoints) and where it goes (the warehouse file)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dlt
import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr

from ingestion import lake, settings
from ingestion.endpoints import Endpoints, open_endpoints
from ingestion.pipeline import make_pipeline, rollback_loads
from orchestration.dbt_manifest import parse_ahead
from orchestration.locking import end_orphaned_writers, writer_lock


class FaultlinesResource(ConfigurableResource):
    """The run's mode, engine and warehouse. For sample and replay it runs the API emulator for the whole run.

    Setting the mode and the engine here (not in each asset) is what keeps the CLI, the UI and schedules on one
    code path: with the Spark engine the asset graph, checks and schedules are the same; only where the assets
    write changes (a Parquet lake and Spark instead of the DuckDB file).
    """

    mode: str = Field(default="auto", description="auto, live, sample or replay")
    engine: str | None = Field(default=None, description="duckdb or spark (default: FAULTLINES_ENGINE, else duckdb)")
    data_dir: str | None = Field(default=None, description="replay: the data dir to serve; sample: where to generate")
    sample_seed: int = Field(default=settings.DEFAULT_SAMPLE_SEED, description="seed of the sample generator")
    base_url: str | None = Field(default=None, description="sample/replay: an emulator that is already running")
    full_refresh: bool = Field(default=False, description="reload sources from scratch and rebuild all models")
    step_retries: int = Field(default=2, description="retries of a provider's load after a transient outage")
    retry_wait_seconds: float = Field(default=120.0, description="wait before the first retry; doubles each time")

    _endpoints: Endpoints | None = PrivateAttr(default=None)
    _dbt_parse: subprocess.Popen | None = PrivateAttr(default=None)

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[FaultlinesResource]:
        data_dir = Path(self.data_dir) if self.data_dir else None
        def note(message: str) -> None:
            if context.log:
                context.log.warning(message)
            print(f"faultlines: {message}", file=sys.stderr, flush=True)  # the terminal of a CLI run, too

        run_id = context.run.run_id if context.run else ""
        # Paths (settings.warehouse_path) and dbt (a child process) read the engine from the environment.
        os.environ["FAULTLINES_ENGINE"] = settings.engine(self.engine)
        # The lock comes first: sample mode (re)generates its data dir, which two runs must not do at once.
        with writer_lock(note, holder=f"run {run_id[:8]}"), \
                open_endpoints(self.mode, data_dir, self.sample_seed, self.base_url) as endpoints:
            if orphans := end_orphaned_writers(endpoints.warehouse_path):
                note(f"ended {len(orphans)} process(es) still writing {endpoints.warehouse_path.name} from a run "
                     f"that was killed (pid {', '.join(map(str, orphans))})")
            self._endpoints = endpoints
            if context.instance and run_id:  # the mode it really builds (auto resolved), whoever launched it
                context.instance.add_run_tags(run_id, {"faultlines/mode": endpoints.mode})
            # dbt reads the warehouse path from the environment (profiles.yml); dbt runs as a child process.
            os.environ["FAULTLINES_DUCKDB_PATH"] = str(endpoints.warehouse_path)
            if self.is_spark:
                os.environ["FAULTLINES_LAKE_PATH"] = str(self.lake_path)
            else:
                self._dbt_parse = parse_ahead(endpoints.warehouse_path)
            if context.log and endpoints.fallback_reason:
                context.log.warning(f"auto mode: {endpoints.fallback_reason}; building from SAMPLE data")
            try:
                yield self
            finally:
                # A build waited for it (dbt_models); a run that built nothing does not wait 5 s for it. dbt reads a
                # parse file cut short as no parse (terminate() leaves a process that has ended alone).
                if self._dbt_parse is not None:
                    self._dbt_parse.terminate()
                self.wait_for_dbt_parse()

    def wait_for_dbt_parse(self) -> None:
        """dbt's parse ahead of the build (dbt_manifest.parse_ahead), over when this returns. Its outcome does not
        matter: a failed parse leaves nothing dbt would use, and the build's dbt reports what is wrong itself."""
        if self._dbt_parse is not None:
            self._dbt_parse.wait()
            self._dbt_parse = None

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise RuntimeError("FaultlinesResource used outside a run")
        return self._endpoints

    @property
    def warehouse_path(self) -> Path:
        return self.endpoints.warehouse_path

    @property
    def is_spark(self) -> bool:
        return settings.engine(self.engine) == "spark"

    @property
    def lake_path(self) -> Path:
        """The Spark engine's lake (ingestion/lake.py)."""
        return settings.lake_path(self.endpoints.mode)

    def connect(self) -> duckdb.DuckDBPyConnection:
        self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.warehouse_path), config=settings.duckdb_settings())
        if self.is_spark:
            # Run records, checks and publishing read the lake through DuckDB, as they read DuckDB's own tables.
            lake.register_in_duckdb(con, self.lake_path)
        return con

    def pipeline(self, provider: str) -> dlt.Pipeline:
        """The dlt pipeline loading one provider: into the DuckDB file, or as Parquet into the lake."""
        if self.is_spark:
            return lake.make_lake_pipeline(provider, self.lake_path)
        return make_pipeline(provider, self.warehouse_path)

    @property
    def loader_file_format(self) -> str | None:
        """What dlt writes: the destination's default (DuckDB), or Parquet for the lake."""
        return lake.LOADER_FILE_FORMAT if self.is_spark else None

    def rollback_loads(self, provider: str, load_ids: list[str]) -> dict[str, int]:
        """Take back loads that failed a blocking check (their rows, or their files in the lake)."""
        if self.is_spark:
            return lake.rollback_lake_loads(provider, self.lake_path, load_ids)
        return rollback_loads(provider, self.warehouse_path, load_ids)


def default_faultlines_resource() -> FaultlinesResource:
    """The resource as the UI and schedules get it: mode from FAULTLINES_MODE (default auto)."""
    return FaultlinesResource(mode=os.environ.get("FAULTLINES_MODE", "auto"),
                              data_dir=os.environ.get("FAULTLINES_DATA_DIR"),
                              engine=os.environ.get("FAULTLINES_ENGINE"))
