-- One row per (cik, accession_number) of a filing with facts: the first session whose close follows the filing's
-- acceptance, from which its facts and share counts count (a filing accepted at or after 16:00 New York time, the
-- close, counts from the next session). Without an acceptance time (filings older than the ~1,000 EDGAR lists
-- per company, or loaded before the column existed) the filing counts from the session after its filing date.
with facts as (
    select * from {{ ref('stg_sec__facts') }}
),

filings as (
    select * from {{ ref('stg_sec__filings') }}
),

sessions as (
    -- The days the universe traded: the exchange calendar, holidays included, as far as bars are loaded.
    select distinct trade_date from {{ ref('stg_prices__daily') }}
),

accessions as (
    select
        facts.cik,
        facts.accession_number,
        min(facts.filed_date) as filed_date,
        any_value(filings.accepted_at_new_york) as accepted_at_new_york
    from facts
    left join filings
        on filings.cik = facts.cik and filings.accession_number = facts.accession_number
    group by facts.cik, facts.accession_number
),

first_day as (
    -- The first calendar day whose close comes after the acceptance.
    select
        *,
        coalesce({{ first_day_at_close('accepted_at_new_york', at_close_counts=false) }}, filed_date + 1) as first_day
    from accessions
)

select
    first_day.cik,
    first_day.accession_number,
    first_day.filed_date,
    first_day.accepted_at_new_york,
    -- Outside the loaded bars the session is not known (yet): the calendar day stands in.
    coalesce(
        case when first_day.first_day >= (select min(trade_date) from sessions) then sessions.trade_date end,
        first_day.first_day
    ) as known_from
from {{ asof_left_join('first_day', 'first_day', 'sessions', 'sessions', [],
                       'first_day.first_day', '<=', 'sessions.trade_date') }}
