-- One row per (ticker, split_date): `split_ratio` new shares per old share (4 for a 4-for-1).
with splits as (
    select * from {{ source('prices', 'splits') }}
)

select
    ticker,
    cast(split_date as date) as split_date,
    numerator / denominator as split_ratio,
    _dlt_load_id as load_id
from splits
