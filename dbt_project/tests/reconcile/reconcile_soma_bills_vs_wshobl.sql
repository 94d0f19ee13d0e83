-- The Fed's bills summed from the NY Fed's SOMA holdings by CUSIP against FRED WSHOBL (H.4.1, bills held
-- outright, Wednesday level) on each as-of Wednesday both publish: the same position from two publications.
-- Tolerance $5mn: H.4.1 rounds to $1mn and the by-CUSIP file sums hundreds of par amounts.
with by_cusip as (
    select as_of_date, {{ convert_usd('sum(par_usd)', 'usd', 'usd_mn') }} as bills_usd_mn
    from {{ ref('stg_nyfed__soma_bill_holdings') }}
    group by as_of_date
),

wshobl as (
    select observation_date, {{ convert_usd('value_usd_bn', 'usd_bn', 'usd_mn') }} as bills_usd_mn
    from {{ ref('stg_fred__observations') }}
    where series_id = 'WSHOBL' and value_usd_bn is not null
)

select
    by_cusip.as_of_date,
    by_cusip.bills_usd_mn as soma_by_cusip_usd_mn,
    wshobl.bills_usd_mn as wshobl_usd_mn,
    by_cusip.bills_usd_mn - wshobl.bills_usd_mn as difference_usd_mn
from by_cusip
join wshobl on wshobl.observation_date = by_cusip.as_of_date
where abs(by_cusip.bills_usd_mn - wshobl.bills_usd_mn) > 5
