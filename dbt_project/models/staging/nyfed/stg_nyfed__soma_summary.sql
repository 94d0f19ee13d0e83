-- One row per SOMA as-of Wednesday: the Fed's portfolio by asset class, in $bn.
with summary as (
    select * from {{ source('nyfed', 'soma_summary') }}
)

select
    cast(as_of_date as date) as as_of_date,
    coalesce(bills, 0) / 1e9 as bills_usd_bn,
    coalesce(notesbonds, 0) / 1e9 as notes_bonds_usd_bn,
    coalesce(tips, 0) / 1e9 as tips_usd_bn,
    coalesce(frn, 0) / 1e9 as frn_usd_bn,
    coalesce(mbs, 0) / 1e9 as mbs_usd_bn,
    coalesce(cmbs, 0) / 1e9 as cmbs_usd_bn,
    coalesce(agencies, 0) / 1e9 as agencies_usd_bn,
    total / 1e9 as total_usd_bn
from summary
