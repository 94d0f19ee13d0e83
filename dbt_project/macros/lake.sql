{#- The Spark engine's raw layer: the Parquet files dlt wrote to the lake (ingestion/lake.py), registered in
    Spark's catalog at the start of every dbt invocation, before any model reads them. In the same Spark session
    as the build (no second JVM, ~15 s each) and re-registered every time, so a table dlt has since written with a
    new column is read with it. The list of tables comes from FAULTLINES_LAKE_TABLES (JSON written by the run from
    what is in the lake, with each table's primary key from ingestion/sources): dbt cannot list folders itself.

    Per raw table: `<table>__files`, an external Parquet table over every file (`mergeSchema`
    for columns added later); `<table>__loads`, a view of the rows of the loads dlt completed (`_dlt_loads`,
    JSON lines, status 0); and `<table>`, a view
    with the latest version per primary key — the current rows, as DuckDB's merged raw table holds them, so the
    staging models are one SQL text for both engines. On DuckDB (dlt merges into the warehouse) this does nothing. -#}
{% macro register_lake_tables() %}{{ return(adapter.dispatch('register_lake_tables')()) }}{% endmacro %}

{#- Empty: dbt runs no statement for it. -#}
{% macro default__register_lake_tables() %}{% endmacro %}

{% macro spark__register_lake_tables() %}
    {%- if not execute -%}{{ return('select 1') }}{%- endif -%}
    {%- set lake = fromjson(env_var('FAULTLINES_LAKE_TABLES', '{}')) -%}
    {%- for schema, tables in lake.items() -%}
        {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- for table, spec in tables.items() -%}
            {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table ~ '__files') -%}
            {%- do run_query('create table ' ~ schema ~ '.' ~ table ~ '__files using ' ~ spec['format'] ~ " options (mergeSchema 'true') location '" ~ spec['path'] ~ "'") -%}
        {%- endfor -%}
        {%- for table, spec in tables.items() if table != '_dlt_loads' -%}
            {%- do run_query('create or replace view ' ~ schema ~ '.' ~ table ~ '__loads as select * from '
                             ~ schema ~ '.' ~ table ~ '__files where _dlt_load_id in (select load_id from '
                             ~ schema ~ '._dlt_loads__files where status = 0)') -%}
            {%- if spec['keys'] -%}
                {%- do run_query('create or replace view ' ~ schema ~ '.' ~ table ~ ' as select * except (_lake_version) from ('
                                 ~ 'select *, row_number() over (partition by ' ~ spec['keys'] | join(', ')
                                 ~ ' order by _dlt_load_id desc) as _lake_version from ' ~ schema ~ '.' ~ table ~ '__loads'
                                 ~ ') where _lake_version = 1') -%}
            {%- else -%}
                {%- do run_query('create or replace view ' ~ schema ~ '.' ~ table ~ ' as select * from ' ~ schema ~ '.' ~ table ~ '__loads') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    select 1
{% endmacro %}
