{#
  Helpers for staging models over the raw layer (assets/ingest/raw_layout.py):
  every raw row carries load metadata, and all versions of a record are kept.
#}

{# The load metadata of a raw row, renamed for the warehouse (traceability). #}
{% macro load_metadata_columns() -%}
        _batch as source_batch,
        _batch_date as source_batch_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at
{%- endmacro %}

{#
  Rank the versions of each record, newest first (SPEC §2): by the contract's
  version column when there is one, then by batch date, then by landing file and
  row (a later file and row of the same batch wins). Keep rank 1.
#}
{% macro newest_version_rank(key_columns, version_column=none) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by
            {% if version_column -%}
            {{ version_column }} desc nulls last,
            {% endif -%}
            _batch_date desc nulls last,
            _source_file desc nulls last,
            _source_row desc nulls last
    )
{%- endmacro %}
