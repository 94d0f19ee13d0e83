-- Grain: one row per claim of the `claims` seed measured here (the market, balance-sheet, debt and repo claims):
-- the metric, the dates compared, the observed value (in the seed's observed_unit; NULL when the data needed is
-- missing, with the reason) and the evidence around it in words and numbers. mart_claims judges these rows by the
-- seed's bounds as it judges its own. Dates come from the seed (period_start) or, for the bill purchases, the
-- var `reserve_management_purchases_start` that mart_claims and the report use too.
with claims as (
    select * from {{ ref('claims') }}
),

reactions as (
    select * from {{ ref('mart_earnings_reactions') }}
),

equity as (
    select ticker, trade_date, return_1d from {{ ref('fct_equity_daily') }}
),

valuation as (
    select trade_date, sector, return_1d_pct from {{ ref('mart_sector_valuation') }}
    where sector in ('AI basket', 'All')
),

balance_sheet as (
    select * from {{ ref('mart_fed_balance_sheet') }}
),

months as (
    select * from {{ ref('mart_bill_absorption') }} where window_type = 'month'
),

repo as (
    select * from {{ ref('mart_repo_stress') }}
),

oracle as (
    select claims.claim_id, claims.period_start, reactions.*
    from claims
    left join reactions
        on reactions.ticker = 'ORCL' and reactions.day0_date = claims.period_start
    where claims.claim_id = 'oracle_earnings_drop'
    qualify row_number() over (order by reactions.filing_date) = 1
),

followers as (
    select
        claims.claim_id,
        claims.period_start,
        100 * max(equity.return_1d) filter (where equity.ticker = 'NVDA') as nvda_pct,
        100 * max(equity.return_1d) filter (where equity.ticker = 'MSFT') as msft_pct,
        -- Joined, not correlated subqueries in the select list (Spark takes those for ungrouped columns).
        max(universe.return_1d_pct) as universe_pct,
        max(ai_basket.return_1d_pct) as ai_basket_pct
    from claims
    left join equity on equity.trade_date = claims.period_start and equity.ticker in ('NVDA', 'MSFT')
    left join valuation as universe on universe.trade_date = claims.period_start and universe.sector = 'All'
    left join valuation as ai_basket
        on ai_basket.trade_date = claims.period_start and ai_basket.sector = 'AI basket'
    where claims.claim_id = 'ai_followed_oracle'
    group by claims.claim_id, claims.period_start
),

qt as (
    -- Weekly change in all SOMA holdings after the date against the 26 weeks before it.
    select
        claims.claim_id,
        claims.period_start,
        avg(balance_sheet.soma_total_change_usd_bn) filter (where balance_sheet.as_of_date > claims.period_start)
            as after_per_week,
        count(balance_sheet.soma_total_change_usd_bn) filter (where balance_sheet.as_of_date > claims.period_start)
            as weeks_after,
        avg(balance_sheet.soma_total_change_usd_bn) filter (
            where balance_sheet.as_of_date <= claims.period_start
                and balance_sheet.as_of_date > claims.period_start - interval 26 week
        ) as before_per_week,
        {{ latest_non_null('balance_sheet.soma_share_of_fed_assets_pct', 'balance_sheet.as_of_date') }} as soma_share_now_pct,
        max(balance_sheet.as_of_date) as last_week
    from claims
    left join balance_sheet on balance_sheet.soma_total_change_usd_bn is not null
    where claims.claim_id = 'qt_ended'
    group by claims.claim_id, claims.period_start
),

purchases as (
    -- The weeks ending after purchases began, the week they began in included (as fed_absorbs_bills counts).
    select
        claims.claim_id,
        avg(balance_sheet.soma_bill_change_usd_bn) as soma_per_week,
        avg(balance_sheet.h41_bill_change_usd_bn) as h41_per_week,
        count(balance_sheet.soma_bill_change_usd_bn) as weeks,
        sum(balance_sheet.soma_bill_change_usd_bn) as soma_total,
        min(balance_sheet.as_of_date) as first_week,
        max(balance_sheet.as_of_date) as last_week
    from claims
    left join balance_sheet
        on balance_sheet.as_of_date > date '{{ var("reserve_management_purchases_start") }}'
        and balance_sheet.soma_bill_change_usd_bn is not null
    where claims.claim_id = 'fed_bill_purchases'
    group by claims.claim_id
),

bill_share as (
    select
        claims.claim_id,
        {{ latest_non_null('months.bill_share_of_marketable_pct', 'months.window_end') }} as share_now_pct,
        max(months.window_end) filter (where months.bill_share_of_marketable_pct is not null) as share_as_of,
        min(months.bill_share_of_marketable_pct) as share_min_pct,
        max(months.bill_share_of_marketable_pct) as share_max_pct,
        -- The latest share's rank in the history up to it (0–100).
        cast(100.0 * count(*) filter (where months.bill_share_of_marketable_pct
                                       < (select {{ latest_non_null('bill_share_of_marketable_pct', 'window_end') }} from months
                                          where bill_share_of_marketable_pct is not null))
             / nullif(count(months.bill_share_of_marketable_pct), 0) as double) as share_percentile,
        sum(months.net_bill_issuance_usd_bn) filter (
            where months.window_end > (select max(window_end) from months) - interval 3 month) as net_3m,
        sum(months.net_bill_issuance_usd_bn) filter (
            where months.window_end > (select max(window_end) from months) - interval 6 month) as net_6m,
        sum(months.net_bill_issuance_usd_bn) filter (
            where months.window_end > (select max(window_end) from months) - interval 12 month) as net_12m
    from claims
    left join months on months.bill_share_of_marketable_pct is not null or months.net_bill_issuance_usd_bn is not null
    where claims.claim_id = 'bills_aggressive'
    group by claims.claim_id
),

debt as (
    select
        claims.claim_id,
        {{ latest_non_null('balance_sheet.total_public_debt_usd_bn', 'balance_sheet.as_of_date') }}
            filter (where balance_sheet.total_public_debt_usd_bn is not null) as debt_now,
        max(balance_sheet.total_public_debt_as_of) as debt_as_of,
        {{ latest_non_null('balance_sheet.fed_share_of_marketable_pct', 'balance_sheet.as_of_date') }}
            filter (where balance_sheet.fed_share_of_marketable_pct is not null) as fed_share_now_pct,
        max(balance_sheet.fed_share_of_marketable_pct) as fed_share_peak_pct
    from claims
    left join balance_sheet on true
    where claims.claim_id = 'us_debt_40tn'
    group by claims.claim_id
),

fed_share as (
    select
        claims.claim_id,
        claims.period_start,
        {{ latest_non_null('balance_sheet.fed_share_of_marketable_pct', 'balance_sheet.as_of_date') }}
            filter (where balance_sheet.as_of_date <= claims.period_start) as share_then_pct,
        {{ latest_non_null('balance_sheet.fed_share_of_marketable_pct', 'balance_sheet.as_of_date') }} as share_now_pct,
        max(balance_sheet.as_of_date) as last_week
    from claims
    left join balance_sheet on balance_sheet.fed_share_of_marketable_pct is not null
    where claims.claim_id = 'fed_absorbs_debt'
    group by claims.claim_id, claims.period_start
),

repo_window as (
    -- The last `window_months` complete calendar months before the latest fixing, and the same months a year
    -- earlier: volatility "up" is against the same season (month- and quarter-ends alike).
    select
        claims.claim_id,
        cast(date_trunc('month', max(repo.date_day)) - {{ months_interval('any_value(claims.window_months)') }} as date)
            as first_day,
        cast(date_trunc('month', max(repo.date_day)) - interval 1 day as date) as last_day,
        any_value(claims.window_months) as window_months
    from claims
    cross join repo
    where claims.claim_id = 'repo_volatility_up'
    group by claims.claim_id
),

repo_measured as (
    select
        repo_window.claim_id,
        any_value(repo_window.first_day) as first_day,
        any_value(repo_window.last_day) as last_day,
        any_value(repo_window.window_months) as window_months,
        avg(repo.sofr_p1_p99_range_bp) filter (where repo.date_day >= repo_window.first_day) as range_now_bp,
        avg(repo.sofr_p1_p99_range_bp) filter (where repo.date_day < repo_window.first_day) as range_year_ago_bp,
        count(distinct date_trunc('month', repo.date_day)) filter (
            where repo.date_day >= repo_window.first_day and repo.sofr_p1_p99_range_bp is not null) as months_now,
        count(distinct date_trunc('month', repo.date_day)) filter (
            where repo.date_day < repo_window.first_day and repo.sofr_p1_p99_range_bp is not null) as months_year_ago,
        sum(repo.srf_accepted_usd_bn) filter (where repo.date_day >= repo_window.first_day) as srf_now_usd_bn,
        count(*) filter (where repo.date_day >= repo_window.first_day and repo.srf_accepted_usd_bn > 0)
            as srf_days_now,
        count(*) filter (where repo.date_day >= repo_window.first_day and repo.sofr_iorb_spread_bp > 0)
            as days_above_iorb_now,
        avg(repo.sofr_iorb_spread_bp) filter (where repo.date_day >= repo_window.first_day and repo.is_month_end)
            as month_end_spread_now_bp,
        avg(repo.sofr_iorb_spread_bp) filter (where repo.date_day < repo_window.first_day and repo.is_month_end)
            as month_end_spread_year_ago_bp
    from repo_window
    left join repo
        on repo.date_day between repo_window.first_day and repo_window.last_day
        or repo.date_day between cast(repo_window.first_day - interval 1 year as date)
                             and cast(repo_window.last_day - interval 1 year as date)
    group by repo_window.claim_id
)

select
    claim_id,
    'ORCL total return on the first session after its results (close to close), from mart_earnings_reactions'
        as metric,
    cast(period_start as string) as compared_dates,
    return_day0_pct as observed_value,
    'no ORCL earnings reaction whose day 0 is ' || period_start as untested_reason,
    printf('ORCL %+.1f%% close to close (intraday low %+.1f%% against the previous close) on %s after the %s '
           || 'of %s (accepted %s); universe %+.1f%%, AI basket %+.1f%%, rest of the AI basket %+.1f%%; over '
           || '[−1, +5] ORCL %+.1f%%',
           return_day0_pct, intraday_low_day0_pct, cast(day0_date as string), news_source,
           cast(cast(news_at_new_york as date) as string),
           case when not {{ time_of_day_before('news_at_new_york', '16:00', false) }} then 'after the close'
                else 'before the close' end,
           universe_return_day0_pct, ai_basket_return_day0_pct, other_ai_return_day0_pct,
           coalesce(return_window_pct, cast('nan' as double))) as evidence
from oracle

union all
select
    claim_id,
    'the higher of NVDA''s and MSFT''s total returns that day (both fell when it is below 0; a name without a bar '
    || 'that day is left out, and the evidence says so)',
    cast(period_start as string),
    greatest(nvda_pct, msft_pct),
    'no NVDA or MSFT bar on ' || period_start,
    printf('NVDA %s, MSFT %s on %s; universe %s, AI basket %s',
           coalesce(printf('%+.1f%%', nvda_pct), 'no bar'), coalesce(printf('%+.1f%%', msft_pct), 'no bar'),
           cast(period_start as string), coalesce(printf('%+.1f%%', universe_pct), 'no return'),
           coalesce(printf('%+.1f%%', ai_basket_pct), 'no return'))
from followers

union all
select
    claim_id,
    'average weekly change in all SOMA holdings since the date, $bn per week (under QT it is negative)',
    cast(period_start as string) || '..' || cast(last_week as string),
    case when weeks_after > 0 then after_per_week end,
    'no SOMA week after ' || period_start,
    printf('SOMA holdings changed %+.1f $bn/week since %s against %+.1f $bn/week in the 26 weeks before; SOMA is '
           || '%.0f%% of the Fed''s total assets', after_per_week, cast(period_start as string), before_per_week,
           soma_share_now_pct)
from qt

union all
select
    claim_id,
    'average weekly change in SOMA bill holdings since purchases began, $bn per week (H.4.1 beside it)',
    cast(first_week as string) || '..' || cast(last_week as string),
    case when weeks > 0 then soma_per_week end,
    'no SOMA week after {{ var("reserve_management_purchases_start") }}',
    printf('SOMA bills %+.1f $bn/week over %d weeks (%+.0f $bn in all); the H.4.1 (WSHOBL) shows %+.1f $bn/week',
           soma_per_week, weeks, soma_total, h41_per_week)
from purchases

union all
select
    claim_id,
    'bills as a share of marketable Treasury debt at the latest month-end (MSPD), percent',
    cast(share_as_of as string),
    share_now_pct,
    'no MSPD month with bills and marketable debt',
    printf('bill share %.1f%% (percentile %.0f of its history, range %.1f–%.1f%%); net bill issuance %+.0f $bn over '
           || '3 months, %+.0f $bn over 6, %+.0f $bn over 12', share_now_pct, share_percentile, share_min_pct,
           share_max_pct, net_3m, net_6m, net_12m)
from bill_share

union all
select
    claim_id,
    'total public debt outstanding, latest Debt to the Penny, $bn',
    cast(debt_as_of as string),
    debt_now,
    'no Debt to the Penny record',
    printf('$%.1ftn of total public debt; the Fed holds %.1f%% of the marketable debt (peak %.1f%%)',
           debt_now / 1000, fed_share_now_pct, fed_share_peak_pct)
from debt

union all
select
    claim_id,
    'change in the Fed''s share of marketable Treasury debt since the date, percentage points',
    cast(period_start as string) || '..' || cast(last_week as string),
    share_now_pct - share_then_pct,
    'no week with SOMA Treasuries and MSPD marketable debt on both sides of ' || period_start,
    printf('the Fed held %.2f%% of marketable Treasuries at %s and %.2f%% at %s', share_then_pct,
           cast(period_start as string), share_now_pct, cast(last_week as string))
from fed_share

union all
select
    claim_id,
    'mean SOFR 1st–99th percentile range over the last complete months ÷ the same months a year earlier',
    cast(first_day as string) || '..' || cast(last_day as string) || ' vs a year earlier',
    case when months_now = window_months and months_year_ago = window_months
        then range_now_bp / nullif(range_year_ago_bp, 0) end,
    'a month of the window, or of the same months a year earlier, has no SOFR percentiles',
    printf('SOFR 1st–99th range %.1f bp against %.1f bp a year earlier; SRF take-up $%.1fbn on %d days; SOFR above '
           || 'IORB on %d days; SOFR − IORB at month-ends %+.1f bp (a year earlier %+.1f bp)',
           range_now_bp, range_year_ago_bp, srf_now_usd_bn, srf_days_now, days_above_iorb_now,
           month_end_spread_now_bp, month_end_spread_year_ago_bp)
from repo_measured
