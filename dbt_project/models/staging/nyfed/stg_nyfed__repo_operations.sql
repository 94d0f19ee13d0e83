-- One row per repo operation (small-value exercises were left out at load), amounts in $bn.
with operations as (
    select * from {{ source('nyfed', 'repo_operations') }}
)

select
    operation_id,
    cast(operation_date as date) as operation_date,
    operation_method,
    term,
    close_time,
    {{ usd_to_bn('coalesce(total_amt_accepted, 0)') }} as accepted_usd_bn,
    {{ usd_to_bn('total_amt_submitted') }} as submitted_usd_bn,
    {{ usd_to_bn('treasury_amt_accepted') }} as treasury_accepted_usd_bn,
    {{ usd_to_bn('agency_amt_accepted') }} as agency_accepted_usd_bn,
    {{ usd_to_bn('mbs_amt_accepted') }} as mbs_accepted_usd_bn,
    minimum_bid_rate_pct
from operations
