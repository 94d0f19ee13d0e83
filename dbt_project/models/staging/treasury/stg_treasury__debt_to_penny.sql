-- One row per business day: total public debt outstanding, in $bn.
with debt as (
    select * from {{ source('treasury', 'debt_to_penny') }}
)

select
    cast(record_date as date) as record_date,
    tot_pub_debt_out_amt / 1e9 as total_public_debt_usd_bn,
    debt_held_public_amt / 1e9 as held_by_public_usd_bn,
    intragov_hold_amt / 1e9 as intragovernmental_usd_bn
from debt
