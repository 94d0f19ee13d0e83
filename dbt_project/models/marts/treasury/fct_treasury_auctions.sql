-- Grain: one row per completed auction (cusip, auction_date): how it went and who took it. Amounts in $bn,
-- converted here from staging's exact dollars; shares computed from the exact amounts.
with auctions as (
    select * from {{ ref('stg_treasury__auctions') }}
    where is_completed
)

select
    cusip,
    auction_date,
    issue_date,
    maturity_date,
    security_type,
    security_term,
    is_reopening,
    {{ usd_to_bn('offering_usd') }} as offering_usd_bn,
    {{ usd_to_bn('total_accepted_usd') }} as total_accepted_usd_bn,
    {{ usd_to_bn('soma_accepted_usd') }} as soma_accepted_usd_bn,
    {{ usd_to_bn('public_accepted_usd') }} as public_accepted_usd_bn,
    bid_to_cover_ratio,
    coalesce(high_discount_rate_pct, high_yield_pct) as stop_out_rate_pct,
    round(100.0 * primary_dealer_accepted_usd / nullif(competitive_accepted_usd, 0), 4) as dealer_share_pct,
    round(100.0 * direct_bidder_accepted_usd / nullif(competitive_accepted_usd, 0), 4) as direct_share_pct,
    round(100.0 * indirect_bidder_accepted_usd / nullif(competitive_accepted_usd, 0), 4) as indirect_share_pct,
    round(100.0 * soma_accepted_usd / nullif(total_accepted_usd, 0), 4) as soma_share_pct,
    -- A tail needs the when-issued yield at the auction deadline, which no source here provides.
    cast(null as double) as tail_bp
from auctions
