-- One row per (ticker, ex_date): cash dividend per share in USD (split-adjusted, as the provider reports it).
with dividends as (
    select * from {{ source('prices', 'dividends') }}
)

select
    ticker,
    cast(ex_date as date) as ex_date,
    amount as dividend_usd
from dividends
