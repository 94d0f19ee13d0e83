-- Grain: one row per SOMA as-of Wednesday. The Fed's holdings as the NY Fed lists them (SOMA summary), beside
-- the H.4.1 (FRED WALCL total assets, WSHOBL bills) and the Treasury's debt: how much of the marketable debt the
-- Fed holds, and the weekly change in its bills two ways (SOMA, H.4.1). Point in time: the MSPD month-end is
-- used from the 8th day after it (published on the 4th business day), Debt to the Penny from the day after its
-- record date, so a Wednesday shows only what was out by then.
with soma as (
    select * from {{ ref('stg_nyfed__soma_summary') }}
),

h41 as (
    select
        observation_date,
        max(value_usd_bn) filter (where series_id = 'WALCL') as fed_total_assets_usd_bn,
        max(value_usd_bn) filter (where series_id = 'WSHOBL') as h41_bills_usd_bn
    from {{ ref('stg_fred__observations') }}
    where series_id in ('WALCL', 'WSHOBL')
    group by observation_date
),

marketable as (
    select record_date, total_usd_mn as marketable_usd_mn
    from {{ ref('stg_treasury__mspd_by_class') }}
    where security_type_desc = 'Total Marketable'
),

debt as (
    select record_date, total_public_debt_usd from {{ ref('stg_treasury__debt_to_penny') }}
),

weekly as (
    select
        soma.as_of_date,
        {{ usd_to_bn('soma.total_usd') }} as soma_total_usd_bn,
        {{ usd_to_bn('soma.bills_usd + soma.notes_bonds_usd + soma.tips_usd + soma.frn_usd') }}
            as soma_treasuries_usd_bn,
        {{ usd_to_bn('soma.bills_usd') }} as soma_bills_usd_bn,
        {{ usd_to_bn('soma.mbs_usd + soma.cmbs_usd') }} as soma_mbs_usd_bn,
        h41.fed_total_assets_usd_bn,
        h41.h41_bills_usd_bn
    from soma
    left join h41 on h41.observation_date = soma.as_of_date
),

with_debt as (
    select
        weekly.*,
        marketable.record_date as marketable_as_of,
        {{ usd_mn_to_bn('marketable.marketable_usd_mn') }} as marketable_debt_usd_bn
    from {{ asof_left_join('weekly', 'weekly', 'marketable', 'marketable', [],
                           'weekly.as_of_date', '>=', 'marketable.record_date + 8') }}
),

with_penny as (
    select
        with_debt.*,
        debt.record_date as total_public_debt_as_of,
        {{ usd_to_bn('debt.total_public_debt_usd') }} as total_public_debt_usd_bn
    from {{ asof_left_join('with_debt', 'with_debt', 'debt', 'debt', [],
                           'with_debt.as_of_date', '>', 'debt.record_date') }}
)

select
    as_of_date,
    round(soma_total_usd_bn, 4) as soma_total_usd_bn,
    round(soma_treasuries_usd_bn, 4) as soma_treasuries_usd_bn,
    round(soma_bills_usd_bn, 4) as soma_bills_usd_bn,
    round(soma_mbs_usd_bn, 4) as soma_mbs_usd_bn,
    round(soma_total_usd_bn - lag(soma_total_usd_bn) over (order by as_of_date), 4) as soma_total_change_usd_bn,
    round(soma_bills_usd_bn - lag(soma_bills_usd_bn) over (order by as_of_date), 4) as soma_bill_change_usd_bn,
    round(fed_total_assets_usd_bn, 4) as fed_total_assets_usd_bn,
    round(h41_bills_usd_bn, 4) as h41_bills_usd_bn,
    round(h41_bills_usd_bn - lag(h41_bills_usd_bn) over (order by as_of_date), 4) as h41_bill_change_usd_bn,
    round(100.0 * soma_total_usd_bn / nullif(fed_total_assets_usd_bn, 0), 4) as soma_share_of_fed_assets_pct,
    marketable_as_of,
    round(marketable_debt_usd_bn, 4) as marketable_debt_usd_bn,
    round(100.0 * soma_treasuries_usd_bn / nullif(marketable_debt_usd_bn, 0), 4) as fed_share_of_marketable_pct,
    total_public_debt_as_of,
    round(total_public_debt_usd_bn, 4) as total_public_debt_usd_bn
from with_penny
