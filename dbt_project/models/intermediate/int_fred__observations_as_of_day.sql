-- One row per (date_day, series_id): the latest non-missing observation on or before that day, but only while
-- it is still the current release (see the `fred_series_carry` seed). Older values become NULL rather than
-- being carried past the next scheduled release; `observation_date` says which observation was used.
with spine as (
    select * from {{ ref('int_date_spine') }}
),

carry as (
    select * from {{ ref('fred_series_carry') }}
),

observations as (
    select series_id, observation_date, value_usd_bn, value_pct
    from {{ ref('stg_fred__observations') }}
    where value_raw is not null
),

spine_by_series as (
    select spine.date_day, carry.series_id, carry.max_carry_days
    from spine
    cross join carry
),

latest as (
    select
        spine_by_series.date_day,
        spine_by_series.series_id,
        spine_by_series.max_carry_days,
        observations.observation_date,
        observations.value_usd_bn,
        observations.value_pct
    from spine_by_series
    asof left join observations
        on spine_by_series.series_id = observations.series_id
        and spine_by_series.date_day >= observations.observation_date
)

select
    date_day,
    series_id,
    case when fresh then observation_date end as observation_date,
    case when fresh then value_usd_bn end as value_usd_bn,
    case when fresh then value_pct end as value_pct
from (
    select *, date_day - observation_date <= max_carry_days as fresh
    from latest
)
