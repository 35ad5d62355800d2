-- Every account in a territory (SPEC §8, docs/planning.md):
-- 1. size band: the first band (band_order) whose bounds hold. A bound is
--    min inclusive, max exclusive; a null AnnualRevenue / NumberOfEmployees
--    fails any bound on it. match_mode all: every dimension with bounds holds;
--    any: at least one dimension with bounds holds. No band holds: null.
-- 2. rule: among the rules whose every condition dimension (billing_country,
--    industry, size_band) lists the account's value, the lowest priority wins.
-- 3. no rule matches: the default territory (is_default), rule_id null.
-- Without a territory configuration (no default territory) there are no rows.
with

accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

bands as (

    select * from {{ ref('stg_config__territory_size_bands') }}

),

rules as (

    select * from {{ ref('stg_config__territory_rules') }}

),

conditions as (

    select * from {{ ref('stg_config__territory_rule_conditions') }}

),

default_territory as (

    select territory_id from {{ ref('stg_config__territories') }}
    where is_default

),

band_checks as (

    select
        accounts.account_id,
        bands.size_band,
        bands.band_order,
        bands.match_mode,
        case
            when bands.min_annual_revenue is null and bands.max_annual_revenue is null then null
            when accounts.annual_revenue is null then false
            else (bands.min_annual_revenue is null or accounts.annual_revenue >= bands.min_annual_revenue)
                and (bands.max_annual_revenue is null or accounts.annual_revenue < bands.max_annual_revenue)
        end as revenue_holds,
        case
            when bands.min_employees is null and bands.max_employees is null then null
            when accounts.number_of_employees is null then false
            else (bands.min_employees is null or accounts.number_of_employees >= bands.min_employees)
                and (bands.max_employees is null or accounts.number_of_employees < bands.max_employees)
        end as employees_holds
    from accounts
    cross join bands

),

band_matches as (

    select
        account_id,
        size_band,
        row_number() over (partition by account_id order by band_order nulls last) as band_rank
    from band_checks
    where
        case
            when match_mode = 'any' then coalesce(revenue_holds, false) or coalesce(employees_holds, false)
            else coalesce(revenue_holds, true) and coalesce(employees_holds, true)
        end

),

banded as (

    select
        accounts.*,
        band_matches.size_band
    from accounts
    left join band_matches
        on accounts.account_id = band_matches.account_id
        and band_matches.band_rank = 1

),

rule_dimensions as (

    select
        rule_id,
        count(distinct dimension) as dimensions
    from conditions
    group by rule_id

),

dimension_hits as (

    select distinct
        banded.account_id,
        conditions.rule_id,
        conditions.dimension
    from banded
    inner join conditions
        on (conditions.dimension = 'billing_country' and banded.billing_country = conditions.condition_value)
        or (conditions.dimension = 'industry' and banded.industry = conditions.condition_value)
        or (conditions.dimension = 'size_band' and banded.size_band = conditions.condition_value)

),

rule_hits as (

    select
        account_id,
        rule_id,
        count(*) as dimensions_hit
    from dimension_hits
    group by account_id, rule_id

),

rule_matches as (

    select
        banded.account_id,
        rules.rule_id,
        rules.territory_id,
        row_number() over (partition by banded.account_id order by rules.priority nulls last, rules.rule_id) as rule_rank
    from banded
    cross join rules
    left join rule_dimensions
        on rules.rule_id = rule_dimensions.rule_id
    left join rule_hits
        on banded.account_id = rule_hits.account_id
        and rules.rule_id = rule_hits.rule_id
    where coalesce(rule_hits.dimensions_hit, 0) = coalesce(rule_dimensions.dimensions, 0)

),

final as (

    select
        banded.account_id,
        banded.account_name,
        banded.billing_country,
        banded.industry,
        banded.annual_revenue,
        banded.number_of_employees,
        banded.size_band,
        rule_matches.rule_id,
        coalesce(rule_matches.territory_id, default_territory.territory_id) as territory_id,
        rule_matches.rule_id is null as is_default_territory
    from banded
    cross join default_territory
    left join rule_matches
        on banded.account_id = rule_matches.account_id
        and rule_matches.rule_rank = 1

)

select * from final
