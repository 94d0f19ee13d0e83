-- One row per (date_day, series_id): the value of each FRED series as it was known at that day's close (var
-- `daily_close_time`, New York): the newest observation published by then, in the vintage current then, while it
-- is still the current release (`max_carry_days` after it became usable, see the `fred_release_calendar` seed).
-- `latest_value_*` is the same observation as revised since. Fixings (`is_fixing`: SOFR, EFFR, IORB, ...) describe
-- their own day and are never carried: a day has its own fixing or none, though it is published the next morning.
with spine as (
    select * from {{ ref('int_date_spine') }}
),

calendar as (
    select series_id, max_carry_days, is_fixing from {{ ref('fred_release_calendar') }}
),

vintages as (
    -- The first day whose close follows the vintage's publication.
    select
        *,
        {{ first_day_at_close('known_from') }} as usable_from
    from {{ ref('int_fred__vintages') }}
),

observations as (
    select series_id, observation_date, min(usable_from) as first_usable_from
    from vintages
    group by series_id, observation_date
),

releases as (
    -- The newest observation usable on each release day (a running maximum: an old observation's late first
    -- print never hides a newer one).
    select
        series_id,
        first_usable_from as usable_from,
        max(max(observation_date)) over (partition by series_id order by first_usable_from) as observation_date
    from observations
    group by series_id, first_usable_from
),

spine_by_series as (
    select spine.date_day, calendar.series_id, calendar.max_carry_days
    from spine
    cross join calendar
    where not calendar.is_fixing
),

newest as (
    select spine_by_series.*, releases.observation_date
    from {{ asof_left_join('spine_by_series', 'spine_by_series', 'releases', 'releases',
                           [('spine_by_series.series_id', 'releases.series_id')],
                           'spine_by_series.date_day', '>=', 'releases.usable_from') }}
),

known as (
    -- The vintage of that observation current at the day's close.
    select newest.*, vintages.known_from, vintages.value_usd_bn, vintages.value_pct
    from {{ asof_left_join('newest', 'newest', 'vintages', 'vintages',
                           [('newest.series_id', 'vintages.series_id'),
                            ('newest.observation_date', 'vintages.observation_date')],
                           'newest.date_day', '>=', 'vintages.usable_from') }}
),

carried as (
    select
        known.date_day,
        known.series_id,
        false as is_fixing,
        {{ days_between('observations.first_usable_from', 'known.date_day') }} <= known.max_carry_days as fresh,
        known.observation_date,
        known.known_from,
        known.value_usd_bn,
        known.value_pct
    from known
    left join observations
        on observations.series_id = known.series_id and observations.observation_date = known.observation_date
),

fixings as (
    -- The day's own fixing, as first published; NULL on a day without one.
    select
        spine.date_day,
        calendar.series_id,
        true as is_fixing,
        true as fresh,
        vintages.observation_date,
        vintages.known_from,
        vintages.value_usd_bn,
        vintages.value_pct
    from spine
    cross join calendar
    left join vintages
        on vintages.series_id = calendar.series_id
        and vintages.observation_date = spine.date_day
        and vintages.vintage_number = 1
    where calendar.is_fixing
),

latest as (
    select series_id, observation_date, value_usd_bn, value_pct
    from vintages
    where is_latest
),

as_of_day as (
    select * from carried
    union all
    select * from fixings
)

select
    as_of_day.date_day,
    as_of_day.series_id,
    as_of_day.is_fixing,
    case when as_of_day.fresh then as_of_day.observation_date end as observation_date,
    case when as_of_day.fresh then as_of_day.known_from end as known_from,
    case when as_of_day.fresh then as_of_day.value_usd_bn end as value_usd_bn,
    case when as_of_day.fresh then as_of_day.value_pct end as value_pct,
    case when as_of_day.fresh then latest.value_usd_bn end as latest_value_usd_bn,
    case when as_of_day.fresh then latest.value_pct end as latest_value_pct
from as_of_day
left join latest
    on latest.series_id = as_of_day.series_id and latest.observation_date = as_of_day.observation_date
