{#- The first calendar day whose close (var `daily_close_time`, New York) comes after a New York timestamp: the day
    a published value is first known at the close, or the first session that could react to a filing. A value out
    at the close itself counts that day (`at_close_counts`, for releases timed at the close such as the DTS at 16:00);
    a filing accepted at the close does not (the session is over). Written once: four models used the same CASE. -#}
{% macro first_day_at_close(at, at_close_counts=true) -%}
    case when {{ time_of_day_before(at, var("daily_close_time"), at_close_counts) }}
         then cast({{ at }} as date) else cast({{ at }} as date) + 1 end
{%- endmacro %}
