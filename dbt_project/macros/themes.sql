{#- The themes each text mentions, one row per (keys..., theme) with how it was found:
    `texts` is a relation with the `keys` columns, `language` and `body`; a keyword of the
    theme_keywords seed for the text's language matches as a whole word or phrase (a
    trailing * in the seed: any ending), case-insensitively; a text whose language has no
    keywords is matched against every language's. Naming a brand (case-sensitive, whole
    words) for which `brand_counts` holds (a condition on `w`, the text, and `b`, the brand
    with `b.is_own_brand`) is a competition mention. One definition for reviews, survey
    comments and suggestions, so a theme means the same thing in every source
    (docs/methodology.md, "Review themes", "Feedback themes"). Its output continues the
    caller's `with`: `with texts as (...), {{ theme_mentions(...) }}`. -#}
{% macro theme_mentions(texts, keys, brand_counts) -%}
    {%- set key_list = keys | join(', ') %}
    {%- set w_keys %}{% for k in keys %}w.{{ k }}, {% endfor %}{% endset %}
    -- The placeholders of redacted contact details (macro redact_pii) are ours, not the
    -- customer's words: '[email]' must not read as a mention of e-mail (service).
    _unredacted as (
        select * replace (replace(replace(body, '[email]', ' '), '[phone]', ' ') as body)
        from {{ texts }}
    ),

    _words as (
        select
            *,
            {{ spaced_words('lower(body)') }} as words_lower,
            {{ spaced_words('body') }} as words
        from _unredacted
    ),

    _keywords as (
        select distinct lower(language) as language, lower(theme) as theme,
            {{ keyword_needle('keyword') }} as needle
        from {{ ref('theme_keywords') }}
        where trim(keyword) not in ('', '*')
    ),

    _keyword_hits as (
        select {{ w_keys }}k.theme, 'keyword' as matched_by
        from _words w
        join _keywords k on k.language = w.language and contains(w.words_lower, k.needle)
        union all
        select {{ w_keys }}k.theme, 'keyword'
        from _words w
        join _keywords k on contains(w.words_lower, k.needle)
        where w.language not in (select language from _keywords)
    ),

    _brand_needles as (
        select brand, bool_or(is_own_brand) as is_own_brand,
            {{ spaced_words('brand') }} as needle
        from {{ ref('int_brands') }}
        group by brand
    ),

    _brand_mentions as (
        select {{ w_keys }}'competition' as theme, 'brand_mention' as matched_by
        from _words w
        join _brand_needles b on {{ brand_counts }} and contains(w.words, b.needle)
    )

    select {{ key_list }}, theme, min(matched_by) as matched_by
    from (select * from _keyword_hits union all by name select * from _brand_mentions)
    group by {{ key_list }}, theme
{%- endmacro %}
