{#- Dollar amounts change scale here and nowhere else (as jaffle-shop's cents_to_dollars). Units are named as the
    column suffixes: `usd`, `usd_mn`, `usd_bn`. The factor is a DOUBLE literal (`1e9`), so the result is a DOUBLE
    whatever comes in: staging keeps Treasury's exact DECIMAL dollars, and a model sums them exactly first and
    converts last. -#}
{% macro convert_usd(amount, from_unit, to_unit) -%}
    {%- set powers_of_ten = {'usd': 0, 'usd_mn': 6, 'usd_bn': 9} -%}
    {%- if from_unit not in powers_of_ten or to_unit not in powers_of_ten -%}
        {{ exceptions.raise_compiler_error("convert_usd: units are usd, usd_mn or usd_bn, not "
                                           ~ from_unit ~ " / " ~ to_unit) }}
    {%- endif -%}
    {%- set shift = powers_of_ten[from_unit] - powers_of_ten[to_unit] -%}
    {#- Multiply or divide by a power of ten, never by its inverse: 1e-9 is not exact in binary, 1e9 is. -#}
    {%- if shift > 0 -%} (({{ amount }}) * 1e{{ shift }})
    {%- elif shift < 0 -%} (({{ amount }}) / 1e{{ -shift }})
    {%- else -%} ({{ amount }})
    {%- endif -%}
{%- endmacro %}

{% macro usd_to_bn(amount) %}{{ convert_usd(amount, 'usd', 'usd_bn') }}{% endmacro %}

{% macro usd_mn_to_bn(amount) %}{{ convert_usd(amount, 'usd_mn', 'usd_bn') }}{% endmacro %}
