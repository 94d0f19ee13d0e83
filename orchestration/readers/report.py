"""`faultlines report`: one self-contained HTML file with the charts people would rather look at than read.

Built from the published copy only. Plotly draws the charts; its JavaScript (plotly.js, shipped inside the plotly
wheel) is inlined once, so the file opens offline and loads nothing from anywhere. Every chart names its sources
and the as-of date of its data, and a report built from sample data says so at the top in a banner.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from ingestion import settings

CLAIMS_MARKS = {  # the dates the claims compare, drawn on the reserves chart
    "2007": ("2007-12-31", "2007: ≈$45bn claimed"),
    "2023": ("2023-06-30", "2023: $2.2tn claimed"),
}
VERDICT_COLOURS = {"supported": "#1b7837", "partly": "#b8860b", "contradicted": "#b2182b"}


@dataclass
class Chart:
    title: str
    figure: object  # plotly Figure
    sources: str
    as_of: str
    note: str = ""


def _dbt_vars() -> dict:
    """The vars of dbt_project.yml: the report draws with the thresholds and dates the marts were built with."""
    return yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def _regime_thresholds() -> dict[str, float]:
    return {k: float(v) for k, v in _dbt_vars().items() if k.startswith("regime_")}


def _frame(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).df()


def _layout(figure, y_title: str, **kwargs) -> None:
    figure.update_layout(template="plotly_white", height=430, margin={"l": 60, "r": 30, "t": 30, "b": 40},
                         legend={"orientation": "h", "y": -0.15}, yaxis_title=y_title, hovermode="x unified",
                         **kwargs)


def reserves_chart(con) -> Chart:
    import plotly.graph_objects as go

    thresholds = _regime_thresholds()
    data = _frame(con, """select date_day, reserves_usd_bn, total_reserves_usd_bn, gdp_usd_bn
                          from marts.mart_reserve_adequacy
                          -- weekly inputs: one point per H.4.1 week (Wednesday) plus the latest day
                          where dayofweek(date_day) = 3
                             or date_day = (select max(date_day) from marts.mart_reserve_adequacy)
                          order by date_day""")
    scarce, abundant = (thresholds["regime_scarce_below_reserves_to_gdp_pct"],
                        thresholds["regime_abundant_min_reserves_to_gdp_pct"])
    figure = go.Figure()
    figure.add_scatter(x=data.date_day, y=data.reserves_usd_bn, name="reserve balances (WRESBAL)",
                       line={"color": "#2166ac", "width": 2}, connectgaps=True)
    figure.add_scatter(x=data.date_day, y=data.total_reserves_usd_bn, name="total reserves (TOTRESNS)",
                       line={"color": "#67a9cf", "width": 1, "dash": "dot"}, connectgaps=True)
    figure.add_scatter(x=data.date_day, y=data.gdp_usd_bn * scarce / 100, name=f"scarce below {scarce:g}% of GDP",
                       line={"color": "#b2182b", "width": 1, "dash": "dash"}, connectgaps=True)
    figure.add_scatter(x=data.date_day, y=data.gdp_usd_bn * abundant / 100,
                       name=f"abundant above {abundant:g}% of GDP", line={"color": "#1b7837", "width": 1,
                                                                            "dash": "dash"}, connectgaps=True)
    latest = data.dropna(subset=["reserves_usd_bn"]).iloc[-1]
    marks = [*CLAIMS_MARKS.values(), (str(latest.date_day)[:10], f"now: ${latest.reserves_usd_bn:,.0f}bn")]
    for day, label in marks:
        figure.add_vline(x=day, line={"color": "#555", "width": 1, "dash": "dot"})
        figure.add_annotation(x=day, y=1.02, yref="paper", text=label, showarrow=False, font={"size": 11})
    _layout(figure, "$bn (log scale)", yaxis_type="log")
    return Chart("Bank reserves since 2005, against the adequacy thresholds", figure,
                 "FRED: WRESBAL, TOTRESNS (H.4.1, H.3), GDP (BEA). Thresholds: dbt vars regime_* (METRICS.md).",
                 str(latest.date_day)[:10],
                 "Thresholds move with nominal GDP. A value is carried only until its next scheduled release.")


def spread_chart(con) -> Chart:
    import plotly.graph_objects as go

    data = _frame(con, """select date_day, sofr_iorb_spread_bp, is_month_end, iorb_series
                          from marts.mart_reserve_adequacy
                          where sofr_iorb_spread_bp is not null and date_day >= date '2018-04-02'
                          order by date_day""")
    month_ends = data[data.is_month_end]
    figure = go.Figure()
    figure.add_scatter(x=data.date_day, y=data.sofr_iorb_spread_bp, name="SOFR − IORB (IOER before 2021-07-29)",
                       mode="lines", line={"color": "#2166ac", "width": 1})
    figure.add_scatter(x=month_ends.date_day, y=month_ends.sofr_iorb_spread_bp, name="month-ends",
                       mode="markers", marker={"color": "#d6604d", "size": 6})
    figure.add_hline(y=0, line={"color": "#333", "width": 1})
    _layout(figure, "basis points")
    return Chart("SOFR minus the rate on reserves, month-ends highlighted", figure,
                 "NY Fed: SOFR (via FRED SOFR); Fed: IORB, IOER (FRED).", str(data.date_day.iloc[-1])[:10],
                 "Above zero, repo costs more than the Fed pays on reserves: a sign reserves are getting scarce.")


def absorption_chart(con) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    # Calendar months do not line up with the Wednesday SOMA dates, so each month here is the H.4.1 weeks ending in
    # it: net issuance and the change in the Fed's bills over exactly the same days.
    data = _frame(con, """select last_day(window_end) as month_end,
                                 sum(net_bill_issuance_usd_bn) as net_bill_issuance_usd_bn,
                                 sum(soma_bill_change_usd_bn) as soma_bill_change_usd_bn,
                                 case when sum(net_bill_issuance_usd_bn) > 0
                                      then sum(soma_bill_change_usd_bn) / sum(net_bill_issuance_usd_bn) end as ratio,
                                 max(window_end) as last_week_end
                          from marts.mart_bill_absorption
                          where window_type = 'week' and window_end >= date '2022-01-01'
                              and net_bill_issuance_usd_bn is not null and soma_bill_change_usd_bn is not null
                          group by 1 order by 1""")
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_bar(x=data.month_end, y=data.net_bill_issuance_usd_bn, name="net bill issuance", marker_color="#92c5de")
    figure.add_bar(x=data.month_end, y=data.soma_bill_change_usd_bn, name="change in the Fed's bill holdings",
                   marker_color="#2166ac")
    figure.add_trace(go.Scatter(x=data.month_end, y=data.ratio, name="absorption ratio (Fed ÷ net issuance)",
                                mode="lines+markers", line={"color": "#b2182b"}), secondary_y=True)
    # The day the Fed's reserve-management bill purchases began: the dbt var mart_claims measures the claim from.
    start = str(_dbt_vars()["reserve_management_purchases_start"])
    figure.add_vline(x=start, line={"color": "#555", "dash": "dot"})
    figure.add_annotation(x=start, y=1.02, yref="paper", text=f"{start}: reserve-management purchases",
                          showarrow=False, font={"size": 11})
    _layout(figure, "$bn per month (H.4.1 weeks)", barmode="group")
    figure.update_yaxes(title_text="ratio", secondary_y=True)
    return Chart("Bill absorption by month: how much of the new bill supply the Fed takes", figure,
                 "US Treasury Fiscal Data: Daily Treasury Statement (bills issued and redeemed); NY Fed: SOMA bill "
                 "holdings (Wednesdays).",
                 str(data.last_week_end.max())[:10] if len(data) else "",
                 "Months are the H.4.1 weeks ending in them. No ratio is drawn when net issuance is not positive.")


def valuation_chart(con) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    # The P/E is drawn only where the companies with earnings hold enough of the cap: the mart's own threshold
    # (the var its percentile history uses), so the chart and the claims start at the same day.
    min_coverage = float(_dbt_vars()["valuation_min_cap_coverage_pct"])
    data = _frame(con, f"""select trade_date, sector,
                                 case when earnings_cap_coverage_pct >= {min_coverage:g} then pe_ratio end as pe_ratio,
                                 share_of_universe_cap_pct
                          from marts.mart_sector_valuation where sector in ('AI basket', 'All')
                          -- the last session of each week keeps the file small without hiding the trend
                          qualify row_number() over (partition by sector, date_trunc('week', trade_date)
                                                     order by trade_date desc) = 1
                          order by trade_date""")
    ai, everything = data[data.sector == "AI basket"], data[data.sector == "All"]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Scatter(x=ai.trade_date, y=ai.pe_ratio, name="AI basket P/E", line={"color": "#b2182b"}))
    figure.add_trace(go.Scatter(x=everything.trade_date, y=everything.pe_ratio, name="universe P/E",
                                line={"color": "#2166ac"}))
    figure.add_trace(go.Scatter(x=ai.trade_date, y=ai.share_of_universe_cap_pct, name="AI basket share of cap (%)",
                                line={"color": "#999", "dash": "dot"}), secondary_y=True)
    _layout(figure, "cap-weighted P/E (TTM, as known that day)")
    figure.update_yaxes(title_text="% of universe cap", secondary_y=True, rangemode="tozero")
    return Chart("AI basket against the whole universe: valuation and concentration", figure,
                 "Daily bars (chart API), SEC EDGAR XBRL facts (net income, shares), universe seed.",
                 str(data.trade_date.iloc[-1])[:10] if len(data) else "",
                 f"Σ market cap ÷ Σ TTM net income over the companies with earnings, losses included, drawn where "
                 f"they hold at least {min_coverage:g}% of the cap; fundamentals from the first session after their "
                 "filing was accepted.")


def _claims_table(con) -> str:
    rows = con.execute("""select claim_text, claim_source, metric, compared_dates, observed_value, reference_value,
                                 unit, verdict, verdict_rule from marts.mart_claims order by claim_id""").fetchall()
    body = []
    for text, source, metric, dates, observed, reference, unit, verdict, rule in rows:
        colour = VERDICT_COLOURS.get(verdict, "#333")
        body.append(
            f"<tr><td>{html.escape(text)}<br><small>{html.escape(source)}</small></td><td>{html.escape(metric)}"
            f"<br><small>{html.escape(str(dates))}</small></td><td class=num>{observed:,.4g} {html.escape(unit)}"
            f"</td><td class=num>{reference:,.4g}</td><td><b class=verdict style='color:{colour}'>"
            f"{html.escape(verdict)}</b><br><small>{html.escape(rule)}</small></td></tr>")
    return ("<table class=claims><thead><tr><th>claim</th><th>tested with</th><th>observed</th><th>claimed</th>"
            "<th>verdict</th></tr></thead><tbody>" + "".join(body) + "</tbody></table>")


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:0 16px;
color:#222}h1{margin-bottom:0}.sub{color:#555;margin-top:4px}.banner{background:#ffd400;color:#000;padding:12px;
font-weight:700;font-size:1.2em;text-align:center;border:3px solid #000}section{margin:28px 0}
.meta{color:#555;font-size:.9em}table.claims{border-collapse:collapse;width:100%}.claims td,.claims th{border-bottom:
1px solid #ddd;padding:6px;text-align:left;vertical-align:top}.num{text-align:right;white-space:nowrap}
"""


def build_report(published: Path, out: Path, mode: str) -> dict:
    """Write the report; returns what it contains (for the CLI's message and for tests)."""
    import plotly.offline

    with duckdb.connect(str(published), read_only=True) as con:
        charts = [reserves_chart(con), spread_chart(con), absorption_chart(con), valuation_chart(con)]
        claims = _claims_table(con)
        built_from = con.execute("select max(finished_at) from meta.runs").fetchone()[0]
    sections = []
    for index, chart in enumerate(charts):
        div = chart.figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{index}",
                                   config={"displaylogo": False, "responsive": True})
        sections.append(f"<section class=chart><h2>{html.escape(chart.title)}</h2>{div}<p class=meta>"
                        f"Sources: {html.escape(chart.sources)} Data as of {chart.as_of}. {html.escape(chart.note)}"
                        "</p></section>")
    banner = ("<div class=banner id=sample-banner>SAMPLE DATA — synthetic figures generated by faultlines, not real "
              "markets. Build from the live APIs for real numbers.</div>" if mode == "sample" else "")
    docs = settings.home() / "docs" / "static_index.html"
    page = f"""<!doctype html><html lang=en><head><meta charset=utf-8><title>faultlines report ({mode})</title>
<meta name=viewport content="width=device-width,initial-scale=1"><style>{STYLE}</style>
<script>{plotly.offline.get_plotlyjs()}</script></head><body>{banner}
<h1>faultlines</h1><p class=sub>Reserves, bill absorption and valuations, from the {mode} warehouse last built
{built_from:%Y-%m-%d %H:%M} UTC. Report generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.
What every column means: <a href="{docs.as_uri()}">the dbt docs site</a> (<code>make docs</code>).</p>
{''.join(sections)}
<section><h2>The claims of the day, tested</h2>{claims}<p class=meta>Source: marts.mart_claims (verdict rules in SQL,
claims in the seed dbt_project/seeds/claims.csv).</p></section></body></html>"""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(out)
    return {"path": out, "bytes": out.stat().st_size, "charts": len(charts), "mode": mode}
