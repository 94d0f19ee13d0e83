-- One row per month-end and kind of marketable debt: the average interest rate on what was then outstanding.
with rates as (
    select * from {{ source('treasury', 'avg_interest_rates') }}
    where security_type_desc = 'Marketable'
)

select
    cast(record_date as date) as month_end,
    security_desc as security_kind,
    cast(avg_interest_rate_amt as double) as avg_interest_rate_pct
from rates
