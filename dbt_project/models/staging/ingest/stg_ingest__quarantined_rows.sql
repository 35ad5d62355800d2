-- Landing rows the ingest stage refused, as written (one row per broken rule).
with

source as (

    select * from {{ source('ingest', 'quarantine') }}

),

renamed as (

    select
        {{ quarantine_columns(
            system='system',
            dataset='dataset',
            batch='batch',
            source_file='source_file',
            source_row='source_row',
            rule='rule',
            column_name='column_name',
            value='value',
            message='message',
            record_json='record_json'
        ) }}

    from source

)

select * from renamed
