-- Grain: one row per (ticker, accession_number) of a 10-Q or 10-K. How the stock took the numbers: day 0 is the
-- first session whose close follows the news, which is the earnings release (the last 8-K with item 2.02
-- accepted after the period's end and no later than the filing) when there is one, else the filing's own
-- acceptance (at or after 16:00 New York time it is the next session; without a time, the session after the
-- filing date). Returns are total returns from adjusted closes: day 0 (close before → close), day +1, and the
-- window [−1, +5] (close before day −1 → close of day +5); each against the AI basket and the universe
-- (cap-weighted, mart_sector_valuation) and against the rest of the AI basket without the company ("did the others
-- follow?"). The intraday low of day 0 is read against the previous close (split-adjusted prices both).
with universe as (
    select * from {{ ref('stg_prices__universe') }}
),

filings as (
    select * from {{ ref('stg_sec__filings') }}
),

equity as (
    select
        equity.ticker,
        equity.trade_date,
        equity.close_usd,
        equity.return_1d,
        equity.market_cap_usd_bn,
        bars.low_usd,
        universe.ai_basket,
        -- Yesterday's cap weighs today's return, as in mart_sector_valuation.
        lag(equity.market_cap_usd_bn) over (partition by equity.ticker order by equity.trade_date) as previous_cap,
        row_number() over (partition by equity.ticker order by equity.trade_date) as session_number
    from {{ ref('fct_equity_daily') }} as equity
    join universe using (ticker)
    left join {{ ref('stg_prices__daily') }} as bars using (ticker, trade_date)
),

ai_basket_sums as (
    -- The basket's weights and weighted returns per day, so one company's part can be taken out of them.
    select
        trade_date,
        sum(previous_cap) filter (where return_1d is not null) as weight,
        sum(previous_cap * return_1d) filter (where return_1d is not null) as weighted_return
    from equity
    where ai_basket
    group by trade_date
),

benchmarks as (
    select
        trade_date,
        max(return_1d_pct) filter (where sector = 'AI basket') / 100 as ai_basket_return,
        max(return_1d_pct) filter (where sector = 'All') / 100 as universe_return
    from {{ ref('mart_sector_valuation') }}
    where sector in ('AI basket', 'All')
    group by trade_date
),

reports as (
    select
        universe.ticker,
        filings.cik,
        filings.accession_number,
        filings.form,
        filings.report_date,
        filings.filing_date,
        filings.accepted_at_new_york
    from filings
    join universe on universe.cik = filings.cik
    where filings.form in ('10-Q', '10-K')
),

with_release as (
    select
        reports.*,
        releases.accession_number as release_accession_number,
        releases.accepted_at_new_york as release_accepted_at_new_york,
        releases.filing_date as release_filing_date
    from reports
    left join filings as releases
        on releases.cik = reports.cik
        and releases.is_earnings_release
        and releases.filing_date > reports.report_date
        and releases.filing_date <= reports.filing_date
    qualify row_number() over (
        partition by reports.ticker, reports.accession_number
        order by releases.filing_date desc, releases.accepted_at_new_york desc nulls last
    ) = 1
),

news as (
    select
        *,
        case when release_accession_number is not null then 'earnings release' else 'filing' end as news_source,
        coalesce(release_accepted_at_new_york, case when release_accession_number is null
                                                    then accepted_at_new_york end) as news_at_new_york,
        coalesce(release_filing_date, filing_date) as news_date
    from with_release
),

first_day as (
    select
        *,
        coalesce({{ first_day_at_close('news_at_new_york', at_close_counts=false) }}, news_date + 1) as first_day
    from news
),

day_zero as (
    select first_day.*, sessions.session_number as day0_number
    from {{ asof_left_join('first_day', 'first_day', 'equity', 'sessions', [('first_day.ticker', 'sessions.ticker')],
                           'first_day.first_day', '<=', 'sessions.trade_date') }}
),

path as (
    -- Every session of the window [−1, +5] of every event, with the benchmarks and the rest of the basket.
    select
        day_zero.ticker,
        day_zero.accession_number,
        equity.session_number - day_zero.day0_number as relative_day,
        equity.trade_date,
        equity.return_1d,
        benchmarks.ai_basket_return,
        benchmarks.universe_return,
        case
            when equity.ai_basket and equity.return_1d is not null
                then (basket.weighted_return - equity.previous_cap * equity.return_1d)
                    / nullif(basket.weight - equity.previous_cap, 0)
            else basket.weighted_return / nullif(basket.weight, 0)
        end as other_ai_return
    from day_zero
    join equity
        on equity.ticker = day_zero.ticker
        and equity.session_number between day_zero.day0_number - 1 and day_zero.day0_number + 5
    left join benchmarks using (trade_date)
    left join ai_basket_sums as basket using (trade_date)
),

compounded as (
    select
        ticker,
        accession_number,
        count(*) as window_sessions,
        max(trade_date) filter (where relative_day = 0) as day0_date,
        max(trade_date) filter (where relative_day = 1) as day1_date,
        max(return_1d) filter (where relative_day = 0) as return_day0,
        max(return_1d) filter (where relative_day = 1) as return_day1,
        max(ai_basket_return) filter (where relative_day = 0) as ai_basket_day0,
        max(ai_basket_return) filter (where relative_day = 1) as ai_basket_day1,
        max(universe_return) filter (where relative_day = 0) as universe_day0,
        max(universe_return) filter (where relative_day = 1) as universe_day1,
        max(other_ai_return) filter (where relative_day = 0) as other_ai_day0,
        max(other_ai_return) filter (where relative_day = 1) as other_ai_day1,
        -- Over the window only when every one of its seven sessions has a return.
        case when count(return_1d) = 7 then exp(sum(ln(1 + return_1d))) - 1 end as return_window,
        case when count(ai_basket_return) = 7 then exp(sum(ln(1 + ai_basket_return))) - 1 end as ai_basket_window,
        case when count(universe_return) = 7 then exp(sum(ln(1 + universe_return))) - 1 end as universe_window,
        case when count(other_ai_return) = 7 then exp(sum(ln(1 + other_ai_return))) - 1 end as other_ai_window
    from path
    group by ticker, accession_number
),

day0_prices as (
    select
        day_zero.ticker,
        day_zero.accession_number,
        today.low_usd / nullif(yesterday.close_usd, 0) - 1 as intraday_low_vs_previous_close,
        yesterday.market_cap_usd_bn as market_cap_before_usd_bn
    from day_zero
    join equity as today on today.ticker = day_zero.ticker and today.session_number = day_zero.day0_number
    join equity as yesterday on yesterday.ticker = day_zero.ticker and yesterday.session_number = day_zero.day0_number - 1
)

select
    day_zero.ticker,
    day_zero.cik,
    day_zero.accession_number,
    day_zero.form,
    day_zero.report_date as fiscal_period_end,
    day_zero.filing_date,
    day_zero.accepted_at_new_york as filing_accepted_at_new_york,
    day_zero.release_accession_number,
    day_zero.news_source,
    day_zero.news_at_new_york,
    compounded.day0_date,
    compounded.day1_date,
    universe.ai_basket as is_ai_basket,
    round(day0_prices.market_cap_before_usd_bn, 4) as market_cap_before_usd_bn,
    round(100 * compounded.return_day0, 4) as return_day0_pct,
    round(100 * day0_prices.intraday_low_vs_previous_close, 4) as intraday_low_day0_pct,
    round(100 * compounded.return_day1, 4) as return_day1_pct,
    round(100 * compounded.return_window, 4) as return_window_pct,
    round(100 * (compounded.return_day0 - compounded.ai_basket_day0), 4) as excess_vs_ai_basket_day0_pct,
    round(100 * (compounded.return_day0 - compounded.universe_day0), 4) as excess_vs_universe_day0_pct,
    round(100 * (compounded.return_day1 - compounded.ai_basket_day1), 4) as excess_vs_ai_basket_day1_pct,
    round(100 * (compounded.return_day1 - compounded.universe_day1), 4) as excess_vs_universe_day1_pct,
    round(100 * (compounded.return_window - compounded.ai_basket_window), 4) as excess_vs_ai_basket_window_pct,
    round(100 * (compounded.return_window - compounded.universe_window), 4) as excess_vs_universe_window_pct,
    round(100 * compounded.other_ai_day0, 4) as other_ai_return_day0_pct,
    round(100 * compounded.other_ai_day1, 4) as other_ai_return_day1_pct,
    round(100 * compounded.other_ai_window, 4) as other_ai_return_window_pct,
    round(100 * (compounded.other_ai_day0 - compounded.universe_day0), 4) as other_ai_excess_vs_universe_day0_pct,
    round(100 * (compounded.other_ai_window - compounded.universe_window), 4)
        as other_ai_excess_vs_universe_window_pct,
    round(100 * compounded.universe_day0, 4) as universe_return_day0_pct,
    round(100 * compounded.ai_basket_day0, 4) as ai_basket_return_day0_pct
from day_zero
join universe using (ticker)
left join compounded using (ticker, accession_number)
left join day0_prices using (ticker, accession_number)
