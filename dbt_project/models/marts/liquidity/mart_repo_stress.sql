-- Grain: one row per business day with a SOFR fixing. Repo-market stress as the NY Fed publishes it: SOFR's
-- percentile band and volume, the spread of SOFR and of its 99th percentile over the rate on reserves (IORB, IOER
-- before 2021-07-29, from mart_reserve_adequacy), and the standing repo facility's take-up that day (Σ over its
-- operations; 0 when it operated and nothing was taken, NULL before it existed). Month- and quarter-ends are the
-- last fixing of their month, where the pressure shows.
with sofr as (
    select * from {{ ref('stg_nyfed__reference_rates') }}
    where rate_type = 'sofr' and rate_pct is not null
),

reserve_rate as (
    select date_day, iorb_pct, iorb_series from {{ ref('mart_reserve_adequacy') }}
),

srf as (
    select
        operation_date,
        count(*) as srf_operations,
        sum(accepted_usd_bn) as srf_accepted_usd_bn
    from {{ ref('stg_nyfed__repo_operations') }}
    group by operation_date
),

srf_start as (
    select min(operation_date) as first_day from srf
),

days as (
    select
        sofr.*,
        effective_date = max(effective_date) over (partition by date_trunc('month', effective_date)) as is_month_end
    from sofr
)

select
    days.effective_date as date_day,
    days.rate_pct as sofr_pct,
    days.percentile_1_pct as sofr_p1_pct,
    days.percentile_25_pct as sofr_p25_pct,
    days.percentile_75_pct as sofr_p75_pct,
    days.percentile_99_pct as sofr_p99_pct,
    days.volume_usd_bn as sofr_volume_usd_bn,
    round((days.percentile_99_pct - days.percentile_1_pct) * 100, 2) as sofr_p1_p99_range_bp,
    round((days.percentile_75_pct - days.percentile_25_pct) * 100, 2) as sofr_iqr_bp,
    reserve_rate.iorb_pct,
    reserve_rate.iorb_series,
    round((days.rate_pct - reserve_rate.iorb_pct) * 100, 2) as sofr_iorb_spread_bp,
    round((days.percentile_99_pct - reserve_rate.iorb_pct) * 100, 2) as sofr_p99_iorb_spread_bp,
    case
        when srf.operation_date is not null then srf.srf_accepted_usd_bn
        when days.effective_date >= srf_start.first_day then 0
    end as srf_accepted_usd_bn,
    coalesce(srf.srf_operations, 0) as srf_operations,
    days.is_month_end,
    days.is_month_end and month(days.effective_date) in (3, 6, 9, 12) as is_quarter_end
from days
cross join srf_start
left join reserve_rate on reserve_rate.date_day = days.effective_date
left join srf on srf.operation_date = days.effective_date
