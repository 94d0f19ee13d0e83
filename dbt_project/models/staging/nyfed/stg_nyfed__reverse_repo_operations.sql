-- One row per reverse repo operation (small-value exercises were left out at load), amounts in $bn.
with operations as (
    select * from {{ source('nyfed', 'reverse_repo_operations') }}
)

select
    operation_id,
    cast(operation_date as date) as operation_date,
    operation_method,
    term,
    total_amt_accepted / 1e9 as accepted_usd_bn,
    total_amt_submitted / 1e9 as submitted_usd_bn,
    accepted_cpty as accepted_counterparties,
    percent_award_rate as award_rate_pct
from operations
