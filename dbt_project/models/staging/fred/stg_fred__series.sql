-- One row per FRED series, with its units classified so staging can scale values to one unit.
with series as (
    select * from {{ source('fred', 'series') }}
)

select
    series_id,
    title,
    units,
    frequency,
    case
        when lower(units) like 'millions of%dollars' then 'usd_mn'
        when lower(units) like 'billions of%dollars' then 'usd_bn'
        when lower(units) = 'percent' then 'pct'
        else 'unknown'
    end as unit_kind
from series
