-- At least 100 rows, an `All` row on every day that has any, and the `AI basket` present: the extra "sectors"
-- the report and the `ai_bubble` claim read. A row per rule broken.
with valuation as (
    select * from {{ ref('mart_sector_valuation') }}
)

select 'only ' || count(*) || ' rows' as broken_rule
from valuation
having count(*) < 100
union all
select 'no `All` row on ' || trade_date
from valuation
group by trade_date
having count(*) filter (where sector = 'All') = 0
union all
select 'no `AI basket` row at all'
from valuation
having count(*) filter (where sector = 'AI basket') = 0
