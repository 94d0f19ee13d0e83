-- One row per calendar day from `spine_start_date` to the latest observation (never past today).
with bounds as (
    select
        cast('{{ var("spine_start_date") }}' as date) as first_day,
        least(max(observation_date), current_date) as last_day
    from {{ ref('stg_fred__observations') }}
    where value_raw is not null
)

select cast(day as date) as date_day
from {{ from_days('bounds', 'first_day', 'last_day') }}
