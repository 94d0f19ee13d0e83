"""Comparing the marts of a DuckDB build with the marts of a Spark build of the same data, in DuckDB: Spark's
tables are Parquet folders in the lake (``<lake>/warehouse/marts.db/<mart>/``), which DuckDB reads directly.

Per mart: the same row count, the same keys (the grain its YAML declares with ``unique_combination_of_columns``),
and per column, row by row on the key: every non-numeric value exactly (text, dates, timestamps, booleans) and
numbers within ``REL_TOL`` (relative; ``ABS_TOL`` near zero), NULL where the other is NULL. The engines add
floating-point sums in different orders, so a mart column rounded to 2 or 4 decimals can land one unit of its
last place apart where the exact value sits on a rounding edge (9731.53795): up to ``MAX_ROUNDING_FLIPS`` rows
of a column (or that share of its rows, if more) may differ by at most ``ROUNDING_UNIT``; anything more is a
difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from ingestion import settings

REL_TOL = 1e-9
ABS_TOL = 1e-9
ROUNDING_UNIT = 0.01 + 1e-9  # the coarsest rounding a mart applies: round(x, 2)
MAX_ROUNDING_FLIPS = 5
MAX_ROUNDING_FLIPS_SHARE = 0.001
NUMERIC_PREFIXES = ("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "REAL")


def mart_grains() -> dict[str, list[str]]:
    """Every mart's key columns, from the grain test in its YAML."""
    grains = {}
    for path in (settings.DBT_PROJECT_DIR / "models" / "marts").glob("*/*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for test in model.get("data_tests", []):
                if isinstance(test, dict) and "unique_combination_of_columns" in test:
                    grains[model["name"]] = test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
    return grains


@dataclass
class MartParity:
    mart: str
    keys: list[str]
    duckdb_rows: int
    spark_rows: int
    missing_in_spark: int = 0
    missing_in_duckdb: int = 0
    # column → rows whose values differ beyond the tolerance (numbers) or at all (the rest)
    differing: dict[str, int] = field(default_factory=dict)
    # column → rows one rounding unit apart (allowed up to MAX_ROUNDING_FLIPS, or that share of the rows)
    rounding_flips: dict[str, int] = field(default_factory=dict)
    # columns compared as numbers / exactly
    numeric_columns: int = 0
    exact_columns: int = 0

    @property
    def equal(self) -> bool:
        return (self.duckdb_rows == self.spark_rows and not self.missing_in_spark and not self.missing_in_duckdb
                and not any(self.differing.values())
                and all(flips <= max(MAX_ROUNDING_FLIPS, MAX_ROUNDING_FLIPS_SHARE * self.duckdb_rows)
                        for flips in self.rounding_flips.values()))


def compare_marts(duckdb_warehouse: Path, lake: Path) -> dict[str, MartParity]:
    grains = mart_grains()
    results = {}
    con = duckdb.connect()
    con.execute(f"attach '{duckdb_warehouse}' as duck (read_only)")
    marts = [t for (t,) in con.execute("select table_name from information_schema.tables "
                                       "where table_catalog = 'duck' and table_schema = 'marts' order by 1").fetchall()]
    for mart in marts:
        folder = lake / "warehouse" / "marts.db" / mart
        con.execute(f"create or replace temp view spark_mart as select * from read_parquet('{folder}/*.parquet')")
        con.execute(f"create or replace temp view duck_mart as select * from duck.marts.{mart}")
        columns = con.execute("select column_name, data_type from information_schema.columns where table_catalog = "
                              "'duck' and table_schema = 'marts' and table_name = ? order by ordinal_position",
                              [mart]).fetchall()
        keys = grains[mart]
        parity = MartParity(mart, keys, *(con.execute(f"select count(*) from {view}").fetchone()[0]
                                          for view in ("duck_mart", "spark_mart")))
        on = " and ".join(f"d.{k} is not distinct from s.{k}" for k in keys)
        parity.missing_in_spark = con.execute(
            f"select count(*) from duck_mart d anti join spark_mart s on {on}").fetchone()[0]
        parity.missing_in_duckdb = con.execute(
            f"select count(*) from spark_mart s anti join duck_mart d on {on}").fetchone()[0]
        checks = []
        for name, data_type in columns:
            if name in keys or name.endswith("load_id"):  # load ids differ by design: two loads
                continue
            if data_type.startswith(NUMERIC_PREFIXES):
                parity.numeric_columns += 1
                gap = f"abs(cast(d.{name} as double) - cast(s.{name} as double))"
                within = f"greatest({ABS_TOL}, {REL_TOL} * abs(cast(d.{name} as double)))"
                checks.append(f"""count(*) filter (where (d.{name} is null) <> (s.{name} is null)
                    or isnan(cast(d.{name} as double)) <> isnan(cast(s.{name} as double))
                    or {gap} > {ROUNDING_UNIT}) as "{name}" """)
                checks.append(f"""count(*) filter (where {gap} > {within} and {gap} <= {ROUNDING_UNIT})
                    as "{name} (rounding)" """)
            else:
                parity.exact_columns += 1
                checks.append(f'count(*) filter (where d.{name} is distinct from s.{name}) as "{name}"')
        if checks:
            row = con.execute(f"select {', '.join(checks)} from duck_mart d join spark_mart s on {on}")
            names = [d[0] for d in row.description]
            counts = dict(zip(names, row.fetchone(), strict=True))
            parity.differing = {n: v for n, v in counts.items() if v and not n.endswith(" (rounding)")}
            parity.rounding_flips = {n.removesuffix(" (rounding)"): v for n, v in counts.items()
                                     if v and n.endswith(" (rounding)")}
        results[mart] = parity
    return results
