-- The Treasury General Account's closing balance on the Daily Treasury Statement against FRED WDTGAL (H.4.1, the
-- TGA's Wednesday level) on each Wednesday the DTS covers; when the Wednesday is a holiday, the DTS's last day
-- before it (no cash moves on a holiday). The Treasury and the Fed report the same account.
-- Tolerance $1mn: both are published in whole millions; the real 2021–2026 files agree exactly.
with dts as (
    select record_date, tga_close_usd_mn from {{ ref('stg_treasury__tga_daily') }}
),

wdtgal as (
    select observation_date, {{ convert_usd('value_usd_bn', 'usd_bn', 'usd_mn') }} as tga_usd_mn
    from {{ ref('stg_fred__observations') }}
    where series_id = 'WDTGAL' and value_usd_bn is not null
),

paired as (
    select wdtgal.observation_date, wdtgal.tga_usd_mn, dts.record_date, dts.tga_close_usd_mn
    from {{ asof_left_join('wdtgal', 'wdtgal', 'dts', 'dts', [], 'wdtgal.observation_date', '>=', 'dts.record_date') }}
    where {{ days_between('dts.record_date', 'wdtgal.observation_date') }} <= {{ var('statement_carry_days') }}
        and wdtgal.observation_date <= (select max(record_date) from dts)
)

select *, tga_close_usd_mn - tga_usd_mn as difference_usd_mn
from paired
where abs(tga_close_usd_mn - tga_usd_mn) > 1
