-- Latest delivery of each response wins (later partition, then later file, then later
-- record); personal ids hashed and free text redacted before anything downstream.
-- SERVQUAL items (exp_/per_/adq_<dimension>_<n>), importance points (importance_<dimension>)
-- and driver attributes (attr_<name>) are carried by pattern, so a questionnaire with more
-- items needs no change here.
with ranked as (
    select
        *,
        row_number() over (
            partition by response_id
            order by _partition_date desc, _source_file desc, _record_number desc
        ) as _version_rank
    from {{ source('raw', 'survey_responses') }}
    {% if is_incremental() %}
    -- Only keys delivered in this run: their versions are re-ranked, the rest stays.
    where response_id in (
        {{ rebuilt_keys() }})
    {% endif %}
)

select
    response_id,
    survey_id,
    submitted_at,
    submitted_at_precision,
    {{ record_date('submitted_at', 'submitted_at_precision') }} as submitted_date,
    {{ pii_hash('respondent_id') }} as respondent_key,
    coalesce(respondent_role, 'customer') as respondent_role,
    channel,
    touchpoint,
    coalesce(segment, 'standard') as segment,
    region,
    product,
    ticket_id,
    language,
    nps,
    csat,
    ces,
    overall_satisfaction,
    columns('^(exp|per|adq|importance|attr)_'),
    {{ redact_pii('comment') }} as comment,
    {{ redact_pii('suggestion') }} as suggestion,
    _partition_date as delivered_partition
from ranked
where _version_rank = 1
