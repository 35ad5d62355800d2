{#
  Double entry: within every group (e.g. journal x currency) the debits equal the
  credits exactly. Returns the groups that do not balance.
#}
{% test balanced_per_group(model, group_by, debit_column='debit', credit_column='credit') %}

select
    {{ group_by | join(', ') }},
    sum({{ debit_column }}) as total_debit,
    sum({{ credit_column }}) as total_credit
from {{ model }}
group by {{ group_by | join(', ') }}
having sum({{ debit_column }}) <> sum({{ credit_column }})

{% endtest %}
