-- What the ticket KPIs of a creation period are judged against as they mature: the data's
-- latest time (the latest event of any ticket; open tickets are censored there) and the usual
-- resolution time's 90th percentile (over every ticket resolved now). One row. Method:
-- docs/methodology.md, "Completeness and maturity".
select
    max(last_event_at) as latest_at,
    quantile_cont(resolution_hours, 0.9) filter (where has_created_event and is_resolved_now)
        as usual_resolution_hours_p90
from {{ ref('int_tickets') }}
