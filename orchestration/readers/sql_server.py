"""A read-only PostgreSQL-wire endpoint over the published warehouse, for BI tools without a DuckDB driver.

The wire protocol is Buena Vista's (``buenavista``, pure Python, by the author of dbt-duckdb). Its last release is
from 2024 and it forgets to declare python-dateutil, so it is pinned and kept behind this module; the one maintained
alternative found (riffq, Rust) ships no wheel for Python 3.11 on this glibc. Buena Vista serves each client on its
own thread, and what we add or change is:

- each client session is its own DuckDB instance from `readonly.connect` (the published copy read-only, external
  access off, settings locked, its own memory limit), so a session cannot read the host, write anywhere, or change
  what another session sees; a session opened after a publish attaches the new copy;
- DuckDB is opened only after the client authenticated: with FAULTLINES_SQL_PASSWORD set, every client must send
  it (PostgreSQL md5 password auth, the one method Buena Vista speaks, for any user name); listening beyond
  loopback is refused without it;
- a statement is interrupted at FAULTLINES_SQL_TIMEOUT_SECONDS, on a PostgreSQL cancel request (psql's Ctrl-C,
  psycopg's cancel()) and when its client hangs up, so it never holds a core for nobody;
- at most FAULTLINES_SQL_MAX_CONNECTIONS sessions; the next client gets PostgreSQL's "too many clients" error;
- errors carry a severity and a SQLSTATE (Buena Vista sends only the message), so drivers raise the right class.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import os
import select
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from buenavista import bv_dialects, postgres, rewrite
from buenavista.backends.duckdb import DuckDBConnection, DuckDBSession
from buenavista.core import Connection

from ingestion.settings import SettingsError
from orchestration.readers import pg_catalog, readonly

PASSWORD_SETTING = "FAULTLINES_SQL_PASSWORD"
TIMEOUT_SETTING = "FAULTLINES_SQL_TIMEOUT_SECONDS"
MAX_CONNECTIONS_SETTING = "FAULTLINES_SQL_MAX_CONNECTIONS"
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_CONNECTIONS = 16
# A client that connects and sends nothing must not hold a thread and a connection slot.
STARTUP_TIMEOUT_SECONDS = 10
# How often a running statement's watcher looks at the clock and the client's socket.
WATCH_INTERVAL_SECONDS = 0.1

PROTOCOL_3, SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 196608, 80877103, 80877104, 80877102


@dataclass(frozen=True)
class Limits:
    password: str | None = field(repr=False)
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    @classmethod
    def from_environment(cls) -> Limits:
        """The serve-sql settings from the environment (and `.env`), checked before anything listens."""
        return cls(password=os.environ.get(PASSWORD_SETTING) or None,
                   timeout_seconds=_positive(TIMEOUT_SETTING, DEFAULT_TIMEOUT_SECONDS, float, "a number of seconds"),
                   max_connections=_positive(MAX_CONNECTIONS_SETTING, DEFAULT_MAX_CONNECTIONS, int, "a whole number"))


def _positive(name: str, default, kind, what: str):
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        raise SettingsError(f"{name}={raw!r} is not {what} above zero")
    return value


class _Fatal(Exception):
    """An error that ends the connection (bad password, too many clients), with its SQLSTATE."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class _Cursor:
    """The cursor Buena Vista's DuckDB session drives, over a `readonly` connection: every statement goes through
    `readonly.execute`, and rows stream from a relation (within the session's memory limit)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._relation: duckdb.DuckDBPyRelation | None = None

    def execute(self, sql: str, params=None) -> _Cursor:
        self._relation = None  # a failed statement leaves no rows of the one before
        self._relation = _typed(readonly.execute(self._con, sql, params))
        return self

    @property
    def description(self):
        return self._relation.description if self._relation is not None else None

    def fetchall(self) -> list:
        return self._relation.fetchall() if self._relation is not None else []

    def fetch_record_batch(self, rows_per_batch: int = 100_000):
        return self._relation.to_arrow_reader(rows_per_batch)

    def close(self) -> None:
        self._con.close()


def _typed(relation: duckdb.DuckDBPyRelation | None) -> duckdb.DuckDBPyRelation | None:
    """A bare NULL column (psql's `NULL as "ICU Locale"` in `\\l`) as text: Buena Vista has no wire type for it."""
    if relation is None or not any(str(t) == '"NULL"' for t in relation.types):
        return relation
    return relation.project(", ".join(
        f"cast({readonly.quote(name)} as varchar) as {readonly.quote(name)}" if str(kind) == '"NULL"'
        else readonly.quote(name) for name, kind in zip(relation.columns, relation.types, strict=True)))


class _Session(DuckDBSession):
    """One client's session: its own DuckDB instance, and a watcher that interrupts a statement running too long,
    cancelled by the client, or left behind by a client that hung up."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timeout_seconds: float) -> None:
        self._con = con
        self._timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._running = False
        self.stopped_by: str | None = None
        super().__init__(_Cursor(con))

    def stop(self, reason: str) -> None:
        """Interrupt the running statement, from another thread; a statement that already ended is left alone."""
        with self._lock:
            if self._running and self.stopped_by is None:
                self.stopped_by = reason
                self._con.interrupt()

    @contextlib.contextmanager
    def watched(self, client: socket.socket):
        with self._lock:
            self._running, self.stopped_by = True, None
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(client, done), daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            with self._lock:
                self._running = False

    def _watch(self, client: socket.socket, done: threading.Event) -> None:
        deadline = time.monotonic() + self._timeout_seconds
        hangup = select.poll()
        hangup.register(client, select.POLLRDHUP)  # the peer closed; POLLHUP and POLLERR are always reported
        while not done.wait(WATCH_INTERVAL_SECONDS):
            if time.monotonic() >= deadline:
                return self.stop("timeout")
            if hangup.poll(0):
                return self.stop("disconnect")


class PublishedCopy(DuckDBConnection):
    """Buena Vista's DuckDB backend, with a new locked-down instance of the published copy per session."""

    def __init__(self, path: Path, limits: Limits) -> None:
        Connection.__init__(self)  # no shared DuckDB instance (DuckDBConnection would hold one)
        self.path = path
        self.limits = limits

    def new_session(self) -> _Session:
        return _Session(readonly.connect(self.path, pg_catalog.SESSION_SETUP), self.limits.timeout_seconds)


class _Rewriter(rewrite.Rewriter):
    def rewrite(self, sql: str) -> str:
        if sql.strip().rstrip(";").lower() in ("select version()", "select pg_catalog.version()"):
            return f"SELECT 'PostgreSQL 9.3 (faultlines, DuckDB {duckdb.__version__})' AS version"
        if (catalog_query := pg_catalog.rewrite(sql)) is not None:
            return catalog_query  # as is: sqlglot's transpiling would undo what psql's queries need
        return super().rewrite(sql)


class _Handler(postgres.BuenaVistaHandler):
    server: Server
    _ctx: postgres.BVContext | None = None
    _slot = False

    def handle(self) -> None:
        self.request.settimeout(STARTUP_TIMEOUT_SECONDS)
        try:
            super().handle()
        finally:
            if self._slot:
                self.server.slots.release()

    def handle_startup(self, conn: Connection) -> postgres.BVContext | None:
        # Buena Vista's, but: the session (a DuckDB instance) is opened after authentication, a cancel request
        # interrupts the statement (Buena Vista closed the session under the running thread), and the cap.
        length = self.r.read_uint32() - 4
        code = self.r.read_uint32()
        if code in (SSL_REQUEST, GSSENC_REQUEST):
            self.send_notice()  # "N": no encryption here; the client goes on in the clear
            return self.handle_startup(conn)
        if code == CANCEL_REQUEST:
            process_id, secret_key = self.r.read_uint32(), self.r.read_uint32()
            target = self.server.ctxts.get(process_id)
            if target is not None and target.session is not None and hmac.compare_digest(
                    struct.pack("!I", target.secret_key), struct.pack("!I", secret_key)):
                target.session.stop("cancel")
            return None
        if code != PROTOCOL_3:
            raise _Fatal("08P01", f"unsupported startup message {code}")
        if not self.server.slots.acquire(blocking=False):
            raise _Fatal("53300", f"sorry, too many clients already ({MAX_CONNECTIONS_SETTING}="
                                  f"{self.server.limits.max_connections})")
        self._slot = True
        fields = [x.decode("utf-8") for x in self.r.read_bytes(length - 4).split(postgres.NULL_BYTE)]
        params = dict(zip(fields[::2], fields[1::2], strict=False))  # the list ends with an odd empty field
        self._ctx = postgres.BVContext(None, self.server.rewriter, params)
        self.send_auth_request(self._ctx)
        return self._ctx

    def handle_md5_password(self, ctx: postgres.BVContext, payload: bytes) -> None:
        # md5 is what Buena Vista speaks and every PostgreSQL driver answers; one password for any user name.
        user = ctx.params.get("user", "")
        inner = hashlib.md5((self.server.limits.password + user).encode()).hexdigest()
        expected = "md5" + hashlib.md5(inner.encode() + ctx.salt).hexdigest()
        if not hmac.compare_digest(payload.rstrip(b"\x00"), expected.encode()):
            raise _Fatal("28P01", f'password authentication failed for user "{user}"')
        self.send_authentication_ok()
        self.handle_post_auth(ctx)

    def handle_post_auth(self, ctx: postgres.BVContext) -> None:
        ctx.session = self.server.conn.create_session()
        self.request.settimeout(None)  # an authenticated client may stay idle between queries
        super().handle_post_auth(ctx)

    def handle_query(self, ctx: postgres.BVContext, payload: bytes) -> None:
        with ctx.session.watched(self.request):
            try:
                super().handle_query(ctx, payload)
            except OSError:
                raise
            except Exception as exc:  # raised while rows were being sent: DuckDB computes them as they stream
                self.send_error(exc)
                self.send_ready_for_query(ctx)

    def handle_describe(self, ctx: postgres.BVContext, payload: bytes) -> None:
        with ctx.session.watched(self.request):
            super().handle_describe(ctx, payload)

    def handle_execute(self, ctx: postgres.BVContext, payload: bytes) -> None:
        with ctx.session.watched(self.request):
            try:
                super().handle_execute(ctx, payload)
            except OSError:
                raise
            except Exception as exc:  # as in handle_query
                self.send_error(exc, ctx)

    def send_error(self, exception, ctx: postgres.BVContext | None = None) -> None:
        severity, sqlstate, message = self._describe(exception)
        fields = b"".join(kind + value.encode() + b"\x00" for kind, value in
                          ((b"S", severity), (b"V", severity), (b"C", sqlstate), (b"M", message))) + b"\x00"
        with contextlib.suppress(OSError):  # the client may be gone
            self.wfile.write(struct.pack("!ci", postgres.ServerResponse.ERROR_RESPONSE, len(fields) + 4) + fields)
        if ctx:
            ctx.mark_error()

    def _describe(self, exception) -> tuple[str, str, str]:
        if isinstance(exception, _Fatal):
            return "FATAL", exception.sqlstate, str(exception)
        session = self._ctx.session if self._ctx else None
        if isinstance(exception, duckdb.InterruptException) and session is not None and session.stopped_by:
            if session.stopped_by == "timeout":
                return "ERROR", "57014", (f"canceling statement due to statement timeout (it ran longer than "
                                          f"{TIMEOUT_SETTING}={self.server.limits.timeout_seconds:g} s)")
            return "ERROR", "57014", "canceling statement due to user request"
        if not isinstance(exception, duckdb.Error):
            return "ERROR", "XX000", str(exception)
        message = readonly.explain(exception)
        if message.startswith("refused: the published copy is read-only"):
            return "ERROR", "25006", message
        if message.startswith("refused"):
            return "ERROR", "42501", message
        if isinstance(exception, duckdb.OutOfMemoryException):
            return "ERROR", "53200", f"{message} (the limit per session is {readonly.MEMORY_LIMIT_SETTING})"
        return "ERROR", "42601" if isinstance(exception, duckdb.ParserException) else "42000", message


class Server(postgres.BuenaVistaServer):
    daemon_threads = True  # Ctrl-C stops the server without waiting for connected clients to leave

    def __init__(self, address: tuple[str, int], path: Path, limits: Limits) -> None:
        rewriter = _Rewriter(bv_dialects.BVPostgres(), bv_dialects.BVDuckDB())
        super().__init__(address, PublishedCopy(path, limits), rewriter=rewriter,
                         auth={} if limits.password else None)
        self.RequestHandlerClass = _Handler
        self.limits = limits
        self.slots = threading.BoundedSemaphore(limits.max_connections)

    def verify_request(self, request, client_address) -> bool:
        return True  # who may connect is settled by the address listened on and the password (make_server)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that hung up mid-answer
        super().handle_error(request, client_address)


def make_server(path: Path, host: str = "127.0.0.1", port: int = 5433, limits: Limits | None = None) -> Server:
    limits = limits or Limits.from_environment()
    if limits.password is None and not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        raise SettingsError(f"refused to listen on {host}: beyond loopback every client must send a password; set "
                            f"{PASSWORD_SETTING} (environment or .env)")
    readonly.connect(path).close()  # the published copy opens and the memory limit is valid, or nothing listens
    # Buena Vista logs every client's error with a traceback on the server's terminal; the client gets it already.
    logging.getLogger("buenavista").setLevel(logging.CRITICAL)
    return Server((host, port), path, limits)
