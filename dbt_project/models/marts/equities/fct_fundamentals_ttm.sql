-- Grain: one row per (ticker, fiscal quarter end). Quarterly net income and revenue and their trailing
-- twelve months (sum of four consecutive quarters), public from `known_from` (the latest of the four filings).
{%- set year_days = var('fiscal_year_min_days') ~ ' and ' ~ var('fiscal_year_max_days') %}
with universe as (
    select * from {{ ref('stg_prices__universe') }}
),

quarterly as (
    select
        cik,
        period_end,
        max(period_start) as period_start,
        max(case when metric = 'net_income' then value end) as net_income_usd,
        max(case when metric = 'revenue' then value end) as revenue_usd,
        max(known_from) as known_from,
        bool_or(is_derived_q4) as is_derived_q4
    from {{ ref('int_sec__quarterly_values') }}
    group by cik, period_end
),

ttm as (
    select
        *,
        sum(net_income_usd) over last_four as ttm_net_income_usd,
        sum(revenue_usd) over last_four as ttm_revenue_usd,
        count(net_income_usd) over last_four as quarters_with_income,
        count(revenue_usd) over last_four as quarters_with_revenue,
        min(period_start) over last_four as ttm_start,
        max(known_from) over last_four as ttm_known_from
    from quarterly
    window last_four as (partition by cik order by period_end rows between 3 preceding and current row)
)

select
    universe.ticker,
    ttm.cik,
    ttm.period_end as fiscal_quarter_end,
    ttm.period_start as fiscal_quarter_start,
    ttm.is_derived_q4,
    {{ usd_to_bn('ttm.net_income_usd') }} as net_income_usd_bn,
    {{ usd_to_bn('ttm.revenue_usd') }} as revenue_usd_bn,
    -- Four quarters that really span a year; otherwise a gap would make a TTM of the wrong length.
    case when quarters_with_income = 4 and {{ days_between('ttm_start', 'period_end') }} between {{ year_days }}
        then {{ usd_to_bn('ttm_net_income_usd') }} end as ttm_net_income_usd_bn,
    case when quarters_with_revenue = 4 and {{ days_between('ttm_start', 'period_end') }} between {{ year_days }}
        then {{ usd_to_bn('ttm_revenue_usd') }} end as ttm_revenue_usd_bn,
    ttm.known_from as quarter_known_from,
    ttm.ttm_known_from
from ttm
join universe on universe.cik = ttm.cik
