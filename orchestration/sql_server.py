"""A read-only PostgreSQL-wire endpoint over the published warehouse, for BI tools without a DuckDB driver.

The wire protocol is Buena Vista's (``buenavista``, pure Python, by the author of dbt-duckdb). Its last release is
from 2024 and it forgets to declare python-dateutil, so it is pinned and kept behind this module; the one maintained
alternative found (riffq, Rust) ships no wheel for Python 3.11 on this glibc. What we add:

- the published copy is opened read-only, so a write statement fails with DuckDB's "read-only" error;
- each new client session sees the newest published copy: a publish replaces the file (new inode), and the next
  session attaches the new one while sessions already open finish on the old one;
- only loopback clients are served (Buena Vista refuses others unless told otherwise).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
from buenavista import bv_dialects, postgres, rewrite
from buenavista.backends.duckdb import DuckDBConnection, DuckDBSession


class _Cursor:
    """A DuckDB cursor with the name Buena Vista expects (DuckDB 2 renamed `fetch_record_batch`)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cursor = cursor

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def execute(self, *args):
        self._cursor.execute(*args)
        return self

    def fetch_record_batch(self, rows_per_batch: int = 100_000):
        return self._cursor.to_arrow_reader(rows_per_batch)


class _Rewriter(rewrite.Rewriter):
    def rewrite(self, sql: str) -> str:
        if sql.strip().rstrip(";").lower() in ("select version()", "select pg_catalog.version()"):
            return f"SELECT 'PostgreSQL 9.3 (faultlines, DuckDB {duckdb.__version__})' AS version"
        return super().rewrite(sql)


class PublishedCopy(DuckDBConnection):
    """Buena Vista's DuckDB backend over the published file, re-attached when a new copy is published."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.catalog = path.stem
        self._lock = threading.Lock()
        self._inode: int | None = None
        super().__init__(self._open())

    def _open(self) -> duckdb.DuckDBPyConnection:
        # A fresh in-memory instance per copy: DuckDB caches instances by path, which would keep the old file.
        self._inode = os.stat(self.path).st_ino
        db = duckdb.connect(":memory:")
        db.execute(f"attach '{self.path}' as \"{self.catalog}\" (read_only)")
        db.execute(f'use "{self.catalog}"')
        return db

    def new_session(self) -> DuckDBSession:
        with self._lock:
            if os.stat(self.path).st_ino != self._inode:
                self.db = self._open()
            cursor = self.db.cursor()
        cursor.execute(f'use "{self.catalog}"')
        return DuckDBSession(_Cursor(cursor))


def make_server(path: Path, host: str = "127.0.0.1", port: int = 5433) -> postgres.BuenaVistaServer:
    rewriter = _Rewriter(bv_dialects.BVPostgres(), bv_dialects.BVDuckDB())
    return postgres.BuenaVistaServer((host, port), PublishedCopy(path), rewriter=rewriter)
