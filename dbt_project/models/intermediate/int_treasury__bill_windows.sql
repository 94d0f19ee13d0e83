-- One row per (window_type, window_end): the windows the bill absorption ratio is measured over.
-- Weeks end on Wednesday to match H.4.1 and the SOMA as-of dates; months end on the last calendar day to match
-- the MSPD. A window covers (window_start, window_end].
with bounds as (
    select min(issue_date) as first_day, max(issue_date) as last_day
    from {{ ref('stg_treasury__auctions') }}
    where security_type = 'Bill' and is_completed
),

weeks as (
    select 'week' as window_type, cast(day as date) as window_end
    from bounds, range(bounds.first_day, bounds.last_day + interval 1 day, interval 1 day) as days(day)
    where dayofweek(day) = 3  -- Wednesday
),

months as (
    select distinct 'month' as window_type, last_day(cast(day as date)) as window_end
    from bounds, range(bounds.first_day, bounds.last_day + interval 1 day, interval 1 day) as days(day)
),

windows as (
    select * from weeks
    union all
    select * from months
)

select
    window_type,
    case window_type
        when 'week' then window_end - interval 7 day
        else last_day(window_end - interval 1 month)
    end::date as window_start,
    window_end
from windows
where window_end <= (select last_day from bounds)
