-- One row per (series_id, observation_date, vintage_number): every value a FRED observation has had, with
-- `known_from`, the New York time it became public. Point in time reads this model, never the current value.
--
-- Where ALFRED's vintages are loaded (with FRED_API_KEY), they are the history: each vintage is public from its
-- realtime_start, at the time of day its release comes out (the `fred_release_calendar` seed). Elsewhere the
-- warehouse's own history (snap_fred__observations): the first value it loaded is dated by the release calendar
-- (the observation's first publication; a keyless first load sees today's revised value under that date, the
-- best it can do), every later value from the time the warehouse first saw it.
{%- set alfred = source('fred', 'vintages') %}
{%- set has_alfred = execute and adapter.get_relation(alfred.database, alfred.schema, alfred.identifier) is not none %}

with calendar as (
    select * from {{ ref('fred_release_calendar') }}
),

series as (
    select series_id, unit_kind from {{ ref('stg_fred__series') }}
),

history as (
    -- Holidays (no value) are not vintages.
    select
        series_id,
        cast(date as date) as observation_date,
        value,
        dbt_valid_from,
        row_number() over (partition by series_id, date order by dbt_valid_from) as version
    from {{ fred_observation_history() }} as observation_history
    where value is not null
),

alfred as (
    {%- if has_alfred %}
    select series_id, cast(date as date) as observation_date, value, cast(realtime_start as date) as realtime_start
    from {{ alfred }}
    where value is not null
    {%- else %}
    -- No ALFRED vintages loaded (no FRED_API_KEY): an empty relation of the same shape.
    select cast(null as string) as series_id, cast(null as date) as observation_date, cast(null as double) as value,
           cast(null as date) as realtime_start
    where false
    {%- endif %}
),

released as (
    -- When the release calendar says the observation was first published: the end of its period, plus the lag,
    -- at the release's time of day. Series outside the calendar count from the next day's close.
    select
        history.*,
        coalesce(calendar.known_at, '16:00') as known_at,
        {%- set release_day %}(case calendar.period
            when 'month' then last_day(history.observation_date)
            when 'quarter' then last_day(history.observation_date + interval 2 month)
            else history.observation_date
         end + coalesce(calendar.known_after_days, 1)){% endset %}
        {{ at_time_of_day(release_day, "coalesce(calendar.known_at, '16:00')") }} as calendar_known_from
    from history
    left join calendar on calendar.series_id = history.series_id
),

own as (
    select
        released.series_id,
        released.observation_date,
        released.value,
        case when released.version = 1 then released.calendar_known_from
             else greatest(released.calendar_known_from,
                           {{ utc_to_new_york('released.dbt_valid_from') }})
        end as known_from,
        case when released.version = 1 then 'release_calendar' else 'first_seen' end as vintage_source
    from released
    where not exists (
        select 1 from alfred
        where alfred.series_id = released.series_id and alfred.observation_date = released.observation_date
    )
),

from_alfred as (
    select
        alfred.series_id,
        alfred.observation_date,
        alfred.value,
        {{ at_time_of_day('alfred.realtime_start', "coalesce(calendar.known_at, '16:00')") }} as known_from,
        'alfred' as vintage_source
    from alfred
    left join calendar on calendar.series_id = alfred.series_id
),

vintages as (
    select * from own
    union all
    select * from from_alfred
)

select
    vintages.series_id,
    vintages.observation_date,
    row_number() over observation as vintage_number,
    vintages.known_from,
    lead(vintages.known_from) over observation as known_until,
    lead(vintages.known_from) over observation is null as is_latest,
    vintages.vintage_source,
    vintages.value as value_raw,
    {{ fred_value_columns('vintages.value', 'series.unit_kind') }}
from vintages
left join series on series.series_id = vintages.series_id
window observation as (partition by vintages.series_id, vintages.observation_date order by vintages.known_from)
