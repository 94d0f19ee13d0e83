-- Grain: one row per (series_id, observation_date) of a FRED series the warehouse holds vintages of. How each
-- observation was first printed and what it is now: the number and size of its revisions, and how long they took.
with vintages as (
    select * from {{ ref('int_fred__vintages') }}
),

series as (
    select series_id, title, units from {{ ref('stg_fred__series') }}
),

by_observation as (
    select
        series_id,
        observation_date,
        min_by(value_raw, vintage_number) as first_print,
        min(known_from) as first_print_known_from,
        max_by(value_raw, vintage_number) as latest_value,
        max(known_from) as latest_known_from,
        count(*) - 1 as revision_count,
        max_by(vintage_source, vintage_number) as latest_vintage_source
    from vintages
    group by series_id, observation_date
)

select
    by_observation.series_id,
    series.title as series_title,
    series.units,
    by_observation.observation_date,
    by_observation.first_print,
    by_observation.first_print_known_from,
    by_observation.latest_value,
    by_observation.latest_known_from,
    by_observation.latest_vintage_source,
    by_observation.revision_count,
    by_observation.latest_value - by_observation.first_print as revision,
    round(100.0 * (by_observation.latest_value - by_observation.first_print)
          / nullif(abs(by_observation.first_print), 0), 4) as revision_pct,
    {{ dbt.datediff('by_observation.first_print_known_from', 'by_observation.latest_known_from', 'day') }}
        as days_first_print_to_latest
from by_observation
left join series on series.series_id = by_observation.series_id
