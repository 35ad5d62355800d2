{#
  Money is DECIMAL(38,10) from the raw layer to the payout line, never binary
  floating point (SPEC §5). Every amount a model writes goes through money();
  every division of money goes through divide_money().
#}

{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'spm')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    decimal(38, 10)
{%- endmacro %}


{% macro money(expression) -%}
    cast({{ expression }} as {{ spm.type_money() }})
{%- endmacro %}


{#
  divide_money(numerator, denominator): numerator / denominator as money,
  rounded half away from zero at the 10th decimal; null when the denominator is
  0 or null. The numerator is first taken as money (rounded to 10 decimals).
#}
{% macro divide_money(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide_money', 'spm')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_money(numerator, denominator) -%}
    cast(
        cast({{ numerator }} as {{ spm.type_money() }})
        / nullif(cast({{ denominator }} as {{ spm.type_money() }}), 0)
        as {{ spm.type_money() }}
    )
{%- endmacro %}

{#
  DuckDB returns DOUBLE for DECIMAL / DECIMAL, and 128-bit integer division is
  slow there (bit by bit), so the quotient is estimated in DOUBLE and made exact
  with DECIMAL products (exact in DuckDB) only. With n, d the operands as money:
    q0 = n / d in DOUBLE, as DECIMAL(38,10)       (close: a relative error ~1e-16)
    q1 = q0 + round((n - q0 * d) / d * 1e10) ulps  (the remainder, in units of
         10^-10, is small, so its DOUBLE quotient is right but at a tie)
    s  = n - q1 * d                                (exact, DECIMAL(38,20))
  q1 is the quotient rounded half away from zero unless 2|s| > |d| ulp, or
  2|s| = |d| ulp (a tie) with q1 on the side of zero: then the next ulp in the
  direction of s/d is. Each value is bound once (list_transform of a
  one-element list binds a lambda argument), so nothing is computed twice.
  The products stay below DECIMAL(38,20)'s 10^18 for numerators below ~10^17
  (amounts, and amount * rate products, well beyond 1e15); beyond, DuckDB
  raises an overflow error rather than a wrong number.
  tests/compensation/test_dbt_money.py compares it with Python's Decimal.
#}
{% macro duckdb__divide_money(numerator, denominator) -%}
    {%- set ulp = 'cast(0.0000000001 as decimal(38, 10))' -%}
    (list_transform(
        [struct_pack(n := cast({{ numerator }} as decimal(38, 10)), d := cast({{ denominator }} as decimal(38, 10)))],
        lambda v: case when v.d = 0 then null else
        list_transform([cast(v.n::double / v.d::double as decimal(38, 10))], lambda q0:
        list_transform([q0 + cast(round(((v.n - q0 * v.d)::double / v.d::double) * 1e10) as decimal(38, 0)) * {{ ulp }}], lambda q1:
        list_transform([v.n - q1 * v.d], lambda s:
            case
                when 2 * abs(s) > abs(v.d) * {{ ulp }}
                    or (2 * abs(s) = abs(v.d) * {{ ulp }} and sign(s) <> -sign(v.n))
                    then q1 + cast(sign(s) * sign(v.d) as decimal(38, 0)) * {{ ulp }}
                else q1
            end
        )[1])[1])[1] end
    )[1])
{%- endmacro %}

{#
  Spark: with spark.sql.decimalOperations.allowPrecisionLoss=false (checked when
  a run starts: macros/spark.sql) n / d is exact to 18 decimals, rounded half
  up (away from zero), so its cast to 10 decimals q1 is the quotient rounded
  half away from zero but where rounding twice moved it by one ulp (digits
  11-18 rounded up to a tie). The remainder s = n - q1 * d (exact, DECIMAL(38,20))
  finds those, with the same correction as DuckDB's. Values are bound once by
  transform() over a one-element array.
#}
{% macro spark__divide_money(numerator, denominator) -%}
    {%- set ulp = 'cast(0.0000000001 as decimal(38, 10))' -%}
    transform(
        array(named_struct('n', cast({{ numerator }} as decimal(38, 10)), 'd', cast({{ denominator }} as decimal(38, 10)))),
        v -> case when v.d = 0 then null else
        transform(array(cast(v.n / v.d as decimal(38, 10))), q1 ->
        transform(array(v.n - q1 * v.d), s ->
            case
                when 2 * abs(s) > abs(v.d) * {{ ulp }}
                    or (2 * abs(s) = abs(v.d) * {{ ulp }} and sign(s) <> -sign(v.n))
                    then cast(q1 + cast(sign(s) * sign(v.d) as decimal(38, 0)) * {{ ulp }} as decimal(38, 10))
                else q1
            end
        )[0])[0] end
    )[0]
{%- endmacro %}

{#
  allocated_through(amount, cumulative, total): cumulative rounding of `amount`
  over parts of `total` taken in a fixed order: the amount allocated up to a
  `cumulative` part is divide_money(amount x cumulative, total), and exactly
  `amount` once cumulative reaches total. A part's share is
      allocated_through(amount, cumulative, total)
      - allocated_through(amount, cumulative - part, total)
  and the shares add up to `amount` exactly: they telescope, and the last one
  ends on `amount` itself (divide_money(amount x total, total) can miss it in
  the 10th decimal, since the product is rounded to 10 decimals first: a total
  below 1, credits of a few cents).
#}
{% macro allocated_through(amount, cumulative, total) -%}
    (case
        when {{ cumulative }} = {{ total }} then {{ money(amount) }}
        else {{ divide_money(amount ~ ' * ' ~ cumulative, total) }}
    end)
{%- endmacro %}


{#
  The minor units of the currencies (SPEC §5): the seed `currencies`
  (seeds/currencies.csv: currency_code, minor_unit), the one table Python reads
  too (core/money.py MINOR_UNITS). Read from the warehouse when the model is
  compiled for execution (the seed is upstream of every model that rounds: the
  ref below makes it so); at parse time it is empty, nothing runs then.
  Returns {currency_code: minor_unit}.
#}
{% macro minor_units() -%}
    {%- set seed = ref('currencies') -%}
    {%- if not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- if adapter.get_relation(database=seed.database, schema=seed.schema, identifier=seed.identifier) is none -%}
        {{ exceptions.raise_compiler_error("The seed currencies (" ~ seed ~ ") is not loaded: run dbt build (or dbt seed) first.") }}
    {%- endif -%}
    {%- set table = run_query('select currency_code, minor_unit from ' ~ seed ~ ' order by currency_code') -%}
    {%- set units = {} -%}
    {%- for row in table.rows -%}
        {%- do units.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
    {{ return(units) }}
{%- endmacro %}

{# The currency's minor unit as SQL: a CASE built from the seed (2, the common case, is the else branch). #}
{% macro minor_unit_of(currency) -%}
    (case {{ currency }}
        {%- for code, units in spm.minor_units().items() | sort if units != 2 %}
        when '{{ code }}' then {{ units }}
        {%- endfor %}
        else 2
    end)
{%- endmacro %}

{# The distinct minor units other than 2 in the seed, ascending (one CASE branch each). #}
{% macro _minor_units_other_than_2() -%}
    {{ return(spm.minor_units().values() | reject('equalto', 2) | unique | sort | list) }}
{%- endmacro %}

{#
  Money rounded half away from zero to the currency's minor unit (SPEC §5; the
  rule core/money.py round_money applies in Python, on the same seed). The
  precision of round() must be a constant in some warehouses, hence one branch
  per minor unit of the seed.
#}
{% macro round_to_minor_unit(expression, currency) -%}
    (case {{ spm.minor_unit_of(currency) }}
        {%- for units in spm._minor_units_other_than_2() %}
        when {{ units }} then {{ spm.money('round(' ~ expression ~ ', ' ~ units ~ ')') }}
        {%- endfor %}
        else {{ spm.money('round(' ~ expression ~ ', 2)') }}
    end)
{%- endmacro %}

{# Money cut toward minus infinity to the currency's minor unit (exact: decimal multiplications only). #}
{% macro floor_to_minor_unit(expression, currency) -%}
    (case {{ spm.minor_unit_of(currency) }}
        {%- for units in spm._minor_units_other_than_2() %}
        when {{ units }} then {{ spm._floor_to_decimals(expression, units) }}
        {%- endfor %}
        else {{ spm._floor_to_decimals(expression, 2) }}
    end)
{%- endmacro %}

{% macro _floor_to_decimals(expression, units) -%}
    {%- if units == 0 -%}
        {{ spm.money('floor(' ~ expression ~ ')') }}
    {%- else -%}
        {{ spm.money('cast(floor(' ~ expression ~ ' * 1' ~ '0' * units ~ ') as decimal(38, 0)) * cast(0.' ~ '0' * (units - 1) ~ '1 as ' ~ spm.type_money() ~ ')') }}
    {%- endif -%}
{%- endmacro %}
