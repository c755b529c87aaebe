-- The driver ratings in the periods and segments of the key-driver analysis: one row per
-- grain, period, segment ('all' and the customer's own), response and attribute rated.
-- Both mart_key_drivers (correlations, performance) and int_driver_weights (relative
-- weights, Shapley) read it, so both describe the same responses.
with ratings as (
    select 'all' as segment, * exclude (segment) from {{ ref('int_driver_ratings') }}
    union all by name
    select * from {{ ref('int_driver_ratings') }}
)

{{ periods_of('ratings', 'submitted_date', 'submitted_at_precision') }}
