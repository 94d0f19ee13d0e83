-- One row per filing (cik, accession_number); 8-Ks with item 2.02 are earnings releases.
-- EDGAR writes acceptanceDateTime with a `Z`, but for some filers the clock is New York's, not UTC (finagg#64,
-- edgartools#557), and nothing in the value tells which. Read as New York time, the clock gives the later of the two
-- instants, so a filing is never taken for public before it was.
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
    form = '8-K' and coalesce(items, '') like '%2.02%' as is_earnings_release,
    {#- A warehouse loaded before the column existed gets it with the next filing loaded. #}
    {% if relation_has_column(source('sec', 'filings'), 'acceptance_date_time') -%}
    {{ parse_iso_timestamp('acceptance_date_time') }}
    {%- else -%}
    cast(null as timestamp)
    {%- endif %} as accepted_at_new_york
from filings
