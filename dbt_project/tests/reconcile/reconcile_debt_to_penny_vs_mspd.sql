-- Total public debt outstanding on Debt to the Penny (the month's last business day) against the MSPD's total at
-- each month-end both cover: a daily and a monthly statement of the same debt.
-- Tolerance $5mn: the MSPD total adds class lines rounded to $100 of $mn; the real 2020–2025 files agree within
-- $0.8mn.
with penny as (
    select record_date, {{ convert_usd('total_public_debt_usd', 'usd', 'usd_mn') }} as total_usd_mn
    from {{ ref('stg_treasury__debt_to_penny') }}
),

mspd as (
    select record_date, total_usd_mn
    from {{ ref('stg_treasury__mspd_by_class') }}
    where security_type_desc = 'Total Public Debt Outstanding'
),

paired as (
    select mspd.record_date as month_end, mspd.total_usd_mn as mspd_usd_mn, penny.record_date as penny_date,
           penny.total_usd_mn as penny_usd_mn
    from {{ asof_left_join('mspd', 'mspd', 'penny', 'penny', [], 'mspd.record_date', '>=', 'penny.record_date') }}
    where {{ days_between('penny.record_date', 'mspd.record_date') }} <= {{ var('statement_carry_days') }}
)

select *, penny_usd_mn - mspd_usd_mn as difference_usd_mn
from paired
where abs(penny_usd_mn - mspd_usd_mn) > 5
