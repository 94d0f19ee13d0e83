"""What each raw table is: declared once, here, for every provider, and importable without dlt.

Everything else derives from these lists: the dlt resources' keys (each provider module takes its own tuple), the
Dagster assets and their date ranges, freshness against the release calendars. They live apart from the sources
because readers need them too: ``faultlines status`` and the calendars read the freshness columns, and importing a
provider module imports dlt (1.2 s of a status that should answer in about a second). The table's description is
the dbt source's (``dbt_project/models/staging/<provider>/_<provider>__sources.yml``), one text shown in dbt docs
and in Dagster alike. Adding a table touches this file, its provider module, its dbt source and staging model, and
its Great Expectations suite — nothing in ``orchestration/``.
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


@dataclass(frozen=True)
class Dataset(RawTable):
    """A Fiscal Data endpoint and the raw table it fills (the table's description is its dbt source's)."""

    endpoint: str = ""
    # Treasury re-issues rows (auction results amended, announced auctions gain results): each load re-reads this
    # many days before the last date loaded, and merges on the key.
    lookback_days: int = 10
    # Fields parsed as numbers; every other field stays text. Fields ending in _date become dates.
    numeric_fields: tuple[str, ...] = ()
    # Text fields that can be "null" on every row of a load: declared so the column exists anyway.
    text_fields: tuple[str, ...] = ()


# Provider by provider (their modules under ingestion/sources/ say how each is fetched).
FRED = (
    # H.4.1 (Thursday 16:30 for the week ending Wednesday) sets the pace: reserves are what the marts wait for.
    RawTable("observations", ("series_id", "date"), "date", "h41_weekly",
             "series_id = 'WRESBAL' and value is not null"),
    RawTable("series", ("series_id",)),
    RawTable("vintages", ("series_id", "date", "realtime_start"), "date"),
)


# Fiscal Data: the endpoint each table is read from, and how.
AUCTION_AMOUNTS = (
    "offering_amt", "total_tendered", "total_accepted", "comp_tendered", "comp_accepted", "noncomp_accepted",
    "primary_dealer_accepted", "primary_dealer_tendered", "direct_bidder_accepted", "direct_bidder_tendered",
    "indirect_bidder_accepted", "indirect_bidder_tendered", "soma_accepted", "soma_tendered", "soma_holdings",
    "fima_noncomp_accepted", "fima_noncomp_tendered", "treas_retail_accepted", "treas_retail_tendered",
    "bid_to_cover_ratio", "high_yield", "high_discnt_rate", "high_investment_rate", "high_price", "low_yield",
    "avg_med_yield", "avg_med_discnt_rate", "allocation_pctage", "int_rate", "price_per100",
)

TREASURY: tuple[Dataset, ...] = (
    # Announced auctions carry no results yet: freshness counts completed ones.
    Dataset("auctions", ("cusip", "auction_date"), "auction_date", "treasury_auctions", "total_accepted is not null",
            endpoint="v1/accounting/od/auctions_query", lookback_days=60, numeric_fields=AUCTION_AMOUNTS),
    Dataset("mspd_table_1", ("record_date", "security_type_desc", "security_class_desc"), "record_date",
            "mspd_monthly", endpoint="v1/debt/mspd/mspd_table_1", lookback_days=62,
            numeric_fields=("debt_held_public_mil_amt", "intragov_hold_mil_amt", "total_mil_amt")),
    Dataset("operating_cash_balance", ("record_date", "account_type"), "record_date", "treasury_daily",
            endpoint="v1/accounting/dts/operating_cash_balance",
            numeric_fields=("open_today_bal", "close_today_bal", "open_month_bal", "open_fiscal_year_bal"),
            text_fields=("sub_table_name",)),
    # Table III-A: issues and redemptions of each security type per day at face value; bills issued minus bills
    # redeemed over a month is the MSPD's change in bills outstanding (checked in dbt).
    Dataset("public_debt_transactions", ("record_date", "transaction_type", "src_line_nbr"), "record_date",
            "treasury_daily", endpoint="v1/accounting/dts/public_debt_transactions",
            numeric_fields=("transaction_today_amt", "transaction_mtd_amt", "transaction_fytd_amt"),
            text_fields=("security_type_desc",)),
    Dataset("debt_to_penny", ("record_date",), "record_date", "treasury_daily",
            endpoint="v2/accounting/od/debt_to_penny",
            numeric_fields=("debt_held_public_amt", "intragov_hold_amt", "tot_pub_debt_out_amt")),
    Dataset("avg_interest_rates", ("record_date", "security_type_desc", "security_desc"), "record_date",
            "mspd_monthly", endpoint="v2/accounting/od/avg_interest_rates", lookback_days=62,
            numeric_fields=("avg_interest_rate_amt",)),
)

NYFED = (
    RawTable("reference_rates", ("type", "effective_date"), "effective_date", "nyfed_rates_daily", "type = 'SOFR'"),
    RawTable("soma_summary", ("as_of_date",), "as_of_date", "h41_weekly"),
    RawTable("soma_bill_holdings", ("as_of_date", "cusip"), "as_of_date", "h41_weekly"),
    RawTable("reverse_repo_operations", ("operation_id",), "operation_date", "rrp_results_daily"),
    RawTable("repo_operations", ("operation_id",), "operation_date", "rrp_results_daily"),
)

PRICES = (
    RawTable("prices_daily", ("ticker", "trade_date"), "trade_date", "prices_after_close"),
    RawTable("dividends", ("ticker", "ex_date"), "ex_date"),
    RawTable("splits", ("ticker", "split_date"), "split_date"),
    RawTable("universe", ("ticker",)),
)

SEC = (
    RawTable("companies", ("cik",)),
    RawTable("filings", ("cik", "accession_number"), "filing_date", "sec_weekly"),
    RawTable("facts", ("cik", "fact_key"), "filed", "sec_quarterly_facts"),
)


# provider → the raw tables it fills
RAW_TABLES: dict[str, tuple[RawTable, ...]] = {"fred": FRED, "treasury": TREASURY, "nyfed": NYFED, "prices": PRICES,
                                               "sec": SEC}
# provider → the release calendar its scheduled loads follow (a name in orchestration/calendars.py)
RELEASE_CALENDARS: dict[str, str] = {"fred": "h41_weekly", "treasury": "treasury_daily", "nyfed": "nyfed_rates_daily",
                                     "prices": "prices_after_close", "sec": "sec_weekly"}
