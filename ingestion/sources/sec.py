"""SEC EDGAR (keyless, but a declared User-Agent with a contact is mandatory): fundamentals for the universe.

- ``facts``: from companyfacts, the tags the marts use (net income, revenue under its several tags, shares
  outstanding), every fact kept with its ``filed`` date so the marts can avoid look-ahead. Facts are never
  overwritten: restated values arrive as new facts under new accession numbers.
- ``companies`` and ``filings``: from submissions (SIC code, fiscal year end; the filing list, with the 8-K
  items that mark earnings releases and the time EDGAR accepted each filing, as EDGAR writes it).
EDGAR allows 10 requests a second; more gets a 403 and a temporary block, so we stay under it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion.arrow_rows import rows_table
from ingestion.http import RestClient
from ingestion.sources import tables
from ingestion.universe import Company, load_universe

LIVE_BASE_URL = "https://data.sec.gov"
DEFAULT_CONTACT = "faultlines-user@example.com"
TAGS = {
    "us-gaap": ("NetIncomeLoss", "Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax",
                "RevenuesNetOfInterestExpense", "WeightedAverageNumberOfDilutedSharesOutstanding",
                "EarningsPerShareDiluted"),
    "dei": ("EntityCommonStockSharesOutstanding",),
}


def user_agent(contact: str | None = None) -> str:
    """EDGAR wants "<app> <contact email>"; the contact comes from FAULTLINES_SEC_CONTACT."""
    return f"faultlines {contact or os.environ.get('FAULTLINES_SEC_CONTACT') or DEFAULT_CONTACT}"


def parse_companyfacts(payload: dict, cik: int) -> list[dict]:
    """One row per fact of the tags we use. Keys: (cik, taxonomy, tag, unit, start, end, accn, val)."""
    rows = []
    for taxonomy, tags in TAGS.items():
        for tag in tags:
            concept = (payload.get("facts", {}).get(taxonomy) or {}).get(tag)
            if not concept:
                continue
            for unit, facts in concept.get("units", {}).items():
                for fact in facts:
                    start = fact.get("start")
                    rows.append({
                        "cik": cik, "taxonomy": taxonomy, "tag": tag, "unit": unit,
                        "period_start": dt.date.fromisoformat(start) if start else None,
                        "period_end": dt.date.fromisoformat(fact["end"]), "val": float(fact["val"]),
                        "accn": fact["accn"], "fy": fact.get("fy"), "fp": fact.get("fp"), "form": fact.get("form"),
                        "filed": dt.date.fromisoformat(fact["filed"]), "frame": fact.get("frame"),
                        # Dual-class issuers report two values for one (end, accn): the value is part of the key.
                        "fact_key": "|".join(str(x) for x in (taxonomy, tag, unit, start or "", fact["end"],
                                                             fact["accn"], fact["val"])),
                    })
    return rows


def parse_submissions(payload: dict) -> tuple[dict, list[dict]]:
    cik = int(payload["cik"])
    company = {"cik": cik, "name": payload.get("name"), "sic": payload.get("sic"),
               "sic_description": payload.get("sicDescription"), "fiscal_year_end": payload.get("fiscalYearEnd"),
               "tickers": ",".join(payload.get("tickers") or []), "category": payload.get("category")}
    recent = payload.get("filings", {}).get("recent", {})
    columns = ("accessionNumber", "filingDate", "reportDate", "form", "items")
    # Kept as written ("2026-05-20T16:21:43.000Z"): the `Z` is not always true (dbt reads it, see stg_sec__filings).
    accepted = recent.get("acceptanceDateTime") or [None] * len(recent.get("accessionNumber", []))
    filings = [{"cik": cik, "accession_number": accn,
                "filing_date": dt.date.fromisoformat(filed), "report_date": dt.date.fromisoformat(report)
                if report else None, "form": form, "items": items or None, "acceptance_date_time": acceptance}
               for accn, filed, report, form, items, acceptance
               in zip(*(recent.get(c, []) for c in columns), accepted, strict=True)]
    return company, filings


@dataclass
class EdgarClient:
    rest: RestClient

    @classmethod
    def create(cls, base_url: str = LIVE_BASE_URL, timeout: float = 60.0, max_attempts: int = 4,
               requests_per_second: float = 8.0, contact: str | None = None) -> EdgarClient:
        return cls(RestClient("SEC EDGAR", base_url, requests_per_second=requests_per_second, timeout=timeout,
                              max_attempts=max_attempts,
                              headers={"User-Agent": user_agent(contact), "Accept-Encoding": "gzip, deflate"}))

    def document(self, path: str) -> dict:
        return self.rest.get_json(path)


# The forms whose XBRL financial data lands in companyfacts (8-Ks and the rest carry none).
XBRL_FORMS = frozenset({"10-Q", "10-K", "10-Q/A", "10-K/A", "20-F", "20-F/A", "40-F", "40-F/A"})


# Its raw tables and the release calendar its scheduled loads follow (declared in ingestion/sources/tables.py).
RELEASE_CALENDAR = tables.RELEASE_CALENDARS["sec"]
TABLES = tables.RAW_TABLES["sec"]
TABLE = tables.by_name(TABLES)
ROWS_PER_ITEM = 50_000  # filings and facts handed to dlt at once


# Columns that may be None on every row of a load: typed, so the column exists anyway.
COLUMN_HINTS = {"companies": {"category": {"data_type": "text"}},
                "filings": {"acceptance_date_time": {"data_type": "text", "nullable": True}},
                "facts": {"frame": {"data_type": "text"}}}


def _table(name: str, rows: list[dict]) -> pa.Table | list[dict]:
    return rows_table(rows, TABLE[name].primary_key, COLUMN_HINTS[name])


def _hinted(batches) -> Iterator:
    """Each non-empty list of rows, as an Arrow table with its table's hints."""
    for name, rows, hints in batches:
        if rows:
            yield dlt.mark.with_hints(_table(name, rows), hints, create_table_variant=True)


def sec_source(client: EdgarClient | None = None, companies: Sequence[Company] | None = None):
    client = client or EdgarClient.create()
    companies = tuple(companies or load_universe())
    fact_hints = dlt.mark.make_hints(table_name="facts", write_disposition="merge",
                                     primary_key=list(TABLE["facts"].primary_key),
                                     columns=COLUMN_HINTS["facts"])
    filing_hints = dlt.mark.make_hints(table_name="filings", write_disposition="merge",
                                       primary_key=list(TABLE["filings"].primary_key),
                                       columns=COLUMN_HINTS["filings"])

    def edgar() -> Iterator:
        """Per company: its submissions (company row, filings) and its facts filed since the last load."""
        state = dlt.current.resource_state().setdefault("last_filed", {})
        # What was loaded from the last filing day (fact keys and their filings): re-reading that day loads only
        # what is new, so an unchanged company writes no rows (and the marts rebuild nothing for it).
        last_day = dlt.current.resource_state().setdefault("last_day", {})
        # Handed to dlt in batches, not per company: each item costs dlt a schema pass (with its hints) and a write.
        companies_batch, filings_batch, facts_batch = [], [], []
        for company in companies:
            if len(facts_batch) + len(filings_batch) >= ROWS_PER_ITEM:
                yield from _hinted((("filings", filings_batch, filing_hints), ("facts", facts_batch, fact_hints)))
                filings_batch, facts_batch = [], []
            company_row, filings = parse_submissions(client.document(f"/submissions/{company.cik10}.json"))
            companies_batch.append(company_row)
            last = state.get(str(company.cik))
            new_filings = [f for f in filings if not last or f["filing_date"].isoformat() >= last]
            filings_batch += new_filings
            loaded = last_day.get(str(company.cik), {"fact_keys": [], "accessions": []})
            if last and not any(f["form"] in XBRL_FORMS and (f["filing_date"].isoformat() > last or (
                    f["filing_date"].isoformat() == last and f["accession_number"] not in loaded["accessions"]))
                    for f in new_filings):
                # No report filed since the last facts loaded (8-Ks carry none): companyfacts, the large
                # document, cannot hold anything new. A report whose facts EDGAR has not published yet keeps
                # being looked for, since only loaded facts move the cursor.
                continue
            facts = parse_companyfacts(client.document(f"/api/xbrl/companyfacts/{company.cik10}.json"), company.cik)
            seen = set(loaded["fact_keys"])
            new_facts = [f for f in facts if not last or f["filed"].isoformat() > last
                         or (f["filed"].isoformat() == last and f["fact_key"] not in seen)]
            if new_facts:
                facts_batch += new_facts
                newest = max(f["filed"] for f in facts)
                state[str(company.cik)] = newest.isoformat()
                last_day[str(company.cik)] = {
                    "fact_keys": sorted(f["fact_key"] for f in facts if f["filed"] == newest),
                    "accessions": sorted({f["accn"] for f in facts if f["filed"] == newest})}
        if companies_batch:
            yield _table("companies", companies_batch)
        yield from _hinted((("filings", filings_batch, filing_hints), ("facts", facts_batch, fact_hints)))

    @dlt.source(name="sec", max_table_nesting=0)
    def sec() -> list[DltResource]:
        return [dlt.resource(edgar, file_format="parquet", name="edgar", table_name="companies",
                             write_disposition="merge",
                             primary_key=list(TABLE["companies"].primary_key),
                             columns=COLUMN_HINTS["companies"])]

    return sec()
