-- One row per (series_id, observation_date). Values keep FRED's units in `value_raw`; `value_usd_bn` and
-- `value_pct` put every series on one scale, using the units recorded per series (FRED has re-based units
-- before: WRESBAL and WTREGEN moved from billions to millions).
with observations as (
    select * from {{ source('fred', 'observations') }}
),

series as (
    select * from {{ ref('stg_fred__series') }}
)

select
    observations.series_id,
    cast(observations.date as date) as observation_date,
    observations.value as value_raw,
    series.units,
    series.unit_kind,
    {{ fred_value_columns('observations.value', 'series.unit_kind') }}
from observations
left join series on observations.series_id = series.series_id
