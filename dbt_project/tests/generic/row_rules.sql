{#
  A model's row rules in one test, one dbt node (a node costs dbt ~50-90 ms
  whatever its rows): its not-null columns, unique columns and keys, accepted
  values, boolean expressions and references, each with the meaning of the single
  dbt test it stands for. Not-null, accepted values and expressions are counted in
  one scan; each key and reference is one more select of the same query.

  * not_null: [columns]                    none is ever NULL
  * unique: [columns]                      dbt's `unique`: no value twice, NULLs skipped
  * unique_combinations: [[columns], ...]  no combination twice (NULL is a value)
  * accepted_values: {column: [values]}    every non-NULL value is one of them
                                           ({column: {values: [...], quote: false}}
                                           for numbers)
  * expressions: [sql, ...]                holds on every row (a NULL result passes)
  * relationships: {column: {to: ref('x'), field: y}}
                                           every non-NULL value is a y of x

  Returns one row per broken rule: rule (not_null, unique, unique_combination,
  accepted_values, expression_is_true, relationships), checked (the column(s),
  the expression or the reference) and failing_rows (rows with a null, an
  unaccepted value or a value the referenced model lacks, rows where the
  expression is false, values or combinations found twice). A `where`
  config narrows the rows of every rule, as for any generic test: a rule with
  its own `where` stays a test of its own.
#}
{% test row_rules(model, not_null=[], unique=[], unique_combinations=[], accepted_values={}, expressions=[],
                  relationships={}) %}

{%- set scanned = [] -%}
{%- for column in not_null -%}
    {%- do scanned.append(('not_null', column, column ~ ' is null')) -%}
{%- endfor -%}
{%- for column, accepted in accepted_values.items() -%}
    {%- set values = accepted['values'] if accepted is mapping else accepted -%}
    {%- set quote = accepted.get('quote', true) if accepted is mapping else true -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append("'" ~ value ~ "'" if quote else value | string) -%}
    {%- endfor -%}
    {%- do scanned.append(('accepted_values', column, column ~ ' not in (' ~ listed | join(', ') ~ ')')) -%}
{%- endfor -%}
{%- for expression in expressions -%}
    {%- do scanned.append(('expression_is_true', expression, 'not (' ~ expression ~ ')')) -%}
{%- endfor -%}
{%- set keys = [] -%}
{%- for column in unique -%}
    {%- do keys.append(('unique', [column], column ~ ' is not null')) -%}
{%- endfor -%}
{%- for combination in unique_combinations -%}
    {%- do keys.append(('unique_combination', combination, none)) -%}
{%- endfor -%}

with

{% if scanned -%}
scanned as (

    select
        {% for rule, checked, failing in scanned -%}
        count(case when {{ failing }} then 1 end) as failing_{{ loop.index }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ model }}

),

{% endif -%}
broken as (

    {% for rule, checked, failing in scanned -%}
    select
        '{{ rule }}' as rule,
        '{{ dbt.escape_single_quotes(checked) }}' as checked,
        failing_{{ loop.index }} as failing_rows
    from scanned
    union all
    {% endfor -%}
    {% for rule, columns, present in keys -%}
    select
        '{{ rule }}' as rule,
        '{{ columns | join(", ") }}' as checked,
        count(*) as failing_rows
    from (
        select {{ columns | join(', ') }}
        from {{ model }}
        {% if present -%}
        where {{ present }}
        {% endif -%}
        group by {{ columns | join(', ') }}
        having count(*) > 1
    ) as repeated_{{ loop.index }}
    union all
    {% endfor -%}
    {% for column, reference in relationships.items() -%}
    {%- set parent = reference.to.identifier if reference.to.identifier is defined else reference.to -%}
    select
        'relationships' as rule,
        '{{ column }} -> {{ dbt.escape_single_quotes(parent | string) }}.{{ reference.field }}' as checked,
        count(*) as failing_rows
    from (
        select {{ column }} as child_value
        from {{ model }}
        where {{ column }} is not null
    ) as child_{{ loop.index }}
    left join (
        select {{ reference.field }} as parent_value
        from {{ reference.to }}
    ) as parent_{{ loop.index }}
        on child_{{ loop.index }}.child_value = parent_{{ loop.index }}.parent_value
    where parent_{{ loop.index }}.parent_value is null
    union all
    {% endfor -%}
    {#- the empty tail of the union: a typed row that never fails -#}
    select
        'none' as rule,
        'none' as checked,
        cast(0 as {{ dbt.type_bigint() }}) as failing_rows

)

select rule, checked, failing_rows
from broken
where failing_rows > 0

{% endtest %}
