"""Synthetic NY Fed Markets data, coherent with the other samples.

- Reference rates are the FRED sample's SOFR and EFFR (FRED mirrors the NY Fed), with TGCR/BGCR/OBFR beside them.
- SOMA bill holdings by CUSIP are exactly the Treasury sample's bill auctions the Fed took (``soma_accepted``),
  held from issue to maturity; the SOMA summary's ``bills`` is their sum and the rest follows the Fed's assets.
- Reverse repo results carry the FRED sample's RRPONTSYD take-up, plus a few small-value exercises to skip.
- Repo results are the standing repo facility (SRF) from its start: one full-allotment operation a business day
  (two from mid-2025, morning and afternoon), nothing taken on most days, take-up at month-ends and mid-month
  settlements once reserves tighten (2025), most at quarter- and year-ends; its own random stream.
- SOFR's percentile band widens at the same times (a deterministic factor on the drawn spread: no new draws).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from ingestion.business_calendar import wednesdays
from ingestion.synthetic.fred import generate_series
from ingestion.synthetic.output import write_json
from ingestion.synthetic.randomness import stream
from ingestion.synthetic.shapes import FED_ASSETS_USD_MN, START
from ingestion.synthetic.treasury import Auction

RRP_FACILITY_START = dt.date(2013, 9, 23)
SRF_START = dt.date(2021, 7, 28)
SRF_MORNING_START = dt.date(2025, 6, 26)  # a morning operation beside the afternoon one
# From here repo pressure shows at month-ends and settlement days: SRF take-up and a wider SOFR band.
REPO_STRESS_START = dt.date(2025, 6, 1)


def _month_end_days(days: list[dt.date]) -> set[dt.date]:
    """The last business day of each month among ``days``."""
    last: dict[tuple[int, int], dt.date] = {}
    for day in days:
        last[(day.year, day.month)] = max(day, last.get((day.year, day.month), day))
    return set(last.values())


def _stress(day: dt.date, month_ends: set[dt.date]) -> float:
    """How much wider than usual repo rates spread on ``day``: 1 before 2025-06; then more, most at quarter-ends."""
    if day < REPO_STRESS_START:
        return 1.0
    if day in month_ends:
        return 4.0 if day.month in (3, 6, 9, 12) else 2.5
    return 2.0 if day.day in (15, 16) else 1.4


def _rates(end: dt.date, seed: int) -> dict[tuple[str, str], list[dict]]:
    rng = stream(seed, "nyfed-rates")
    sofr = [(d, v) for d, v in generate_series("SOFR", end, seed) if v is not None]
    effr = [(d, v) for d, v in generate_series("EFFR", end, seed) if v is not None]

    month_ends = _month_end_days([d for d, _ in sofr])

    def row(rate_type: str, day: dt.date, rate: float, volume: float, **extra) -> dict:
        spread = abs(rng.gauss(0.03, 0.01)) * _stress(day, month_ends)
        return {"effectiveDate": day.isoformat(), "type": rate_type, "percentRate": round(rate, 2),
                "percentPercentile1": round(rate - 2 * spread, 2), "percentPercentile25": round(rate - spread / 3, 2),
                "percentPercentile75": round(rate + spread / 3, 2), "percentPercentile99": round(rate + 3 * spread, 2),
                "volumeInBillions": round(volume), "revisionIndicator": "R" if rng.random() < 0.002 else "",
                **extra}

    files: dict[tuple[str, str], list[dict]] = {}
    files[("secured", "sofr")] = [row("SOFR", d, v, 1000 + 1.5 * (d - START).days / 3) for d, v in sofr]
    files[("secured", "tgcr")] = [row("TGCR", d, v - 0.01, 400 + (d - START).days / 8) for d, v in sofr]
    files[("secured", "bgcr")] = [row("BGCR", d, v - 0.01, 420 + (d - START).days / 8) for d, v in sofr]
    files[("unsecured", "effr")] = [row("EFFR", d, v, 100 + rng.random() * 30,
                                        targetRateFrom=round(max(0.0, v + 0.17 - 0.25), 2),
                                        targetRateTo=round(v + 0.17, 2)) for d, v in effr]
    files[("unsecured", "obfr")] = [row("OBFR", d, v - 0.01, 200 + rng.random() * 50)
                                    for d, v in effr if d >= dt.date(2016, 3, 1)]
    return files


def _holdings(auctions: list[Auction], as_of_dates: list[dt.date]) -> dict[dt.date, list[dict]]:
    """Bills held on each as-of date: every bill auction the Fed took part in, from issue to maturity."""
    taken = [a for a in auctions if a.is_bill and a.soma_accepted > 0]
    by_date: dict[dt.date, list[dict]] = {}
    previous: dict[str, float] = {}
    for as_of in as_of_dates:
        par: dict[str, float] = defaultdict(float)
        maturity: dict[str, str] = {}
        for auction in taken:
            if auction.issue <= as_of < auction.maturity:
                cusip = auction.row["cusip"]
                par[cusip] += auction.soma_accepted
                maturity[cusip] = auction.row["maturity_date"]
        by_date[as_of] = [{
            "asOfDate": as_of.isoformat(), "cusip": cusip, "maturityDate": maturity[cusip], "issuer": "",
            "spread": "", "coupon": "", "parValue": f"{value:.0f}", "inflationCompensation": "",
            "percentOutstanding": "", "changeFromPriorWeek": f"{value - previous.get(cusip, 0.0):.0f}",
            "changeFromPriorYear": "", "securityType": "Bills"} for cusip, value in sorted(par.items())]
        previous = dict(par)
    return by_date


def _summary(holdings: dict[dt.date, list[dict]]) -> list[dict]:
    rows = []
    for as_of, held in sorted(holdings.items(), reverse=True):
        bills = sum(float(h["parValue"]) for h in held)
        rest = max(0.0, FED_ASSETS_USD_MN(as_of) * 1e6 * 0.93 - bills)
        mbs = rest * 0.33 if as_of >= dt.date(2009, 1, 7) else 0.0
        frn = rest * 0.005 if as_of >= dt.date(2014, 1, 29) else 0.0
        agencies = rest * 0.004
        tips = rest * 0.05
        notesbonds = rest - mbs - frn - agencies - tips
        parts = {"mbs": mbs, "cmbs": 0.0, "tips": tips, "frn": frn, "notesbonds": notesbonds, "bills": bills,
                 "agencies": agencies}
        rows.append({"asOfDate": as_of.isoformat(), **{k: (f"{v:.2f}" if v else "") for k, v in parts.items()},
                     "tipsInflationCompensation": f"{tips * 0.15:.2f}", "total": f"{sum(parts.values()):.2f}"})
    return rows


def _operations(end: dt.date, seed: int) -> list[dict]:
    rng = stream(seed, "nyfed-rrp")
    rrp = generate_series("RRPONTSYD", end, seed)
    sofr = dict(generate_series("SOFR", end, seed))
    operations = []
    exercised: set[tuple[int, int]] = set()
    for day, take_up in rrp:
        if take_up is None or day < RRP_FACILITY_START:
            continue
        rate = max(0.0, (sofr.get(day) or 0.05) - 0.05)
        stamp = day.strftime("%m%d%y")
        amount = take_up * 1e9
        operations.append({
            "operationId": f"RP {stamp} 1", "auctionStatus": "Results", "operationDate": day.isoformat(),
            "settlementDate": day.isoformat(), "maturityDate": (day + dt.timedelta(days=1)).isoformat(),
            "operationType": "Reverse Repo", "operationMethod": "Fixed Rate", "settlementType": "Same Day",
            "termCalenderDays": 1, "term": "Overnight", "releaseTime": "12:45", "closeTime": "13:15", "note": "",
            "lastUpdated": f"{day.isoformat()} 13:18:11", "participatingCpty": rng.randint(2, 110),
            "acceptedCpty": rng.randint(2, 110), "totalAmtSubmitted": round(amount), "totalAmtAccepted": round(amount),
            "details": [{"securityType": "Treasury", "amtSubmitted": round(amount), "amtAccepted": round(amount),
                         "percentOfferingRate": round(rate, 2), "percentAwardRate": round(rate, 2)}]})
        # The desk's small-value exercises (mid-March and mid-September): not market operations.
        if day.month in (3, 9) and day.day >= 15 and (day.year, day.month) not in exercised:
            exercised.add((day.year, day.month))
            operations.append({**operations[-1], "operationId": f"RP {stamp} 9", "totalAmtSubmitted": 50000,
                               "totalAmtAccepted": 50000, "note": "Small Value Exercise (SVE)",
                               "details": [{"securityType": "Treasury", "amtSubmitted": 50000,
                                            "amtAccepted": 50000, "percentAwardRate": 0.01}]})
    return list(reversed(operations))


def _repo_operations(end: dt.date, seed: int) -> list[dict]:
    """The SRF's operations: full allotment at the top of the target range, mostly nothing taken."""
    rng = stream(seed, "nyfed-srf")
    sofr = [(d, v) for d, v in generate_series("SOFR", end, seed) if v is not None and d >= SRF_START]
    month_ends = _month_end_days([d for d, _ in sofr])
    operations = []
    for day, rate in sofr:
        stamp = day.strftime("%m%d%y")
        minimum_bid = round(rate + 0.1, 2)  # the top of the target range, a little above SOFR in the sample
        stress = _stress(day, month_ends)
        slots = [("AM", "08:15", "08:30")] if day >= SRF_MORNING_START else []
        for number, (slot, release, close) in enumerate([*slots, ("PM", "13:30", "13:45")], start=3):
            draw = rng.random()
            taken = stress > 1.4 and draw < 0.8
            amount = round(rng.uniform(1, 8) * stress * (1 if slot == "PM" else 0.4), 3) * 1e9 if taken else 0.0
            treasury_part = round(amount * 0.7)
            operations.append({
                "operationId": f"RP {stamp} {number}", "auctionStatus": "Results", "operationDate": day.isoformat(),
                "settlementDate": day.isoformat(), "maturityDate": (day + dt.timedelta(days=1)).isoformat(),
                "operationType": "Repo", "operationMethod": "Full Allotment", "settlementType": "Same Day",
                "termCalenderDays": 1, "term": "Overnight", "releaseTime": release, "closeTime": close,
                "note": "", "lastUpdated": f"{day.isoformat()} {close}:40", "isSmallValue": "",
                "totalAmtSubmitted": round(amount), "totalAmtAccepted": round(amount),
                "details": [{"securityType": "Treasury", "amtSubmitted": treasury_part, "amtAccepted": treasury_part,
                             "percentOfferingRate": minimum_bid},
                            {"securityType": "Agency", "amtSubmitted": 0, "amtAccepted": 0,
                             "percentOfferingRate": minimum_bid},
                            {"securityType": "Mortgage-Backed", "amtSubmitted": round(amount) - treasury_part,
                             "amtAccepted": round(amount) - treasury_part, "percentOfferingRate": minimum_bid}]})
        # The desk tests the facility with small-value exercises now and then: not market operations.
        if day.month in (2, 8) and day.day == 20:
            operations.append({**operations[-1], "operationId": f"RP {stamp} 8", "isSmallValue": "Y",
                               "totalAmtSubmitted": 1000000, "totalAmtAccepted": 1000000})
    return list(reversed(operations))


def generate(out: Path, seed: int, end: dt.date, auctions: list[Auction]) -> None:
    folder = out / "nyfed"
    for (group, rate_type), rows in _rates(end, seed).items():
        (folder / "rates" / group).mkdir(parents=True, exist_ok=True)
        write_json(folder / "rates" / group / f"{rate_type}.json", {"refRates": list(reversed(rows))})
    # SOMA as-of dates are Wednesdays, published the next day.
    holdings = _holdings(auctions, list(wednesdays(START, end - dt.timedelta(days=1))))
    asof_dir = folder / "soma" / "tsy" / "get" / "asof"
    asof_dir.mkdir(parents=True, exist_ok=True)
    for as_of, held in holdings.items():
        write_json(asof_dir / f"{as_of.isoformat()}.json", {"soma": {"holdings": held}})
    write_json(folder / "soma" / "summary.json", {"soma": {"summary": _summary(holdings)}})
    (folder / "rp").mkdir(parents=True, exist_ok=True)
    write_json(folder / "rp" / "results.json",
               {"repo": {"operations": _merge_newest_first(_operations(end, seed), _repo_operations(end, seed))}})


def _merge_newest_first(*operations: list[dict]) -> list[dict]:
    """One results file, as the API's search answers without a filter: repo and reverse repo, newest first."""
    merged = [op for ops in operations for op in ops]
    return sorted(merged, key=lambda op: (op["operationDate"], op["operationId"]), reverse=True)
