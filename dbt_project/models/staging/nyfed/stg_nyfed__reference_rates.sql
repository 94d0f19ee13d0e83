-- One row per (rate_type, effective_date): the NY Fed's published reference rates, percent, volumes in $bn.
with rates as (
    select * from {{ source('nyfed', 'reference_rates') }}
)

select
    lower(type) as rate_type,
    cast(effective_date as date) as effective_date,
    percent_rate as rate_pct,
    percent_percentile1 as percentile_1_pct,
    percent_percentile25 as percentile_25_pct,
    percent_percentile75 as percentile_75_pct,
    percent_percentile99 as percentile_99_pct,
    volume_in_billions as volume_usd_bn,
    target_rate_from as target_range_low_pct,
    target_rate_to as target_range_high_pct,
    revision_indicator is not null as was_revised
from rates
