-- One row per compensation configuration dataset the engine reads, with a
-- fingerprint of its rows (macro rows_fingerprint, without the load clock:
-- configuration is re-read on every run). A changed fingerprint makes the
-- next build recompute every deal (int_engine_touched_opportunities).
{%- set datasets = ['plan', 'plan_assignments', 'plan_component', 'plan_component_tier',
                    'plan_component_filter', 'plan_ramp', 'quotas', 'seasonality'] %}
{% for dataset in datasets %}
select 'config/{{ dataset }}' as dataset, {{ spm.rows_fingerprint(source('config', dataset)) }} as fingerprint
{% if not loop.last %}union all{% endif %}
{%- endfor %}
