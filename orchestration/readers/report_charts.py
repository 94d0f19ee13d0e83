"""The report's liquidity charts: reserves (level and % of GDP), the Fed's balance sheet, SOFR − IORB, repo stress,
bill absorption and the Treasury's debt. Each draws from the published marts only and names its sources.

Every axis carries a title with its unit. A second quantity gets its own panel (a subplot row with a shared date
axis), never a right-hand axis laid over the first: plotly picks that axis's ticks to line up with the left one's,
which gave ticks like −0.503 and 2.6 and put ratio 0 beside some other amount than $0bn.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from ingestion import settings

CLAIMS_MARKS = {  # the dates the claims compare, drawn on the reserves chart
    "2007": ("2007-12-31", "2007: ≈$45bn claimed"),
    "2023": ("2023-06-30", "2023: $2.2tn claimed"),
}
RATIO_TICKS = ".3~g"  # at most three significant digits on ratio axes (P/E, P/S, absorption ratio)


@dataclass
class Chart:
    anchor: str  # the section's id: headlines and claims link to it
    title: str
    figure: object  # plotly Figure
    sources: str
    as_of: str
    note: str = ""


def dbt_vars() -> dict:
    """The vars of dbt_project.yml: the report draws with the thresholds and dates the marts were built with."""
    return yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def regime_thresholds() -> dict[str, float]:
    return {k: float(v) for k, v in dbt_vars().items() if k.startswith("regime_")}


def frame(con, sql: str):
    return con.execute(sql).df()


def layout(figure, y_title: str, x_title: str = "date", **kwargs) -> None:
    """The report's look, the (top) y-axis title and the x-axis title under the bottom panel."""
    kwargs.setdefault("height", 430 if len(x_axes_of(figure)) < 2 else 520)
    figure.update_layout(template="plotly_white", margin={"l": 70, "r": 30, "t": 30, "b": 40},
                         legend={"orientation": "h", "y": -0.2}, hovermode="x unified", **kwargs)
    figure.layout.yaxis.title.text = y_title
    x_axes = x_axes_of(figure)
    figure.layout[x_axes[-1] if x_axes else "xaxis"].title.text = x_title


def x_axes_of(figure) -> list[str]:
    return sorted((k for k in figure.layout.to_plotly_json() if k.startswith("xaxis")), key=lambda k: (len(k), k))


def _as_of(series) -> str:
    return str(series.max())[:10] if len(series) else ""


def _two_panels(top_share: float = 0.68):
    from plotly.subplots import make_subplots

    return make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                         row_heights=[top_share, 1 - top_share])


def _mark(figure, day: str, label: str) -> None:
    figure.add_vline(x=day, line={"color": "#555", "width": 1, "dash": "dot"})
    figure.add_annotation(x=day, y=1.02, yref="paper", text=label, showarrow=False, font={"size": 11})


def reserves_chart(con) -> Chart:
    import plotly.graph_objects as go

    thresholds = regime_thresholds()
    data = frame(con, """select date_day, reserves_usd_bn, total_reserves_usd_bn, gdp_usd_bn
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
    # The level the claim "banks need more than $3tn" is about.
    figure.add_scatter(x=data.date_day, y=[3000] * len(data), name="$3tn: claimed as needed now", mode="lines",
                       line={"color": "#762a83", "width": 1.5})
    latest = data.dropna(subset=["reserves_usd_bn"]).iloc[-1]
    for day, label in [*CLAIMS_MARKS.values(), (str(latest.date_day)[:10], f"now: ${latest.reserves_usd_bn:,.0f}bn")]:
        _mark(figure, day, label)
    layout(figure, "reserves, $bn (log scale)", yaxis_type="log")
    return Chart("chart-reserves", "Bank reserves since 2005, against the adequacy thresholds and $3tn", figure,
                 "FRED: WRESBAL, TOTRESNS (H.4.1, H.3), GDP (BEA). Thresholds: dbt vars regime_* (METRICS.md).",
                 str(latest.date_day)[:10],
                 "Thresholds move with nominal GDP. A value is carried only until its next scheduled release.")


def reserves_gdp_chart(con) -> Chart:
    import plotly.graph_objects as go

    thresholds = regime_thresholds()
    scarce, abundant = (thresholds["regime_scarce_below_reserves_to_gdp_pct"],
                        thresholds["regime_abundant_min_reserves_to_gdp_pct"])
    data = frame(con, """select date_day, reserves_to_gdp_pct, regime from marts.mart_reserve_adequacy
                         where reserves_to_gdp_pct is not null
                           and (dayofweek(date_day) = 3
                                or date_day = (select max(date_day) from marts.mart_reserve_adequacy
                                               where reserves_to_gdp_pct is not null))
                         order by date_day""")
    figure = go.Figure()
    top = max(float(data.reserves_to_gdp_pct.max()) * 1.1, abundant + 4) if len(data) else abundant + 4
    for low, high, colour, label in ((0, scarce, "#f4a582", f"scarce (< {scarce:g}%)"),
                                     (scarce, abundant, "#fddbc7", f"ample ({scarce:g}–{abundant:g}%)"),
                                     (abundant, top, "#d1e5f0", f"abundant (≥ {abundant:g}%)")):
        figure.add_hrect(y0=low, y1=high, fillcolor=colour, opacity=0.45, line_width=0, annotation_text=label,
                         annotation_position="top left", layer="below")
    figure.add_scatter(x=data.date_day, y=data.reserves_to_gdp_pct, name="reserve balances ÷ nominal GDP",
                       line={"color": "#2166ac", "width": 2})
    layout(figure, "reserves, % of GDP", yaxis_range=[0, top])
    latest = data.iloc[-1] if len(data) else None
    return Chart("chart-reserves-gdp", "Reserves as a share of GDP, in the regime bands", figure,
                 "FRED: WRESBAL, GDP. Bands: dbt vars regime_* (METRICS.md §1).",
                 str(latest.date_day)[:10] if latest is not None else "",
                 "The regime in mart_reserve_adequacy also checks reserves against bank assets (H.8).")


def balance_sheet_chart(con) -> Chart:
    import plotly.graph_objects as go

    data = frame(con, """select date_day, fed_total_assets_usd_bn, tga_usd_bn, rrp_buffer_usd_bn,
                                net_liquidity_usd_bn, reserves_usd_bn
                         from marts.mart_reserve_adequacy
                         where dayofweek(date_day) = 3 and date_day >= date '2008-01-01'
                         order by date_day""")
    figure = go.Figure()
    for column, name, colour in (("fed_total_assets_usd_bn", "Fed total assets (WALCL)", "#2166ac"),
                                 ("net_liquidity_usd_bn", "net liquidity = assets − TGA − ON RRP", "#1b7837"),
                                 ("reserves_usd_bn", "reserve balances", "#67a9cf"),
                                 ("tga_usd_bn", "Treasury General Account (TGA)", "#b2182b"),
                                 ("rrp_buffer_usd_bn", "ON reverse repo (RRP)", "#e08214")):
        figure.add_scatter(x=data.date_day, y=data[column], name=name, line={"color": colour, "width": 1.5},
                           connectgaps=True)
    _mark(figure, "2025-12-01", "QT ended")
    layout(figure, "$bn (Wednesdays)")
    return Chart("chart-balance-sheet", "The Fed's balance sheet: total assets, TGA, ON RRP and net liquidity",
                 figure, "FRED: WALCL, WRESBAL, RRPONTSYD; US Treasury: Daily Treasury Statement (TGA).",
                 _as_of(data.date_day), "Net liquidity takes its three inputs on one Wednesday.")


def spread_chart(con) -> Chart:
    import plotly.graph_objects as go

    data = frame(con, """select date_day, sofr_iorb_spread_bp
                         from marts.mart_reserve_adequacy
                         where sofr_iorb_spread_bp is not null and date_day >= date '2018-04-02'
                         order by date_day""")
    # A month-end on a weekend has no fixing: the month's last fixing stands for it.
    data["month"] = data.date_day.dt.to_period("M")
    last = data.groupby("month").date_day.transform("max") == data.date_day
    month_ends = data[last]
    quarter_ends = month_ends[month_ends.date_day.dt.month.isin((3, 6, 9, 12))]
    figure = go.Figure()
    figure.add_scatter(x=data.date_day, y=data.sofr_iorb_spread_bp, name="SOFR − IORB (IOER before 2021-07-29)",
                       mode="lines", line={"color": "#2166ac", "width": 1})
    figure.add_scatter(x=month_ends.date_day, y=month_ends.sofr_iorb_spread_bp, name="month-ends",
                       mode="markers", marker={"color": "#d6604d", "size": 6})
    figure.add_scatter(x=quarter_ends.date_day, y=quarter_ends.sofr_iorb_spread_bp, name="quarter-ends",
                       mode="markers", marker={"color": "#67001f", "size": 8, "symbol": "diamond"})
    figure.add_hline(y=0, line={"color": "#333", "width": 1})
    layout(figure, "SOFR − IORB, basis points")
    return Chart("chart-spread", "SOFR minus the rate on reserves, month- and quarter-ends highlighted", figure,
                 "NY Fed: SOFR (via FRED SOFR); Fed: IORB, IOER (FRED).", _as_of(data.date_day),
                 "Above zero, repo costs more than the Fed pays on reserves: a sign reserves are getting scarce.")


def repo_stress_chart(con) -> Chart:
    import plotly.graph_objects as go

    data = frame(con, """select date_day, sofr_pct, sofr_p1_pct, sofr_p25_pct, sofr_p75_pct, sofr_p99_pct, iorb_pct,
                                srf_accepted_usd_bn
                         from marts.mart_repo_stress
                         where date_day >= (select max(date_day) from marts.mart_repo_stress) - interval 2 year
                         order by date_day""")
    figure = _two_panels()
    band = {"mode": "lines", "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"}
    figure.add_trace(go.Scatter(x=data.date_day, y=data.sofr_p1_pct, **band), row=1, col=1)
    figure.add_trace(go.Scatter(x=data.date_day, y=data.sofr_p99_pct, fill="tonexty", name="1st–99th percentile",
                                fillcolor="rgba(33,102,172,0.18)", mode="lines", line={"width": 0}), row=1, col=1)
    figure.add_trace(go.Scatter(x=data.date_day, y=data.sofr_p25_pct, **band), row=1, col=1)
    figure.add_trace(go.Scatter(x=data.date_day, y=data.sofr_p75_pct, fill="tonexty", name="25th–75th percentile",
                                fillcolor="rgba(33,102,172,0.45)", mode="lines", line={"width": 0}), row=1, col=1)
    figure.add_trace(go.Scatter(x=data.date_day, y=data.sofr_pct, name="SOFR", line={"color": "#053061", "width": 1}),
                     row=1, col=1)
    figure.add_trace(go.Scatter(x=data.date_day, y=data.iorb_pct, name="IORB", line={"color": "#b2182b", "width": 1.5,
                                                                                     "dash": "dash"}), row=1, col=1)
    figure.add_trace(go.Bar(x=data.date_day, y=data.srf_accepted_usd_bn, name="standing repo facility take-up",
                            marker_color="#e08214"), row=2, col=1)
    layout(figure, "rate, %")
    figure.update_yaxes(title_text="SRF, $bn", row=2, col=1, rangemode="tozero")
    return Chart("chart-repo", "Repo stress: SOFR's percentile band against IORB, and standing repo facility take-up",
                 figure, "NY Fed Markets API: reference rates (SOFR percentiles), repo operation results (SRF); "
                 "Fed: IORB (FRED).", _as_of(data.date_day),
                 "The last two years. Trades above IORB are repo dearer than reserves; SRF take-up is banks "
                 "borrowing from the Fed against Treasuries and MBS.")


def absorption_chart(con) -> Chart:
    import plotly.graph_objects as go

    # Calendar months do not line up with the Wednesday SOMA dates, so each month here is the H.4.1 weeks ending in
    # it: net issuance and the change in the Fed's bills over exactly the same days.
    data = frame(con, """select last_day(window_end) as month_end,
                                sum(net_bill_issuance_usd_bn) as net_bill_issuance_usd_bn,
                                sum(soma_bill_change_usd_bn) as soma_bill_change_usd_bn,
                                case when sum(net_bill_issuance_usd_bn) > 0
                                     then sum(soma_bill_change_usd_bn) / sum(net_bill_issuance_usd_bn) end as ratio,
                                max(window_end) as last_week_end
                         from marts.mart_bill_absorption
                         where window_type = 'week' and window_end >= date '2022-01-01'
                             and net_bill_issuance_usd_bn is not null and soma_bill_change_usd_bn is not null
                         group by 1 order by 1""")
    figure = _two_panels()
    figure.add_trace(go.Bar(x=data.month_end, y=data.net_bill_issuance_usd_bn, name="net bill issuance",
                            marker_color="#92c5de"), row=1, col=1)
    figure.add_trace(go.Bar(x=data.month_end, y=data.soma_bill_change_usd_bn, name="change in the Fed's bill holdings",
                            marker_color="#2166ac"), row=1, col=1)
    figure.add_trace(go.Scatter(x=data.month_end, y=data.ratio, name="absorption ratio (Fed ÷ net issuance)",
                                mode="lines+markers", line={"color": "#b2182b"}), row=2, col=1)
    # The day the Fed's reserve-management bill purchases began: the dbt var mart_claims measures the claim from.
    start = str(dbt_vars()["reserve_management_purchases_start"])
    _mark(figure, start, f"{start}: reserve-management purchases")
    layout(figure, "$bn per month (H.4.1 weeks)", barmode="group")
    figure.update_yaxes(title_text="ratio", tickformat=RATIO_TICKS, zeroline=True, row=2, col=1)
    return Chart("chart-absorption", "Bill absorption by month: how much of the new bill supply the Fed takes", figure,
                 "US Treasury Fiscal Data: Daily Treasury Statement (bills issued and redeemed); NY Fed: SOMA bill "
                 "holdings (Wednesdays).", _as_of(data.last_week_end),
                 "Months are the H.4.1 weeks ending in them. No ratio is drawn when net issuance is not positive.")


def debt_chart(con) -> Chart:
    import plotly.graph_objects as go

    shares = frame(con, """select window_end as month_end, bill_share_of_marketable_pct
                           from marts.mart_bill_absorption
                           where window_type = 'month' and bill_share_of_marketable_pct is not null
                           order by 1""")
    weekly = frame(con, """select as_of_date, fed_share_of_marketable_pct, total_public_debt_usd_bn / 1000 as debt_tn
                           from marts.mart_fed_balance_sheet order by 1""")
    figure = _two_panels(0.6)
    figure.add_trace(go.Scatter(x=shares.month_end, y=shares.bill_share_of_marketable_pct,
                                name="bills, % of marketable debt (MSPD)", line={"color": "#2166ac"}), row=1, col=1)
    figure.add_trace(go.Scatter(x=weekly.as_of_date, y=weekly.fed_share_of_marketable_pct,
                                name="Fed's share of marketable debt (SOMA ÷ MSPD)", line={"color": "#b2182b"}),
                     row=1, col=1)
    figure.add_trace(go.Scatter(x=weekly.as_of_date, y=weekly.debt_tn, name="total public debt (Debt to the Penny)",
                                line={"color": "#333"}, connectgaps=True), row=2, col=1)
    layout(figure, "% of marketable debt")
    figure.update_yaxes(title_text="debt, $tn", row=2, col=1)
    return Chart("chart-debt", "The Treasury's debt: the bill share, the Fed's share and the total", figure,
                 "US Treasury Fiscal Data: MSPD, Debt to the Penny; NY Fed: SOMA summary.",
                 _as_of(weekly.as_of_date), "The Fed's share is its Treasury securities (bills, notes and bonds, "
                 "TIPS, FRNs) over marketable debt at the latest month-end out by that Wednesday.")
