{#- A claim's range as a reader would write it: `33.75–56.25`, `≥ 0.5`, `≤ 10` (mart_claims' verdict texts). -#}
{% macro claim_bounds(lower, upper) -%}
case
    when {{ lower }} is not null and {{ upper }} is not null
        then {{ number_text(lower) }} || '–' || {{ number_text(upper) }}
    when {{ lower }} is not null then '≥ ' || {{ number_text(lower) }}
    when {{ upper }} is not null then '≤ ' || {{ number_text(upper) }}
    else 'any value'
end
{%- endmacro %}
