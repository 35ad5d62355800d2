-- Territory fit (docs/insights.md "Territory fit"): per history year (the
-- calendar year of the deals' CloseDate), rep (the deal owner's HR worker) and
-- territory segment (a territory of territories.yaml: billing country,
-- industry, size band; fct_account_territory), the rep's win rate and value
-- per won deal there, shrunk toward the segment's average by the rep's volume
-- (empirical Bayes, method of moments, per history year and segment):
--
--   win rate (beta-binomial): a rep with w won of n closed deals, segment
--     p = Σw / Σn over its reps (R of them, N = Σn deals);
--     between-rep variance tau2 = Σ n (w/n - p)² / N - p (1 - p) R / N
--       (the observed spread of the reps' rates less what binomial noise alone gives);
--     prior strength kappa = p (1 - p) / tau2 - 1 (at least 0; max_prior_strength
--       when tau2 <= 0: nothing tells the reps apart, everyone gets p);
--     shrunk_win_rate = (w + kappa p) / (n + kappa).
--   value per won deal (normal-normal): a rep's B = Σ amount of w won deals,
--     segment M = ΣB / Σw; within-rep variance s2 (pooled over the segment's
--     reps' won deals), between-rep variance
--     tau2 = Σ w (B/w - M)² / W - s2 R / W (W = Σw, R reps with a won deal);
--     prior strength lambda = s2 / tau2 (max_prior_strength when tau2 <= 0);
--     shrunk_value_per_won_deal = (B + lambda M) / (w + lambda).
--   expected_value_per_opportunity = shrunk_win_rate * shrunk_value_per_won_deal;
--   fit_index = that / (p * M): the rep against the territory's average rep (1 = average).
--
-- Every rep with a closed deal in the year gets a row for every territory
-- (the default one included): with no deal there, the shrunk figures are the
-- segment's averages. Amounts in the corporate currency (amount_corporate of
-- int_planning_opportunities); the variances, which are estimator settings and
-- not money, are DOUBLE; the figures written are DECIMAL(38,10). Deals whose
-- account is unknown are in the default territory. Read by the territory
-- proposal (assets/planning/territory_fit.py).
{% set max_prior_strength = 1000000 %}
with

territories as (

    select * from {{ ref('stg_config__territories') }}

),

default_territory as (

    select territory_id from territories where is_default

),

accounts as (

    select * from {{ ref('int_accounts_territory_matched') }}

),

closed_deals as (

    select
        {{ plan_year_of('deals.close_date') }} as history_year,
        deals.owner_employee_id as employee_id,
        coalesce(accounts.territory_id, default_territory.territory_id) as territory_id,
        deals.is_won,
        case when deals.is_won then deals.amount_corporate end as won_amount
    from {{ ref('int_planning_opportunities') }} as deals
    cross join default_territory
    left join accounts
        on deals.account_id = accounts.account_id
    where deals.is_closed
        and deals.owner_employee_id is not null

),

rep_segments as (

    select
        history_year,
        employee_id,
        territory_id,
        count(*) as closed_deals,
        sum(case when is_won then 1 else 0 end) as won_deals,
        count(won_amount) as valued_won_deals,
        {{ money('coalesce(sum(won_amount), 0)') }} as won_bookings,
        sum(cast(won_amount as double) * cast(won_amount as double)) as won_amount_squares
    from closed_deals
    group by history_year, employee_id, territory_id

),

segment_totals as (

    select
        history_year,
        territory_id,
        count(*) as segment_reps,
        sum(closed_deals) as segment_closed_deals,
        sum(won_deals) as segment_won_deals,
        sum(case when valued_won_deals > 0 then 1 else 0 end) as segment_valued_reps,
        sum(valued_won_deals) as segment_valued_won_deals,
        {{ money('sum(won_bookings)') }} as segment_won_bookings,
        cast(sum(won_deals) as double) / sum(closed_deals) as segment_win_rate_estimate,
        cast(sum(won_bookings) as double) / nullif(sum(valued_won_deals), 0) as segment_value_estimate,
        -- Σ over the segment's won deals of (amount - its rep's mean)²: Σ squares - B² / w per rep
        sum(
            case when valued_won_deals > 0
                then won_amount_squares - cast(won_bookings as double) * cast(won_bookings as double) / valued_won_deals
                else 0
            end
        ) as segment_within_squares
    from rep_segments
    group by history_year, territory_id

),

spreads as (

    select
        rep_segments.history_year,
        rep_segments.territory_id,
        sum(
            rep_segments.closed_deals
            * (cast(rep_segments.won_deals as double) / rep_segments.closed_deals - segment_totals.segment_win_rate_estimate)
            * (cast(rep_segments.won_deals as double) / rep_segments.closed_deals - segment_totals.segment_win_rate_estimate)
        ) as win_rate_squares,
        sum(
            case when rep_segments.valued_won_deals > 0 then
                rep_segments.valued_won_deals
                * (cast(rep_segments.won_bookings as double) / rep_segments.valued_won_deals - segment_totals.segment_value_estimate)
                * (cast(rep_segments.won_bookings as double) / rep_segments.valued_won_deals - segment_totals.segment_value_estimate)
            else 0 end
        ) as value_squares
    from rep_segments
    inner join segment_totals
        on rep_segments.history_year = segment_totals.history_year
        and rep_segments.territory_id = segment_totals.territory_id
    group by rep_segments.history_year, rep_segments.territory_id

),

variances as (

    select
        segment_totals.*,
        spreads.win_rate_squares / segment_closed_deals
            - segment_win_rate_estimate * (1 - segment_win_rate_estimate) * segment_reps / segment_closed_deals
            as win_rate_between_variance,
        case when segment_valued_won_deals > segment_valued_reps
            then segment_within_squares / (segment_valued_won_deals - segment_valued_reps)
        end as value_within_variance,
        spreads.value_squares / nullif(segment_valued_won_deals, 0) as value_spread
    from segment_totals
    inner join spreads
        on segment_totals.history_year = spreads.history_year
        and segment_totals.territory_id = spreads.territory_id

),

priors as (

    select
        variances.*,
        {{ divide_money('segment_won_deals', 'segment_closed_deals') }} as segment_win_rate,
        {{ divide_money('segment_won_bookings', 'segment_valued_won_deals') }} as segment_value_per_won_deal,
        {{ money(
            'case when win_rate_between_variance > 0 then least(greatest('
            ~ 'segment_win_rate_estimate * (1 - segment_win_rate_estimate) / win_rate_between_variance - 1, 0), '
            ~ max_prior_strength ~ ') else ' ~ max_prior_strength ~ ' end'
        ) }} as win_prior_strength,
        value_spread - coalesce(value_within_variance, 0) * segment_valued_reps / nullif(segment_valued_won_deals, 0)
            as value_between_variance
    from variances

),

segment_priors as (

    select
        priors.*,
        {{ money(
            'case when value_between_variance > 0 and value_within_variance is not null then least('
            ~ 'value_within_variance / value_between_variance, ' ~ max_prior_strength ~ ') else '
            ~ max_prior_strength ~ ' end'
        ) }} as value_prior_strength
    from priors

),

reps as (

    select distinct history_year, employee_id from rep_segments

),

grid as (

    select
        reps.history_year,
        reps.employee_id,
        territories.territory_id,
        territories.territory_name,
        territories.is_default,
        coalesce(rep_segments.closed_deals, 0) as closed_deals,
        coalesce(rep_segments.won_deals, 0) as won_deals,
        coalesce(rep_segments.valued_won_deals, 0) as valued_won_deals,
        {{ money('coalesce(rep_segments.won_bookings, 0)') }} as won_bookings,
        coalesce(segment_priors.segment_reps, 0) as segment_reps,
        coalesce(segment_priors.segment_closed_deals, 0) as segment_closed_deals,
        segment_priors.segment_win_rate,
        segment_priors.segment_value_per_won_deal,
        segment_priors.win_prior_strength,
        segment_priors.value_prior_strength
    from reps
    cross join territories
    left join rep_segments
        on reps.history_year = rep_segments.history_year
        and reps.employee_id = rep_segments.employee_id
        and territories.territory_id = rep_segments.territory_id
    left join segment_priors
        on reps.history_year = segment_priors.history_year
        and territories.territory_id = segment_priors.territory_id

),

shrunk as (

    select
        grid.*,
        {{ divide_money('won_deals', 'closed_deals') }} as win_rate,
        {{ divide_money('won_bookings', 'valued_won_deals') }} as value_per_won_deal,
        {{ divide_money('won_deals + win_prior_strength * segment_win_rate', 'closed_deals + win_prior_strength') }}
            as shrunk_win_rate,
        {{ divide_money(
            'won_bookings + value_prior_strength * segment_value_per_won_deal',
            'valued_won_deals + value_prior_strength'
        ) }} as shrunk_value_per_won_deal
    from grid

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
        {{ money('win_prior_strength') }} as win_prior_strength,
        {{ money('value_prior_strength') }} as value_prior_strength,
        {{ money('shrunk_win_rate') }} as shrunk_win_rate,
        {{ money('shrunk_value_per_won_deal') }} as shrunk_value_per_won_deal,
        {{ money('shrunk_win_rate * shrunk_value_per_won_deal') }} as expected_value_per_opportunity,
        {{ divide_money(
            money('shrunk_win_rate * shrunk_value_per_won_deal'),
            money('segment_win_rate * segment_value_per_won_deal')
        ) }} as fit_index,
        cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as currency
    from shrunk

)

select * from final
