{#- True when `relation` exists and has `column`: an incremental model can tell a table built by an older version
    of itself (without the column it needs) and rebuild it fully instead of failing. -#}
{% macro relation_has_column(relation, column) %}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return(column | lower in names) }}
{% endmacro %}
