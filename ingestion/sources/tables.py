"""What a raw table is, declared once beside the source that loads it.

Each provider module lists its tables (`TABLES`); everything else is derived from those lists: the Dagster assets
and their date ranges, freshness against the release calendars, the dlt resources' keys. The table's description
is the dbt source's (`dbt_project/models/staging/<provider>/_<provider>__sources.yml`), one text shown in dbt docs
and in Dagster alike. Adding a table touches its provider module, its dbt source and staging model, and its
Great Expectations suite — nothing in `orchestration/`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawTable:
    name: str
    primary_key: tuple[str, ...]
    # The column that dates the rows: shown as the table's date range, and what freshness reads.
    date_column: str | None = None
    # The release calendar its freshness is judged by (a name in orchestration/calendars.py); None: not judged.
    calendar: str | None = None
    # Which rows say how recent the table is, when not all do (a SQL condition on the table).
    freshness_where: str | None = None

    def freshness_sql(self, provider: str) -> str:
        where = f" where {self.freshness_where}" if self.freshness_where else ""
        return f'select max("{self.date_column}") from raw_{provider}."{self.name}"{where}'


def by_name(tables: tuple[RawTable, ...]) -> dict[str, RawTable]:
    return {table.name: table for table in tables}
