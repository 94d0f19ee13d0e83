-- One row per (record_date, transaction_type, security_market, security_type, security_type_desc): the Daily
-- Treasury Statement's issues and redemptions of public debt (table III-A) at face value, millions of dollars.
-- The DTS rounds every figure to $1mn, so sums over a month carry up to $0.5mn of rounding per figure.
with transactions as (
    select * from {{ source('treasury', 'public_debt_transactions') }}
)

select
    cast(record_date as date) as record_date,
    transaction_type,
    security_market,
    security_type,
    coalesce(security_type_desc, '') as security_type_desc,
    cast(transaction_today_amt as decimal(18, 0)) as today_usd_mn,
    cast(transaction_mtd_amt as decimal(18, 0)) as month_to_date_usd_mn,
    cast(transaction_fytd_amt as decimal(18, 0)) as fiscal_year_to_date_usd_mn
from transactions
