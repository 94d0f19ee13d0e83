-- One row per filing (cik, accession_number); 8-Ks with item 2.02 are earnings releases.
with filings as (
    select * from {{ source('sec', 'filings') }}
)

select
    cik,
    accession_number,
    cast(filing_date as date) as filing_date,
    cast(report_date as date) as report_date,
    form,
    items,
    form = '8-K' and coalesce(items, '') like '%2.02%' as is_earnings_release
from filings
