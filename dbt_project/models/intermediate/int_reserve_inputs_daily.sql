-- One row per calendar day: every input of the reserve-adequacy mart side by side, in billions or percent,
-- with the date of the observation used for each carried series.
{%- set dollar_series = {
    'WRESBAL': 'reserves',
    'TOTRESNS': 'total_reserves',
    'WALCL': 'fed_total_assets',
    'WTREGEN': 'tga',
    'RRPONTSYD': 'rrp',
    'GDP': 'gdp',
    'TLAACBW027SBOG': 'bank_assets',
} %}
{%- set rate_series = {'SOFR': 'sofr', 'EFFR': 'effr', 'TGCRRATE': 'tgcr', 'IORB': 'iorb', 'IOER': 'ioer'} %}

with as_of_day as (
    select * from {{ ref('int_fred__observations_as_of_day') }}
)

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
