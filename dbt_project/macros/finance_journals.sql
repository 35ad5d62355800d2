{#
  Settings and helpers of the finance journals (marts/finance, docs/journals.md).
  Every setting is a dbt var with the default below; override any of them with
  `--vars` (e.g. `--vars '{journal_accounts: {commission_expense: {number: "60100"}}}'`).
#}

{#
  The GL accounts, by role. `journal_accounts` may name only the roles (and
  only the keys) it changes: it is merged over these defaults.
#}
{% macro journal_accounts() -%}
    {%- set accounts = {
        'commission_expense': {'number': '6100', 'name': 'Commission expense'},
        'accrued_commissions': {'number': '2150', 'name': 'Accrued commissions'},
        'held_commissions': {'number': '2160', 'name': 'Held commissions (payable when the invoice is paid)'},
        'commission_advances': {'number': '1350', 'name': 'Commission advances (recoverable draws)'},
        'payroll_clearing': {'number': '2190', 'name': 'Payroll clearing'},
        'capitalized_contract_costs': {'number': '1450', 'name': 'Capitalized contract costs (ASC 340-40)'},
        'contract_cost_amortization': {'number': '6150', 'name': 'Amortization of contract costs'},
    } -%}
    {%- for role, override in var('journal_accounts', {}).items() -%}
        {%- if role not in accounts -%}
            {{ exceptions.raise_compiler_error("var journal_accounts: unknown account role '" ~ role ~ "'; roles: " ~ (accounts.keys() | sort | join(', '))) }}
        {%- endif -%}
        {%- do accounts[role].update(override) -%}
    {%- endfor -%}
    {{ return(accounts) }}
{%- endmacro %}

{% macro journal_account_number(role) -%}
    '{{ spm.journal_accounts()[role]['number'] }}'
{%- endmacro %}

{% macro journal_account_name(role) -%}
    '{{ spm.journal_accounts()[role]['name'] }}'
{%- endmacro %}


{#
  ASC 340-40 benefit period in months: var capitalization_benefit_months, else
  the environment variable SPM_CAPITALIZATION_BENEFIT_MONTHS, else 36. 12 or
  less: the practical expedient (expensed when incurred, nothing capitalized).
#}
{% macro capitalization_benefit_months() -%}
    {%- set months = var('capitalization_benefit_months', env_var('SPM_CAPITALIZATION_BENEFIT_MONTHS', '36')) | string | trim -%}
    {%- if not months.isdigit() or months | int < 1 -%}
        {{ exceptions.raise_compiler_error("capitalization_benefit_months (or SPM_CAPITALIZATION_BENEFIT_MONTHS) must be a whole number of months >= 1, got '" ~ months ~ "'") }}
    {%- endif -%}
    {{ return(months | int) }}
{%- endmacro %}

{# Opportunity Types whose commissions are incremental costs of obtaining a contract. #}
{% macro capitalization_opportunity_types() -%}
    {{ return(var('capitalization_opportunity_types', ['New Business'])) }}
{%- endmacro %}

{# Earning codes of fct_commission that are capitalized (quota bonuses are not tied to a contract). #}
{% macro capitalization_earning_codes() -%}
    {{ return(var('capitalization_earning_codes', ['COMMISSION', 'SPIF'])) }}
{%- endmacro %}

{# Cost center of a payee without one in HR. #}
{% macro unassigned_cost_center() -%}
    '{{ var("unassigned_cost_center", "UNASSIGNED") }}'
{%- endmacro %}

{# A list of strings as a SQL IN list. #}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}
