-- Grain: one row per (window_type, window_end). How much of the Treasury's new bill supply the Fed takes.
-- Formulas: METRICS.md §2. Windows are matched on both sides: H.4.1 weeks (Thursday to Wednesday) and
-- calendar months. The ratio is NULL, with a reason, when net issuance is not positive or a side is missing.
with windows as (
    select * from {{ ref('int_treasury__bill_windows') }}
),

bills as (
    select * from {{ ref('stg_treasury__auctions') }}
    where security_type = 'Bill' and is_completed
),

soma as (
    select as_of_date, bills_usd_bn from {{ ref('stg_nyfed__soma_summary') }}
),

mspd_bills as (
    select record_date, total_usd_bn as bills_outstanding_usd_bn
    from {{ ref('stg_treasury__mspd_by_class') }}
    where security_type_desc = 'Marketable' and security_class_desc = 'Bills'
),

mspd_marketable as (
    select record_date, total_usd_bn as marketable_usd_bn
    from {{ ref('stg_treasury__mspd_by_class') }}
    where security_type_desc = 'Total Marketable'
),

issued as (
    select
        windows.window_type,
        windows.window_end,
        sum(bills.total_accepted_usd_bn) as gross_bill_issuance_usd_bn,
        sum(bills.soma_accepted_usd_bn) as fed_take_at_auction_usd_bn,
        sum(bills.public_accepted_usd_bn) as public_take_at_auction_usd_bn
    from windows
    join bills on bills.issue_date > windows.window_start and bills.issue_date <= windows.window_end
    group by all
),

matured as (
    select windows.window_type, windows.window_end, sum(bills.total_accepted_usd_bn) as bills_maturing_usd_bn
    from windows
    join bills on bills.maturity_date > windows.window_start and bills.maturity_date <= windows.window_end
    group by all
),

flows as (
    select
        windows.*,
        coalesce(issued.gross_bill_issuance_usd_bn, 0) as gross_bill_issuance_usd_bn,
        coalesce(matured.bills_maturing_usd_bn, 0) as bills_maturing_usd_bn,
        coalesce(issued.gross_bill_issuance_usd_bn, 0) - coalesce(matured.bills_maturing_usd_bn, 0)
            as net_bill_issuance_usd_bn,
        coalesce(issued.fed_take_at_auction_usd_bn, 0) as fed_take_at_auction_usd_bn,
        coalesce(issued.public_take_at_auction_usd_bn, 0) as public_take_at_auction_usd_bn,
        soma_end.bills_usd_bn - soma_start.bills_usd_bn as soma_bill_change_usd_bn,
        soma_end.as_of_date as soma_end_as_of,
        soma_start.as_of_date as soma_start_as_of,
        mspd_end.bills_outstanding_usd_bn - mspd_start.bills_outstanding_usd_bn as mspd_bill_change_usd_bn,
        mspd_end.bills_outstanding_usd_bn as bills_outstanding_usd_bn,
        100.0 * mspd_end.bills_outstanding_usd_bn / nullif(marketable.marketable_usd_bn, 0)
            as bill_share_of_marketable_pct
    from windows
    left join issued using (window_type, window_end)
    left join matured using (window_type, window_end)
    -- SOMA holdings exist on as-of Wednesdays only: a side is matched only when both ends are as-of dates.
    left join soma as soma_end on soma_end.as_of_date = windows.window_end
    left join soma as soma_start on soma_start.as_of_date = windows.window_start
    left join mspd_bills as mspd_end on mspd_end.record_date = windows.window_end
    left join mspd_bills as mspd_start on mspd_start.record_date = windows.window_start
    left join mspd_marketable as marketable on marketable.record_date = windows.window_end
),

debt as (
    select record_date, total_public_debt_usd_bn from {{ ref('stg_treasury__debt_to_penny') }}
)

select
    flows.window_type,
    flows.window_start,
    flows.window_end,
    cast(round(flows.gross_bill_issuance_usd_bn, 3) as double) as gross_bill_issuance_usd_bn,
    cast(round(flows.bills_maturing_usd_bn, 3) as double) as bills_maturing_usd_bn,
    cast(round(flows.net_bill_issuance_usd_bn, 3) as double) as net_bill_issuance_usd_bn,
    cast(round(flows.fed_take_at_auction_usd_bn, 3) as double) as fed_take_at_auction_usd_bn,
    cast(round(flows.public_take_at_auction_usd_bn, 3) as double) as public_take_at_auction_usd_bn,
    round(flows.soma_bill_change_usd_bn, 3) as soma_bill_change_usd_bn,
    round(flows.mspd_bill_change_usd_bn, 3) as mspd_bill_change_usd_bn,
    case
        when flows.soma_bill_change_usd_bn is null then null
        when flows.net_bill_issuance_usd_bn <= 0 then null
        else round(flows.soma_bill_change_usd_bn / flows.net_bill_issuance_usd_bn, 4)
    end as bill_absorption_ratio_holdings,
    case
        when flows.net_bill_issuance_usd_bn <= 0 then null
        else round(flows.fed_take_at_auction_usd_bn / flows.net_bill_issuance_usd_bn, 4)
    end as bill_absorption_ratio_auction,
    case
        when flows.net_bill_issuance_usd_bn <= 0 then 'net bill issuance is not positive in this window'
        when flows.soma_bill_change_usd_bn is null then 'SOMA holdings are not reported at both window ends'
    end as ratio_null_reason,
    round(flows.bills_outstanding_usd_bn, 3) as bills_outstanding_usd_bn,
    round(flows.bill_share_of_marketable_pct, 4) as bill_share_of_marketable_pct,
    round(debt.total_public_debt_usd_bn, 3) as total_public_debt_usd_bn,
    debt.record_date as total_public_debt_as_of
from flows
asof left join debt on flows.window_end >= debt.record_date
