-- Which themes each survey response's free text mentions, its comment and its suggestion
-- apart (macro theme_mentions, the review themes' keywords, so a theme means the same in
-- every source). Naming a brand other than the own one is a competition mention.
with texts as (
    select response_id, 'comment' as field, coalesce(lower(language), 'unknown') as language,
        comment as body
    from {{ ref('stg_survey_responses') }}
    where comment is not null
    {% if is_incremental() %}
        and response_id in (
            {{ rebuilt_keys() }})
    {% endif %}
    union all
    select response_id, 'suggestion', coalesce(lower(language), 'unknown'), suggestion
    from {{ ref('stg_survey_responses') }}
    where suggestion is not null
    {% if is_incremental() %}
        and response_id in (
            {{ rebuilt_keys() }})
    {% endif %}
),

{{ theme_mentions('texts', ['response_id', 'field'], 'b.is_own_brand is distinct from true') }}
