{#- An ASOF left join as a FROM clause: each `left` row with the one `right` row of the same `by` keys whose
    `right_time` is the nearest to `left_time` in the direction `op` says (`left_time op right_time`, op one of
    >=, >, <=, <), or no row. DuckDB has it natively (ASOF JOIN). Spark has no ASOF join: there a running max (or
    min) of the right side's times over the left and right times sorted together finds the matching time, and an
    equality join fetches its row — O(n log n), where a range join plus row_number would compare every pair.

    left / right: a relation (CTE name) or a parenthesised query; left_alias / right_alias name them for the rest
    of the query. by: a list of (left expression, right expression) pairs, written with the aliases; left_time /
    right_time likewise. The right side must have one row per (by, right_time), as ASOF assumes. -#}
{% macro asof_left_join(left, left_alias, right, right_alias, by, left_time, op, right_time) -%}
    {%- if op not in ('>=', '>', '<=', '<') -%}
        {{ exceptions.raise_compiler_error("asof_left_join: op is one of >=, >, <=, <; not " ~ op) }}
    {%- endif -%}
    {{ return(adapter.dispatch('asof_left_join')(left, left_alias, right, right_alias, by, left_time, op,
                                                 right_time)) }}
{%- endmacro %}

{% macro default__asof_left_join(left, left_alias, right, right_alias, by, left_time, op, right_time) -%}
{{ left }} as {{ left_alias }}
    asof left join {{ right }} as {{ right_alias }}
        on {% for l, r in by %}{{ l }} = {{ r }} and {% endfor %}{{ left_time }} {{ op }} {{ right_time }}
{%- endmacro %}

{% macro spark__asof_left_join(left, left_alias, right, right_alias, by, left_time, op, right_time) -%}
    {#- Looking back (>=, >) the match is the running max of earlier right times; looking ahead the running min of
        later ones (times sorted descending). At equal times a right row sorts first when equality matches. -#}
    {%- set backward = op in ('>=', '>') -%}
    {%- set right_first = op in ('>=', '<=') -%}
    {%- set match = left_alias ~ '__asof' -%}
    {%- set keys = [] -%}{%- for pair in by -%}{%- do keys.append('_k' ~ loop.index) -%}{%- endfor -%}
{{ left }} as {{ left_alias }}
    left join (
        select {% for k in keys %}{{ k }}, {% endfor %}_t,
            {{ 'max' if backward else 'min' }}(case when _side = 'right' then _t end) over (
                {% if keys %}partition by {{ keys | join(', ') }}{% endif %}
                order by _t {{ 'asc' if backward else 'desc' }}, _side {{ 'desc' if right_first else 'asc' }}
                rows between unbounded preceding and current row
            ) as _match_t,
            _side
        from (
            select distinct {% for l, r in by %}{{ l }} as _k{{ loop.index }}, {% endfor %}{{ left_time }} as _t,
                'left' as _side
            from {{ left }} as {{ left_alias }}
            union all
            select distinct {% for l, r in by %}{{ r }} as _k{{ loop.index }}, {% endfor %}{{ right_time }} as _t,
                'right' as _side
            from {{ right }} as {{ right_alias }}
            where {{ right_time }} is not null
        ) as _times
    ) as {{ match }}
        on {{ match }}._side = 'left'
        {%- for l, r in by %} and {{ match }}._k{{ loop.index }} = {{ l }}{% endfor %}
        and {{ match }}._t = {{ left_time }}
    left join {{ right }} as {{ right_alias }}
        on {% for l, r in by %}{{ r }} = {{ l }} and {% endfor %}{{ right_time }} = {{ match }}._match_t
{%- endmacro %}
