"""What psql and BI drivers ask the catalog, answered over DuckDB's own pg_catalog.

DuckDB ships pg_catalog views (pg_class, pg_namespace, pg_attribute, pg_type, …) and a few of PostgreSQL's catalog
functions; Buena Vista passes a client's SQL through (its sqlglot rewrite gives up on psql's syntax). What psql's
`\\dt`, `\\dn`, `\\d table`, `\\l` and the JDBC/psycopg schema browsers send needs, on top of that:

- PostgreSQL-only syntax written the way DuckDB reads it: `OPERATOR(pg_catalog.~)`, `COLLATE pg_catalog.default`,
  and `pg_catalog.f(x)` (DuckDB reads `a.f(x)` as `f(a, x)`, so the schema prefix goes);
- the functions and columns DuckDB lacks, as temporary macros and views in each session's in-memory database
  (they shadow the pg_catalog ones; the published copy is never touched).
"""

from __future__ import annotations

import re

OWNER = "faultlines"

# Each session runs these before its settings are locked (readonly.connect).
SESSION_SETUP = (
    f"create temp macro pg_get_userbyid(id) as '{OWNER}'",
    "create temp macro pg_encoding_to_char(encoding) as 'UTF8'",
    # psql's \\d passes `pretty` as a third argument, which DuckDB's pg_get_expr does not take.
    "create temp macro pg_get_expr(expression, relation) as null::varchar, "
    "(expression, relation, pretty) as null::varchar",
    "create temp macro pg_get_indexdef(index_oid, column_no := 0, pretty := false) as null::varchar",
    # psql's \\l: DuckDB's pg_database has only oid, datname, datallowconn, datistemplate.
    """create temp view pg_database as
        select oid, datname, datallowconn, datistemplate, 10 as datdba, 6 as encoding, 'C' as datcollate,
               'C' as datctype, null::varchar[] as datacl, -1 as datconnlimit, 'c' as datlocprovider,
               null::varchar as daticulocale
        from system.pg_catalog.pg_database
        where datname not in ('system', 'temp', 'memory')""",
    # Catalogs DuckDB has no view for, empty: the published copy has no inheritance, triggers, policies, rules.
    "create temp view pg_inherits as select 0::bigint as inhrelid, 0::bigint as inhparent, 0 as inhseqno, "
    "false as inhdetachpending where false",
    f"""create temp view pg_roles as
        select 10 as oid, '{OWNER}' as rolname, false as rolsuper, false as rolinherit, false as rolcreaterole,
               false as rolcreatedb, true as rolcanlogin, false as rolreplication, -1 as rolconnlimit,
               null::varchar as rolpassword, null::timestamp as rolvaliduntil, false as rolbypassrls,
               null::varchar[] as rolconfig""",
)

_OPERATOR = re.compile(r"OPERATOR\s*\(\s*pg_catalog\s*\.\s*([^)\s]+)\s*\)", re.IGNORECASE)
_COLLATE = re.compile(r"\s+COLLATE\s+pg_catalog\s*\.\s*\"?default\"?", re.IGNORECASE)
_SCHEMA_PREFIX = re.compile(r"\bpg_catalog\s*\.\s*", re.IGNORECASE)


def rewrite(sql: str) -> str | None:
    """A catalog query in the SQL DuckDB reads, or None when `sql` does not read PostgreSQL's catalog."""
    if "pg_catalog" not in sql.lower():
        return None
    sql = _OPERATOR.sub(r"\1", sql)
    sql = _COLLATE.sub("", sql)
    return _SCHEMA_PREFIX.sub("", sql)
