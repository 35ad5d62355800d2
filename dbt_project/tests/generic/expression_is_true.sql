{#
  A boolean SQL expression holds on every row (the failing rows are returned).
  `where` narrows the rows the rule applies to.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
