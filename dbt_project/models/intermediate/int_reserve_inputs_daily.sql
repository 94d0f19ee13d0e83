-- One row per calendar day: every input of the reserve-adequacy mart side by side, in billions or percent, as known
-- at the day's close (var `daily_close_time`): for each carried series the observation used (`*_as_of`), when it
-- was published (`*_known_from`, New York time) and its value as revised since (`*_latest_usd_bn`).
--
-- The TGA is a daily level: the Daily Treasury Statement's closing balance of the latest DTS day published by the
-- close (a DTS comes out the next business day at 16:00), at most var `statement_carry_days` old, else the H.4.1
-- Wednesday level (WDTGAL).
-- Net liquidity needs its three inputs at one date: the Wednesday of the Fed's latest balance sheet (WALCL), with the
-- TGA and ON RRP of that same Wednesday (each published before WALCL is).
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
        max(case when series_id = '{{ series_id }}' then known_from end) as {{ name }}_known_from,
        max(case when series_id = '{{ series_id }}' then latest_value_usd_bn end) as {{ name }}_latest_usd_bn,
        {%- endfor %}
        {%- for series_id, name in rate_series.items() %}
        max(case when series_id = '{{ series_id }}' then value_pct end) as {{ name }}_pct{{ "," if not loop.last }}
        {%- endfor %}
    from as_of_day
    group by date_day
),

dts as (
    -- A DTS is published the next business day at 16:00 (holidays not modelled).
    select
        record_date,
        tga_close_usd_mn,
        {{ at_time_of_day('(record_date + case ' ~ day_of_week('record_date') ~ ' when 5 then 3 when 6 then 2 else 1 end)',
                          "'16:00'") }} as known_from
    from {{ ref('stg_treasury__tga_daily') }}
),

dts_usable as (
    select
        *,
        {{ first_day_at_close('known_from') }} as usable_from
    from dts
),

latest_dts as (
    select
        pivoted.date_day,
        dts_usable.record_date,
        dts_usable.tga_close_usd_mn,
        dts_usable.known_from,
        {{ days_between('dts_usable.record_date', 'pivoted.date_day') }} <= {{ var('statement_carry_days') }}
            as is_current
    from {{ asof_left_join('pivoted', 'pivoted', 'dts_usable', 'dts_usable', [],
                           'pivoted.date_day', '>=', 'dts_usable.usable_from') }}
),

tga as (
    select
        pivoted.date_day,
        case when latest_dts.is_current then {{ usd_mn_to_bn('latest_dts.tga_close_usd_mn') }}
             else pivoted.tga_h41_usd_bn end as tga_usd_bn,
        case when latest_dts.is_current then latest_dts.record_date else pivoted.tga_h41_as_of end as tga_as_of,
        case when latest_dts.is_current then latest_dts.known_from else pivoted.tga_h41_known_from end
            as tga_known_from,
        case when latest_dts.is_current then 'DTS'
             when pivoted.tga_h41_usd_bn is not null then 'H.4.1' end as tga_source
    from pivoted
    join latest_dts using (date_day)
),

tga_of_day as (
    -- The TGA *of* each day (not as known on it): the last DTS day on or before it, else WDTGAL of that day.
    select
        spine.date_day,
        case when {{ days_between('dts.record_date', 'spine.date_day') }} <= {{ var('statement_carry_days') }}
             then {{ usd_mn_to_bn('dts.tga_close_usd_mn') }} end as tga_usd_bn,
        case when {{ days_between('dts.record_date', 'spine.date_day') }} <= {{ var('statement_carry_days') }}
             then dts.known_from end as known_from
    from {{ asof_left_join(ref('int_date_spine'), 'spine', 'dts', 'dts', [],
                           'spine.date_day', '>=', 'dts.record_date') }}
),

first_prints as (
    select series_id, observation_date, value_usd_bn, known_from
    from {{ ref('int_fred__vintages') }}
    where vintage_number = 1 and series_id in ('WDTGAL', 'RRPONTSYD')
),

rrp_of_day as (
    -- ON RRP *of* each day: that day's operation, or the last business day's over a weekend or holiday (3 days).
    select spine.date_day, rrp.value_usd_bn, rrp.known_from
    from {{ asof_left_join(ref('int_date_spine'), 'spine',
                           "(select * from first_prints where series_id = 'RRPONTSYD')", 'rrp', [],
                           'spine.date_day', '>=', 'rrp.observation_date') }}
    where {{ days_between('rrp.observation_date', 'spine.date_day') }} <= 3
)

select
    {#- Every pivoted column but the H.4.1 TGA's (tga_* below takes its place), spelled out: DuckDB's
        `* exclude` is not Spark's `* except`. #}
    pivoted.date_day,
    {%- for name in dollar_series.values() if name != 'tga_h41' %}
    pivoted.{{ name }}_usd_bn,
    pivoted.{{ name }}_as_of,
    pivoted.{{ name }}_known_from,
    pivoted.{{ name }}_latest_usd_bn,
    {%- endfor %}
    {%- for name in rate_series.values() %}
    pivoted.{{ name }}_pct,
    {%- endfor %}
    tga.tga_usd_bn,
    tga.tga_as_of,
    tga.tga_known_from,
    tga.tga_source,
    pivoted.fed_total_assets_as_of as net_liquidity_as_of,
    coalesce(tga_of_day.tga_usd_bn, wdtgal.value_usd_bn) as net_liquidity_tga_usd_bn,
    rrp.value_usd_bn as net_liquidity_rrp_usd_bn,
    greatest(pivoted.fed_total_assets_known_from,
             case when tga_of_day.tga_usd_bn is not null then tga_of_day.known_from else wdtgal.known_from end,
             rrp.known_from) as net_liquidity_known_from
from pivoted
join tga using (date_day)
left join tga_of_day on tga_of_day.date_day = pivoted.fed_total_assets_as_of
left join first_prints as wdtgal
    on wdtgal.series_id = 'WDTGAL' and wdtgal.observation_date = pivoted.fed_total_assets_as_of
left join rrp_of_day as rrp on rrp.date_day = pivoted.fed_total_assets_as_of
