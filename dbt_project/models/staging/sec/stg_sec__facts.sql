-- One row per XBRL fact (cik, fact_key), classified into the metric the marts use. Quarterly and year-to-date
-- facts sit side by side (10-Qs carry both); `period_days` tells them apart. `filed` is when it became known.
with facts as (
    select * from {{ source('sec', 'facts') }}
)

select
    cik,
    fact_key,
    case
        when tag = 'NetIncomeLoss' then 'net_income'
        when tag in ('Revenues', 'RevenueFromContractWithCustomerExcludingAssessedTax', 'RevenuesNetOfInterestExpense')
            then 'revenue'
        when tag = 'EntityCommonStockSharesOutstanding' then 'shares_outstanding'
        when tag = 'WeightedAverageNumberOfDilutedSharesOutstanding' then 'diluted_shares'
        when tag = 'EarningsPerShareDiluted' then 'eps_diluted'
    end as metric,
    taxonomy,
    tag,
    unit,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    {{ dbt.datediff('cast(period_start as date)', 'cast(period_end as date)', 'day') }} + 1 as period_days,
    val as value,
    accn as accession_number,
    fy as filing_fiscal_year,
    fp as filing_fiscal_period,
    form,
    cast(filed as date) as filed_date,
    _dlt_load_id as load_id
from facts
