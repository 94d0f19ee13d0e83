{#- Every value a FRED observation has had in this warehouse, with when it was first loaded (`dbt_valid_from`,
    UTC): series_id, date, value, dbt_valid_from. On DuckDB dlt merges a revision into the raw table, so a dbt
    snapshot keeps the history (snapshots/history.yml). On Spark the lake is append-only (every load's rows, with
    their load id), so the history is already there: a version starts at each load whose value differs from the
    load before (what the snapshot's check strategy records). dbt-spark snapshots would need Delta tables. -#}
{% macro fred_observation_history() %}{{ return(adapter.dispatch('fred_observation_history')()) }}{% endmacro %}

{% macro default__fred_observation_history() %}{{ ref('snap_fred__observations') }}{% endmacro %}

{% macro spark__fred_observation_history() -%}
(
    select series_id, date, value, dbt_valid_from
    from (
        select
            series_id,
            date,
            value,
            timestamp_seconds(cast(_dlt_load_id as double)) as dbt_valid_from,
            row_number() over (partition by series_id, date order by _dlt_load_id) as load_number,
            lag(value) over (partition by series_id, date order by _dlt_load_id) as previous_value
        from {{ source('fred', 'observations') }}__loads  {#- every load's rows (macros/lake.sql) #}
    ) as loads
    where load_number = 1 or not (value <=> previous_value)
)
{%- endmacro %}
