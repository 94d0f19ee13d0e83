-- One row per (as_of_date, cusip): Treasury bills in the SOMA portfolio, par in $bn.
with holdings as (
    select * from {{ source('nyfed', 'soma_bill_holdings') }}
)

select
    cast(as_of_date as date) as as_of_date,
    cusip,
    cast(maturity_date as date) as maturity_date,
    par_value / 1e9 as par_usd_bn,
    change_from_prior_week / 1e9 as change_from_prior_week_usd_bn
from holdings
