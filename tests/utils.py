"""Helpers the tests share: load one provider as the product does, and read the sample data as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dlt
import duckdb

from ingestion.pipeline import make_pipeline
from ingestion.sources import TABLES


def load(provider: str, warehouse: Path, source) -> dlt.Pipeline:  # noqa: ANN001 (any provider's dlt source)
    """Run one provider's dlt source into ``warehouse`` through the product's pipeline; a failed job fails the test."""
    pipeline = make_pipeline(provider, warehouse)
    pipeline.run(source).raise_on_failed_jobs()
    return pipeline


def fred_csv(data_dir: Path, series_id: str) -> dict[dt.date, float | None]:
    """A series of a data dir as the fredgraph CSV holds it (``observation_date,<ID>``); ``.`` or empty: missing."""
    lines = (data_dir / "fred" / f"{series_id}.csv").read_text().splitlines()[1:]
    return {dt.date.fromisoformat(day): None if value in (".", "") else float(value)
            for day, value in (line.split(",") for line in lines)}


def fingerprints(warehouse: Path) -> dict[str, tuple]:
    """Row count and an order-independent checksum of every raw and mart table (dlt's own columns left out, and
    the marts' copies of dlt load ids: lineage differs between two warehouses by design)."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("""select table_schema, table_name from information_schema.tables
                                where (table_schema like 'raw\\_%' escape '\\' and table_schema not like '%staging'
                                       and table_name not like '\\_dlt%' escape '\\')
                                   or table_schema = 'marts'""").fetchall()
        for schema, table in tables:
            columns = [c for (c,) in con.execute("""select column_name from information_schema.columns
                       where table_schema = ? and table_name = ? and column_name not like '\\_dlt%' escape '\\'
                             and column_name not like '%load\\_id' escape '\\'
                       order by column_name""", [schema, table]).fetchall()]
            row = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{table}"] = con.execute(
                f'select count(*), coalesce(sum(hash({row})), 0) from "{schema}"."{table}"').fetchone()
    return out


def raw_tables(separator: str = "/") -> set[str]:
    """Every raw table the providers declare: ``raw_<provider>/<table>`` (asset keys) or, with ".", SQL names."""
    return {f"raw_{provider}{separator}{table}" for provider, tables in TABLES.items() for table in tables}


def seed_claim_ids() -> list[str]:
    """The claims of the `claims` seed: every build has one mart_claims row per claim."""
    import csv

    from ingestion import settings

    with (settings.DBT_PROJECT_DIR / "seeds" / "claims.csv").open() as seed:
        return [row["claim_id"] for row in csv.DictReader(seed)]
