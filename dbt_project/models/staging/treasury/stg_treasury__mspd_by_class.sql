-- One row per (month-end, security type, class) of the Monthly Statement of the Public Debt, in $bn.
with mspd as (
    select * from {{ source('treasury', 'mspd_table_1') }}
)

select
    cast(record_date as date) as record_date,
    security_type_desc,
    security_class_desc,
    total_mil_amt / 1000.0 as total_usd_bn,
    debt_held_public_mil_amt / 1000.0 as held_by_public_usd_bn,
    intragov_hold_mil_amt / 1000.0 as intragovernmental_usd_bn
from mspd
