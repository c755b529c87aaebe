-- The five headline daily KPIs (slice 'all') of marts.mart_cx_kpis computed straight from
-- the landing files in one DuckDB script: the fastest way this machine can produce the
-- published numbers, against which the pipeline's cost is measured (benchmarks/baseline.py).
--
--   SET VARIABLE landing = '<data dir>/landing';   -- then run this file
--
-- Ends with table baseline_daily(kpi, day, value, n). Definitions: docs/methodology.md. The
-- loader's quarantine rules (cx_pipeline/ingest) and staging's "latest version wins" are
-- re-implemented only as far as they can change these five KPIs.

-- Naive timestamps are UTC (canonical profile); days are UTC dates (reporting time zone).
SET TimeZone = 'UTC';
-- Versions of a key are ordered by folder, file name and line. DuckDB's CSV and JSON readers
-- give no line number, so the line is the rowid of a table materialized straight from the
-- scan: it follows each file's order only while insertion order is preserved (also when
-- threads split one large file).
SET preserve_insertion_order = true;

-- A value as the loader sees it: trimmed, '' is missing.
CREATE TEMP MACRO txt(x) AS nullif(trim(x), '');
-- A score the loader types as INTEGER: missing, or a whole number in range.
CREATE TEMP MACRO int_score_ok(x, lo, hi) AS
    txt(x) IS NULL
    OR coalesce(
        TRY_CAST(txt(x) AS DOUBLE) BETWEEN lo AND hi
        AND TRY_CAST(txt(x) AS DOUBLE) = floor(TRY_CAST(txt(x) AS DOUBLE)),
        false);
-- SERVQUAL items and driver attributes (DOUBLE, 1-7).
CREATE TEMP MACRO item_ok(x) AS
    txt(x) IS NULL OR coalesce(TRY_CAST(txt(x) AS DOUBLE) BETWEEN 1 AND 7, false);
CREATE TEMP MACRO ts(x) AS TRY_CAST(txt(x) AS TIMESTAMPTZ);
-- Each file's rank in delivery order (landing folder, then file name). A row's position is
-- (rank << 40) + rowid: folder, then file name, then line, as one BIGINT.
CREATE TEMP MACRO delivery_order(rows_table) AS TABLE
    SELECT
        filename,
        row_number() OVER (
            ORDER BY parse_filename(parse_dirpath(filename)), parse_filename(filename)
        ) << 40 AS file_pos
    FROM (SELECT DISTINCT filename FROM query_table(rows_table));

-- ------------------------------------------------------------------------------ surveys
-- A row the loader would quarantine is dropped before versions compete: a rejected later
-- delivery never replaces a loaded one.
CREATE TEMP TABLE survey_rows AS
SELECT
    filename,
    txt(response_id) AS response_id,
    coalesce(txt(respondent_role), 'customer') AS respondent_role,
    ts(submitted_at) AS submitted_at,
    TRY_CAST(txt(nps) AS DOUBLE) AS nps,
    TRY_CAST(txt(csat) AS DOUBLE) AS csat,
    hash(*COLUMNS(* EXCLUDE (filename))) AS h
FROM read_csv(getvariable('landing') || '/surveys/????-??-??/*.csv*',
    all_varchar = true, union_by_name = true, filename = true, header = true,
    delim = ',', quote = '"', escape = '"', ignore_errors = true)
WHERE txt(response_id) IS NOT NULL
    AND ts(submitted_at) <= now() + INTERVAL 1 DAY
    AND coalesce(txt(respondent_role) IN ('customer', 'manager', 'staff'), true)
    AND int_score_ok(nps, 0, 10)
    AND int_score_ok(csat, 1, 5)
    AND int_score_ok(ces, 1, 7)
    AND int_score_ok(overall_satisfaction, 1, 10)
    AND item_ok(COLUMNS('^(exp|per|adq|attr)_'));

-- The latest delivery of a key wins. An identical re-delivery is counted as a duplicate at
-- load and never stored, so it keeps the position of its first delivery: of A, B, A the B
-- wins, where keeping the last row would pick A.
CREATE TEMP TABLE surveys AS
WITH positioned AS (
    SELECT file_pos + r.rowid AS pos, r.*
    FROM survey_rows r
    JOIN delivery_order('survey_rows') USING (filename)
),

firsts AS (SELECT response_id, min(pos) AS pos FROM positioned GROUP BY response_id, h),

winners AS (SELECT max(pos) AS pos FROM firsts GROUP BY response_id)

SELECT CAST(submitted_at AS DATE) AS day, nps, csat
FROM positioned
SEMI JOIN winners USING (pos)
WHERE respondent_role = 'customer';

-- ------------------------------------------------------------------------------ tickets
CREATE TEMP TABLE ticket_rows AS
SELECT
    filename,
    txt(ticket_id) AS ticket_id,
    txt(event_id) AS event_id,
    ts(event_at) AS event_at,
    txt(event_type) AS event_type,
    txt(status) AS status,
    txt(actor_role) AS actor_role,
    hash(*COLUMNS(* EXCLUDE (filename))) AS h
FROM read_csv(getvariable('landing') || '/tickets/????-??-??/*.csv*',
    all_varchar = true, union_by_name = true, filename = true, header = true,
    delim = ',', quote = '"', escape = '"', ignore_errors = true);

CREATE TEMP TABLE tickets AS
WITH created_in_file AS (
    SELECT filename, ticket_id, min(event_at) AS created_at
    FROM ticket_rows
    WHERE event_type = 'created'
    GROUP BY ALL
),

valid AS (
    SELECT file_pos + e.rowid AS pos, e.*
    FROM ticket_rows e
    JOIN delivery_order('ticket_rows') USING (filename)
    LEFT JOIN created_in_file c USING (filename, ticket_id)
    WHERE e.ticket_id IS NOT NULL
        AND e.event_id IS NOT NULL
        AND e.event_at <= now() + INTERVAL 1 DAY
        AND e.event_type IN ('created', 'assigned', 'agent_reply', 'customer_reply',
            'internal_note', 'status_change', 'solved', 'reopened', 'closed',
            'satisfaction_rated')
        AND coalesce(e.status IN ('new', 'open', 'pending', 'hold', 'solved', 'closed'), true)
        AND coalesce(e.actor_role IN ('agent', 'customer', 'system'), true)
        -- The loader quarantines an event earlier than its ticket's creation in the same file.
        AND NOT coalesce(e.event_at < c.created_at, false)
),

firsts AS (SELECT event_id, min(pos) AS pos FROM valid GROUP BY event_id, h),

winners AS (SELECT max(pos) AS pos FROM firsts GROUP BY event_id),

events AS (SELECT * FROM valid SEMI JOIN winners USING (pos)),

-- Resolved after each event: from its status, else from its type, else carried over. Solves
-- and reopens are the transitions, so a close or a rating after a solve is no new solve.
states AS (
    SELECT
        ticket_id, event_at, event_type, actor_role,
        row_number() OVER w AS seq,
        min(event_at) FILTER (WHERE event_type = 'created') OVER (
            w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS created_at,
        coalesce(last_value(resolves IGNORE NULLS) OVER (
            w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), false) AS resolved,
        coalesce(last_value(resolves IGNORE NULLS) OVER (
            w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS resolved_before
    FROM (
        SELECT *, CASE
            WHEN status IS NOT NULL THEN status IN ('solved', 'closed')
            WHEN event_type IN ('solved', 'closed') THEN true
            WHEN event_type IN ('created', 'reopened') THEN false
        END AS resolves
        FROM events
    )
    WINDOW w AS (PARTITION BY ticket_id ORDER BY event_at, event_id)
),

per_ticket AS (
    SELECT
        ticket_id,
        any_value(created_at) AS created_at,
        -- The first creation event's actor ('' keeps a missing role from being skipped).
        arg_min(coalesce(actor_role, ''), seq) FILTER (WHERE event_type = 'created')
            AS opened_by,
        -- The first public agent reply at or after creation.
        min(event_at) FILTER (WHERE event_type = 'agent_reply' AND event_at >= created_at)
            AS first_reply_at,
        count(*) FILTER (WHERE event_type = 'agent_reply') AS agent_replies,
        count(*) FILTER (WHERE resolved AND NOT resolved_before) AS solves,
        count(*) FILTER (WHERE resolved_before AND NOT resolved) AS reopens
    FROM states
    GROUP BY ticket_id
)

SELECT
    CAST(created_at AS DATE) AS day,
    solves >= 1 AS is_solved,
    solves >= 1 AND agent_replies = 1 AND reopens = 0 AS is_one_touch,
    -- An agent who opened the ticket served the customer in that contact: no wait to measure.
    CASE WHEN opened_by <> 'agent' THEN (epoch(first_reply_at) - epoch(created_at)) / 60 END
        AS first_reply_minutes
FROM per_ticket
-- A ticket enters the creation-dated KPIs once its creation event is delivered.
WHERE created_at IS NOT NULL;

-- ------------------------------------------------------------------------------ reviews
CREATE TEMP TABLE review_rows AS
SELECT
    filename,
    txt(review_id) AS review_id,
    txt(brand) AS brand,
    coalesce(TRY_CAST(lower(txt(is_own_brand)) AS BOOLEAN), false) AS is_own_brand,
    ts(published_at) AS published_at,
    TRY_CAST(txt(rating) AS DOUBLE) AS rating,
    coalesce(TRY_CAST(txt(rating_scale_max) AS DOUBLE), 5) AS scale_max,
    hash(*COLUMNS(* EXCLUDE (filename))) AS h
FROM read_json(getvariable('landing') || '/reviews/????-??-??/*.jsonl*',
    format = 'newline_delimited', filename = true, ignore_errors = true,
    -- Every value as text, as the loader reads it, whatever JSON type the export used.
    columns = {
        review_id: 'VARCHAR', platform: 'VARCHAR', brand: 'VARCHAR',
        is_own_brand: 'VARCHAR', published_at: 'VARCHAR', rating: 'VARCHAR',
        rating_scale_max: 'VARCHAR', title: 'VARCHAR', text: 'VARCHAR',
        language: 'VARCHAR', author: 'VARCHAR', product: 'VARCHAR', location: 'VARCHAR',
        reply_at: 'VARCHAR', reply_text: 'VARCHAR'})
WHERE txt(review_id) IS NOT NULL
    AND txt(brand) IS NOT NULL
    AND ts(published_at) <= now() + INTERVAL 1 DAY
    AND (txt(is_own_brand) IS NULL OR TRY_CAST(lower(txt(is_own_brand)) AS BOOLEAN) IS NOT NULL)
    AND (txt(rating_scale_max) IS NULL OR TRY_CAST(txt(rating_scale_max) AS DOUBLE) >= 1)
    AND TRY_CAST(txt(rating) AS DOUBLE)
        BETWEEN 1 AND coalesce(TRY_CAST(txt(rating_scale_max) AS DOUBLE), 5)
    AND (txt(reply_at) IS NULL OR ts(reply_at) IS NOT NULL)
    -- A reply dated before publication is quarantined.
    AND NOT coalesce(ts(reply_at) < ts(published_at), false);

CREATE TEMP TABLE reviews AS
WITH positioned AS (
    SELECT file_pos + r.rowid AS pos, r.*
    FROM review_rows r
    JOIN delivery_order('review_rows') USING (filename)
),

firsts AS (SELECT review_id, min(pos) AS pos FROM positioned GROUP BY review_id, h),

winners AS (SELECT max(pos) AS pos FROM firsts GROUP BY review_id),

latest AS (SELECT * FROM positioned SEMI JOIN winners USING (pos))

SELECT
    CAST(published_at AS DATE) AS day,
    -- Ratings on 1-5 so that platforms compare.
    CASE WHEN scale_max = 5 THEN rating ELSE 1 + (rating - 1) * 4.0 / (scale_max - 1) END
        AS rating_5,
    -- Own brand: a brand any of whose reviews the export flags, the marts' rule for a brand
    -- the brands seed does not list (the demo's flags agree with the seed).
    bool_or(is_own_brand) OVER (PARTITION BY brand) AS own
FROM latest;

-- ------------------------------------------------------------------------------ the KPIs
CREATE TABLE baseline_daily AS
SELECT
    'nps' AS kpi,
    day,
    100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(nps)
        AS value,
    count(nps) AS n
FROM surveys GROUP BY day HAVING count(nps) > 0
UNION ALL
SELECT 'csat_top2_share', day, count(*) FILTER (WHERE csat >= 4) / count(csat), count(csat)
FROM surveys GROUP BY day HAVING count(csat) > 0
UNION ALL
SELECT
    'one_touch_rate',
    day,
    count(*) FILTER (WHERE is_one_touch) / count(*) FILTER (WHERE is_solved),
    count(*) FILTER (WHERE is_solved)
FROM tickets GROUP BY day HAVING count(*) FILTER (WHERE is_solved) > 0
UNION ALL
SELECT
    'first_reply_minutes_median',
    day,
    quantile_cont(first_reply_minutes, 0.5),
    count(first_reply_minutes)
FROM tickets GROUP BY day HAVING count(first_reply_minutes) > 0
UNION ALL
SELECT 'rating_mean', day, avg(rating_5), count(*)
FROM reviews WHERE own GROUP BY day;
