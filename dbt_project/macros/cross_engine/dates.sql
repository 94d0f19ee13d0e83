{#- Date and time expressions DuckDB and Spark spell differently; dbt's own cross-database macros (dbt.datediff,
    dbt.date_trunc, ...) are used where they exist. Each default__ is the DuckDB SQL the models had before. -#}

{#- The day of the week, 0 = Sunday … 6 = Saturday (DuckDB's dayofweek; Spark's counts from 1). -#}
{% macro day_of_week(day) %}{{ return(adapter.dispatch('day_of_week')(day)) }}{% endmacro %}
{% macro default__day_of_week(day) %}dayofweek({{ day }}){% endmacro %}
{% macro spark__day_of_week(day) %}(dayofweek({{ day }}) - 1){% endmacro %}

{#- Days from `start` to `end` (both dates): DuckDB subtracts dates to an integer; Spark to an interval. -#}
{% macro days_between(start, end) %}{{ return(adapter.dispatch('days_between')(start, end)) }}{% endmacro %}
{% macro default__days_between(start, end) %}({{ end }} - {{ start }}){% endmacro %}
{% macro spark__days_between(start, end) %}datediff({{ end }}, {{ start }}){% endmacro %}

{#- A timestamp: `day` (a date) at the time of day `clock` (an 'HH:MM' string expression). Spark has no TIME type. -#}
{% macro at_time_of_day(day, clock) %}{{ return(adapter.dispatch('at_time_of_day')(day, clock)) }}{% endmacro %}
{% macro default__at_time_of_day(day, clock) %}({{ day }} + cast({{ clock }} as time)){% endmacro %}
{% macro spark__at_time_of_day(day, clock) %}cast(concat(cast({{ day }} as string), ' ', {{ clock }}) as timestamp){% endmacro %}

{#- Whether a timestamp's time of day is before (or at, with `or_equal`) the clock 'HH:MM' (a literal). -#}
{% macro time_of_day_before(at, clock, or_equal) %}{{ return(adapter.dispatch('time_of_day_before')(at, clock, or_equal)) }}{% endmacro %}
{% macro default__time_of_day_before(at, clock, or_equal) -%}
    cast({{ at }} as time) {{ '<=' if or_equal else '<' }} time '{{ clock }}'
{%- endmacro %}
{% macro spark__time_of_day_before(at, clock, or_equal) -%}
    {%- set padded = clock if clock | length == 8 else clock ~ ':00' -%}
    date_format({{ at }}, 'HH:mm:ss.SSSSSS') {{ '<=' if or_equal else '<' }} '{{ padded }}.000000'
{%- endmacro %}

{#- A UTC timestamp as New York's wall clock (a timestamp without time zone). -#}
{% macro utc_to_new_york(at) %}{{ return(adapter.dispatch('utc_to_new_york')(at)) }}{% endmacro %}
{% macro default__utc_to_new_york(at) %}timezone('America/New_York', cast({{ at }} as timestamptz)){% endmacro %}
{% macro spark__utc_to_new_york(at) %}from_utc_timestamp({{ at }}, 'America/New_York'){% endmacro %}

{#- `YYYY-MM-DDTHH:MM:SS` (the first 19 characters of `text`) as a timestamp; NULL when it is not one. -#}
{% macro parse_iso_timestamp(text) %}{{ return(adapter.dispatch('parse_iso_timestamp')(text)) }}{% endmacro %}
{% macro default__parse_iso_timestamp(text) %}try_strptime(left({{ text }}, 19), '%Y-%m-%dT%H:%M:%S'){% endmacro %}
{% macro spark__parse_iso_timestamp(text) %}try_to_timestamp(left({{ text }}, 19), "yyyy-MM-dd'T'HH:mm:ss"){% endmacro %}

{#- An interval of `months` months, `months` an integer expression. -#}
{% macro months_interval(months) %}{{ return(adapter.dispatch('months_interval')(months)) }}{% endmacro %}
{% macro default__months_interval(months) %}to_months({{ months }}){% endmacro %}
{% macro spark__months_interval(months) %}make_ym_interval(0, {{ months }}){% endmacro %}

{#- A FROM clause: `bounds` (one row) and one row per calendar day from `first_day` to `last_day` (columns of
    bounds), the day in column `day` (a date). DuckDB's range() table function; Spark explodes a sequence. -#}
{% macro from_days(bounds, first_day, last_day) %}{{ return(adapter.dispatch('from_days')(bounds, first_day, last_day)) }}{% endmacro %}
{% macro default__from_days(bounds, first_day, last_day) -%}
    {{ bounds }}, range({{ bounds }}.{{ first_day }}, {{ bounds }}.{{ last_day }} + interval 1 day, interval 1 day) as days(day)
{%- endmacro %}
{% macro spark__from_days(bounds, first_day, last_day) -%}
    {#- Spark's sequence() fails where range() is empty (last before first): no array, so no rows. #}
    {{ bounds }} lateral view explode(case when {{ bounds }}.{{ first_day }} <= {{ bounds }}.{{ last_day }}
        then sequence({{ bounds }}.{{ first_day }}, {{ bounds }}.{{ last_day }}, interval 1 day) end) days as day
{%- endmacro %}

{#- The close (var `daily_close_time`, New York) of `day`, a timestamp. -#}
{% macro at_close(day) %}{{ at_time_of_day(day, "'" ~ var('daily_close_time') ~ "'") }}{% endmacro %}
