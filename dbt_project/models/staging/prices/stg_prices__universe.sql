-- One row per ticker: the companies the run priced and their labels (the list every equity model joins).
with universe as (
    select * from {{ source('prices', 'universe') }}
)

select
    ticker,
    name,
    cast(cik as bigint) as cik,
    sector,
    industry,
    cast(ai_basket as boolean) as ai_basket
from universe
