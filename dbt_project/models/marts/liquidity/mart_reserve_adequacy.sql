-- Grain: one row per calendar day. How much reserves the banking system holds, against the economy and
-- against bank balance sheets, and whether money-market rates show strain (SOFR above IORB). Formulas: METRICS.md §1.
-- Point in time: every level is the one known at the day's close (`*_known_from` says when it was published);
-- `*_latest_usd_bn` and `reserves_to_gdp_latest_pct` are the same observations as revised since (hindsight).
with inputs as (
    select
        *,
        -- The administered rate on reserves: IORB from 2021-07-29, IOER before (the same role, renamed).
        coalesce(iorb_pct, ioer_pct) as reserve_rate_pct,
        case when iorb_pct is not null then 'IORB' when ioer_pct is not null then 'IOER' end as reserve_rate_series
    from {{ ref('int_reserve_inputs_daily') }}
),

ratios as (
    select
        *,
        100.0 * reserves_usd_bn / nullif(gdp_usd_bn, 0) as reserves_to_gdp_pct,
        100.0 * reserves_usd_bn / nullif(bank_assets_usd_bn, 0) as reserves_to_bank_assets_pct,
        100.0 * reserves_latest_usd_bn / nullif(gdp_latest_usd_bn, 0) as reserves_to_gdp_latest_pct,
        -- All three inputs dated the same Wednesday (net_liquidity_as_of), not a week average against a daily level.
        fed_total_assets_usd_bn - net_liquidity_tga_usd_bn - net_liquidity_rrp_usd_bn as net_liquidity_usd_bn,
        (sofr_pct - reserve_rate_pct) * 100 as sofr_iorb_spread_bp,
        (effr_pct - reserve_rate_pct) * 100 as effr_iorb_spread_bp,
        (tgcr_pct - reserve_rate_pct) * 100 as tgcr_iorb_spread_bp
    from inputs
)

select
    date_day,
    reserves_usd_bn,
    reserves_as_of,
    reserves_known_from,
    reserves_latest_usd_bn,
    total_reserves_usd_bn,
    total_reserves_as_of,
    total_reserves_known_from,
    total_reserves_latest_usd_bn,
    fed_total_assets_usd_bn,
    fed_total_assets_as_of,
    fed_total_assets_known_from,
    fed_total_assets_latest_usd_bn,
    tga_usd_bn,
    tga_as_of,
    tga_known_from,
    tga_source,
    rrp_usd_bn as rrp_buffer_usd_bn,
    rrp_as_of,
    rrp_known_from,
    net_liquidity_usd_bn,
    case when net_liquidity_usd_bn is not null then net_liquidity_as_of end as net_liquidity_as_of,
    case when net_liquidity_usd_bn is not null then net_liquidity_known_from end as net_liquidity_known_from,
    gdp_usd_bn,
    gdp_as_of,
    gdp_known_from,
    gdp_latest_usd_bn,
    bank_assets_usd_bn,
    bank_assets_as_of,
    bank_assets_known_from,
    bank_assets_latest_usd_bn,
    round(reserves_to_gdp_pct, 4) as reserves_to_gdp_pct,
    round(reserves_to_gdp_latest_pct, 4) as reserves_to_gdp_latest_pct,
    round(reserves_to_bank_assets_pct, 4) as reserves_to_bank_assets_pct,
    sofr_pct,
    effr_pct,
    tgcr_pct,
    reserve_rate_pct as iorb_pct,
    reserve_rate_series as iorb_series,
    round(sofr_iorb_spread_bp, 2) as sofr_iorb_spread_bp,
    round(effr_iorb_spread_bp, 2) as effr_iorb_spread_bp,
    round(tgcr_iorb_spread_bp, 2) as tgcr_iorb_spread_bp,
    sofr_iorb_spread_bp > 0 as sofr_above_iorb,
    count(*) filter (where sofr_iorb_spread_bp > 0)
        over (partition by date_trunc('month', date_day)) as sofr_above_iorb_days_in_month,
    date_day = last_day(date_day) as is_month_end,
    date_day = last_day(date_day) and month(date_day) in (3, 6, 9, 12) as is_quarter_end,
    case
        -- Both ratios or no label: a regime from GDP alone would hide the bank-assets test.
        when reserves_to_gdp_pct is null or reserves_to_bank_assets_pct is null then null
        when reserves_to_gdp_pct < {{ var('regime_scarce_below_reserves_to_gdp_pct') }}
            or reserves_to_bank_assets_pct < {{ var('regime_scarce_below_reserves_to_bank_assets_pct') }}
            then 'scarce'
        when reserves_to_gdp_pct >= {{ var('regime_abundant_min_reserves_to_gdp_pct') }} then 'abundant'
        else 'ample'
    end as regime
from ratios
