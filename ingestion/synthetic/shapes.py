"""The time axis and the level paths the sample follows: shapes of public history, not its numbers.

Levels follow public history roughly (reserves ~$10bn in 2005, ~$3tn in 2023) so the marts look plausible, but
nothing here is real data. Each provider's generator draws its noise around these paths.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable

# The sample's first day: every provider's data starts here.
START = dt.date(2005, 1, 1)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def piecewise_linear(anchors: list[tuple[str, float]]) -> Callable[[dt.date], float]:
    """Linear between dated anchors, flat beyond the ends."""
    xs = [_d(a).toordinal() for a, _ in anchors]
    ys = [v for _, v in anchors]

    def value(day: dt.date) -> float:
        x = day.toordinal()
        i = bisect.bisect_right(xs, x)
        if i == 0:
            return ys[0]
        if i == len(xs):
            return ys[-1]
        share = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
        return ys[i - 1] + share * (ys[i] - ys[i - 1])

    return value


def step(changes: list[tuple[str, float]]) -> Callable[[dt.date], float]:
    """A policy rate: each value holds from its date until the next change."""
    xs = [_d(a).toordinal() for a, _ in changes]

    def value(day: dt.date) -> float:
        return changes[max(0, bisect.bisect_right(xs, day.toordinal()) - 1)][1]

    return value


# Top of the fed funds target range, by decision (rounded to the path markets remember).
FED_FUNDS_UPPER = step([
    ("2005-01-01", 2.25), ("2005-06-30", 3.25), ("2006-01-31", 4.50), ("2006-06-29", 5.25), ("2007-09-18", 4.75),
    ("2008-01-22", 3.50), ("2008-04-30", 2.00), ("2008-10-29", 1.00), ("2008-12-16", 0.25), ("2015-12-17", 0.50),
    ("2016-12-15", 0.75), ("2017-06-15", 1.25), ("2017-12-14", 1.50), ("2018-06-14", 2.00), ("2018-12-20", 2.50),
    ("2019-08-01", 2.25), ("2019-10-31", 1.75), ("2020-03-16", 0.25), ("2022-03-17", 0.50), ("2022-05-05", 1.00),
    ("2022-06-16", 1.75), ("2022-09-22", 3.25), ("2022-12-15", 4.50), ("2023-03-23", 5.00), ("2023-07-27", 5.50),
    ("2024-09-19", 5.00), ("2024-12-19", 4.50), ("2025-09-18", 4.25), ("2025-10-30", 4.00), ("2025-12-11", 3.75),
])
RESERVES_USD_MN = piecewise_linear([
    ("2005-01-01", 10_000), ("2008-08-31", 9_000), ("2008-12-31", 820_000), ("2011-06-30", 1_600_000),
    ("2014-10-31", 2_750_000), ("2019-09-15", 1_400_000), ("2020-06-30", 3_000_000), ("2021-12-31", 4_200_000),
    ("2022-12-31", 3_000_000), ("2023-03-15", 3_400_000), ("2024-06-30", 3_300_000), ("2025-10-31", 2_850_000),
    ("2026-11-30", 3_100_000),
])
FED_ASSETS_USD_MN = piecewise_linear([
    ("2005-01-01", 840_000), ("2008-08-31", 900_000), ("2008-12-31", 2_250_000), ("2014-10-31", 4_500_000),
    ("2019-09-15", 3_800_000), ("2020-06-30", 7_100_000), ("2022-04-15", 8_960_000), ("2025-12-01", 6_550_000),
    ("2026-11-30", 6_800_000),
])
TGA_USD_MN = piecewise_linear([
    ("2005-01-01", 5_000), ("2008-09-30", 100_000), ("2015-12-31", 300_000), ("2020-07-31", 1_700_000),
    ("2022-01-31", 700_000), ("2023-06-01", 50_000), ("2024-06-30", 750_000), ("2025-06-30", 350_000),
    ("2025-10-31", 950_000), ("2026-11-30", 850_000),
])
RRP_USD_BN = piecewise_linear([
    ("2005-01-01", 0.0), ("2021-03-15", 0.0), ("2021-12-31", 1_700.0), ("2022-12-30", 2_550.0),
    ("2023-06-30", 1_900.0), ("2024-06-30", 450.0), ("2025-06-30", 200.0), ("2025-10-31", 15.0),
    ("2026-11-30", 5.0),
])
GDP_USD_BN = piecewise_linear([
    ("2005-01-01", 12_800), ("2008-07-01", 14_900), ("2009-04-01", 14_400), ("2019-10-01", 21_900),
    ("2020-04-01", 19_900), ("2021-10-01", 24_300), ("2025-07-01", 31_100), ("2026-10-01", 32_500),
])
TEN_YEAR_PCT = piecewise_linear([
    ("2005-01-01", 4.2), ("2007-06-30", 5.1), ("2008-12-31", 2.2), ("2012-07-31", 1.5), ("2018-10-31", 3.2),
    ("2020-08-01", 0.55), ("2022-10-31", 4.2), ("2023-10-19", 4.95), ("2025-01-15", 4.75), ("2026-11-30", 4.1),
])
BANK_ASSETS_USD_BN = piecewise_linear([
    ("2005-01-01", 8_500), ("2008-10-31", 12_300), ("2019-12-31", 18_000), ("2021-12-31", 23_000),
    ("2025-10-31", 24_500), ("2026-11-30", 25_200),
])
