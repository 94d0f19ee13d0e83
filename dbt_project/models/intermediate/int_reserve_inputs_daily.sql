-- One row per calendar day: every input of the reserve-adequacy mart side by side, in billions or percent,
-- with the date of the observation used for each carried series.
--
-- The TGA is a daily level: the Daily Treasury Statement's closing balance of the day (or of the last DTS day, at
-- most var `statement_carry_days` back: weekends and holidays move no cash), the H.4.1 Wednesday level (WDTGAL)
-- where the DTS has none.
-- Net liquidity needs its three inputs at one date: the Wednesday of the Fed's latest balance sheet (WALCL), with the
-- TGA and ON RRP of that same day.
{%- set dollar_series = {
    'WRESBAL': 'reserves',
    'TOTRESNS': 'total_reserves',
    'WALCL': 'fed_total_assets',
    'WDTGAL': 'tga_h41',
    'RRPONTSYD': 'rrp',
    'GDP': 'gdp',
    'TLAACBW027SBOG': 'bank_assets',
} %}
{%- set rate_series = {'SOFR': 'sofr', 'EFFR': 'effr', 'TGCRRATE': 'tgcr', 'IORB': 'iorb', 'IOER': 'ioer'} %}

with as_of_day as (
    select * from {{ ref('int_fred__observations_as_of_day') }}
),

pivoted as (
    select
        date_day,
        {%- for series_id, name in dollar_series.items() %}
        max(case when series_id = '{{ series_id }}' then value_usd_bn end) as {{ name }}_usd_bn,
        max(case when series_id = '{{ series_id }}' then observation_date end) as {{ name }}_as_of,
        {%- endfor %}
        {%- for series_id, name in rate_series.items() %}
        max(case when series_id = '{{ series_id }}' then value_pct end) as {{ name }}_pct{{ "," if not loop.last }}
        {%- endfor %}
    from as_of_day
    group by date_day
),

dts as (
    select record_date, tga_close_usd_mn from {{ ref('stg_treasury__tga_daily') }}
),

latest_dts as (
    select
        pivoted.date_day,
        dts.record_date,
        dts.tga_close_usd_mn,
        pivoted.date_day - dts.record_date <= {{ var('statement_carry_days') }} as is_current
    from pivoted
    asof left join dts on pivoted.date_day >= dts.record_date
),

tga as (
    select
        pivoted.date_day,
        case when latest_dts.is_current then {{ usd_mn_to_bn('latest_dts.tga_close_usd_mn') }}
             else pivoted.tga_h41_usd_bn end as tga_usd_bn,
        case when latest_dts.is_current then latest_dts.record_date else pivoted.tga_h41_as_of end as tga_as_of,
        case when latest_dts.is_current then 'DTS'
             when pivoted.tga_h41_usd_bn is not null then 'H.4.1' end as tga_source
    from pivoted
    join latest_dts using (date_day)
)

select
    pivoted.* exclude (tga_h41_usd_bn, tga_h41_as_of),
    tga.tga_usd_bn,
    tga.tga_as_of,
    tga.tga_source,
    pivoted.fed_total_assets_as_of as net_liquidity_as_of,
    tga_that_wednesday.tga_usd_bn as net_liquidity_tga_usd_bn,
    rrp_that_wednesday.rrp_usd_bn as net_liquidity_rrp_usd_bn
from pivoted
join tga using (date_day)
left join tga as tga_that_wednesday on tga_that_wednesday.date_day = pivoted.fed_total_assets_as_of
left join pivoted as rrp_that_wednesday on rrp_that_wednesday.date_day = pivoted.fed_total_assets_as_of
