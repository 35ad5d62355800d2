-- Territory fit, step 1 (docs/insights.md "Territory fit"; fct_territory_fit
-- does steps 2 and 3): per history year and territory, the territory's win rate
-- and value per won deal for a rep of average skill, from a two-way fit of the
-- cells (int_territory_fit_cells: a rep's deals in a territory).
--
-- Two-way fit (a Poisson main-effects model, iterative proportional fitting,
-- fit_rounds rounds unrolled: var territory_fit_rounds): a rep's won deals in a territory are expected to
-- be n c_t a_r (n closed deals), their won bookings v m_t g_r (v won deals with
-- an amount). A round sets c_t = Σ_r w / Σ_r n a_r, then a_r = Σ_t w / Σ_t n c_t
-- (m, g alike on B and v); the last round's rep factors are scaled to a
-- deal-weighted mean of 1 and the territory factors by the same mean. Unlike the
-- plain averages, c and m do not carry the skill of the reps who work a
-- territory most. fit_rounds is a fixed number, not a tolerance, so every engine
-- and every run does the same arithmetic (its convergence on the demo: docs).
--
-- Every factor is DECIMAL(38,10), each product rounded to 10 decimals (money())
-- and each quotient by divide_money: decimal sums are exact in any order, so
-- the fit is the same on every engine and in every build, the incremental one
-- included (in DOUBLE, the order of a sum moved a factor's 10th decimal).
--
-- Its own table, on the cells' table: each round is two levels of query, which
-- Spark's analyzer resolves level by level (spark.sql.analyzer.maxIterations in
-- profiles.yml); as CTEs of the mart, the rounds were copied into each of the
-- mart's readers of the cells.
{% set fit_rounds = var('territory_fit_rounds') | int %}
{% if fit_rounds < 1 %}
    {{ exceptions.raise_compiler_error("var territory_fit_rounds: a whole number of rounds, 1 or more (got " ~ var('territory_fit_rounds') ~ ")") }}
{% endif %}
with

rep_segments as (

    select * from {{ ref('int_territory_fit_cells') }}

),

-- round 0 gives every rep the factor 1; each round a territory step, then a rep step (but the last)
rep_round_0 as (

    select distinct
        history_year,
        employee_id,
        {{ money('1') }} as rep_win,
        {{ money('1') }} as rep_value
    from rep_segments

),
{% for round in range(1, fit_rounds + 1) %}
territory_round_{{ round }} as (

    select
        rep_segments.history_year,
        rep_segments.territory_id,
        {{ divide_money(
            'sum(rep_segments.won_deals)',
            'sum(' ~ money('rep_segments.closed_deals * rep_round_' ~ (round - 1) ~ '.rep_win') ~ ')'
        ) }} as territory_win,
        {{ divide_money(
            'sum(rep_segments.won_bookings)',
            'sum(' ~ money('rep_segments.valued_won_deals * rep_round_' ~ (round - 1) ~ '.rep_value') ~ ')'
        ) }} as territory_value
    from rep_segments
    inner join rep_round_{{ round - 1 }}
        on rep_segments.history_year = rep_round_{{ round - 1 }}.history_year
        and rep_segments.employee_id = rep_round_{{ round - 1 }}.employee_id
    group by rep_segments.history_year, rep_segments.territory_id

),
{% if not loop.last %}
rep_round_{{ round }} as (

    select
        rep_segments.history_year,
        rep_segments.employee_id,
        coalesce({{ divide_money(
            'sum(rep_segments.won_deals)',
            'sum(' ~ money('rep_segments.closed_deals * coalesce(territory_round_' ~ round ~ '.territory_win, 0)') ~ ')'
        ) }}, {{ money('0') }}) as rep_win,
        coalesce({{ divide_money(
            'sum(rep_segments.won_bookings)',
            'sum(' ~ money('rep_segments.valued_won_deals * coalesce(territory_round_' ~ round ~ '.territory_value, 0)') ~ ')'
        ) }}, {{ money('1') }}) as rep_value
    from rep_segments
    inner join territory_round_{{ round }}
        on rep_segments.history_year = territory_round_{{ round }}.history_year
        and rep_segments.territory_id = territory_round_{{ round }}.territory_id
    group by rep_segments.history_year, rep_segments.employee_id

),
{% endif %}{% endfor %}
-- the last round's territory factors rest on the rep factors of the round before: those scaled to a
-- deal-weighted mean of 1, the territory factors scaled up by the same mean
fit_scale as (

    select
        rep_segments.history_year,
        {{ divide_money(
            'sum(' ~ money('rep_segments.closed_deals * rep_round_' ~ (fit_rounds - 1) ~ '.rep_win') ~ ')',
            'sum(rep_segments.closed_deals)'
        ) }} as mean_rep_win,
        {{ divide_money(
            'sum(' ~ money('rep_segments.valued_won_deals * rep_round_' ~ (fit_rounds - 1) ~ '.rep_value') ~ ')',
            'sum(rep_segments.valued_won_deals)'
        ) }} as mean_rep_value
    from rep_segments
    inner join rep_round_{{ fit_rounds - 1 }}
        on rep_segments.history_year = rep_round_{{ fit_rounds - 1 }}.history_year
        and rep_segments.employee_id = rep_round_{{ fit_rounds - 1 }}.employee_id
    group by rep_segments.history_year

),

final as (

    select
        cast(territory_round_{{ fit_rounds }}.history_year as {{ dbt.type_int() }}) as history_year,
        cast(territory_round_{{ fit_rounds }}.territory_id as {{ dbt.type_string() }}) as territory_id,
        coalesce(
            {{ money('territory_round_' ~ fit_rounds ~ '.territory_win * fit_scale.mean_rep_win') }},
            {{ money('0') }}
        ) as territory_win_rate,
        {{ money('territory_round_' ~ fit_rounds ~ '.territory_value * fit_scale.mean_rep_value') }}
            as territory_value_per_won_deal
    from territory_round_{{ fit_rounds }}
    inner join fit_scale
        on territory_round_{{ fit_rounds }}.history_year = fit_scale.history_year

)

select * from final
