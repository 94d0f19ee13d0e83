{#- A FRED value in the marts' units, by the series' `unit_kind` (stg_fred__series): `value_usd_bn` for dollar
    series (millions scaled to billions), `value_pct` for rates; each NULL for the other kind. Observations and
    vintages are scaled by this one rule. -#}
{% macro fred_value_columns(value, unit_kind) -%}
    case {{ unit_kind }}
        when 'usd_mn' then {{ usd_mn_to_bn(value) }}
        when 'usd_bn' then {{ value }}
    end as value_usd_bn,
    case when {{ unit_kind }} = 'pct' then {{ value }} end as value_pct
{%- endmacro %}
