-- Monthly net bill issuance from the auctions (bills issued minus bills maturing, by issue and maturity date) against
-- the change in marketable bills outstanding in MSPD table 1: two independent records of one stock.
-- Checked in months where the auctions loaded are known to be complete: a year of history (the mart leaves the
-- first year out) and bills issued within 0.1% of what the DTS shows issued (the DTS is the independent witness of
-- completeness; a partial auction download is a gap in the download, not a disagreement of the sources, and the
-- mart shows it as `auction_coverage_pct`).
-- Tolerance $50mn: Treasury publishes auction amounts in $100 steps and the MSPD to $100 (four decimals of $mn);
-- what remains is a bill maturing on a month-end holiday, which neither statement moves across months.
select
    window_end,
    auction_net_bill_issuance_usd_bn,
    mspd_bill_change_usd_bn,
    auction_net_bill_issuance_usd_bn - mspd_bill_change_usd_bn as difference_usd_bn
from {{ ref('mart_bill_absorption') }}
where window_type = 'month'
    and auction_net_bill_issuance_usd_bn is not null
    and mspd_bill_change_usd_bn is not null
    and abs(auction_coverage_pct - 100) <= 0.1
    and abs(auction_net_bill_issuance_usd_bn - mspd_bill_change_usd_bn) > 0.05
