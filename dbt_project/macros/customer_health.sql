{#- mart_customer_health is incremental by customer: a run rewrites the customers whose row
    can have changed (the strategy rebuild_keys deletes them, the model computes them again),
    so a daily run does not regroup every customer's history. A row changes when
    - a response or ticket of the customer is rebuilt in this run (delivered in the window,
      or removed by a re-run of one of its days: the keys int_survey_scores and int_tickets
      rebuild, macros/incremental.sql);
    - the customer's count of responses or tickets differs from the row's: a record that
      moved to another customer or was removed no longer counts for this one (a customer
      left with none has no row any more);
    - one of the customer's tickets enters or leaves the complaint window, because the
      latest date of the data (as_of_date) moved.
    Every other row keeps its values; only its as_of_date is moved (customer_health_as_of,
    the model's post-hook). -#}
{% macro customer_health_rebuilt_keys() -%}
    {%- set window_days = var('cx_complaint_window_days') -%}
    select s.respondent_key from {{ ref('int_survey_scores') }} s
    where s.respondent_key is not null and s.response_id in (
        {{ keys_delivered_in_window(ref('stg_survey_responses'), 'response_id', 'surveys',
            'delivered_partition') }})
    union
    select t.customer_key from {{ ref('int_tickets') }} t
    where t.customer_key is not null and t.ticket_id in (
        {{ keys_delivered_in_window(ref('stg_ticket_events'), 'ticket_id', 'tickets',
            'delivered_partition') }})
    union
    select coalesce(h.customer_key, n.customer_key)
    from {{ this }} h
    full outer join (
        select customer_key, sum(responses) as responses, sum(tickets) as tickets
        from (
            select respondent_key as customer_key, count(*) as responses, 0 as tickets
            from {{ ref('int_survey_scores') }} where respondent_key is not null group by 1
            union all
            select customer_key, 0, count(*)
            from {{ ref('int_tickets') }} where customer_key is not null group by 1
        ) group by 1
    ) n using (customer_key)
    where h.responses is distinct from n.responses or h.tickets is distinct from n.tickets
    union
    select t.customer_key
    from {{ ref('int_tickets') }} t,
        (select max(as_of_date) as previous from {{ this }}) p,
        ({{ customer_health_as_of() }}) a
    where t.customer_key is not null
        and t.created_date > least(p.previous, a.as_of_date) - {{ window_days }}
        and t.created_date <= greatest(p.previous, a.as_of_date) - {{ window_days }}
{%- endmacro %}

{#- The latest date of the data, over every customer's responses and tickets. -#}
{% macro customer_health_as_of() -%}
    select greatest(
        (select max(submitted_date) from {{ ref('int_survey_scores') }}
         where respondent_key is not null),
        (select max({{ reporting_date('last_event_at') }}) from {{ ref('int_tickets') }}
         where customer_key is not null)) as as_of_date
{%- endmacro %}
