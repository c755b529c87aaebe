{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['grain', 'period_start']) }}
-- Ticket counts per period (of the ticket's creation) and slice.
{%- set floor = incremental_floor() %}

with obs as (
    select * from {{ ref('int_tickets') }}
    where has_created_event
    {% if is_incremental() %} and created_date >= coalesce({{ floor }}, created_date) {% endif %}
),

periods as ({{ periods_and_slices('obs', 'created_date', ['channel', 'segment', 'product']) }})

select
    grain,
    period_start,
    slice_name,
    slice_value,
    count(distinct ticket_id) as tickets_created
from periods
group by all
