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
