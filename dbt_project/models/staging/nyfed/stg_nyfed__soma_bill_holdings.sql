-- One row per (as_of_date, cusip): Treasury bills in the SOMA portfolio, par in US dollars.
with holdings as (
    select * from {{ source('nyfed', 'soma_bill_holdings') }}
)

select
    cast(as_of_date as date) as as_of_date,
    cusip,
    cast(maturity_date as date) as maturity_date,
    cast(par_value as decimal(18, 2)) as par_usd,
    cast(change_from_prior_week as decimal(18, 2)) as change_from_prior_week_usd
from holdings
