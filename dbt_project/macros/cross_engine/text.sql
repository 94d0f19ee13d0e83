{#- A number as C's printf('%g') writes it (six significant digits, no trailing zeros): DuckDB's printf is C's;
    Spark's is Java's, whose %g keeps the trailing zeros. -#}
{% macro number_text(value) %}{{ return(adapter.dispatch('number_text')(value)) }}{% endmacro %}
{% macro default__number_text(value) %}printf('%g', {{ value }}){% endmacro %}
{% macro spark__number_text(value) -%}
    case when format_string('%.6g', cast({{ value }} as double)) like '%.%'
              and format_string('%.6g', cast({{ value }} as double)) not like '%e%'
         then regexp_replace(format_string('%.6g', cast({{ value }} as double)), '\\.?0+$', '')
         else format_string('%.6g', cast({{ value }} as double)) end
{%- endmacro %}
