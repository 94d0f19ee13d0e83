-- One row per SOMA as-of Wednesday: the Fed's portfolio by asset class, in US dollars (par, cents as published).
with summary as (
    select * from {{ source('nyfed', 'soma_summary') }}
)

select
    cast(as_of_date as date) as as_of_date,
    cast(coalesce(bills, 0) as decimal(18, 2)) as bills_usd,
    cast(coalesce(notesbonds, 0) as decimal(18, 2)) as notes_bonds_usd,
    cast(coalesce(tips, 0) as decimal(18, 2)) as tips_usd,
    cast(coalesce(frn, 0) as decimal(18, 2)) as frn_usd,
    cast(coalesce(mbs, 0) as decimal(18, 2)) as mbs_usd,
    cast(coalesce(cmbs, 0) as decimal(18, 2)) as cmbs_usd,
    cast(coalesce(agencies, 0) as decimal(18, 2)) as agencies_usd,
    cast(total as decimal(18, 2)) as total_usd
from summary
