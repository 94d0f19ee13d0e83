-- One row per reverse repo operation (small-value exercises were left out at load), amounts in $bn.
with operations as (
    select * from {{ source('nyfed', 'reverse_repo_operations') }}
)

select
    operation_id,
    cast(operation_date as date) as operation_date,
    operation_method,
    term,
    {{ usd_to_bn('total_amt_accepted') }} as accepted_usd_bn,
    {{ usd_to_bn('total_amt_submitted') }} as submitted_usd_bn,
    accepted_cpty as accepted_counterparties,
    percent_award_rate as award_rate_pct
from operations
