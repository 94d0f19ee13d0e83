-- Grain: one row per (window_type, window_end). How much of the Treasury's new bill supply the Fed takes.
-- Formulas: METRICS.md §2. Windows are matched on both sides: H.4.1 weeks (Thursday to Wednesday) and calendar
-- months. Amounts are summed exactly in dollars (or the DTS's millions) and presented in $bn.
--
-- Net bill issuance comes from the Daily Treasury Statement (bills issued minus bills redeemed, at face value: the
-- complete record) where it covers the window, otherwise from the auctions (issued minus maturing) once a year of
-- auction history is loaded (before that, bills issued earlier mature unseen). Ratios are NULL, with a reason,
-- below a floor of net issuance or when a side is missing: never a huge number.
{%- set floor_usd = convert_usd(var('bill_absorption_min_net_issuance_usd_bn'), 'usd_bn', 'usd') %}
{%- set max_coverage_gap_pct = var('bill_absorption_max_auction_coverage_gap_pct') %}
{%- set carry_days = var('statement_carry_days') %}
with windows as (
    select * from {{ ref('int_treasury__bill_windows') }}
),

bills as (
    select * from {{ ref('stg_treasury__auctions') }}
    where security_type = 'Bill' and is_completed
),

auction_history as (
    -- Bills run at most 52 weeks (364 days) and settle up to a week after their auction: from then on, every bill
    -- maturing in a window was auctioned after the first loaded auction.
    select min(auction_date) + interval 371 day as complete_from from bills
),

dts_bills as (
    select
        record_date,
        sum(today_usd_mn) filter (where transaction_type = 'Issues') as issues_usd_mn,
        sum(today_usd_mn) filter (where transaction_type = 'Redemptions') as redemptions_usd_mn
    from {{ ref('stg_treasury__public_debt_transactions') }}
    where security_market = 'Marketable' and security_type = 'Bills'
    group by record_date
),

dts_bounds as (
    select min(record_date) as first_day, max(record_date) as last_day from dts_bills
),

soma as (
    select as_of_date, bills_usd from {{ ref('stg_nyfed__soma_summary') }}
),

soma_holdings as (
    select * from {{ ref('stg_nyfed__soma_bill_holdings') }}
),

mspd_bills as (
    select record_date, total_usd_mn as bills_outstanding_usd_mn
    from {{ ref('stg_treasury__mspd_by_class') }}
    where security_type_desc = 'Marketable' and security_class_desc = 'Bills'
),

mspd_marketable as (
    select record_date, total_usd_mn as marketable_usd_mn
    from {{ ref('stg_treasury__mspd_by_class') }}
    where security_type_desc = 'Total Marketable'
),

issued as (
    select
        windows.window_type,
        windows.window_end,
        sum(bills.total_accepted_usd) as gross_usd,
        sum(coalesce(bills.soma_accepted_usd, 0)) as fed_take_usd,
        sum(bills.public_accepted_usd) as public_take_usd
    from windows
    join bills on bills.issue_date > windows.window_start and bills.issue_date <= windows.window_end
    group by all
),

matured as (
    select windows.window_type, windows.window_end, sum(bills.total_accepted_usd) as maturing_usd
    from windows
    join bills on bills.maturity_date > windows.window_start and bills.maturity_date <= windows.window_end
    group by all
),

dts_flows as (
    select
        windows.window_type,
        windows.window_end,
        coalesce(sum(dts_bills.issues_usd_mn), 0) as issues_usd_mn,
        coalesce(sum(dts_bills.redemptions_usd_mn), 0) as redemptions_usd_mn
    from windows
    cross join dts_bounds
    left join dts_bills
        on dts_bills.record_date > windows.window_start and dts_bills.record_date <= windows.window_end
    -- Covered: the DTS starts by the window's start and reaches its last weekday.
    where dts_bounds.first_day <= windows.window_start
        and dts_bounds.last_day >= windows.window_end
            - (case {{ day_of_week('windows.window_end') }} when 0 then 2 when 6 then 1 else 0 end)
    group by all
),

fed_holdings_at_start as (
    -- The Fed's bills at the last SOMA as-of date on or before the window's start (at most a week before).
    select windows.window_type, windows.window_end, as_of_dates.as_of_date
    from {{ asof_left_join('windows', 'windows', '(select distinct as_of_date from soma_holdings)', 'as_of_dates',
                           [], 'windows.window_start', '>=', 'as_of_dates.as_of_date') }}
    -- Also drops the windows without an as-of date before them (an inner ASOF join).
    where {{ days_between('as_of_dates.as_of_date', 'windows.window_start') }} <= 7
),

fed_held_maturing as (
    select start.window_type, start.window_end, coalesce(sum(soma_holdings.par_usd), 0) as usd
    from fed_holdings_at_start as start
    join windows using (window_type, window_end)
    left join soma_holdings
        on soma_holdings.as_of_date = start.as_of_date
        and soma_holdings.maturity_date > windows.window_start
        and soma_holdings.maturity_date <= windows.window_end
    group by all
),

fed_taken_since_maturing as (
    -- A month rarely starts on a Wednesday: bills the Fed took at auctions settled after that as-of date and by
    -- the window's start, maturing inside the window (4-week rollovers), are not in those holdings yet.
    select start.window_type, start.window_end, sum(coalesce(bills.soma_accepted_usd, 0)) as usd
    from fed_holdings_at_start as start
    join windows using (window_type, window_end)
    join bills
        on bills.issue_date > start.as_of_date and bills.issue_date <= windows.window_start
        and bills.maturity_date > windows.window_start and bills.maturity_date <= windows.window_end
    group by all
),

fed_matured as (
    select held.window_type, held.window_end, held.usd + coalesce(since.usd, 0) as fed_maturing_usd
    from fed_held_maturing as held
    left join fed_taken_since_maturing as since using (window_type, window_end)
),

flows as (
    select
        windows.*,
        windows.window_start >= auction_history.complete_from as auction_history_complete,
        case when windows.window_start >= auction_history.complete_from
            then coalesce(issued.gross_usd, 0) end as gross_usd,
        case when windows.window_start >= auction_history.complete_from
            then coalesce(matured.maturing_usd, 0) end as maturing_usd,
        case when windows.window_start >= auction_history.complete_from
            then coalesce(issued.fed_take_usd, 0) end as fed_take_usd,
        case when windows.window_start >= auction_history.complete_from
            then coalesce(issued.public_take_usd, 0) end as public_take_usd,
        fed_matured.fed_maturing_usd,
        dts_flows.issues_usd_mn as dts_issues_usd_mn,
        dts_flows.redemptions_usd_mn as dts_redemptions_usd_mn,
        soma_end.bills_usd - soma_start.bills_usd as soma_bill_change_usd,
        mspd_end.bills_outstanding_usd_mn - mspd_start.bills_outstanding_usd_mn as mspd_bill_change_usd_mn,
        mspd_end.bills_outstanding_usd_mn,
        -- A DOUBLE as DuckDB's division gives (Spark keeps DECIMAL / DECIMAL a DECIMAL).
        cast(100.0 * mspd_end.bills_outstanding_usd_mn / nullif(marketable.marketable_usd_mn, 0) as double)
            as bill_share_of_marketable_pct
    from windows
    cross join auction_history
    left join issued using (window_type, window_end)
    left join matured using (window_type, window_end)
    left join fed_matured using (window_type, window_end)
    left join dts_flows using (window_type, window_end)
    -- SOMA holdings exist on as-of Wednesdays only: a side is matched only when both ends are as-of dates.
    left join soma as soma_end on soma_end.as_of_date = windows.window_end
    left join soma as soma_start on soma_start.as_of_date = windows.window_start
    left join mspd_bills as mspd_end on mspd_end.record_date = windows.window_end
    left join mspd_bills as mspd_start on mspd_start.record_date = windows.window_start
    left join mspd_marketable as marketable on marketable.record_date = windows.window_end
),

measured as (
    select
        *,
        gross_usd - maturing_usd as auction_net_usd,
        {{ convert_usd('dts_issues_usd_mn - dts_redemptions_usd_mn', 'usd_mn', 'usd') }} as dts_net_usd,
        coalesce({{ convert_usd('dts_issues_usd_mn - dts_redemptions_usd_mn', 'usd_mn', 'usd') }},
                 gross_usd - maturing_usd) as net_usd,
        case
            when dts_issues_usd_mn is not null then 'dts'
            when gross_usd is not null then 'auctions'
        end as net_source,
        100.0 * gross_usd / nullif({{ convert_usd('dts_issues_usd_mn', 'usd_mn', 'usd') }}, 0) as auction_coverage_pct,
        fed_take_usd - fed_maturing_usd as fed_net_take_usd
    from flows
),

debt as (
    select record_date, total_public_debt_usd from {{ ref('stg_treasury__debt_to_penny') }}
)

select
    measured.window_type,
    measured.window_start,
    measured.window_end,
    {{ usd_to_bn('measured.net_usd') }} as net_bill_issuance_usd_bn,
    measured.net_source as net_bill_issuance_source,
    {{ usd_mn_to_bn('measured.dts_issues_usd_mn') }} as dts_bill_issues_usd_bn,
    {{ usd_mn_to_bn('measured.dts_redemptions_usd_mn') }} as dts_bill_redemptions_usd_bn,
    {{ usd_to_bn('measured.dts_net_usd') }} as dts_net_bill_issuance_usd_bn,
    {{ usd_to_bn('measured.gross_usd') }} as gross_bill_issuance_usd_bn,
    {{ usd_to_bn('measured.maturing_usd') }} as bills_maturing_usd_bn,
    {{ usd_to_bn('measured.auction_net_usd') }} as auction_net_bill_issuance_usd_bn,
    round(measured.auction_coverage_pct, 4) as auction_coverage_pct,
    {{ usd_to_bn('measured.fed_take_usd') }} as fed_take_at_auction_usd_bn,
    {{ usd_to_bn('measured.public_take_usd') }} as public_take_at_auction_usd_bn,
    {{ usd_to_bn('measured.fed_maturing_usd') }} as fed_bills_maturing_usd_bn,
    {{ usd_to_bn('measured.fed_net_take_usd') }} as fed_net_take_at_auction_usd_bn,
    {{ usd_to_bn('measured.soma_bill_change_usd') }} as soma_bill_change_usd_bn,
    {{ usd_mn_to_bn('measured.mspd_bill_change_usd_mn') }} as mspd_bill_change_usd_bn,
    case
        when measured.net_usd is null or measured.net_usd < {{ floor_usd }} then null
        when measured.soma_bill_change_usd is null then null
        else round(measured.soma_bill_change_usd / measured.net_usd, 4)
    end as bill_absorption_ratio_holdings,
    case
        when measured.net_usd is null or measured.net_usd < {{ floor_usd }} then null
        when measured.fed_net_take_usd is null then null
        when measured.auction_coverage_pct is not null
            and abs(measured.auction_coverage_pct - 100) > {{ max_coverage_gap_pct }} then null
        else round(measured.fed_net_take_usd / measured.net_usd, 4)
    end as bill_absorption_ratio_auction,
    case
        when measured.net_usd is null then 'no complete record of bill issuance for this window'
        when measured.net_usd < {{ floor_usd }}
            then 'net bill issuance below the floor of ${{ var("bill_absorption_min_net_issuance_usd_bn") }}bn'
        when measured.soma_bill_change_usd is null then 'SOMA holdings are not reported at both window ends'
    end as ratio_null_reason,
    case
        when measured.net_usd is null then 'no complete record of bill issuance for this window'
        when measured.net_usd < {{ floor_usd }}
            then 'net bill issuance below the floor of ${{ var("bill_absorption_min_net_issuance_usd_bn") }}bn'
        when measured.gross_usd is null then 'auction history shorter than a year before this window'
        when measured.auction_coverage_pct is not null
            and abs(measured.auction_coverage_pct - 100) > {{ max_coverage_gap_pct }}
            then 'the auctions loaded hold ' || round(measured.auction_coverage_pct, 1)
                || '% of the bills the DTS shows issued'
        when measured.fed_maturing_usd is null then 'SOMA holdings by CUSIP are not reported at the window start'
    end as auction_ratio_null_reason,
    {{ usd_mn_to_bn('measured.bills_outstanding_usd_mn') }} as bills_outstanding_usd_bn,
    round(measured.bill_share_of_marketable_pct, 4) as bill_share_of_marketable_pct,
    -- The statement of the window's last business day: one older than var `statement_carry_days` is not that day's
    -- debt.
    case when {{ days_between('debt.record_date', 'measured.window_end') }} <= {{ carry_days }}
        then {{ usd_to_bn('debt.total_public_debt_usd') }} end as total_public_debt_usd_bn,
    case when {{ days_between('debt.record_date', 'measured.window_end') }} <= {{ carry_days }} then debt.record_date end
        as total_public_debt_as_of
from {{ asof_left_join('measured', 'measured', 'debt', 'debt', [],
                       'measured.window_end', '>=', 'debt.record_date') }}
