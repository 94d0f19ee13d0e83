-- One row per (cusip, auction_date): completed and announced auctions, amounts in whole US dollars.
-- Amounts stay exact DECIMALs in dollars (Treasury publishes them in $100 steps): the published identities then
-- hold to the dollar and sums over windows do not depend on the order rows are added in. Marts convert to $bn.
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
    cast(offering_amt as decimal(18, 0)) as offering_usd,
    cast(total_accepted as decimal(18, 0)) as total_accepted_usd,
    cast(soma_accepted as decimal(18, 0)) as soma_accepted_usd,
    cast(total_accepted - coalesce(soma_accepted, 0) as decimal(18, 0)) as public_accepted_usd,
    cast(comp_accepted as decimal(18, 0)) as competitive_accepted_usd,
    cast(noncomp_accepted as decimal(18, 0)) as noncompetitive_accepted_usd,
    cast(fima_noncomp_accepted as decimal(18, 0)) as fima_noncompetitive_accepted_usd,
    cast(primary_dealer_accepted as decimal(18, 0)) as primary_dealer_accepted_usd,
    cast(direct_bidder_accepted as decimal(18, 0)) as direct_bidder_accepted_usd,
    cast(indirect_bidder_accepted as decimal(18, 0)) as indirect_bidder_accepted_usd,
    bid_to_cover_ratio,
    high_discnt_rate as high_discount_rate_pct,
    high_yield as high_yield_pct
from auctions
