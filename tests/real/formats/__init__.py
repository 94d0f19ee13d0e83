"""Readers for real published files, each a small pure function handling one quirk of one format.

They turn downloads (FRED CSVs of several vintages, pandas JSON dumps, Fed DDP CSVs, TreasuryDirect and Fiscal
Data site exports, NY Fed JSON, Yahoo CSVs, Alpaca bars) into plain Python values; the ``tests.real.datadir``
package merges them into an emulator data dir. Numbers stay ``Decimal`` (or the exported text) so nothing is
rounded on the way.

One module per source: ``common`` (text and numbers every format needs), ``fred`` (FRED and Fed DDP),
``treasury``, ``nyfed``, ``prices``. Every reader is importable from here (``formats.fredgraph``).
"""

from tests.real.formats.common import (
    decimal_or_none,
    decode,
    excel_number,
    first_line,
    labelled_rows,
    plain,
    power_of_thousand,
)
from tests.real.formats.fred import (
    FRED_HEADER,
    PANDAS_KEY,
    DdpColumn,
    ddp,
    fredgraph,
    fredgraph_text,
    is_ddp,
    is_fredgraph,
    is_pandas_series,
    pandas_series,
    source_md_dates,
    source_md_series_ids,
)
from tests.real.formats.nyfed import is_nyfed_rates, nyfed_rates
from tests.real.formats.prices import (
    YAHOO_HEADER,
    Bar,
    alpaca_bars,
    dividends_from_adjclose,
    is_alpaca_bars,
    is_yahoo_csv,
    split_ratio,
    yahoo_csv,
)
from tests.real.formats.treasury import (
    AUCTION_DOLLAR_FIELDS,
    AUCTION_FIELDS,
    AUCTIONS_HEADER_START,
    DTS_CASH_HEADER,
    DTS_DEBT_HEADER,
    MSPD_HEADER,
    NEW_GENERATION_START,
    PENNY_HEADER,
    TGA_LINES,
    debt_to_penny,
    dts_operating_cash,
    dts_public_debt,
    fiscal_calendar,
    is_treasurydirect_auctions,
    mspd_table_1,
    null_if_empty,
    site_calendar,
    treasurydirect_auctions,
)

__all__ = [
    "AUCTIONS_HEADER_START", "AUCTION_DOLLAR_FIELDS", "AUCTION_FIELDS", "DTS_CASH_HEADER", "DTS_DEBT_HEADER",
    "FRED_HEADER", "MSPD_HEADER", "NEW_GENERATION_START", "PANDAS_KEY", "PENNY_HEADER", "TGA_LINES", "YAHOO_HEADER",
    "Bar", "DdpColumn", "alpaca_bars", "ddp", "debt_to_penny", "decimal_or_none", "decode", "dividends_from_adjclose",
    "dts_operating_cash", "dts_public_debt", "excel_number", "first_line", "fiscal_calendar", "fredgraph",
    "fredgraph_text", "is_alpaca_bars", "is_ddp", "is_fredgraph", "is_nyfed_rates", "is_pandas_series",
    "is_treasurydirect_auctions", "is_yahoo_csv", "labelled_rows", "mspd_table_1", "null_if_empty", "nyfed_rates",
    "pandas_series", "plain", "power_of_thousand", "site_calendar", "source_md_dates", "source_md_series_ids",
    "split_ratio", "treasurydirect_auctions", "yahoo_csv",
]
