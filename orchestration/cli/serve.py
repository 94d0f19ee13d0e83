"""The servers: the dbt docs site, the PostgreSQL-wire SQL endpoint, the Dagster UI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from ingestion import settings
from orchestration.cli.app import (
    ModeOption,
    ReaderModeOption,
    _first_line,
    _published,
    app,
    err,
    fail,
    out,
)


@app.command()
def docs(
    mode: ReaderModeOption = None,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0 = any free port)")] = 8080,
    serve: Annotated[bool, typer.Option(help="serve the site after generating it")] = True,
) -> None:
    """Generate the dbt docs site from the published warehouse and serve it on 127.0.0.1 (no internet needed)."""
    import functools
    import subprocess
    import tempfile
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    mode, path = _published(mode)
    site = settings.home() / "docs"
    dbt = str(Path(sys.executable).parent / "dbt")
    with tempfile.TemporaryDirectory(prefix="faultlines-docs-") as scratch, \
            err.status("dbt docs generate (catalog from the published copy)…"):
        # dbt-duckdb opens its database for writing: give it a scratch copy, never the published file.
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        result = subprocess.run([dbt, "docs", "generate", "--static", "--target-path", str(site)],
                                cwd=settings.DBT_PROJECT_DIR, capture_output=True, text=True,
                                env={**os.environ, "FAULTLINES_DUCKDB_PATH": str(copy)})
    if result.returncode != 0:
        raise fail(f"dbt docs generate failed: {_first_line(result.stdout.strip().splitlines()[-1:] or ['?'])}", 1)
    out.print(f"docs site written to {site} (single shareable file: {site / 'static_index.html'})")
    if not serve:
        return
    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # one line per request would drown the URL above
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise fail(f"cannot serve the docs on 127.0.0.1:{port}: {exc.strerror}; pick another --port") from None
    out.print(f"dbt docs on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    _serve_until_interrupted(server)


def _serve_until_interrupted(server) -> None:
    """Serve until Ctrl-C or SIGTERM, then release the port."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command("serve-sql")
def serve_sql(
    mode: ReaderModeOption = None,
    port: Annotated[int, typer.Option(help="port to listen on")] = 5433,
    host: Annotated[str, typer.Option(help="address to listen on; beyond loopback only with FAULTLINES_SQL_PASSWORD "
                                           "set")] = "127.0.0.1",
) -> None:
    """A read-only PostgreSQL-wire endpoint over the published warehouse (psql, BI tools without DuckDB drivers)."""
    from orchestration.readers import readonly
    from orchestration.readers.sql_server import make_server

    mode, path = _published(mode)
    try:
        server = make_server(path, host, port)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --host or --port") from None
    limits = server.limits
    bound = server.server_address[1]
    out.print(f"PostgreSQL wire on {host}:{bound} over {path} (read-only; each new connection sees the newest "
              f"published copy; {'password required' if limits.password else 'no password'}; a query stops after "
              f"{limits.timeout_seconds:g} s; at most {limits.max_connections} connections, "
              f"{readonly.memory_limit()} each). Try: psql -h {host} -p {bound} "
              "-c \"select * from marts.mart_claims\"  (Ctrl-C to stop)", soft_wrap=True)
    _serve_until_interrupted(server)


@app.command()
def ui(
    mode: ModeOption = "sample",
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 3000,
) -> None:
    """Open the Dagster UI (`dg dev`) on this project, with run history kept in FAULTLINES_HOME."""
    import signal

    try:
        settings.check_mode(mode)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    os.environ["FAULTLINES_MODE"] = mode
    dg = str(Path(sys.executable).parent / "dg")
    # A background `make ui` inherits SIGINT/SIGTERM ignored, and dg dev keeps that: restore the defaults
    # so the UI can be stopped by its PID.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    out.print(f"Dagster UI on http://{host}:{port} (mode {mode}, DAGSTER_HOME {os.environ['DAGSTER_HOME']})")
    os.chdir(settings.REPO_ROOT)
    # dagster-dbt re-parses the project on each reload under `dg dev`, with the `dbt` it finds on PATH: ours.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    # `dg dev`: what Dagster recommends now (`dagster dev` logs a SupersessionWarning); the same webserver and
    # daemon, given our module as the code location.
    os.execv(dg, [dg, "dev", "-m", "orchestration.definitions", "-h", host, "-p", str(port)])
