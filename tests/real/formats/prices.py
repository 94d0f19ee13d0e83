"""Daily price bars: Yahoo/yfinance CSVs (split-adjusted), Alpaca bars (raw), and what their numbers show
(splits in raw closes, dividends in the Adj Close steps)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tests.real.formats.common import first_line, labelled_rows


@dataclass(frozen=True)
class Bar:
    day: dt.date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    adjclose: Decimal | None = None


YAHOO_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume"


def is_yahoo_csv(text: str) -> bool:
    return first_line(text) == YAHOO_HEADER


def yahoo_csv(text: str) -> list[Bar]:
    """A Yahoo/yfinance daily CSV (``Date,Open,High,Low,Close,Adj Close,Volume``, full float precision or six
    decimals, CRLF or not): prices split-adjusted as of the download, ``Adj Close`` also dividend-adjusted."""
    return [Bar(dt.date.fromisoformat(r["Date"]), Decimal(r["Open"]), Decimal(r["High"]), Decimal(r["Low"]),
                Decimal(r["Close"]), int(Decimal(r["Volume"])), Decimal(r["Adj Close"]))
            for r in labelled_rows(text) if r["Close"] not in ("", "null")]


def is_alpaca_bars(payload: object) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("bars"), dict) and "next_page_token" in payload


def alpaca_bars(payload: dict) -> dict[str, list[Bar]]:
    """Alpaca ``/v2/stocks/bars`` daily bars, RAW (not split-adjusted). ``t`` is midnight New York written in UTC
    (``T05:00:00Z`` in winter, ``T04:00:00Z`` in summer), so the trade date is the UTC date of ``t``."""
    out = {}
    for ticker, bars in payload["bars"].items():
        out[ticker] = [Bar(dt.date.fromisoformat(b["t"][:10]), Decimal(str(b["o"])), Decimal(str(b["h"])),
                           Decimal(str(b["l"])), Decimal(str(b["c"])), int(b["v"])) for b in bars]
    return out


def split_ratio(before: Decimal, after: Decimal, tolerance: float = 0.12) -> int | None:
    """The split a day-over-day drop in a RAW price series stands for (1000.00 → 101.00 is 10:1), or None.

    A split shows as the close dividing by an integer ≥ 2, give or take the day's own move."""
    ratio = float(before / after)
    whole = round(ratio)
    return whole if whole >= 2 and abs(ratio / whole - 1) <= tolerance else None


def dividends_from_adjclose(bars: list[Bar], threshold: float = 5e-5) -> dict[dt.date, Decimal]:
    """Dividends (ex-date → amount per share) recovered from the steps of ``Adj Close / Close``.

    Yahoo back-adjusts every close before an ex-date by ``1 - amount / previous close``, so the ratio rises on
    the ex-date and ``amount = previous close × (1 - ratio before / ratio on the day)``. Rounded to 6 decimals;
    steps smaller than ``threshold`` are rounding noise in the CSV, not dividends."""
    out = {}
    for previous, bar in zip(bars, bars[1:], strict=False):
        if previous.adjclose is None or bar.adjclose is None or not previous.close or not bar.close:
            continue
        before, now = previous.adjclose / previous.close, bar.adjclose / bar.close
        if float(now / before) - 1 > threshold:
            out[bar.day] = round(previous.close * (1 - before / now), 6)
    return out
