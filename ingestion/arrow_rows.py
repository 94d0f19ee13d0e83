"""Rows a source parsed into dicts, handed to dlt as one Arrow table.

dlt normalizes a list of dicts row by row in Python (each value's type looked up, a random row id drawn per row) and
writes it twice, as JSON lines and then as Parquet; an Arrow table it writes to Parquet once, as it is. For the
Treasury's 62,000 rows of the bundled sample that was 2.6 s of 5.7. dlt has no public function for the conversion
(its sql_database source keeps one to itself), so this is ours: Arrow's own reading of Python values, with the few
rules that keep the tables what dlt made of the dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

# dlt's data types the sources' column hints use, as Arrow's.
ARROW_TYPES = {"text": pa.string(), "double": pa.float64(), "bigint": pa.int64(), "bool": pa.bool_(),
               "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC")}


def rows_table(rows: list[dict], key: Sequence[str], hints: Mapping[str, dict] | None = None) -> pa.Table | list:
    """``rows`` as an Arrow table, or, when a column's values are of types Arrow cannot put in one column (a number
    among strings), the rows themselves, for dlt to normalize as before (it makes a variant column).

    - A column's type is Arrow's reading of its values (str → string, float → double, int → int64, date → date32,
      int and float together → double), or the one the resource's column ``hints`` give it (dlt's, as in
      ``dlt.resource(columns=...)``).
    - A column that is None on every row is left out unless hinted: dlt creates no column from None.
    - ``_dlt_id`` is the row's ``key`` joined with ``|``. The tables were first loaded from dicts, which gave them
      dlt's NOT NULL row id; a merged table's key is unique, so it serves as one.
    """
    if not rows:
        return rows  # nothing: dlt skips an empty list (an empty table would still create one)
    if any(hint.get("data_type") not in ARROW_TYPES for hint in (hints or {}).values()):
        return rows  # a hint this does not map (decimal, json, ...): dlt applies it to the dicts
    types = {name: ARROW_TYPES[hint["data_type"]] for name, hint in (hints or {}).items()}
    names = list(dict.fromkeys([*(name for row in rows for name in row), *types]))
    columns = {}
    for name in names:
        try:
            array = pa.array([row.get(name) for row in rows], types.get(name))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # OverflowError: an int beyond 64 bits
            return rows
        if name in types or array.null_count < len(array):
            columns[name] = array
    # A missing key part is None here and in its column, which the warehouse refuses by name (NOT NULL), as before.
    columns["_dlt_id"] = pa.array(["|".join(str(row.get(part)) for part in key) for row in rows], pa.string())
    # The key and the row id are NOT NULL in dlt's schema: said so, or dlt warns that the hints differ.
    not_null = {*key, "_dlt_id"}
    schema = pa.schema([pa.field(name, array.type, nullable=name not in not_null) for name, array in columns.items()])
    return pa.Table.from_arrays(list(columns.values()), schema=schema)
