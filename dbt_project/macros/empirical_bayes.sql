{#
  prior_strength(noise, between_variance, max_strength): the strength of an
  empirical Bayes prior estimated by the method of moments, in units of the
  data it is weighed against (deals, expected wins, won deals): the noise of one
  unit (binomial dispersion, or the within variance) over the variance of the
  true effects between the units shrunk. When the between variance is not
  positive (the observed spread is all noise) or unknown, nothing tells the
  units apart: max_strength (full pooling toward the prior mean). At most
  max_strength. Both arguments are DOUBLE estimator settings, never money.
#}
{% macro prior_strength(noise, between_variance, max_strength) -%}
    case
        when {{ between_variance }} > 0 and {{ noise }} is not null
            then least({{ noise }} / {{ between_variance }}, {{ max_strength }})
        else {{ max_strength }}
    end
{%- endmacro %}

{#
  moment_priors(spreads): per history_year, the noise and between variances
  prior_strength weighs, by the method of moments, from a relation ``spreads``
  with, per history_year, for win counts: win_dispersion (the binomial noise of
  one expected win), expected_wins (Σ E), win_units (the units with E > 0) and
  win_squares (Σ E (W/E - 1)², or Σ (W - E)² / E); for values: valued_won_deals
  (V), value_units (the units with a valued won deal), value_within_squares (Σ
  over the won deals of (x - the unit's mean)²) and value_squares (Σ v (the
  unit's mean - 1)²). The between variance is the spread less what the noise
  alone gives: win_squares / Σ E - win_dispersion x units / Σ E; the within
  variance is pooled over V - units degrees of freedom. fct_territory_fit's
  reps (units: reps) and fits (units: rep-territories) both use it.
#}
{% macro moment_priors(spreads) -%}
    select
        history_year,
        win_dispersion,
        win_squares / nullif(expected_wins, 0) - win_dispersion * win_units / nullif(expected_wins, 0)
            as win_between_variance,
        case when valued_won_deals > value_units
            then value_within_squares / (valued_won_deals - value_units)
        end as value_within_variance,
        value_squares / nullif(valued_won_deals, 0)
            - value_within_squares / nullif(valued_won_deals - value_units, 0) * value_units / nullif(valued_won_deals, 0)
            as value_between_variance
    from {{ spreads }}
{%- endmacro %}

{#
  estimate_sum(expression): the sum of a DOUBLE estimator term, the same in any
  row order: each term taken at 10 decimals (money) and summed as DECIMAL,
  which is exact, then DOUBLE again. A DOUBLE sum depends on the order of its
  rows, which an incremental build or another engine may change, and its last
  bits can move a figure written at 10 decimals.
#}
{% macro estimate_sum(expression) -%}
    cast(sum({{ money(expression) }}) as double)
{%- endmacro %}
