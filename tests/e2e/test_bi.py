"""Where people meet the data: the PostgreSQL-wire endpoint, DuckDB 1.x readers, Parquet, the report and the docs
site (these two in headless Chromium, offline). All over the e2e sample warehouse's published copy."""

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests
import yaml

from ingestion import settings
from tests.e2e.browser import visit
from tests.e2e.conftest import FAULTLINES, _env, _free_port, faultlines
from tests.utils import seed_claim_ids

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]  # one worker: they share one sample build

MARTS = {"mart_reserve_adequacy", "mart_bill_absorption", "mart_sector_valuation", "mart_claims",
         "fct_treasury_auctions", "fct_equity_daily", "fct_fundamentals_ttm", "mart_earnings_reactions",
         "mart_repo_stress", "mart_fed_balance_sheet", "mart_claim_evidence", "mart_revisions",
         "mart_revision_summary"}


def _wait_for_port(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    pytest.fail(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def sql_endpoint(first_run, home):
    assert first_run.returncode == 0, first_run.stderr
    port = _free_port()
    server = subprocess.Popen([FAULTLINES, "serve-sql", "--mode", "sample", "--port", str(port)], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_port(server, port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed (apt-get install postgresql-client)")
def test_psql_reads_the_claims_over_the_postgres_wire(sql_endpoint):
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(sql_endpoint), "-U", "analyst", "-d", "sample",
                             "-A", "-t", "-F", "|", "-c", "select claim_id, verdict from marts.mart_claims"],
                            capture_output=True, text=True, timeout=30, env={"PGCONNECT_TIMEOUT": "10"})
    assert result.returncode == 0, result.stderr
    verdicts = dict(line.split("|") for line in result.stdout.strip().splitlines())
    assert set(verdicts) == set(seed_claim_ids()) and set(verdicts.values()) <= {"supported", "contradicted", "partly"}
    assert "reserves_2007" in verdicts


def _psql(port: int, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "analyst", "-d", "sample", "-c", command],
                          capture_output=True, text=True, timeout=30, env={"PGCONNECT_TIMEOUT": "10"})


@pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed (apt-get install postgresql-client)")
def test_psql_meta_commands_browse_the_catalog(sql_endpoint):
    """What a psql user types first: list the tables of a schema, the schemas, one table's columns, the databases."""
    tables = _psql(sql_endpoint, r"\dt marts.*")
    assert tables.returncode == 0 and "ERROR" not in tables.stderr, tables.stderr
    assert {f" {name} " for name in MARTS} <= {f" {line.split('|')[1].strip()} " for line in
                                                tables.stdout.splitlines() if line.count("|") == 3}
    schemas = _psql(sql_endpoint, r"\dn")
    assert schemas.returncode == 0 and "ERROR" not in schemas.stderr, schemas.stderr
    assert {"marts", "staging", "raw_fred"} <= {line.split("|")[0].strip() for line in schemas.stdout.splitlines()}
    claims = _psql(sql_endpoint, r"\d marts.mart_claims")
    assert claims.returncode == 0 and "ERROR" not in claims.stderr, claims.stderr
    assert 'Table "marts.mart_claims"' in claims.stdout
    assert re.search(r"^ claim_id +\| varchar", claims.stdout, re.M) and re.search(r"^ verdict ", claims.stdout, re.M)
    databases = _psql(sql_endpoint, r"\l")
    assert databases.returncode == 0 and "ERROR" not in databases.stderr, databases.stderr
    assert re.search(r"^ sample +\|", databases.stdout, re.M)


# The schema browse of BI tools: the shape of the PostgreSQL JDBC driver's getSchemas, getTables and getColumns
# (DBeaver, Metabase and most JDBC tools), sent over psycopg.
JDBC_SCHEMAS = """SELECT nspname AS TABLE_SCHEM, NULL AS TABLE_CATALOG FROM pg_catalog.pg_namespace
 WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_' OR nspname = (pg_catalog.current_schemas(true))[1])
 ORDER BY TABLE_SCHEM"""
JDBC_TABLES = """SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,
 CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema' WHEN true THEN 'SYSTEM TABLE'
 WHEN false THEN CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'v' THEN 'VIEW' ELSE NULL END ELSE NULL END AS TABLE_TYPE,
 d.description AS REMARKS
 FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c
 LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0 and d.classoid = 'pg_class'::regclass)
 WHERE c.relnamespace = n.oid AND n.nspname LIKE 'marts' AND c.relname LIKE '%'
 AND (false OR (c.relkind IN ('r','p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
 ORDER BY TABLE_TYPE, TABLE_SCHEM, TABLE_NAME"""
JDBC_COLUMNS = """SELECT * FROM (SELECT n.nspname, c.relname, a.attname, a.atttypid,
 a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull, a.atttypmod, a.attlen,
 row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum,
 pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc, dsc.description, t.typbasetype, t.typtype
 FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)
 JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid) JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)
 LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)
 LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
 WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped
 AND n.nspname LIKE 'marts' AND c.relname LIKE 'mart_claims') c WHERE true ORDER BY nspname, c.relname, attnum"""


def test_a_bi_tool_browses_schemas_tables_and_columns(sql_endpoint):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={sql_endpoint} user=analyst dbname=sample", autocommit=True) as pg:
        assert {"marts", "staging"} <= {row[0] for row in pg.execute(JDBC_SCHEMAS).fetchall()}
        assert {row[2] for row in pg.execute(JDBC_TABLES).fetchall() if row[3] == "TABLE"} == MARTS
        columns = [row[2] for row in pg.execute(JDBC_COLUMNS).fetchall()]
        assert columns[0] == "claim_id" and "verdict" in columns


def test_a_bare_port_probe_and_queries_leave_at_most_one_line(first_run, home):
    """A load balancer's or a user's port check (connect, close) is no error worth a traceback; queries print
    nothing on the server's console."""
    import socket

    port = _free_port()
    server = subprocess.Popen([FAULTLINES, "serve-sql", "--mode", "sample", "--port", str(port)], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_port(server, port)  # itself a bare probe
        with socket.create_connection(("127.0.0.1", port)) as probe:
            probe.sendall(b"\x00\x00")  # half a length, then gone
        _psql(port, "select count(*) from marts.mart_claims")
        _psql(port, r"\dt marts.*")
        time.sleep(0.5)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) <= 2, stderr  # two probes: one line each at most
    assert not re.search(r"Traceback|Warning|struct\.error", stderr), stderr


def test_a_postgres_driver_runs_parameterised_queries_and_cannot_write(sql_endpoint, home):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={sql_endpoint} user=analyst dbname=sample", autocommit=True) as pg:
        rows = pg.execute("select date_day, reserves_usd_bn from marts.mart_reserve_adequacy where date_day = %s",
                          ["2026-06-24"]).fetchall()
        with duckdb.connect(str(home / "published" / "sample.duckdb"), read_only=True) as con:
            expected = con.execute("select date_day, reserves_usd_bn from marts.mart_reserve_adequacy "
                                   "where date_day = date '2026-06-24'").fetchall()
        assert rows == expected and rows[0][1] > 1000
        with pytest.raises(psycopg.Error, match="read-only"):
            pg.execute("drop table marts.mart_claims")
        claims = pg.execute("select count(*) from marts.mart_claims").fetchone()[0]
        assert claims == len(seed_claim_ids()), "nothing was dropped"


def test_the_published_copy_opens_in_a_duckdb_1x_reader(first_run, home, tmp_path):
    """BI drivers bundle DuckDB 1.x: the copy must open there, in its own environment."""
    uv = shutil.which("uv") or str(Path(sys.executable).parents[2] / ".tools" / "bin" / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not here to build a DuckDB 1.x environment")
    venv = tmp_path / "duckdb1"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True, timeout=120)
    subprocess.run([uv, "pip", "install", "-q", "-p", str(venv / "bin" / "python"), "duckdb==1.1.3"], check=True,
                   timeout=300)
    reader = subprocess.run([str(venv / "bin" / "python"), "-c", """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(duckdb.__version__, con.execute("select count(*) from marts.mart_claims").fetchone()[0],
      con.execute("select count(*) from marts.mart_reserve_adequacy").fetchone()[0])
""", str(home / "published" / "sample.duckdb")], capture_output=True, text=True, timeout=60)
    assert reader.returncode == 0, reader.stderr
    version, claims, days = reader.stdout.split()
    assert version.startswith("1.") and int(claims) == len(seed_claim_ids()) and int(days) > 7000


def test_every_mart_is_published_as_parquet(first_run, home):
    parquet = home / "published" / "sample-parquet"
    assert parquet.is_symlink(), "a symlink swapped atomically to the latest run's folder"
    assert {p.stem for p in parquet.glob("*.parquet")} == MARTS
    with duckdb.connect(str(home / "published" / "sample.duckdb"), read_only=True) as con:
        for mart in MARTS:
            in_parquet = con.execute(f"select count(*) from read_parquet('{parquet / mart}.parquet')").fetchone()[0]
            assert in_parquet == con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0


# What each chart's axes report, read from plotly's SVG: per axis its title and tick labels.
AXES_JS = """Array.from(document.querySelectorAll('section.chart')).map(section => {
    const plot = section.querySelector('.js-plotly-plot');
    const axes = [];
    for (const kind of ['x', 'y']) {
        for (let n = 1; n <= 4; n++) {
            const id = n === 1 ? kind : kind + n;
            const ticks = Array.from(plot.querySelectorAll('.' + id + 'tick text')).map(t => t.textContent);
            if (!ticks.length) continue;
            const title = plot.querySelector('.g-' + id + 'title');
            axes.push({id, title: title ? title.textContent.trim() : '', ticks});
        }
    }
    const marks = plot.querySelectorAll('.scatterlayer path.js-line, .scatterlayer path.point, .barlayer path').length;
    return {id: section.id, marks, axes};
})"""
UNIT_MARKERS = ("$bn", "$tn", "%", "basis points", "ratio", "P/E", "P/S")
RATIO_AXES = ("ratio", "P/E", "P/S")


def significant_digits(label: str) -> int:
    digits = re.sub(r"[^0-9.]", "", label.replace("\u2212", "-"))
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0"))
    return len(digits.lstrip("0").rstrip("0")) or 1


def test_significant_digits_are_counted_as_people_read_them():
    assert [significant_digits(t) for t in ("0.25", "\u22120.503", "12.2", "1200", "0", "1.275", "40k")] == [
        2, 3, 3, 2, 1, 4, 1]


def test_the_report_renders_fully_in_chromium_with_the_network_off(first_run, home, tmp_path):
    out = tmp_path / "report.html"
    result = faultlines(home, "report", "--mode", "sample", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "SAMPLE" in result.stdout and out.stat().st_size > 1_000_000
    text = out.read_text()
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', text), "scripts are inlined"
    # The bill-absorption chart marks the day mart_claims measures from: the dbt var, not a copy of it.
    start = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
        "reserve_management_purchases_start"]
    assert f"{start}: reserve-management purchases" in text
    with visit(out.as_uri()) as page:
        page.page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 9",
                                    timeout=60_000)
        charts = page.page.evaluate(AXES_JS)
        banner = page.page.inner_text("#sample-banner")
        headlines = page.page.eval_on_selector_all("#headlines li", """items => items.map(li => ({
            text: li.innerText, chart: li.querySelector('a').getAttribute('href'),
            claims: Array.from(li.querySelectorAll('a.verdict')).map(a => a.getAttribute('href'))}))""")
        anchors = set(page.page.eval_on_selector_all("[id]", "nodes => nodes.map(n => '#' + n.id)"))
        verdicts = page.page.eval_on_selector_all("table.claims .verdict", "cells => cells.map(c => c.textContent)")
        observed = page.page.eval_on_selector_all("table.claims td.num", "cells => cells.map(c => c.textContent)")
        page.screenshot("report")
        page.screenshot_of("#headlines", "report-headlines")
        for chart in charts:
            page.screenshot_of(f"#{chart['id']}", f"report-{chart['id']}")
    assert len(charts) >= 9 and all(chart["marks"] > 0 for chart in charts), charts
    for chart in charts:
        assert chart["axes"], chart["id"]
        for axis in chart["axes"]:
            assert axis["title"], f"{chart['id']}: axis {axis['id']} has no title"
            if axis["id"].startswith("y"):
                assert any(unit in axis["title"] for unit in UNIT_MARKERS), (chart["id"], axis["title"])
            if any(kind in axis["title"] for kind in RATIO_AXES):
                assert all(significant_digits(t) <= 3 for t in axis["ticks"]), (chart["id"], axis)
    assert "SAMPLE DATA" in banner
    # The strip leads with the answers: each line links to a chart of the page and to its claims' rows.
    assert len(headlines) >= 9
    for line in headlines:
        assert line["chart"] in anchors and line["claims"] and set(line["claims"]) <= anchors, line
    assert len(verdicts) == len(seed_claim_ids()) and set(verdicts) <= {"supported", "contradicted", "partly"}
    assert any("$" in cell and "bn" in cell for cell in observed) and any("days" in cell for cell in observed)
    assert page.console_errors == [] and page.outside_requests == []


def test_the_docs_site_is_served_on_loopback_and_loads_nothing_from_outside(first_run, home):
    port = _free_port()
    docs = subprocess.Popen([FAULTLINES, "docs", "--mode", "sample", "--port", str(port)], env=_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_port(docs, port, timeout=120)
        catalog = requests.get(f"http://127.0.0.1:{port}/catalog.json", timeout=5).json()
        assert "model.faultlines.mart_reserve_adequacy" in catalog["nodes"]
        manifest = requests.get(f"http://127.0.0.1:{port}/manifest.json", timeout=5).json()
        assert manifest["metadata"]["send_anonymous_usage_stats"] is False, "the page's tracker stays off"
        assert "exposure.faultlines.faultlines_report" in manifest["exposures"]
        assert (home / "docs" / "static_index.html").stat().st_size > 1_000_000, "the single shareable file"
        with visit(f"http://127.0.0.1:{port}/#!/overview") as page:
            page.page.wait_for_selector("text=local-first warehouse", timeout=30_000)
            page.page.goto(f"http://127.0.0.1:{port}/#!/model/model.faultlines.mart_reserve_adequacy")
            page.page.wait_for_selector("text=reserves_to_gdp_pct", timeout=30_000)
            page.screenshot("docs-mart-reserve-adequacy")
        assert page.outside_requests == []
        # dbt-docs itself asks for three unrendered template URLs (icons, favicon) that 404 on every server; any
        # other failed request or console error is ours.
        ours = [r for r in page.failed_responses if "%7B%7B" not in r and "%7Brequire" not in r]
        assert ours == []
        assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
        assert len(page.console_errors) <= len(page.failed_responses)
    finally:
        docs.terminate()
        docs.wait(timeout=10)
