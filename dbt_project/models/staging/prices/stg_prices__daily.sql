-- One row per (ticker, trade_date): the daily bar. `close_usd` is split-adjusted (not dividend-adjusted);
-- `adj_close_usd` is adjusted for both and is restated by the provider after every dividend.
with bars as (
    select * from {{ source('prices', 'prices_daily') }}
)

select
    ticker,
    cast(trade_date as date) as trade_date,
    open as open_usd,
    high as high_usd,
    low as low_usd,
    close as close_usd,
    adj_close as adj_close_usd,
    volume,
    _dlt_load_id as load_id
from bars
