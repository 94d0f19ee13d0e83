-- One row per DTS business day: the Treasury General Account's closing balance in millions of dollars (as
-- published), whatever the table's generation (API-FORMATS.md §2c): until 2021-09-30 `Federal Reserve Account`,
-- to 2022-04-15 `Treasury General Account (TGA)` (both in `close_today_bal`), since 2022-04-18 the
-- `... Closing Balance` row, whose balance is in `open_today_bal` because `close_today_bal` is "null" on every row.
with cash as (
    select * from {{ source('treasury', 'operating_cash_balance') }}
)

select
    cast(record_date as date) as record_date,
    cast(case
        when account_type in ('Federal Reserve Account', 'Treasury General Account (TGA)') then close_today_bal
        else open_today_bal
    end as decimal(18, 0)) as tga_close_usd_mn,
    account_type as source_account_type
from cash
where account_type in (
    'Federal Reserve Account',
    'Treasury General Account (TGA)',
    'Treasury General Account (TGA) Closing Balance'
)
