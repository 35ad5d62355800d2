{#
  When a credited deal changed (SPEC §5 clawback): the CreatedDate of the first
  OpportunityHistory row after a reference version that meets
  `history_condition` (e.g. a stage other than won, a lower Amount), else the
  batch date of the first version newer than the reference (the batch in which
  the change arrived). Used by int_opportunities_lost_after_win and
  int_opportunities_amount_reduced, whose CTEs `versions`
  (int_opportunity_versions) and `history` (stg_salesforce__opportunity_history)
  these read.

  opportunity_change_ctes(reference, version_rank_column, modified_at_column, history_condition)
      emits the CTEs change_versions and history_changes (comma-separated, no
      trailing comma) for the deals of CTE `reference`, whose reference version
      has rank `version_rank_column` and LastModifiedDate `modified_at_column`;
  opportunity_change_joins(reference) the two left joins, and
  opportunity_change_date() the resulting date.
#}
{% macro opportunity_change_ctes(reference, version_rank_column, modified_at_column, history_condition) %}
change_versions as (

    select
        versions.opportunity_id,
        versions.source_batch_date,
        row_number() over (partition by versions.opportunity_id order by versions.version_rank desc) as change_rank
    from versions
    inner join {{ reference }}
        on versions.opportunity_id = {{ reference }}.opportunity_id
        and versions.version_rank < {{ reference }}.{{ version_rank_column }}

),

history_changes as (

    select
        history.opportunity_id,
        min(cast(history.created_at as date)) as change_date
    from history
    inner join {{ reference }}
        on history.opportunity_id = {{ reference }}.opportunity_id
        and history.created_at > {{ reference }}.{{ modified_at_column }}
        and {{ history_condition }}
    group by history.opportunity_id

)
{% endmacro %}

{% macro opportunity_change_joins(reference) -%}
    left join change_versions
        on {{ reference }}.opportunity_id = change_versions.opportunity_id
        and change_versions.change_rank = 1
    left join history_changes
        on {{ reference }}.opportunity_id = history_changes.opportunity_id
{%- endmacro %}

{% macro opportunity_change_date() -%}
    coalesce(history_changes.change_date, change_versions.source_batch_date)
{%- endmacro %}
