-- One row per CIK: what EDGAR says about the company.
with companies as (
    select * from {{ source('sec', 'companies') }}
)

select
    cik,
    name as sec_name,
    sic as sic_code,
    sic_description,
    fiscal_year_end as fiscal_year_end_mmdd,
    tickers
from companies
