-- Grain: one row per FRED series. How much and which way the series is revised: over its observations with a
-- first print and a later value, the mean absolute revision (units and %), the share revised up, and how long
-- revisions take.
with revisions as (
    select * from {{ ref('mart_revisions') }}
)

select
    series_id,
    any_value(series_title) as series_title,
    any_value(units) as units,
    count(*) as observations,
    count(*) filter (where revision_count > 0) as revised_observations,
    sum(revision_count) as revisions,
    round(avg(abs(revision)) filter (where revision_count > 0), 6) as mean_abs_revision,
    round(avg(abs(revision_pct)) filter (where revision_count > 0), 4) as mean_abs_revision_pct,
    round(avg(revision_pct) filter (where revision_count > 0), 4) as mean_revision_pct,
    round(count(*) filter (where revision > 0) / nullif(count(*) filter (where revision_count > 0), 0), 4)
        as share_revised_up,
    round(avg(days_first_print_to_latest) filter (where revision_count > 0), 1) as mean_days_first_print_to_latest
from revisions
group by series_id
