-- Every brand that has reviews, resolved against the brands seed: its canonical name, whether
-- it is the own brand, and its industry (peers are the other brands of the own brand's
-- industry). Names match the seed's brand or any of its aliases ignoring case, spaces and
-- punctuation, so "Healthy Paws", "healthypaws" and "healthypawspetinsurance.com" are one.
-- Own brand: var cx_own_brand (env CX_OWN_BRAND) when set; else the seed's is_own for listed
-- brands; else the export's is_own_brand.
{%- set override = var('cx_own_brand') | default('', true) | string | trim | replace("'", "''") %}

with seed_keys as (
    select brand, is_own, industry, regexp_replace(lower(alias), '[^a-z0-9]', '', 'g') as key
    from (
        select *, unnest(list_prepend(brand, coalesce(string_split(aliases, '|'), []::varchar[])))
            as alias
        from {{ ref('brands') }}
    )
),

exported as (
    select
        brand as exported_brand,
        regexp_replace(lower(brand), '[^a-z0-9]', '', 'g') as key,
        bool_or(is_own_brand) as flagged_own,
        count(*) as reviews
    from {{ ref('stg_reviews') }}
    group by brand
),

resolved as (
    select
        e.exported_brand,
        coalesce(s.brand, e.exported_brand) as brand,
        s.brand is not null as is_listed,
        {% if override %}
        regexp_replace(lower(coalesce(s.brand, e.exported_brand)), '[^a-z0-9]', '', 'g')
            = regexp_replace(lower('{{ override }}'), '[^a-z0-9]', '', 'g')
            or e.key = regexp_replace(lower('{{ override }}'), '[^a-z0-9]', '', 'g')
        {% else %}
        coalesce(s.is_own, e.flagged_own, false)
        {% endif %} as is_own_brand,
        coalesce(s.industry, 'unknown') as industry,
        e.reviews
    from exported e
    left join seed_keys s on s.key = e.key
    qualify row_number() over (partition by e.exported_brand order by s.brand) = 1
)

select * from resolved
