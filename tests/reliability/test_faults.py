"""Every fault the emulator can inject, and what the load does about it: either it succeeds after retries with
exactly the right rows, or it fails with an error naming the provider, the call and the problem, and the table
keeps what it had. Loads run through the real dlt pipeline into a real DuckDB file, over real HTTP."""

import datetime as dt
import json

import duckdb
import pytest

from ingestion.emulator.faults import Fault
from ingestion.http import SourceError
from ingestion.pipeline import make_pipeline
from ingestion.sources.fred import FredClient, fred_source
from ingestion.sources.treasury import FiscalDataClient, treasury_source
from orchestration import run_records
from orchestration.assets.sources import source_error
from tests.utils import load

TODAY = dt.date(2026, 6, 30)
AUCTIONS = "/services/api/fiscal_service/v1/accounting/od/auctions_query"
FREDGRAPH = "/graph/fredgraph.csv"
PAGE_SIZE = 200  # several pages, so a page can go missing in the middle
SINCE = dt.date(2024, 1, 1)  # two and a half years of auctions: enough pages, quick loads


def _auction_rows(sample_dir) -> list[dict]:
    path = sample_dir / "treasury" / "v1__accounting__od__auctions_query.json"
    return [row for row in json.loads(path.read_text())["data"] if row["auction_date"] >= SINCE.isoformat()]


def _load_auctions(base_url: str, warehouse, attempts: int = 4):
    client = FiscalDataClient.create(f"{base_url}/services/api/fiscal_service", timeout=1.0, max_attempts=attempts,
                                     requests_per_second=500, backoff_seconds=0.05, page_size=PAGE_SIZE)
    load("treasury", warehouse, treasury_source(client, start_date=SINCE, today=TODAY, tables=("auctions",)))


def _auction_counts(warehouse) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*), count(distinct (cusip, auction_date)) "
                           "from raw_treasury.auctions").fetchone()


# Transport faults that clear up within the client's attempts: the load succeeds with every row, once.
@pytest.mark.parametrize("kind", ["429", "500", "503", "timeout", "reset", "truncated", "html_200"])
def test_a_passing_fault_is_retried_and_every_row_arrives_once(kind, emulator, sample_dir, tmp_path):
    fault = Fault(AUCTIONS, kind=kind, times=2, delay_seconds=2.0)
    if kind == "429":
        fault.headers = {"Retry-After": "0"}
    emulator.inject(fault)
    _load_auctions(emulator.base_url, tmp_path / "w.duckdb")
    assert fault.hits == 2, "the fault really happened"
    total, distinct = _auction_counts(tmp_path / "w.duckdb")
    assert total == distinct == len(_auction_rows(sample_dir))


# The same faults lasting longer than the attempts: a clear error, and the table keeps what it had.
@pytest.mark.parametrize("kind,problem", [("503", "HTTP 503"), ("reset", "ConnectionError"),
                                          ("timeout", "no answer within 1s"), ("truncated", "Error"),
                                          ("html_200", "HTML page")])
def test_a_lasting_fault_fails_clearly_and_keeps_the_table(kind, problem, emulator, sample_dir, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _load_auctions(emulator.base_url, warehouse)
    before = _auction_counts(warehouse)
    emulator.inject(Fault(AUCTIONS, kind=kind, times=None, delay_seconds=1.5))
    with pytest.raises(Exception) as failure:
        _load_auctions(emulator.base_url, warehouse, attempts=2)
    error = source_error(failure.value)
    assert error is not None and error.transient, "an outage: worth retrying later"
    message = str(error)
    assert message.startswith("Treasury Fiscal Data: GET ") and AUCTIONS in message and problem in message
    assert "after 2 attempts" in message
    assert _auction_counts(warehouse) == before


def test_a_bot_check_page_fails_at_once_without_hammering(emulator, tmp_path):
    fault = Fault(AUCTIONS, kind="interstitial", times=None)
    emulator.inject(fault)
    with pytest.raises(Exception) as failure:
        _load_auctions(emulator.base_url, tmp_path / "w.duckdb")
    error = source_error(failure.value)
    assert error is not None and not error.transient
    assert "bot-check page" in str(error) and "Just a moment" in str(error)
    assert fault.hits == 1, "no retries against a bot check"


@pytest.mark.parametrize("page", [2, 5])
def test_an_empty_page_in_the_middle_or_last_fails_instead_of_losing_rows(page, emulator, sample_dir, tmp_path):
    assert -(-len(_auction_rows(sample_dir)) // PAGE_SIZE) == 5, "five pages"
    emulator.inject(Fault(AUCTIONS, kind="empty_page", times=1, skip=page - 1))
    with pytest.raises(Exception) as failure:
        _load_auctions(emulator.base_url, tmp_path / "w.duckdb")
    error = source_error(failure.value)
    assert error is not None and error.transient
    assert f"page {page} of 5 is empty" in str(error)


def test_duplicated_rows_are_merged_away(emulator, sample_dir, tmp_path):
    emulator.inject(Fault(AUCTIONS, kind="duplicate_rows", times=None))
    _load_auctions(emulator.base_url, tmp_path / "w.duckdb")
    total, distinct = _auction_counts(tmp_path / "w.duckdb")
    assert total == distinct == len(_auction_rows(sample_dir))


def test_a_new_field_becomes_a_column_and_is_reported_as_drift(emulator, sample_dir, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _load_auctions(emulator.base_url, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = run_records.table_columns(con, "raw_treasury", ["auctions"])["auctions"]
    emulator.inject(Fault(AUCTIONS, kind="new_column", times=None))
    _load_auctions(emulator.base_url, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = run_records.table_columns(con, "raw_treasury", ["auctions"])["auctions"]
    drift = run_records.schema_drift(before, after)
    assert drift["new_columns"] == ["unannounced_field"] and drift["changed_types"] == []
    assert _auction_counts(warehouse)[0] == len(_auction_rows(sample_dir))


def test_a_number_field_that_turns_to_text_fails_clearly_and_keeps_the_table(emulator, sample_dir, tmp_path):
    """Treasury's numeric fields are parsed strictly: text where a number was is an error, not a silent NULL."""
    warehouse = tmp_path / "w.duckdb"
    _load_auctions(emulator.base_url, warehouse)
    before = _auction_counts(warehouse)
    emulator.inject(Fault(AUCTIONS, kind="changed_type", times=None))
    with pytest.raises(Exception) as failure:
        _load_auctions(emulator.base_url, warehouse)
    error = source_error(failure.value)
    assert error is not None and not error.transient
    assert str(error).startswith("Treasury Fiscal Data: GET ") and "could not convert string to float: 'n/a'" in \
        str(error)
    assert _auction_counts(warehouse) == before


def test_a_fred_value_that_turns_to_text_is_refused_with_the_series_named(emulator, tmp_path):
    """FRED's CSV: a value that is not a number is refused with the series and the call named."""
    client = FredClient.create(emulator.base_url, emulator.base_url,
                               requests_per_second=500, backoff_seconds=0.05)
    emulator.inject(Fault(FREDGRAPH, kind="changed_type", times=None))
    with pytest.raises(Exception) as failure:
        load("fred", tmp_path / "w.duckdb", fred_source(client, series_ids=["WRESBAL"], today=TODAY))
    error = source_error(failure.value)
    assert error is not None and "WRESBAL" in str(error) and FREDGRAPH in str(error)


def test_a_revised_value_replaces_the_old_one(emulator, sample_dir, tmp_path):
    """FRED keyless CSV, reloaded from scratch: the revised first observation wins, nothing is duplicated."""
    warehouse = tmp_path / "w.duckdb"

    def load(refresh=None):
        client = FredClient.create(emulator.base_url, emulator.base_url,
                                   requests_per_second=500, backoff_seconds=0.05)
        pipeline = make_pipeline("fred", warehouse)
        pipeline.run(fred_source(client, series_ids=["WRESBAL"], today=TODAY), refresh=refresh
                     ).raise_on_failed_jobs()

    load()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first_date, original, count = con.execute(
            "select min(date), arg_min(value, date), count(*) from raw_fred.observations").fetchone()
    emulator.inject(Fault(FREDGRAPH, kind="revised_values", times=None))
    load(refresh="drop_sources")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        revised, count_after = con.execute("select arg_min(value, date), count(*) from raw_fred.observations"
                                           ).fetchone()
    assert revised == pytest.approx(round(original * 1.01 + 0.01, 4)) and count_after == count


def test_emulator_fault_specs_from_the_command_line():
    assert Fault.parse("503:0.25").rate == 0.25 and Fault.parse("503").status == 503
    assert Fault.parse("timeout").times is None
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault.parse("gremlins")
    with pytest.raises(ValueError, match="rate"):
        Fault.parse("429:1.5")


def test_source_error_is_found_inside_dlt_wrappers():
    inner = SourceError("X", "GET /a", "HTTP 503", "later", transient=True)
    try:
        try:
            raise inner
        except SourceError as exc:
            raise RuntimeError("dlt wrapped it") from exc
    except RuntimeError as outer:
        assert source_error(outer) is inner


# `faultlines run --base-url` probes the emulator first: a fault there must not pass for "nothing listens".
@pytest.mark.parametrize("kind", ["reset", "truncated", "timeout"])
def test_the_base_url_probe_retries_a_fault_before_giving_up(kind, emulator):
    from ingestion.endpoints import probe_emulator

    fault = Fault(None, kind=kind, times=2, delay_seconds=1.0)
    emulator.inject(fault)
    assert probe_emulator(emulator.base_url, timeout=0.5) is None
    assert fault.hits == 2, "the probe met the fault twice and asked again"


def test_the_base_url_probe_still_fails_fast_when_nothing_listens():
    import socket
    import time

    from ingestion.endpoints import probe_emulator

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    started = time.monotonic()
    reason = probe_emulator(url)
    assert reason is not None and reason.startswith(f"no emulator answers at {url}") and "attempts" in reason
    assert time.monotonic() - started < 5


def test_an_empty_page_fires_at_the_default_page_size_and_is_a_transient_error(emulator, sample_dir, tmp_path):
    """`--fault empty_page` as typed, with the client's default page size: every answer fits one page, so the fault
    empties that page; its `meta` still counts the rows, and the client says so instead of loading nothing."""
    fault = Fault.parse("empty_page")
    emulator.inject(fault)
    client = FiscalDataClient.create(f"{emulator.base_url}/services/api/fiscal_service", requests_per_second=500)
    assert client.page_size >= len(_auction_rows(sample_dir)), "one page holds every row"
    with pytest.raises(Exception) as failure:
        load("treasury", tmp_path / "w.duckdb",
             treasury_source(client, start_date=SINCE, today=TODAY, tables=("auctions",)))
    error = source_error(failure.value)
    assert fault.hits >= 1, "the fault fired"
    assert error is not None and error.transient
    assert "page 1 of 1 is empty" in str(error) and f"{len(_auction_rows(sample_dir))} rows" in str(error)


def test_fred_api_pages_by_offset_and_an_empty_page_before_the_count_fails(emulator):
    """FRED's JSON API paged 500 rows at a time: every page arrives in order; an empty page before ``count`` is a
    transient error naming the call of that page, not a silent end."""
    client = FredClient.create(emulator.base_url, emulator.base_url, api_key="k" * 32, requests_per_second=500,
                               backoff_seconds=0.05, page_limit=500)
    rows = client.observations("SOFR", dt.date(2018, 1, 1))
    whole = FredClient.create(emulator.base_url, emulator.base_url, api_key="k" * 32, requests_per_second=500)
    assert len(rows) > 1000 and rows == whole.observations("SOFR", dt.date(2018, 1, 1))
    assert [r["date"] for r in rows] == sorted({r["date"] for r in rows}), "in order, none twice"
    emulator.inject(Fault("/fred/series/observations", kind="empty_page", times=1, skip=1))
    with pytest.raises(SourceError) as failure:
        client.observations("SOFR", dt.date(2018, 1, 1))
    assert failure.value.transient and "an empty page at offset 500 although count says" in str(failure.value)
    assert "offset=500" in str(failure.value) and "k" * 32 not in str(failure.value)
