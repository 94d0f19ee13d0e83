-- Grain: one row per (ticker, trade_date). Price, shares and market cap, and the fundamentals as they were
-- known that day (no look-ahead: facts only from their filing date).
with bars as (
    select * from {{ ref('stg_prices__daily') }}
),

splits as (
    select * from {{ ref('stg_prices__splits') }}
),

shares_reported as (
    -- Cover-page share counts; dual-class issuers report one value per class in the same filing.
    select facts.cik, universe.ticker, facts.period_end as shares_as_of, max(facts.filed_date) as known_from,
           sum(facts.value) as shares_reported
    from {{ ref('stg_sec__facts') }} as facts
    join {{ ref('universe') }} as universe on universe.cik = facts.cik
    where facts.metric = 'shares_outstanding'
    group by facts.cik, universe.ticker, facts.period_end, facts.accession_number
),

shares_today_basis as (
    -- Restate each count on today's share basis (the basis of the split-adjusted close).
    select
        shares_reported.*,
        shares_reported * coalesce((
            select exp(sum(ln(splits.split_ratio))) from splits
            where splits.ticker = shares_reported.ticker and splits.split_date > shares_reported.shares_as_of
        ), 1) as shares_outstanding
    from shares_reported
),

fundamentals as (
    select ticker, fiscal_quarter_end, ttm_net_income_usd_bn, ttm_revenue_usd_bn, ttm_known_from
    from {{ ref('fct_fundamentals_ttm') }}
    where ttm_net_income_usd_bn is not null or ttm_revenue_usd_bn is not null
),

priced as (
    select
        bars.ticker,
        bars.trade_date,
        bars.close_usd,
        bars.adj_close_usd,
        bars.volume,
        shares.shares_outstanding,
        shares.shares_as_of,
        bars.close_usd * shares.shares_outstanding / 1e9 as market_cap_usd_bn,
        bars.adj_close_usd / lag(bars.adj_close_usd) over (partition by bars.ticker order by bars.trade_date) - 1
            as return_1d
    from bars
    asof left join shares_today_basis as shares
        on shares.ticker = bars.ticker and bars.trade_date >= shares.known_from
)

select
    priced.*,
    fundamentals.ttm_net_income_usd_bn,
    fundamentals.ttm_revenue_usd_bn,
    fundamentals.fiscal_quarter_end as fundamentals_as_of,
    fundamentals.ttm_known_from as fundamentals_known_from
from priced
asof left join fundamentals
    on fundamentals.ticker = priced.ticker and priced.trade_date >= fundamentals.ttm_known_from
