"""The report's equity charts: valuations per sector (P/E or P/S, chosen in the chart) with the AI basket's share of
the universe in its own panel, and the earnings shock of the last big AI earnings day."""

from __future__ import annotations

from orchestration.readers.report_charts import RATIO_TICKS, Chart, dbt_vars, frame, layout

# A day's move that makes an earnings day "big" for the earnings-shock chart (percent, either way).
BIG_MOVE_PCT = 5.0
DEFAULT_SECTORS = ("AI basket", "All")


def valuation_chart(con) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    # A multiple is drawn only on days when the companies behind it hold enough of the cap: the mart's own
    # threshold (the var its percentile history uses), so the chart and the claims start on the same day and the
    # warm-up years, when a sector's multiple rests on one or two filers, are left out.
    min_coverage = float(dbt_vars()["valuation_min_cap_coverage_pct"])
    data = frame(con, f"""select trade_date, sector,
                                case when earnings_cap_coverage_pct >= {min_coverage:g} then pe_ratio end as pe_ratio,
                                case when revenue_cap_coverage_pct >= {min_coverage:g} then ps_ratio end as ps_ratio,
                                share_of_universe_cap_pct
                         from marts.mart_sector_valuation
                         -- the last session of each week keeps the file small without hiding the trend
                         qualify row_number() over (partition by sector, date_trunc('week', trade_date)
                                                    order by trade_date desc) = 1
                         order by trade_date""")
    sectors = [*DEFAULT_SECTORS, *sorted(set(data.sector) - set(DEFAULT_SECTORS))]
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, row_heights=[0.7, 0.3])
    colours = {"AI basket": "#b2182b", "All": "#2166ac"}
    visible = {}
    for metric, label in (("pe_ratio", "P/E"), ("ps_ratio", "P/S")):
        for sector in sectors:
            rows = data[data.sector == sector]
            name = f"{'whole universe' if sector == 'All' else sector} {label}"
            shown = True if sector in DEFAULT_SECTORS else "legendonly"
            figure.add_trace(go.Scatter(x=rows.trade_date, y=rows[metric], name=name,
                                        line={"color": colours.get(sector), "width": 2 if sector in colours else 1},
                                        visible=shown if metric == "pe_ratio" else False), row=1, col=1)
            visible.setdefault(metric, []).append(shown)
    # The share from the first week the universe's P/E is drawn: before, the basket is one or two early filers.
    first_week = data[(data.sector == "All") & data.pe_ratio.notna()].trade_date.min()
    ai = data[(data.sector == "AI basket") & (data.trade_date >= first_week)]
    figure.add_trace(go.Scatter(x=ai.trade_date, y=ai.share_of_universe_cap_pct, name="AI basket share of cap",
                                line={"color": "#999"}), row=2, col=1)
    # The dropdown switches the multiple; a sector is shown or hidden by clicking it in the legend.
    hidden = [False] * len(sectors)
    shown_for = {"pe_ratio": [*visible["pe_ratio"], *hidden, True], "ps_ratio": [*hidden, *visible["ps_ratio"], True]}
    buttons = [{"label": label, "method": "update",
                "args": [{"visible": shown_for[metric]},
                         {"yaxis.title.text": f"{label} (cap-weighted, TTM)"}]}
               for metric, label in (("pe_ratio", "P/E"), ("ps_ratio", "P/S"))]
    layout(figure, "P/E (cap-weighted, TTM)", height=560,
           updatemenus=[{"buttons": buttons, "direction": "down", "x": 0, "xanchor": "left", "y": 1.12,
                         "yanchor": "top", "showactive": True}])
    figure.update_yaxes(tickformat=RATIO_TICKS, rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text="AI, % of cap", rangemode="tozero", tickformat=".0f", row=2, col=1)
    return Chart("chart-valuation", "Valuations by sector (P/E or P/S), and the AI basket's share of the universe",
                 figure, "Daily bars (chart API), SEC EDGAR XBRL facts (net income, revenue, shares), universe seed.",
                 str(data.trade_date.max())[:10] if len(data) else "",
                 f"Σ market cap ÷ Σ TTM net income (or revenue) over the companies that have one, losses included, "
                 f"drawn where they hold at least {min_coverage:g}% of the sector's cap; fundamentals from the first "
                 "session after their filing was accepted. Choose the multiple above the chart; click a sector in "
                 "the legend to show it.")


def last_big_ai_earnings_day(con):
    """The latest AI-basket earnings reaction that moved the stock at least BIG_MOVE_PCT on day 0 (a row)."""
    return con.execute(f"""select ticker, day0_date, news_source, return_day0_pct, return_day1_pct,
                                  return_window_pct, intraday_low_day0_pct, other_ai_return_day0_pct,
                                  other_ai_return_day1_pct, other_ai_return_window_pct, universe_return_day0_pct,
                                  return_day1_pct - excess_vs_universe_day1_pct as universe_return_day1_pct,
                                  return_window_pct - excess_vs_universe_window_pct as universe_return_window_pct
                           from marts.mart_earnings_reactions
                           where is_ai_basket and abs(return_day0_pct) >= {BIG_MOVE_PCT:g}
                           order by day0_date desc, abs(return_day0_pct) desc limit 1""").df()


def earnings_chart(con) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    event = last_big_ai_earnings_day(con)
    figure = make_subplots(rows=1, cols=2, column_widths=[0.45, 0.55], horizontal_spacing=0.1)
    if len(event):
        row = event.iloc[0]
        day0 = row.day0_date.date()
        windows = ["day 0", "day +1", "[−1, +5]"]
        for name, values, colour in (
                (row.ticker, [row.return_day0_pct, row.return_day1_pct, row.return_window_pct], "#b2182b"),
                ("rest of the AI basket", [row.other_ai_return_day0_pct, row.other_ai_return_day1_pct,
                                           row.other_ai_return_window_pct], "#f4a582"),
                ("whole universe", [row.universe_return_day0_pct, row.universe_return_day1_pct,
                              row.universe_return_window_pct], "#2166ac")):
            figure.add_trace(go.Bar(x=windows, y=values, name=name, marker_color=colour), row=1, col=1)
        members = con.execute("""select equity.ticker, 100 * equity.return_1d as return_pct
                                 from marts.fct_equity_daily as equity
                                 join staging.stg_prices__universe as universe using (ticker)
                                 where universe.ai_basket and equity.trade_date = ? and equity.return_1d is not null
                                 order by equity.return_1d""", [day0]).df()
        figure.add_trace(go.Bar(x=members.ticker, y=members.return_pct, name=f"each AI name on {day0}",
                                marker_color=["#b2182b" if t == row.ticker else "#999" for t in members.ticker]),
                         row=1, col=2)
        figure.add_hline(y=row.intraday_low_day0_pct, line={"color": "#b2182b", "dash": "dot", "width": 1},
                         annotation_text=f"{row.ticker} intraday low {row.intraday_low_day0_pct:+.1f}%",
                         annotation_position="bottom left", row=1, col=1)
        title = f"The last big AI earnings day: {row.ticker} on {day0} (after its {row.news_source})"
        as_of = str(day0)
    else:
        title, as_of = "The last big AI earnings day: none in the data", ""
    layout(figure, "total return, %", x_title="AI basket member, day 0", barmode="group")
    figure.update_xaxes(title_text="window (sessions from the news)", row=1, col=1)
    figure.update_yaxes(title_text="return on day 0, %", row=1, col=2)
    return Chart("chart-earnings", title, figure,
                 "marts.mart_earnings_reactions (SEC EDGAR acceptance times, daily bars); fct_equity_daily.", as_of,
                 f"Day 0 is the first session whose close follows the earnings release (or the filing); 'big' is a "
                 f"day-0 move of at least {BIG_MOVE_PCT:g}%. Returns are total returns from adjusted closes.")
