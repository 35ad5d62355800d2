-- Territory fit (docs/insights.md "Territory fit"): per history year (the
-- calendar year of the deals' CloseDate), rep (the deal owner's HR worker) and
-- territory segment (a territory of territories.yaml: billing country,
-- industry, size band; fct_account_territory), the rep's expected win rate and
-- value per won deal there as three factors, each estimated per history year:
--
--   the territory's (for a rep of average skill) x the rep's overall skill
--   (over all their territories, shrunk) x the rep's fit there (shrunk).
--
-- 1. Two-way fit (int_territory_two_way_fit: a Poisson main-effects model,
--    fitted by iterative proportional fitting): a rep's won deals in a
--    territory are expected to be n c_t a_r (n closed deals), their won
--    bookings v m_t g_r (v won deals with an amount); c and m, the territory's
--    figures for a rep of average skill, do not carry the skill of the reps
--    who work the territory most, as the plain averages do.
-- 2. Rep factor, shrunk by volume (empirical Bayes, method of moments, over
--    the year's reps): E_r = Σ_t n c_t, a_r = W_r / E_r; binomial dispersion
--    phi = Σ n c (1 - c) / Σ E; tau2 = Σ E (a - 1)² / Σ E - phi R / Σ E;
--    k = phi / tau2 and rep_win_factor = (W + k) / (E + k). Values: x = amount /
--    m_t, g_r = Σ amount / Σ m_t over the rep's won deals, s2 = Σ (x - g)² /
--    (V - R), tau2 = Σ v (g - 1)² / V - s2 R / V, lambda = s2 / tau2,
--    rep_value_factor = (v g + lambda) / (v + lambda). Then the territory's
--    figures for a rep of average skill with the factors as shrunk:
--    territory_win_rate = Σ w / Σ n rep_win_factor, territory_value_per_won_deal
--    = Σ B / Σ v rep_value_factor.
-- 3. Fit (the residual: where the rep wins relative to themselves):
--    e = n territory_win_rate rep_win_factor; phi2 = Σ e (1 - e/n) / Σ e;
--    tau2 = Σ (w - e)² / e / Σ e - phi2 C / Σ e over the C rep-territories with
--    e > 0; k2 = phi2 / tau2 and fit_win_factor = (w + k2) / (e + k2). Values:
--    y = amount / (territory_value_per_won_deal rep_value_factor), the cell's
--    mean ybar, s2 pooled within cells, tau2 = Σ v (ybar - 1)² / V - s2 C / V,
--    lambda2 = s2 / tau2, fit_value_factor = (v ybar + lambda2) / (v + lambda2).
-- A tau2 <= 0 gives max_prior_strength (macro prior_strength): the factor is 1.
--
--   shrunk_win_rate = least(territory_win_rate rep_win_factor fit_win_factor, 1);
--   shrunk_value_per_won_deal = territory_value_per_won_deal rep_value_factor fit_value_factor;
--   expected_value_per_opportunity = their product (overall skill included);
--   rep_index = rep_win_factor rep_value_factor (the rep against an average rep);
--   fit_index = fit_win_factor fit_value_factor (the territory against the
--     rep's own skill: 1 = as it predicts; the ranking of where a rep wins).
--
-- Every rep with a closed deal in the year gets a row for every territory
-- (the default one included): with no deal there, the fit factors are 1.
-- segment_win_rate and segment_value_per_won_deal are the plain averages (Σ
-- won / Σ closed, Σ B / Σ won), kept for reference. Amounts in the corporate
-- currency (amount_corporate of int_planning_opportunities); the variances,
-- estimator settings and not money, are DOUBLE, each sum of them exact and the
-- same in any row order (macro estimate_sum); every factor is
-- written as DECIMAL(38,10) and the figures are products of the written
-- factors. Read by the territory proposal (assets/planning/territory_fit.py).
{% set max_prior_strength = 1000000 %}
with

territories as (

    select * from {{ ref('stg_config__territories') }}

),

-- 1. the two-way fit's cells: the rep's deals in the territory, the territory's figures for a rep of
-- average skill (estimator settings here: DOUBLE)
two_way as (

    select
        cells.history_year,
        cells.employee_id,
        cells.territory_id,
        cells.closed_deals,
        cells.won_deals,
        cells.valued_won_deals,
        cells.won_bookings,
        cast(cells.won_bookings as double) as won_bookings_estimate,
        cast(cells.won_amount_squares as double) as won_amount_squares,
        cast(fit.territory_win_rate as double) as territory_win,
        cast(fit.territory_value_per_won_deal as double) as territory_value
    from {{ ref('int_territory_fit_cells') }} as cells
    inner join {{ ref('int_territory_two_way_fit') }} as fit
        on cells.history_year = fit.history_year
        and cells.territory_id = fit.territory_id

),

segment_totals as (

    select
        history_year,
        territory_id,
        count(*) as segment_reps,
        sum(closed_deals) as segment_closed_deals,
        {{ divide_money('sum(won_deals)', 'sum(closed_deals)') }} as segment_win_rate,
        {{ divide_money('sum(won_bookings)', 'sum(valued_won_deals)') }} as segment_value_per_won_deal
    from two_way
    group by history_year, territory_id

),

cells as (

    select
        two_way.*,
        two_way.closed_deals * two_way.territory_win as average_rep_wins,
        two_way.closed_deals * two_way.territory_win * (1 - two_way.territory_win) as average_rep_win_variance,
        two_way.valued_won_deals * two_way.territory_value as average_rep_bookings,
        case when two_way.valued_won_deals > 0
            then two_way.won_amount_squares / nullif(two_way.territory_value * two_way.territory_value, 0)
            else 0
        end as relative_squares
    from two_way

),

-- 2. the rep factor: the rep over all their territories
rep_totals as (

    select
        history_year,
        employee_id,
        sum(won_deals) as rep_won_deals,
        {{ estimate_sum('average_rep_wins') }} as rep_expected_wins,
        {{ estimate_sum('average_rep_win_variance') }} as rep_win_variance,
        sum(valued_won_deals) as rep_valued_won_deals,
        {{ estimate_sum('won_bookings_estimate') }} as rep_bookings,
        {{ estimate_sum('average_rep_bookings') }} as rep_expected_bookings,
        {{ estimate_sum('case when valued_won_deals > 0 then won_bookings_estimate / nullif(territory_value, 0) else 0 end') }}
            as rep_relative_sum,
        {{ estimate_sum('relative_squares') }} as rep_relative_squares
    from cells
    group by history_year, employee_id

),

rep_raw as (

    select
        rep_totals.*,
        rep_won_deals / nullif(rep_expected_wins, 0) as rep_win_raw,
        rep_bookings / nullif(rep_expected_bookings, 0) as rep_value_raw
    from rep_totals

),

rep_spreads as (

    select
        history_year,
        {{ estimate_sum('rep_win_variance') }} / nullif({{ estimate_sum('rep_expected_wins') }}, 0) as win_dispersion,
        {{ estimate_sum('rep_expected_wins') }} as expected_wins,
        sum(case when rep_expected_wins > 0 then 1 else 0 end) as win_units,
        {{ estimate_sum('case when rep_expected_wins > 0
            then rep_expected_wins * (rep_win_raw - 1) * (rep_win_raw - 1) else 0 end') }} as win_squares,
        sum(rep_valued_won_deals) as valued_won_deals,
        sum(case when rep_valued_won_deals > 0 then 1 else 0 end) as value_units,
        -- Σ over the reps' won deals of (x - g)²: Σ x² - 2 g Σ x + v g² per rep
        {{ estimate_sum('case when rep_valued_won_deals > 0
            then rep_relative_squares - 2 * rep_value_raw * rep_relative_sum
                + rep_valued_won_deals * rep_value_raw * rep_value_raw
            else 0 end') }} as value_within_squares,
        {{ estimate_sum('case when rep_valued_won_deals > 0
            then rep_valued_won_deals * (rep_value_raw - 1) * (rep_value_raw - 1) else 0 end') }} as value_squares
    from rep_raw
    group by history_year

),

rep_priors as (

    {{ moment_priors('rep_spreads') }}

),

rep_factors as (

    select
        rep_raw.history_year,
        rep_raw.employee_id,
        rep_raw.rep_win_raw,
        rep_raw.rep_value_raw,
        {{ money(prior_strength('rep_priors.win_dispersion', 'rep_priors.win_between_variance', max_prior_strength)) }}
            as rep_win_prior_strength,
        {{ money(prior_strength('rep_priors.value_within_variance', 'rep_priors.value_between_variance', max_prior_strength)) }}
            as rep_value_prior_strength,
        rep_raw.rep_won_deals,
        rep_raw.rep_expected_wins,
        rep_raw.rep_valued_won_deals
    from rep_raw
    inner join rep_priors
        on rep_raw.history_year = rep_priors.history_year

),

rep_shrunk as (

    select
        rep_factors.*,
        {{ divide_money(
            'rep_won_deals + rep_win_prior_strength',
            money('rep_expected_wins') ~ ' + rep_win_prior_strength'
        ) }} as rep_win_factor,
        {{ divide_money(
            money('rep_valued_won_deals * coalesce(rep_value_raw, 1)') ~ ' + rep_value_prior_strength',
            'rep_valued_won_deals + rep_value_prior_strength'
        ) }} as rep_value_factor
    from rep_factors

),

-- the territory's figures for a rep of average skill, the reps' factors as shrunk: a rep factor
-- that is mostly noise (a strong prior) moves them little
territory_levels as (

    select
        cells.history_year,
        cells.territory_id,
        cast(sum(cells.won_deals) as double)
            / nullif({{ estimate_sum('cells.closed_deals * rep_shrunk.rep_win_factor') }}, 0) as territory_win,
        {{ estimate_sum('cells.won_bookings_estimate') }}
            / nullif({{ estimate_sum('cells.valued_won_deals * rep_shrunk.rep_value_factor') }}, 0) as territory_value
    from cells
    inner join rep_shrunk
        on cells.history_year = rep_shrunk.history_year
        and cells.employee_id = rep_shrunk.employee_id
    group by cells.history_year, cells.territory_id

),

-- 3. the fit: the rep in the territory against what the territory and their overall skill predict
fit_cells as (

    select
        cells.history_year,
        cells.employee_id,
        cells.territory_id,
        cells.closed_deals,
        cells.won_deals,
        cells.valued_won_deals,
        cells.won_bookings,
        cells.won_bookings_estimate,
        cells.won_amount_squares,
        cells.closed_deals * territory_levels.territory_win * cast(rep_shrunk.rep_win_factor as double) as expected_wins,
        nullif(territory_levels.territory_value * cast(rep_shrunk.rep_value_factor as double), 0) as expected_value
    from cells
    inner join rep_shrunk
        on cells.history_year = rep_shrunk.history_year
        and cells.employee_id = rep_shrunk.employee_id
    inner join territory_levels
        on cells.history_year = territory_levels.history_year
        and cells.territory_id = territory_levels.territory_id

),

fit_spreads as (

    select
        history_year,
        {{ estimate_sum('case when expected_wins > 0
            then expected_wins * greatest(1 - expected_wins / closed_deals, 0) else 0 end') }}
            / nullif({{ estimate_sum('expected_wins') }}, 0) as win_dispersion,
        {{ estimate_sum('expected_wins') }} as expected_wins,
        sum(case when expected_wins > 0 then 1 else 0 end) as win_units,
        {{ estimate_sum('case when expected_wins > 0
            then (won_deals - expected_wins) * (won_deals - expected_wins) / expected_wins else 0 end') }} as win_squares,
        sum(valued_won_deals) as valued_won_deals,
        sum(case when valued_won_deals > 0 then 1 else 0 end) as value_units,
        -- Σ over the cells' won deals of (y - ybar)², y = amount / expected_value
        {{ estimate_sum('case when valued_won_deals > 0
            then (won_amount_squares - won_bookings_estimate * won_bookings_estimate / valued_won_deals)
                / (expected_value * expected_value)
            else 0 end') }} as value_within_squares,
        {{ estimate_sum('case when valued_won_deals > 0
            then valued_won_deals
                * (won_bookings_estimate / valued_won_deals / expected_value - 1)
                * (won_bookings_estimate / valued_won_deals / expected_value - 1)
            else 0 end') }} as value_squares
    from fit_cells
    group by history_year

),

fit_priors as (

    {{ moment_priors('fit_spreads') }}

),

reps as (

    select * from rep_shrunk

),

grid as (

    select
        reps.history_year,
        reps.employee_id,
        territories.territory_id,
        territories.territory_name,
        territories.is_default,
        coalesce(fit_cells.closed_deals, 0) as closed_deals,
        coalesce(fit_cells.won_deals, 0) as won_deals,
        coalesce(fit_cells.valued_won_deals, 0) as valued_won_deals,
        {{ money('coalesce(fit_cells.won_bookings, 0)') }} as won_bookings,
        {{ money('coalesce(fit_cells.expected_wins, 0)') }} as expected_wins,
        {{ money('coalesce(fit_cells.won_bookings_estimate / fit_cells.expected_value, 0)') }} as relative_bookings,
        coalesce(segment_totals.segment_reps, 0) as segment_reps,
        coalesce(segment_totals.segment_closed_deals, 0) as segment_closed_deals,
        segment_totals.segment_win_rate,
        segment_totals.segment_value_per_won_deal,
        {{ money('territory_levels.territory_win') }} as territory_win_rate,
        {{ money('territory_levels.territory_value') }} as territory_value_per_won_deal,
        reps.rep_win_prior_strength,
        reps.rep_value_prior_strength,
        reps.rep_win_factor,
        reps.rep_value_factor,
        {{ money(prior_strength('fit_priors.win_dispersion', 'fit_priors.win_between_variance', max_prior_strength)) }}
            as fit_win_prior_strength,
        {{ money(prior_strength('fit_priors.value_within_variance', 'fit_priors.value_between_variance', max_prior_strength)) }}
            as fit_value_prior_strength
    from reps
    cross join territories
    inner join fit_priors
        on reps.history_year = fit_priors.history_year
    left join fit_cells
        on reps.history_year = fit_cells.history_year
        and reps.employee_id = fit_cells.employee_id
        and territories.territory_id = fit_cells.territory_id
    left join segment_totals
        on reps.history_year = segment_totals.history_year
        and territories.territory_id = segment_totals.territory_id
    left join territory_levels
        on reps.history_year = territory_levels.history_year
        and territories.territory_id = territory_levels.territory_id

),

fitted as (

    select
        grid.*,
        {{ divide_money('won_deals', 'closed_deals') }} as win_rate,
        {{ divide_money('won_bookings', 'valued_won_deals') }} as value_per_won_deal,
        {{ divide_money('won_deals + fit_win_prior_strength', 'expected_wins + fit_win_prior_strength') }}
            as fit_win_factor,
        {{ divide_money('relative_bookings + fit_value_prior_strength', 'valued_won_deals + fit_value_prior_strength') }}
            as fit_value_factor
    from grid

),

shrunk as (

    select
        fitted.*,
        {{ money('territory_win_rate * rep_win_factor') }} as rep_win_rate,
        {{ money('territory_value_per_won_deal * rep_value_factor') }} as rep_value_per_won_deal
    from fitted

),

final as (

    select
        cast(history_year as {{ dbt.type_int() }}) as history_year,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(territory_id as {{ dbt.type_string() }}) as territory_id,
        cast(territory_name as {{ dbt.type_string() }}) as territory_name,
        cast(is_default as {{ dbt.type_boolean() }}) as is_default_territory,
        cast(closed_deals as {{ dbt.type_bigint() }}) as closed_deals,
        cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
        {{ money('won_bookings') }} as won_bookings,
        {{ money('win_rate') }} as win_rate,
        {{ money('value_per_won_deal') }} as value_per_won_deal,
        cast(segment_reps as {{ dbt.type_bigint() }}) as segment_reps,
        cast(segment_closed_deals as {{ dbt.type_bigint() }}) as segment_closed_deals,
        {{ money('segment_win_rate') }} as segment_win_rate,
        {{ money('segment_value_per_won_deal') }} as segment_value_per_won_deal,
        {{ money('territory_win_rate') }} as territory_win_rate,
        {{ money('territory_value_per_won_deal') }} as territory_value_per_won_deal,
        {{ money('rep_win_prior_strength') }} as rep_win_prior_strength,
        {{ money('rep_value_prior_strength') }} as rep_value_prior_strength,
        {{ money('rep_win_factor') }} as rep_win_factor,
        {{ money('rep_value_factor') }} as rep_value_factor,
        {{ money('expected_wins') }} as expected_wins,
        {{ money('fit_win_prior_strength') }} as fit_win_prior_strength,
        {{ money('fit_value_prior_strength') }} as fit_value_prior_strength,
        {{ money('fit_win_factor') }} as fit_win_factor,
        {{ money('fit_value_factor') }} as fit_value_factor,
        {{ money('least(' ~ money('rep_win_rate * fit_win_factor') ~ ', 1)') }} as shrunk_win_rate,
        {{ money('rep_value_per_won_deal * fit_value_factor') }} as shrunk_value_per_won_deal,
        {{ money(money('least(' ~ money('rep_win_rate * fit_win_factor') ~ ', 1)')
            ~ ' * ' ~ money('rep_value_per_won_deal * fit_value_factor')) }} as expected_value_per_opportunity,
        {{ money('rep_win_factor * rep_value_factor') }} as rep_index,
        {{ money('fit_win_factor * fit_value_factor') }} as fit_index,
        cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as currency
    from shrunk

)

select * from final
