-- Grain: one row per (trade_date, sector). Every sector of the universe, plus `AI basket` and `All` as extra
-- "sectors". Cap-weighted P/E = Σ market cap / Σ TTM net income, both sums over the companies with a TTM net
-- income that day (losses stay in the sum; NULL when Σ ≤ 0), P/S likewise over those with a TTM revenue, each
-- with the share of the sector's cap it covers; fundamentals as known that day. Returns are cap-weighted from
-- adjusted closes.
with equity as (
    select equity.*, universe.sector, universe.ai_basket
    from {{ ref('fct_equity_daily') }} as equity
    join {{ ref('stg_prices__universe') }} as universe using (ticker)
    where equity.market_cap_usd_bn is not null
),

lagged as (
    -- Yesterday's cap, once per ticker (2.7M rows at scale 10), not once per membership (5.3M): a ticker's
    -- memberships hold all of its days, so the previous day is the same in each.
    select *, lag(market_cap_usd_bn) over (partition by ticker order by trade_date) as previous_cap
    from equity
),

memberships as (
    select *, sector as sector_name from lagged
    union all
    select *, 'AI basket' as sector_name from lagged where ai_basket
    union all
    select *, 'All' as sector_name from lagged
),

daily as (
    select
        trade_date,
        sector_name as sector,
        count(*) as constituents,
        sum(market_cap_usd_bn) as market_cap_usd_bn,
        sum(ttm_net_income_usd_bn) as ttm_net_income_usd_bn,
        sum(ttm_revenue_usd_bn) as ttm_revenue_usd_bn,
        -- Each multiple's numerator covers the companies its denominator covers, never the whole sector.
        sum(market_cap_usd_bn) filter (where ttm_net_income_usd_bn is not null) as earnings_market_cap_usd_bn,
        sum(market_cap_usd_bn) filter (where ttm_revenue_usd_bn is not null) as revenue_market_cap_usd_bn,
        count(ttm_net_income_usd_bn) as constituents_with_earnings,
        count(ttm_revenue_usd_bn) as constituents_with_revenue,
        {{ sum_of_largest('market_cap_usd_bn', 10) }} as top10_market_cap_usd_bn,
        -- Cap-weighted return: yesterday's caps weight today's returns (constituents present both days).
        sum(previous_cap * return_1d) / nullif(sum(previous_cap) filter (where return_1d is not null), 0)
            as return_1d
    from memberships
    group by trade_date, sector_name
),

universe_cap as (
    select trade_date, market_cap_usd_bn as universe_market_cap_usd_bn from daily where sector = 'All'
),

indexed as (
    select
        daily.*,
        universe_cap.universe_market_cap_usd_bn,
        exp(sum(ln(1 + coalesce(return_1d, 0))) over (partition by sector order by trade_date)) as index_level,
        case when ttm_net_income_usd_bn > 0 then earnings_market_cap_usd_bn / ttm_net_income_usd_bn end as pe_ratio,
        100.0 * earnings_market_cap_usd_bn / market_cap_usd_bn as earnings_cap_coverage_pct
    from daily
    join universe_cap using (trade_date)
),

valued as (
    select
        *,
        -- A P/E of a few early filers says little about the sector: such days stay out of the P/E's history.
        pe_ratio is not null
            and earnings_cap_coverage_pct >= {{ var('valuation_min_cap_coverage_pct') }} as in_history
    from indexed
)

select
    trade_date,
    sector,
    constituents,
    round(market_cap_usd_bn, 3) as market_cap_usd_bn,
    round(ttm_net_income_usd_bn, 3) as ttm_net_income_usd_bn,
    round(ttm_revenue_usd_bn, 3) as ttm_revenue_usd_bn,
    round(pe_ratio, 4) as pe_ratio,
    round(revenue_market_cap_usd_bn / nullif(ttm_revenue_usd_bn, 0), 4) as ps_ratio,
    constituents_with_earnings,
    round(coalesce(earnings_cap_coverage_pct, 0), 4) as earnings_cap_coverage_pct,
    constituents_with_revenue,
    round(100.0 * coalesce(revenue_market_cap_usd_bn, 0) / market_cap_usd_bn, 4) as revenue_cap_coverage_pct,
    round(100.0 * market_cap_usd_bn / universe_market_cap_usd_bn, 4) as share_of_universe_cap_pct,
    round(100.0 * top10_market_cap_usd_bn / market_cap_usd_bn, 4) as top10_concentration_pct,
    -- Where this day's P/E ranks among the sector's days in its history up to and including it (0 = cheapest so
    -- far): an expanding window, so a past day's percentile never depends on what came later. Days out of the
    -- history sit in their own partition and get none.
    case when in_history then round(100.0 * {{ expanding_percent_rank('pe_ratio', 'sector, in_history', 'trade_date') }},
        2) end as pe_percentile_in_history_pct,
    round(100.0 * (index_level / max(index_level) over (partition by sector order by trade_date) - 1), 4)
        as drawdown_from_peak_pct,
    round(100.0 * return_1d, 4) as return_1d_pct,
    round(100.0 * (index_level / lag(index_level, 5) over (partition by sector order by trade_date) - 1), 4)
        as return_5d_pct,
    round(100.0 * (index_level / lag(index_level, 20) over (partition by sector order by trade_date) - 1), 4)
        as return_20d_pct
from valued
