"""`faultlines report`: one self-contained HTML file that leads with the answers, then the charts behind them.

Built from the published copy only. At the top a headline strip answers each question of the day in one line (the
latest number and the claim's verdict), linking to its chart and its row in the claims table. Plotly draws the
charts (report_charts.py, report_market_charts.py); its JavaScript (plotly.js, shipped inside the plotly wheel)
is inlined once, so the file opens offline and loads nothing from anywhere. Every chart names its sources and the
as-of date of its data, and a report built from sample data says so at the top in a banner.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion import settings
from orchestration.readers import report_charts as liquidity
from orchestration.readers import report_market_charts as markets

VERDICT_COLOURS = {"supported": "#1b7837", "partly": "#b8860b", "contradicted": "#b2182b", "untested": "#555"}
# The chart each claim is read on, in the order the claims table lists them (the headline strip's).
CLAIM_CHARTS = {
    "reserves_2007": "chart-reserves", "reserves_2023": "chart-reserves", "reserves_needed_now": "chart-reserves-gdp",
    "repo_crossing_line": "chart-spread", "repo_volatility_up": "chart-repo", "fed_absorbs_bills": "chart-absorption",
    "fed_bill_purchases": "chart-absorption", "qt_ended": "chart-balance-sheet", "bills_aggressive": "chart-debt",
    "us_debt_40tn": "chart-debt", "fed_absorbs_debt": "chart-debt", "ai_bubble": "chart-valuation",
    "oracle_earnings_drop": "chart-earnings", "ai_followed_oracle": "chart-earnings",
}
# How a unit of the claims seed reads to people.
UNIT_FORMATS = {
    "usd_bn": lambda v: f"${v:,.0f}bn", "usd_bn_per_week": lambda v: f"{v:+,.1f} $bn/week",
    "pct": lambda v: f"{v:+.1f}%" if v < 0 else f"{v:.1f}%", "pct_of_days": lambda v: f"{v:.1f}% of days",
    "days": lambda v: f"{v:,.0f} days", "percentile": lambda v: f"percentile {v:.0f}",
    "ratio": lambda v: f"{v:.2f}", "pp": lambda v: f"{v:+.2f} pp",
}


def with_unit(value: float | None, unit: str) -> str:
    if value is None or value != value:  # NULL or NaN
        return "—"
    return UNIT_FORMATS.get(unit, lambda v: f"{v:,.4g} {unit}")(value)


def rule_with_units(rule: str, unit: str, claim_id: str) -> str:
    """The verdict's rule with each number in the claim's unit ("observed 0.72 lies in ≥ 0.5" → "… ≥ 0.50")."""
    if claim_id == "reserves_needed_now" or unit not in UNIT_FORMATS:  # that rule states its units itself
        return rule
    head, _, tail = rule.partition(": ")
    return head + ": " + re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", lambda m: with_unit(float(m.group()), unit),
                                tail)


@dataclass
class Claim:
    claim_id: str
    text: str
    source: str
    metric: str
    dates: str
    observed: float | None
    reference: float | None
    unit: str
    observed_unit: str
    verdict: str
    rule: str
    evidence: str | None


def read_claims(con) -> dict[str, Claim]:
    rows = con.execute("""select claim_id, claim_text, claim_source, metric, compared_dates, observed_value,
                                 reference_value, unit, observed_unit, verdict, verdict_rule, evidence
                          from marts.mart_claims order by claim_id""").fetchall()
    order = list(CLAIM_CHARTS)
    rows.sort(key=lambda row: order.index(row[0]) if row[0] in order else len(order))
    return {row[0]: Claim(*row) for row in rows}


def _verdict(claim: Claim | None) -> str:
    if claim is None:
        return ""
    colour = VERDICT_COLOURS.get(claim.verdict, "#333")
    return (f"<a class=verdict href='#claim-{claim.claim_id}' style='color:{colour}' title='{html.escape(claim.text)}'>"
            f"{html.escape(claim.verdict)}</a>")


def headlines(con, claims: dict[str, Claim]) -> list[tuple[str, str, str, list[str]]]:
    """(question, answer, chart anchor, claim ids) per line of the strip, from the marts the charts draw."""
    reserves = con.execute("""select date_day, reserves_usd_bn, reserves_to_gdp_pct, regime
                              from marts.mart_reserve_adequacy where reserves_usd_bn is not null
                              order by date_day desc limit 1""").fetchone()
    spread = con.execute("""select date_day, sofr_iorb_spread_bp, sofr_above_iorb_days_in_month
                            from marts.mart_reserve_adequacy where sofr_iorb_spread_bp is not null
                            order by date_day desc limit 1""").fetchone()

    def observed(claim_id: str) -> str:
        claim = claims.get(claim_id)
        return with_unit(claim.observed, claim.observed_unit) if claim else "—"

    lines = []
    if reserves:
        day, level, to_gdp, regime = reserves
        lines.append(("Are reserves scarce?", f"reserves ${level:,.0f}bn = {to_gdp:.1f}% of GDP → {regime} "
                      f"({day:%Y-%m-%d})", "chart-reserves-gdp", ["reserves_needed_now"]))
    if spread:
        day, bp, days_above = spread
        lines.append(("Is repo crossing the line?", f"SOFR − IORB {bp:+.0f} bp on {day:%Y-%m-%d}; SOFR above IORB "
                      f"on {days_above:.0f} days this month", "chart-spread", ["repo_crossing_line"]))
    start = liquidity.dbt_vars()["reserve_management_purchases_start"]
    absorbed = claims.get("fed_absorbs_bills")
    share = f"{100 * absorbed.observed:.0f}%" if absorbed and absorbed.observed is not None else "—"
    lines += [
        ("Is the Fed taking the new bills?", f"the Fed took {share} of the net new bills "
         f"since {start}; its bills grew {observed('fed_bill_purchases')}", "chart-absorption",
         ["fed_absorbs_bills", "fed_bill_purchases"]),
        ("Has QT ended?", f"SOMA holdings {observed('qt_ended')} since QT ended", "chart-balance-sheet", ["qt_ended"]),
        ("Is the Treasury leaning on bills?", f"bills are {observed('bills_aggressive')} of marketable debt",
         "chart-debt", ["bills_aggressive"]),
        ("How big is the debt, and the Fed's part?", f"total public debt {observed('us_debt_40tn')}; the Fed's "
         f"share of marketable debt {observed('fed_absorbs_debt')} since QT ended", "chart-debt",
         ["us_debt_40tn", "fed_absorbs_debt"]),
        ("Is repo volatility up?", f"SOFR's 1st–99th range is {observed('repo_volatility_up')}× a year earlier",
         "chart-repo", ["repo_volatility_up"]),
        ("Are AI stocks priced as a bubble?", f"AI basket P/E at {observed('ai_bubble')} of its own history",
         "chart-valuation", ["ai_bubble"]),
        ("Did Oracle's results shake the AI trade?", f"ORCL {observed('oracle_earnings_drop')} on the day; the "
         f"better of NVDA and MSFT {observed('ai_followed_oracle')}", "chart-earnings",
         ["oracle_earnings_drop", "ai_followed_oracle"]),
    ]
    return lines


def headline_strip(con, claims: dict[str, Claim]) -> str:
    items = []
    for question, answer, anchor, claim_ids in headlines(con, claims):
        verdicts = " ".join(_verdict(claims.get(c)) for c in claim_ids)
        items.append(f"<li><b>{html.escape(question)}</b> <a href='#{anchor}'>{html.escape(answer)}</a> "
                     f"<span class=verdicts>{verdicts}</span></li>")
    return f"<section id=headlines><h2>The answers</h2><ul class=headlines>{''.join(items)}</ul></section>"


def claims_table(claims: dict[str, Claim]) -> str:
    body = []
    for claim in claims.values():
        colour = VERDICT_COLOURS.get(claim.verdict, "#333")
        chart = CLAIM_CHARTS.get(claim.claim_id)
        link = f"<br><a href='#{chart}'>see the chart</a>" if chart else ""
        evidence = f"<br><small>{html.escape(claim.evidence)}</small>" if claim.evidence else ""
        body.append(
            f"<tr id='claim-{claim.claim_id}'><td>{html.escape(claim.text)}<br><small>{html.escape(claim.source)}"
            f"</small>{link}</td><td>{html.escape(claim.metric or '')}<br><small>{html.escape(str(claim.dates))}"
            f"</small></td><td class=num>{with_unit(claim.observed, claim.observed_unit)}</td>"
            f"<td class=num>{with_unit(claim.reference, claim.unit)}</td><td><b class=verdict style='color:{colour}'>"
            f"{html.escape(claim.verdict)}</b><br><small>"
            f"{html.escape(rule_with_units(claim.rule, claim.observed_unit, claim.claim_id))}</small>{evidence}</td>"
            "</tr>")
    return ("<table class=claims><thead><tr><th>claim</th><th>tested with</th><th>observed</th><th>claimed</th>"
            "<th>verdict</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:0 16px;
color:#222}h1{margin-bottom:0}.sub{color:#555;margin-top:4px}.banner{background:#ffd400;color:#000;padding:12px;
font-weight:700;font-size:1.2em;text-align:center;border:3px solid #000}section{margin:28px 0}
.meta{color:#555;font-size:.9em}table.claims{border-collapse:collapse;width:100%}.claims td,.claims th{border-bottom:
1px solid #ddd;padding:6px;text-align:left;vertical-align:top}.num{text-align:right;white-space:nowrap}
ul.headlines{list-style:none;padding:0;margin:0;border:1px solid #ddd;border-radius:6px}ul.headlines li{padding:7px
10px;border-bottom:1px solid #eee}ul.headlines li:last-child{border-bottom:0}.headlines a{color:#053061}
.verdicts .verdict{font-weight:700;margin-left:6px;text-transform:uppercase;font-size:.8em}
"""


def charts(con) -> list:
    return [liquidity.reserves_chart(con), liquidity.reserves_gdp_chart(con), liquidity.balance_sheet_chart(con),
            liquidity.spread_chart(con), liquidity.repo_stress_chart(con), liquidity.absorption_chart(con),
            liquidity.debt_chart(con), markets.valuation_chart(con), markets.earnings_chart(con)]


def build_report(published: Path, out: Path, mode: str) -> dict:
    """Write the report; returns what it contains (for the CLI's message and for tests)."""
    import plotly.offline

    with duckdb.connect(str(published), read_only=True) as con:
        drawn = charts(con)
        claims = read_claims(con)
        strip = headline_strip(con, claims)
        lines = headlines(con, claims)
        built_from = con.execute("select max(finished_at) from meta.runs").fetchone()[0]
    sections = []
    for chart in drawn:
        div = chart.figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"{chart.anchor}-plot",
                                   config={"displaylogo": False, "responsive": True})
        sections.append(f"<section class=chart id={chart.anchor}><h2>{html.escape(chart.title)}</h2>{div}<p class=meta>"
                        f"Sources: {html.escape(chart.sources)} Data as of {chart.as_of}. {html.escape(chart.note)}"
                        "</p></section>")
    banner = ("<div class=banner id=sample-banner>SAMPLE DATA — synthetic figures generated by faultlines, not real "
              "markets. Build from the live APIs for real numbers.</div>" if mode == "sample" else "")
    docs = settings.home() / "docs" / "static_index.html"
    page = f"""<!doctype html><html lang=en><head><meta charset=utf-8><title>faultlines report ({mode})</title>
<meta name=viewport content="width=device-width,initial-scale=1"><style>{STYLE}</style>
<script>{plotly.offline.get_plotlyjs()}</script></head><body>{banner}
<h1>faultlines</h1><p class=sub>The market commentary of the day, checked against the {mode} warehouse last built
{built_from:%Y-%m-%d %H:%M} UTC. Report generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.
What every column means: <a href="{docs.as_uri()}">the dbt docs site</a> (<code>make docs</code>).</p>
{strip}
{''.join(sections)}
<section id=claims><h2>The claims of the day, tested</h2>{claims_table(claims)}<p class=meta>Source: marts.mart_claims
(verdict rules in SQL, claims and their bounds in the seed dbt_project/seeds/claims.csv).</p></section></body></html>"""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(out)
    return {"path": out, "bytes": out.stat().st_size, "charts": len(drawn), "mode": mode,
            "headlines": [f"{question} {answer} → {', '.join(claims[c].verdict for c in ids if c in claims)}"
                          for question, answer, _, ids in lines]}
