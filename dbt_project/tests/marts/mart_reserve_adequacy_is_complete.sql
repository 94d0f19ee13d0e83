-- One row per calendar day from var `spine_start_date`, no day missing, at least a year of them, and reserves on
-- at least 95 % of the days (a mart ending in a run of NULLs means the H.4.1 stopped loading). A row per rule broken.
with days as (
    select date_day, reserves_usd_bn, {{ days_between('lag(date_day) over (order by date_day)', 'date_day') }} as gap_days
    from {{ ref('mart_reserve_adequacy') }}
),

summary as (
    select count(*) as day_count, min(date_day) as first_day, count(reserves_usd_bn) as days_with_reserves
    from days
)

select 'a gap of ' || gap_days || ' days before ' || date_day as broken_rule
from days
where gap_days <> 1
union all
select 'starts on ' || first_day || ', not on var spine_start_date'
from summary
where first_day <> cast('{{ var("spine_start_date") }}' as date)
union all
select 'only ' || day_count || ' days'
from summary
where day_count < 365
union all
select 'reserves on only ' || days_with_reserves || ' of ' || day_count || ' days'
from summary
where days_with_reserves < 0.95 * day_count
