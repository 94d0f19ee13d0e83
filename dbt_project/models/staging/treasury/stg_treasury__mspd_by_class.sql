-- One row per (month-end, security type, class) of the Monthly Statement of the Public Debt, in millions of
-- dollars with the four decimals published. The grand total line was `Total Treasury Securities Outstanding`
-- until 2001 and `Total Public Debt Outstanding` since: one name here, so a history query needs one filter.
with mspd as (
    select * from {{ source('treasury', 'mspd_table_1') }}
)

select
    cast(record_date as date) as record_date,
    case security_type_desc
        when 'Total Treasury Securities Outstanding' then 'Total Public Debt Outstanding'
        else security_type_desc
    end as security_type_desc,
    security_class_desc,
    cast(total_mil_amt as decimal(20, 4)) as total_usd_mn,
    cast(debt_held_public_mil_amt as decimal(20, 4)) as held_by_public_usd_mn,
    cast(intragov_hold_mil_amt as decimal(20, 4)) as intragovernmental_usd_mn
from mspd
