"""Publishing: after a green build, readers get a new read-only copy of the warehouse in one atomic step.

Readers (BI tools, `faultlines sql`, the report, the docs site) never open the file a run writes: DuckDB allows
one writing process, and a half-built table must never be visible. The copy is

- self-contained: dbt's staging views become tables, so it opens under any alias, in any tool;
- written in DuckDB storage version 1.0, which the DuckDB 1.x readers bundled in BI drivers can open;
- swapped in with ``os.replace``: a reader that has the old copy open keeps reading it, the next one opens the new.

The Parquet file of every mart goes to a new folder per run, and a symlink is swapped to point at it.
A publish killed half-way (SIGKILL, power loss) leaves its temporary files behind; the next publish of the mode
removes them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion import settings
from orchestration.locking import holds_writer_lock

# Storage version readable by DuckDB ≥ 1.0 (the newest format needs the newest reader).
PUBLISHED_STORAGE_VERSION = "v1.0.0"
PARQUET_SCHEMAS = ("marts",)
KEEP_PARQUET_VERSIONS = 2


@dataclass(frozen=True)
class Published:
    path: Path
    parquet_dir: Path
    tables: int
    parquet_files: int
    bytes: int


def _objects(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    """Every table and view users can query; dlt's merge scratch schemas (`*_staging`) stay behind."""
    return con.execute("""
        select schema_name, table_name from duckdb_tables() where database_name = $catalog
        union all
        select schema_name, view_name from duckdb_views() where database_name = $catalog and not internal
        except
        select schema_name, table_name from duckdb_tables() where database_name = $catalog
            and schema_name like '%\\_staging' escape '\\'
        order by 1, 2
    """, {"catalog": catalog}).fetchall()


def sql_string(value: object) -> str:
    """A DuckDB string literal: a `'` in a path (a folder named o'brien) must not end the literal."""
    return "'" + str(value).replace("'", "''") + "'"


def publish(warehouse: Path, published: Path, parquet_link: Path, changed: frozenset[str] | None = None) -> Published:
    """Copy `warehouse` to `published` (atomically replacing it) and write the marts as Parquet.

    Given `changed` (``schema.name`` of every table and model written since the last publish), the new copy starts
    as a file copy of the current one and only those are written again (with any object the copy lacks; objects
    gone from the warehouse are dropped), and a mart not in it keeps its Parquet file: the new folder links the
    current one (files are never written in place). Without it, every object and file is written."""
    if not holds_writer_lock():
        raise RuntimeError("publish() needs the writer lock (orchestration.locking.writer_lock): it removes the "
                           "temporary files of earlier publishes, which is safe only while no other can be writing")
    published.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(published, parquet_link)
    token = uuid.uuid4().hex[:12]
    staging_copy = published.with_name(f".{published.name}.{token}.tmp")
    # Written under a hidden name and renamed when complete: a killed publish leaves no half folder among the
    # versions readers may use.
    staging_parquet = parquet_link.with_name(f".{parquet_link.name}.{token}.tmp")
    parquet_dir = parquet_link.with_name(f"{parquet_link.name}.{token}")
    # A file copy of the current copy costs what the disk does; writing a table costs DuckDB's compression of it
    # (17.5 s for every table at full scale).
    from_current = changed is not None and published.is_file()
    try:
        if from_current:
            shutil.copyfile(published, staging_copy)
        # The run holds the write lock; the same limits as its writes (without them DuckDB took 4.2 GB here when
        # publishing the scale-50 warehouse, all of the full build's peak).
        with duckdb.connect(str(warehouse), config=settings.duckdb_settings()) as con:
            catalog = con.execute("select current_database()").fetchone()[0]
            objects = _objects(con, catalog)
            con.execute(f"attach {sql_string(staging_copy)} as published "
                        f"(storage_version '{PUBLISHED_STORAGE_VERSION}')")
            kept = set(_objects(con, "published")) if from_current else set()
            for schema, name in sorted(kept - set(objects)):  # gone from the warehouse: gone from the copy
                con.execute(f'drop table published."{schema}"."{name}"')
            for schema, name in objects:
                if (schema, name) in kept and f"{schema}.{name}" not in changed:
                    continue
                con.execute(f'create schema if not exists published."{schema}"')
                source = f'"{catalog}"."{schema}"."{name}"'
                con.execute(f'create or replace table published."{schema}"."{name}" as select * from {source}')
            con.execute("detach published")
            staging_parquet.mkdir(parents=True)
            marts = [(s, n) for s, n in objects if s in PARQUET_SCHEMAS]
            current = parquet_link.resolve() if parquet_link.is_symlink() else None
            for schema, name in marts:
                target = staging_parquet / f"{name}.parquet"
                if changed is not None and current is not None and f"{schema}.{name}" not in changed \
                        and (current / target.name).is_file():
                    os.link(current / target.name, target)
                    continue
                con.execute(f"copy \"{catalog}\".\"{schema}\".\"{name}\" to {sql_string(target)} (format parquet)")
        os.replace(staging_copy, published)
        os.rename(staging_parquet, parquet_dir)
        _swap_symlink(parquet_link, parquet_dir)
    except BaseException:
        staging_copy.unlink(missing_ok=True)
        shutil.rmtree(staging_parquet, ignore_errors=True)
        shutil.rmtree(parquet_dir, ignore_errors=True)
        raise
    _prune_parquet_versions(parquet_link)
    return Published(published, parquet_link, len(objects), len(marts), published.stat().st_size)


def _remove_leftovers(published: Path, parquet_link: Path) -> None:
    """Temporary files of this mode's earlier publishes that were killed before they could clean up: the copy and
    DuckDB's WAL beside it (``.sample.duckdb.<token>.tmp[.wal]``), the Parquet folder being written and the
    symlink being swapped (``.sample-parquet.<token>[.tmp]``). Only under the writer lock: none is being written."""
    for pattern in (f".{published.name}.*.tmp", f".{published.name}.*.tmp.wal", f".{parquet_link.name}.*"):
        for leftover in published.parent.glob(pattern):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def _swap_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    temporary.symlink_to(target.name)  # relative, so the published folder can be moved
    os.replace(temporary, link)


def _prune_parquet_versions(link: Path) -> None:
    current = link.resolve().name
    versions = sorted((p for p in link.parent.glob(f"{link.name}.*") if p.is_dir() and p.name != current),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in versions[KEEP_PARQUET_VERSIONS - 1:]:
        shutil.rmtree(stale, ignore_errors=True)
