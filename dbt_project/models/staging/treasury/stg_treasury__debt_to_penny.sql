-- One row per business day: total public debt outstanding, in US dollars and cents as published.
with debt as (
    select * from {{ source('treasury', 'debt_to_penny') }}
)

select
    cast(record_date as date) as record_date,
    cast(tot_pub_debt_out_amt as decimal(18, 2)) as total_public_debt_usd,
    cast(debt_held_public_amt as decimal(18, 2)) as held_by_public_usd,
    cast(intragov_hold_amt as decimal(18, 2)) as intragovernmental_usd
from debt
