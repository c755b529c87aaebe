"""Great Expectations suites (expectations/*.json) run by cx_pipeline.quality against real
DuckDB tables: what passes, what fails, with which severity, observed values and examples."""

import json
import os
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

from cx_pipeline.ingest.canonical import SOURCES  # noqa: E402
from cx_pipeline.ingest.loader import ensure_tables  # noqa: E402
from cx_pipeline.quality import (  # noqa: E402
    SuiteError,
    expectations_dir,
    load_suite,
    suite_names,
    validate_dataframe,
    validate_table,
)
from cx_pipeline.quality.suites import describe  # noqa: E402

DAY = date(2025, 3, 10)
RAW_SUITES = {
    "surveys": "raw_survey_responses",
    "tickets": "raw_ticket_events",
    "reviews": "raw_reviews",
}
STAGING_SUITES = ("stg_survey_responses", "stg_ticket_events", "stg_reviews")


def _column_sql(source, column, n_expr="i"):
    """A clean value for `column` of row `i`, typed as the raw table wants it."""
    name = column.name
    special = {
        source.key: f"'{source.name[0].upper()}-' || strftime(day, '%Y%m%d') || '-' || i",
        source.event_time: "day::TIMESTAMP::TIMESTAMPTZ + to_minutes((i % 1200)::BIGINT)",
        "channel": "['email', 'web', 'phone'][1 + (i % 3)::INT]",
        "language": "'en'",
        "survey_id": "'relationship'",
        "respondent_role": "'customer'",
        "ticket_id": "'T-' || strftime(day, '%Y%m%d') || '-' || (i // 3)",
        "event_type": "['created', 'agent_reply', 'solved'][1 + (i % 3)::INT]",
        "status": "['new', 'pending', 'solved'][1 + (i % 3)::INT]",
        "actor_role": "['system', 'agent', 'agent'][1 + (i % 3)::INT]",
        "rating": "CAST(1 + i % 5 AS DOUBLE)",
        "rating_scale_max": "5.0",
        "brand": "'Northwind'",
        "platform": "'google'",
        "reply_at": "NULL",
        "satisfaction": "NULL",
    }
    if name in special:
        return special[name]
    if column.allowed:
        return f"'{column.allowed[0]}'"
    if column.type in ("INTEGER", "BIGINT", "DOUBLE"):
        low, high = column.low or 0, column.high or 5
        return f"CAST({low:g} + i % {int(high - low + 1)} AS {column.type})"
    if column.type == "BOOLEAN":
        return "i % 2 = 0"
    if column.type == "TIMESTAMPTZ":
        return "NULL"
    return f"'{name} ' || (i % 7)"


def land(con, source_name, day=DAY, n=40, file="export.csv"):
    """`n` clean rows of `source_name` loaded into its raw table for partition `day`, with
    the reconciliation the loader would have written."""
    source = SOURCES[source_name]
    ensure_tables(con, source)
    values = ", ".join(_column_sql(source, c) for c in source.columns)
    con.execute(
        f"INSERT INTO raw.{source.table} SELECT {values}, NULL, '{file}', i, day, "
        f"md5(CAST(i AS VARCHAR)), 'canonical', 'test', now() "
        f"FROM range(?) t(i), (SELECT CAST(? AS DATE) AS day)",
        [n, day],
    )
    con.execute(
        "INSERT INTO audit.load_reconciliation (source, partition_date, source_file, profile, "
        "rows_read, rows_loaded, rows_quarantined, rows_duplicate, new_columns, run_id, "
        "loaded_at) VALUES (?, ?, ?, 'canonical', ?, ?, 0, 0, '[]', 'test', now())",
        [source_name, day, file, n, n],
    )


def stage_views(con):
    """Minimal stand-ins for the dbt staging views: latest version wins, ids hashed,
    e-mail addresses redacted."""
    email = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    latest = "QUALIFY row_number() OVER (PARTITION BY {k} ORDER BY _partition_date DESC) = 1"
    con.execute(
        f"""
        CREATE SCHEMA IF NOT EXISTS staging;
        CREATE OR REPLACE VIEW staging.stg_survey_responses AS
        SELECT response_id, submitted_at, sha256('salt' || respondent_id) AS respondent_key,
            coalesce(respondent_role, 'customer') AS respondent_role, nps, csat, ces,
            regexp_replace(comment, '{email}', '[email]', 'g') AS comment,
            regexp_replace(suggestion, '{email}', '[email]', 'g') AS suggestion
        FROM raw.survey_responses {latest.format(k="response_id")};
        CREATE OR REPLACE VIEW staging.stg_ticket_events AS
        SELECT event_id, ticket_id, event_at, event_type,
            sha256('salt' || customer_id) AS customer_key
        FROM raw.ticket_events {latest.format(k="event_id")};
        CREATE OR REPLACE VIEW staging.stg_reviews AS
        SELECT review_id, brand, published_at, rating AS rating_5,
            sha256('salt' || author) AS author_key
        FROM raw.reviews {latest.format(k="review_id")};
        """
    )


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "cx.duckdb"))
    yield connection
    connection.close()


def one_day(source_name, day=DAY):
    table = f"raw.{SOURCES[source_name].table}"
    return dict(table=table, where="_partition_date = ?", params=[day])


def check(con, source_name, day=DAY, **kwargs):
    spec = one_day(source_name, day)
    return validate_table(
        con, spec["table"], RAW_SUITES[source_name], spec["where"], spec["params"], **kwargs
    )


# --- the suites as files -------------------------------------------------------------


def test_every_suite_file_loads_as_a_gx_suite_and_every_expectation_has_a_severity():
    import great_expectations as gx

    names = suite_names()
    assert set(RAW_SUITES.values()) | set(STAGING_SUITES) <= set(names)
    for name in names:
        raw = json.loads((expectations_dir() / f"{name}.json").read_text(encoding="utf-8"))
        suite = load_suite(name)
        assert isinstance(suite, gx.ExpectationSuite)
        assert suite.name == name
        assert len(suite.expectations) == len(raw["expectations"]) > 0
        for expectation in raw["expectations"]:
            assert expectation["meta"]["severity"] in ("error", "warning"), expectation
        labels = [describe(e) for e in suite.expectations]
        assert len(labels) == len(set(labels)), f"{name}: two expectations share a name"


def test_raw_suites_recheck_every_hard_rule_of_the_canonical_records():
    """The raw suites are an independent second gate: each column rule the loader enforces
    appears in the suite as a blocking expectation, so the two cannot drift apart."""
    for source_name, suite_name in RAW_SUITES.items():
        source = SOURCES[source_name]
        errors = [e for e in load_suite(suite_name).expectations if e.meta["severity"] == "error"]

        def find(kind, column, errors=errors):
            return [
                e.configuration.kwargs
                for e in errors
                if e.expectation_type == kind and e.configuration.kwargs.get("column") == column
            ]

        assert find("expect_column_values_to_be_unique", source.key)
        for c in source.columns:
            if c.required:
                assert find("expect_column_values_to_not_be_null", c.name), c.name
            if c.allowed:
                sets = find("expect_column_values_to_be_in_set", c.name)
                assert [set(k["value_set"]) for k in sets] == [set(c.allowed)], c.name
            if c.low is not None or c.high is not None:
                bounds = [
                    (k.get("min_value"), k.get("max_value"))
                    for k in find("expect_column_values_to_be_between", c.name)
                ]
                assert (c.low, c.high) in bounds, (c.name, bounds)
            if c.type != "VARCHAR":
                assert find("expect_column_values_to_be_of_type", c.name), c.name


def test_a_suite_with_an_unknown_expectation_or_severity_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_EXPECTATIONS_DIR", str(tmp_path))
    typo = {"type": "expect_column_values_to_be_betwen", "kwargs": {"column": "nps"}}
    (tmp_path / "typo.json").write_text(json.dumps({"name": "typo", "expectations": [typo]}))
    with pytest.raises(SuiteError, match="not supported"):
        load_suite("typo")
    bad = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "nps"},
        "meta": {"severity": "critical"},
    }
    (tmp_path / "bad.json").write_text(json.dumps({"name": "bad", "expectations": [bad]}))
    with pytest.raises(SuiteError, match="severity"):
        load_suite("bad")


# --- validating tables ----------------------------------------------------------------


def test_a_clean_partition_passes_every_suite(con):
    for source_name in RAW_SUITES:
        land(con, source_name)
    stage_views(con)
    for source_name in RAW_SUITES:
        result = check(con, source_name)
        assert result.success, result.format()
        assert not result.failures, result.format()
        assert result.rows_validated == 40
    for suite_name in STAGING_SUITES:
        result = validate_table(con, f"staging.{suite_name}", suite_name)
        assert result.success and not result.failures, result.format()


def test_nps_15_and_a_duplicated_response_id_fail_the_raw_survey_suite(con):
    land(con, "surveys")
    con.execute("UPDATE raw.survey_responses SET nps = 15 WHERE response_id = 'S-20250310-7'")
    con.execute(
        "INSERT INTO raw.survey_responses SELECT * REPLACE (_record_number + 100 AS "
        "_record_number) FROM raw.survey_responses WHERE response_id = 'S-20250310-3'"
    )
    con.execute("UPDATE audit.load_reconciliation SET rows_read = 41, rows_loaded = 41")

    result = check(con, "surveys")

    assert not result.success
    assert result.rows_validated == 41
    nps = result.outcome("expect_column_values_to_be_between(nps)")
    assert not nps.passed and nps.severity == "error"
    assert nps.unexpected_count == 1
    assert nps.observed_value["unexpected_count"] == 1
    assert nps.examples == [{"nps": 15, "response_id": "S-20250310-7"}]
    unique = result.outcome("expect_column_values_to_be_unique(response_id)")
    assert not unique.passed and unique.severity == "error"
    assert unique.unexpected_count == 2  # both rows of the duplicated key, as in GX
    assert unique.examples == [
        {"_partition_date": "2025-03-10", "response_id": "S-20250310-3", "rows": 2}
    ]
    assert {o.expectation for o in result.failures} == {nps.expectation, unique.expectation}
    json.dumps(result.to_dict())  # everything in a result is JSON-safe


def test_a_failed_warning_alerts_but_does_not_block(con):
    land(con, "surveys")
    con.execute("UPDATE raw.survey_responses SET channel = NULL WHERE _record_number < 8")

    result = check(con, "surveys")

    assert result.success, result.format()
    [failure] = result.failures
    assert failure.expectation == "expect_column_values_to_not_be_null(channel)"
    assert failure.severity == "warning" and not failure.blocking
    assert failure.observed_value["unexpected_count"] == 8
    assert failure.observed_value["unexpected_percent"] == 20.0
    assert {"channel": None, "response_id": "S-20250310-0"} in failure.examples
    assert "WARNING" in result.format()


def test_row_count_is_bounded_by_the_median_of_the_previous_loaded_days(con):
    first = DAY - timedelta(days=7)
    land(con, "reviews", first, n=5)  # has no history: no bound
    assert check(con, "reviews", first).success
    for k in range(1, 7):
        land(con, "reviews", first + timedelta(days=k), n=50)
    # The previous 7 loaded days: 5, 50, 50, 50, 50, 50, 50 -> median 50 -> 5..250 rows.
    land(con, "reviews", DAY, n=4)
    low = check(con, "reviews")
    floor = low.outcome("expect_table_row_count_to_be_between[row_count_floor]")
    assert not low.success and not floor.passed and floor.severity == "error"
    assert floor.observed_value == 4
    assert floor.examples[0]["min_value"] == 5.0
    assert floor.examples[0]["median_of_previous_days"] == 50

    later = DAY + timedelta(days=1)
    land(con, "reviews", later, n=251)
    high = check(con, "reviews", later)
    ceiling = high.outcome("expect_table_row_count_to_be_between[row_count_ceiling]")
    assert high.success and not ceiling.passed and ceiling.severity == "warning"
    assert ceiling.examples[0]["max_value"] == 250.0

    land(con, "reviews", later + timedelta(days=1), n=250)
    assert not check(con, "reviews", later + timedelta(days=1)).failures

    # A day that delivered nothing is checked when the caller names it.
    empty = later + timedelta(days=2)
    result = check(con, "reviews", empty, suite_params={"partition_date": empty})
    assert result.rows_validated == 0
    assert not result.outcome("expect_table_row_count_to_be_between[row_count_floor]").passed


def test_freshness_fails_when_the_newest_record_is_too_old_for_the_partition(con):
    land(con, "tickets")
    assert check(con, "tickets").success
    # Every event 4 days before the delivery day: older than the 3 days allowed.
    con.execute("UPDATE raw.ticket_events SET event_at = event_at - INTERVAL 4 DAY")
    stale = check(con, "tickets")
    fresh = stale.outcome("expect_column_max_to_be_between(event_at)[freshness]")
    assert not fresh.passed and fresh.severity == "warning" and stale.success
    assert fresh.observed_value.startswith("2025-03-06T")
    assert fresh.examples[0]["min_value"].startswith("2025-03-07T00:00:00")
    # The caller may override the computed bound.
    relaxed = check(con, "tickets", suite_params={"event_at_min": "2025-03-01"})
    assert relaxed.outcome("expect_column_max_to_be_between(event_at)[freshness]").passed


def test_where_validates_only_the_requested_partition(con):
    before = DAY - timedelta(days=1)
    land(con, "tickets", before, n=30)
    land(con, "tickets", DAY, n=40)
    con.execute(
        "UPDATE raw.ticket_events SET status = 'lost' WHERE _partition_date = ? AND "
        "_record_number = 4",
        [DAY],
    )
    # A newer version of yesterday's event delivered today: its key recurs, but only
    # across partitions, where it is allowed.
    con.execute(
        "INSERT INTO raw.ticket_events SELECT * REPLACE (CAST(? AS DATE) AS _partition_date, "
        "'solved' AS status) FROM raw.ticket_events WHERE event_id = 'T-20250309-1'",
        [DAY],
    )
    con.execute(
        "UPDATE audit.load_reconciliation SET rows_read = 41, rows_loaded = 41 "
        "WHERE partition_date = ?",
        [DAY],
    )
    yesterday = check(con, "tickets", before)
    assert yesterday.success and not yesterday.failures and yesterday.rows_validated == 30
    today = check(con, "tickets", DAY)
    assert today.rows_validated == 41
    assert [o.expectation for o in today.failures] == ["expect_column_values_to_be_in_set(status)"]
    both = validate_table(
        con,
        "raw.ticket_events",
        "raw_ticket_events",
        where="_partition_date BETWEEN $start AND $end",
        params={"start": before, "end": DAY},
    )
    assert both.rows_validated == 71
    assert [o.expectation for o in both.failures] == ["expect_column_values_to_be_in_set(status)"]
    assert both.outcome("expect_column_values_to_be_unique(event_id)").passed
    rows = both.outcome("expect_table_row_count_to_be_between[row_count_floor]")
    assert rows.observed_value == {"2025-03-09": 30, "2025-03-10": 41}


@pytest.mark.parametrize("engine", ["gx-pandas", "duckdb"])
def test_batches_merge_to_the_verdict_of_a_single_batch(con, engine):
    land(con, "tickets", n=5000)
    con.execute("UPDATE raw.ticket_events SET channel = NULL WHERE _record_number % 25 = 0")
    con.execute("UPDATE raw.ticket_events SET status = 'lost' WHERE _record_number = 4500")
    con.execute("UPDATE raw.ticket_events SET actor_role = NULL WHERE _record_number % 10 = 1")
    # GX's pandas engine in batches; in DuckDB the selection is one scan whatever its size
    whole = check(con, "tickets", engine="gx-pandas")
    batched = check(con, "tickets", batch_rows=2048, engine=engine)  # 3 batches in GX
    assert whole.rows_validated == batched.rows_validated == 5000
    assert [(o.expectation, o.passed, o.unexpected_count) for o in whole.outcomes] == [
        (o.expectation, o.passed, o.unexpected_count) for o in batched.outcomes
    ]
    failed = {o.expectation for o in batched.failures}
    assert failed == {
        "expect_column_values_to_be_in_set(status)",  # one row, in the third batch
        "expect_column_values_to_not_be_null(actor_role)",  # 10% null, mostly 0.95
    }
    status = batched.outcome("expect_column_values_to_be_in_set(status)")
    assert status.examples == [{"status": "lost", "event_id": "T-20250310-4500"}]
    # 4% null channel is within mostly=0.95 in every batch and overall
    assert batched.outcome("expect_column_values_to_not_be_null(channel)").passed


def test_reconciliation_and_the_audit_counts_are_rechecked(con):
    land(con, "reviews")
    con.execute("UPDATE audit.load_reconciliation SET rows_read = rows_read + 1")
    unbalanced = check(con, "reviews")
    recon = unbalanced.outcome("unexpected_rows_expectation[reconciliation]")
    assert not recon.passed and recon.observed_value == 1 and not unbalanced.success
    assert recon.examples[0]["rows_read"] == 41 and recon.examples[0]["rows_loaded"] == 40

    con.execute("UPDATE audit.load_reconciliation SET rows_read = rows_read - 1")
    con.execute("DELETE FROM raw.reviews WHERE _record_number = 3")
    lost = check(con, "reviews")
    assert lost.outcome("unexpected_rows_expectation[reconciliation]").passed
    match = lost.outcome("unexpected_rows_expectation[loaded_rows_match_audit]")
    assert not match.passed
    assert match.examples[0]["rows_loaded"] == 40 and match.examples[0]["rows_in_table"] == 39


def test_staging_suites_catch_pii_left_in_clear_without_repeating_it(con):
    land(con, "surveys")
    con.execute(
        "UPDATE raw.survey_responses SET comment = 'mail me at ana@example.org' "
        "WHERE _record_number = 2"
    )
    con.execute(
        "CREATE SCHEMA staging; CREATE VIEW staging.leaky AS SELECT response_id, submitted_at, "
        "respondent_id AS respondent_key, respondent_role, nps, csat, ces, comment, suggestion "
        "FROM raw.survey_responses"
    )
    result = validate_table(con, "staging.leaky", "stg_survey_responses")
    assert not result.success
    email = result.outcome("expect_column_values_to_not_match_regex(comment)")
    assert not email.passed and email.unexpected_count == 1
    assert email.examples == [{"comment": "[redacted]", "response_id": "S-20250310-2"}]
    key = result.outcome("expect_column_values_to_match_regex(respondent_key)")
    assert not key.passed and key.unexpected_count == 40
    assert "ana@example.org" not in json.dumps(result.to_dict())


def test_a_file_is_checked_before_loading_without_the_loaded_table_checks():
    frame = pd.DataFrame(
        {
            "response_id": ["A", "B", "C"],
            "submitted_at": pd.to_datetime(["2025-03-09 10:00"] * 3, utc=True),
            "respondent_role": ["customer", "manager", "customer"],
            "channel": ["email", "web", "web"],
            "survey_id": ["rel"] * 3,
            "language": ["en", "pt", "de"],
            "nps": pd.array([9, 15, None], dtype="Int32"),
            "csat": pd.array([5, 4, 3], dtype="Int32"),
            "ces": pd.array([1, 2, 3], dtype="Int32"),
            "overall_satisfaction": pd.array([8, 7, 6], dtype="Int32"),
        }
    )
    result = validate_dataframe(frame, "raw_survey_responses", suite_params={"partition_date": DAY})
    assert not result.success and result.rows_validated == 3
    assert "expect_table_row_count_to_be_between[row_count_floor]" in result.skipped
    assert "unexpected_rows_expectation[reconciliation]" in result.skipped
    nps = result.outcome("expect_column_values_to_be_between(nps)")
    assert nps.examples == [{"nps": 15, "response_id": "B"}]
    assert result.outcome("expect_column_max_to_be_between(submitted_at)[freshness]").passed
    # Columns the frame lacks fail rather than pass silently.
    missing = result.outcome("expect_column_values_to_be_between(exp_tangibles_1)")
    assert not missing.passed and "not in" in missing.observed_value["error"]
