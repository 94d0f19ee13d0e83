{#- Point in time: on every row, each `<x>_as_of` column (the observation used) has a `<x>_known_from` (when it was
    published: a timestamp in New York time, or the first session it counts from) no later than the row's day at
    its close (var `daily_close_time`). A row using a value it could not have known fails, naming the column; an
    `*_as_of` without its `*_known_from` is a compile error. Columns are read from the built relation. -#}
{% test no_look_ahead(model, day_column) %}
{%- set names = (adapter.get_columns_in_relation(model) | map(attribute='name') | list) if execute else [] -%}
{%- set as_of_columns = [] -%}
{%- for name in names if name.endswith('_as_of') -%}{%- do as_of_columns.append(name) -%}{%- endfor -%}
{%- for as_of in as_of_columns -%}
    {%- if as_of[:-6] ~ '_known_from' not in names -%}
        {{ exceptions.raise_compiler_error(model ~ "." ~ as_of ~ " has no " ~ as_of[:-6] ~ "_known_from") }}
    {%- endif -%}
{%- endfor %}
{%- for as_of in as_of_columns %}
select {{ day_column }} as day, '{{ as_of }}' as as_of_column, cast({{ as_of[:-6] }}_known_from as string) as known_from
from {{ model }}
where {{ as_of }} is not null
    and ({{ as_of[:-6] }}_known_from is null
         or cast({{ as_of[:-6] }}_known_from as timestamp)
            > {{ at_close(day_column) }})
{{ "union all" if not loop.last }}
{%- else %}
select null as day where false
{%- endfor %}
{% endtest %}
