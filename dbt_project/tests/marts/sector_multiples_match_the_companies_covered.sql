{{ config(meta={'dagster': {'ref': {'name': 'mart_sector_valuation'}}}) }}
{#- Recomputes every sector's P/E and P/S from fct_equity_daily, each ratio's two sums over the same companies
    (those with a TTM value that day); returns the days where the mart disagrees. -#}
with equity as (
    select equity.*, universe.sector, universe.ai_basket
    from {{ ref('fct_equity_daily') }} as equity
    join {{ ref('stg_prices__universe') }} as universe using (ticker)
    where equity.market_cap_usd_bn is not null
),

memberships as (
    select trade_date, sector, market_cap_usd_bn, ttm_net_income_usd_bn, ttm_revenue_usd_bn from equity
    union all
    select trade_date, 'AI basket', market_cap_usd_bn, ttm_net_income_usd_bn, ttm_revenue_usd_bn
    from equity where ai_basket
    union all
    select trade_date, 'All', market_cap_usd_bn, ttm_net_income_usd_bn, ttm_revenue_usd_bn from equity
),

expected as (
    select
        trade_date,
        sector,
        case when sum(ttm_net_income_usd_bn) > 0 then
            sum(case when ttm_net_income_usd_bn is not null then market_cap_usd_bn end) / sum(ttm_net_income_usd_bn)
        end as pe_ratio,
        sum(case when ttm_revenue_usd_bn is not null then market_cap_usd_bn end)
            / nullif(sum(ttm_revenue_usd_bn), 0) as ps_ratio
    from memberships
    group by trade_date, sector
)

select expected.*, mart.pe_ratio as mart_pe_ratio, mart.ps_ratio as mart_ps_ratio
from expected
full join {{ ref('mart_sector_valuation') }} as mart using (trade_date, sector)
-- The mart rounds both ratios to 4 decimals.
where (expected.pe_ratio is null) <> (mart.pe_ratio is null)
   or abs(expected.pe_ratio - mart.pe_ratio) > 1e-4
   or (expected.ps_ratio is null) <> (mart.ps_ratio is null)
   or abs(expected.ps_ratio - mart.ps_ratio) > 1e-4
