{#- As dbt_utils.expression_is_true (no package hub here, so the code is ours): every row satisfies `expression`;
    as a column test, the expression continues the column (`expression: ">= 0"`). A row where the expression is
    NULL passes, as in dbt_utils: a column that must be present has its own not_null test. Rows are filtered with
    dbt's own `config: {where: ...}`. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({% if column_name is not none %}{{ column_name }} {% endif %}{{ expression }})
{% endtest %}
