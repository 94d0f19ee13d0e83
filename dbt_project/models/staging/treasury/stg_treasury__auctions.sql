-- One row per (cusip, auction_date): completed and announced auctions, amounts in $bn.
-- Amounts are DECIMAL (whole dollars scaled to $bn): sums over windows are then exact and independent of the
-- order DuckDB adds rows in, so a rebuild gives the same numbers to the last digit.
-- `total_accepted` includes `soma_accepted` (the Fed's add-on outside the offering); the public took the rest.
with auctions as (
    select * from {{ source('treasury', 'auctions') }}
)

select
    cusip,
    cast(auction_date as date) as auction_date,
    cast(announcemt_date as date) as announcement_date,
    cast(issue_date as date) as issue_date,
    cast(maturity_date as date) as maturity_date,
    security_type,
    security_term,
    original_security_term,
    reopening = 'Yes' as is_reopening,
    coalesce(cash_management_bill_cmb = 'Yes', false) as is_cash_management_bill,
    bid_to_cover_ratio is not null as is_completed,
    cast(offering_amt / 1e9 as decimal(18, 6)) as offering_usd_bn,
    cast(total_accepted / 1e9 as decimal(18, 6)) as total_accepted_usd_bn,
    cast(soma_accepted / 1e9 as decimal(18, 6)) as soma_accepted_usd_bn,
    cast((total_accepted - coalesce(soma_accepted, 0)) / 1e9 as decimal(18, 6)) as public_accepted_usd_bn,
    cast(comp_accepted / 1e9 as decimal(18, 6)) as competitive_accepted_usd_bn,
    cast(primary_dealer_accepted / 1e9 as decimal(18, 6)) as primary_dealer_accepted_usd_bn,
    cast(direct_bidder_accepted / 1e9 as decimal(18, 6)) as direct_bidder_accepted_usd_bn,
    cast(indirect_bidder_accepted / 1e9 as decimal(18, 6)) as indirect_bidder_accepted_usd_bn,
    bid_to_cover_ratio,
    high_discnt_rate as high_discount_rate_pct,
    high_yield as high_yield_pct
from auctions
