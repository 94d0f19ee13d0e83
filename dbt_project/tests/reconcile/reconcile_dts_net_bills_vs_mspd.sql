-- Monthly bills issued minus bills redeemed on the Daily Treasury Statement (table III-A, face value) against the
-- change in marketable bills outstanding in MSPD table 1: cash-day flows against month-end stocks.
-- Tolerance $50mn: the DTS rounds each daily figure to $1mn, and a month has up to 23 days × 3 bill lines (regular
-- and cash-management issues, redemptions), so rounding alone can reach ±$35mn; the real 2021–2026 statements
-- agree within $5mn.
select
    window_end,
    dts_net_bill_issuance_usd_bn,
    mspd_bill_change_usd_bn,
    dts_net_bill_issuance_usd_bn - mspd_bill_change_usd_bn as difference_usd_bn
from {{ ref('mart_bill_absorption') }}
where window_type = 'month'
    and dts_net_bill_issuance_usd_bn is not null
    and mspd_bill_change_usd_bn is not null
    and abs(dts_net_bill_issuance_usd_bn - mspd_bill_change_usd_bn) > 0.05
