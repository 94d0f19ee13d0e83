-- One row per (window_type, window_end): the windows the bill absorption ratio is measured over.
-- Weeks end on Wednesday to match H.4.1 and the SOMA as-of dates; months end on the last calendar day to match
-- the MSPD. A window covers (window_start, window_end]. Windows span the bill records (DTS issues and
-- redemptions, completed auctions) and only windows that are over are listed: one that ends today or later, or
-- after the last day the records reach, is not complete and is left out.
with auction_days as (
    select issue_date as day from {{ ref('stg_treasury__auctions') }}
    where security_type = 'Bill' and is_completed
),

dts_days as (
    select record_date as day from {{ ref('stg_treasury__public_debt_transactions') }}
    where security_market = 'Marketable' and security_type = 'Bills'
),

bounds as (
    select
        least((select min(day) from auction_days), (select min(day) from dts_days)) as first_day,
        -- Bills auctioned by the last auction are known up to their issue dates; the DTS to its last day.
        least(
            greatest(
                (select max(auction_date) from {{ ref('stg_treasury__auctions') }}
                 where security_type = 'Bill' and is_completed),
                (select max(day) from dts_days)
            ),
            current_date - 1
        ) as last_day
),

days as (
    select cast(day as date) as day
    from {{ from_days('bounds', 'first_day', 'last_day') }}
),

windows as (
    select 'week' as window_type, day as window_end from days where {{ day_of_week('day') }} = 3  -- Wednesday
    union all
    select distinct 'month' as window_type, last_day(day) as window_end from days
)

select
    window_type,
    cast(case window_type
        when 'week' then window_end - interval 7 day
        else last_day(window_end - interval 1 month)
    end as date) as window_start,
    window_end
from windows
where window_end <= (select last_day from bounds)
