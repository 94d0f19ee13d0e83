"""Text and numbers as every real format needs them: decoding, header lines, CSV rows, ``Decimal`` parsing and
printing, unit factors."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

# --- text ---------------------------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """Bytes to text: drops the UTF-8 BOM that Fiscal Data site exports start with and turns CRLF into LF
    (GFDEBTN 1966-2024, the DDP H.4.1 file, the DTS and TreasuryDirect exports, one Yahoo CSV use CRLF)."""
    text = raw.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def labelled_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    """A CSV with a header line as dicts; tolerates a missing newline at the end (most of these files)."""
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


# --- numbers ------------------------------------------------------------------------------------------


def decimal_or_none(raw: object) -> Decimal | None:
    """A number from any of the formats here: ``123``, ``123.0``, a JSON float, or missing as ``.`` (old
    fredgraph and FRED's JSON), an empty field (today's fredgraph), ``NA`` (Fed DDP), JSON ``null``."""
    if raw is None:
        return None
    text = str(raw).strip()
    if text in ("", ".", "NA", "null", "None"):
        return None
    return Decimal(text)


def plain(value: Decimal) -> str:
    """A decimal as fredgraph writes numbers: no exponent, no trailing zeros (``22305.000`` → ``22305``)."""
    text = format(value.normalize(), "f")
    return text


def excel_number(text: str) -> int:
    """An amount a spreadsheet re-saved in a European locale: ``1,23456E+11`` → 123456000000.

    The TreasuryDirect export has some *tendered* amounts in this form (decimal comma, six significant digits):
    the precision was lost in the export, so the integer is only what the text denotes, not the true amount.
    Plain integers (``12345600``) pass through unchanged.
    """
    text = text.strip()
    if "E" in text.upper():
        return int(Decimal(text.replace(",", ".")))
    return int(text)


def power_of_thousand(ratio: float, tolerance: float) -> Decimal:
    """The unit factor a ratio between two copies of one series stands for (1000 = billions vs millions).

    ``tolerance`` is relative (0.02: the ratio is within 2% of the power) for two copies of the same numbers;
    above 1 it is a fold (10: within ten times) for a comparison with a series that only has the right level.
    Raises when the ratio is not that close to a power of 1000: then no rescaling would be honest."""
    if ratio <= 0:
        raise ValueError(f"ratio {ratio} is not positive")
    exponent = 0
    probe = ratio
    while probe >= 31.6:
        probe /= 1000
        exponent += 1
    while probe < 0.0316:
        probe *= 1000
        exponent -= 1
    close = abs(probe - 1) <= tolerance if tolerance < 1 else 1 / tolerance <= probe <= tolerance
    if not close:
        raise ValueError(f"ratio {ratio:.6g} is not a power of 1000 (within {tolerance:g})")
    return Decimal(1000) ** exponent
