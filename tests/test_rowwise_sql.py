"""Row-level expectations as SQL (cx_pipeline/quality/rowwise_sql.py) give what GX's pandas
engine gives for the same rows: counts, verdict, observed value and examples, expectation by
expectation, on hand-made edge cases, on every case of the malformed-input corpus and on
generated exports with defects."""

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_expectations import RAW_SUITES, land
from test_malformed_corpus import CASES, DAY, land_case

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

from cx_pipeline.ingest.canonical import SOURCES  # noqa: E402
from cx_pipeline.ingest.loader import load_partition  # noqa: E402
from cx_pipeline.quality import (  # noqa: E402
    rowwise,
    rowwise_sql,
    validate_table,  # noqa: E402
)
from cx_pipeline.quality._gx import gx  # noqa: E402
from cx_pipeline.quality.database import Context, Selection  # noqa: E402
from cx_pipeline.settings import SettingError, Settings  # noqa: E402

EDGE_ROWS = """
 ('k1', 1, 1.5, 'en', TIMESTAMPTZ '2025-01-01 10:00+00', TIMESTAMPTZ '2025-01-01 09:00+00', 'a'),
 ('k2', NULL, 'NaN'::DOUBLE, 'en' || chr(10), TIMESTAMPTZ '2025-01-01 08:00+00',
        TIMESTAMPTZ '2025-01-01 09:00+00', NULL),
 ('k3', 11, 20.0, 'EN', NULL, TIMESTAMPTZ '2025-01-01 09:00+00', 'b'),
 ('k4', 0, NULL, NULL, NULL, NULL, 'zz'),
 ('k5', 5, 10.0, 'pt-BR', TIMESTAMPTZ '2025-01-01 09:00+00', TIMESTAMPTZ '2025-01-01 09:00+00',
        'a$]')
"""
EDGE_EXPECTATIONS = [
    ("expect_column_values_to_not_be_null", {"column": "score"}),
    ("expect_column_values_to_not_be_null", {"column": "x", "mostly": 0.5}),
    ("expect_column_values_to_not_be_null", {"column": "x", "mostly": 0.7}),
    ("expect_column_values_to_be_null", {"column": "s"}),
    ("expect_column_values_to_be_between", {"column": "score", "min_value": 1, "max_value": 10}),
    ("expect_column_values_to_be_between", {"column": "score", "max_value": 10, "mostly": 0.7}),
    (
        "expect_column_values_to_be_between",
        {"column": "x", "min_value": 1.5, "max_value": 20, "strict_min": True},
    ),
    ("expect_column_values_to_be_between", {"column": "x", "max_value": 20, "strict_max": True}),
    ("expect_column_values_to_be_in_set", {"column": "s", "value_set": ["a", "b"]}),
    ("expect_column_values_to_be_in_set", {"column": "score", "value_set": [0, 1, 5]}),
    ("expect_column_values_to_not_be_in_set", {"column": "s", "value_set": ["a"]}),
    (
        "expect_column_values_to_match_regex",
        {"column": "lang", "regex": "^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$"},
    ),
    ("expect_column_values_to_match_regex", {"column": "s", "regex": "[$]"}),
    ("expect_column_values_to_match_regex", {"column": "s", "regex": "[]a]$"}),
    ("expect_column_values_to_not_match_regex", {"column": "lang", "regex": "n"}),
    (
        "expect_column_values_to_match_regex_list",
        {"column": "s", "regex_list": ["a", "z"], "match_on": "all"},
    ),
    ("expect_column_values_to_match_regex_list", {"column": "s", "regex_list": ["a", "z"]}),
    ("expect_column_values_to_not_match_regex_list", {"column": "s", "regex_list": ["b", "z"]}),
    ("expect_column_value_lengths_to_be_between", {"column": "s", "min_value": 1, "max_value": 1}),
    ("expect_column_value_lengths_to_equal", {"column": "lang", "value": 2}),
    (
        "expect_column_pair_values_a_to_be_greater_than_b",
        {
            "column_A": "a",
            "column_B": "b",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    ),
    ("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "a", "column_B": "b"}),
    (
        "expect_column_pair_values_a_to_be_greater_than_b",
        {"column_A": "a", "column_B": "b", "ignore_row_if": "neither"},
    ),
    ("expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b"}),
]
# No exact SQL: a numeric bound on text, a set of numbers on text, a Python-only class.
GX_ONLY = [
    ("expect_column_values_to_be_between", {"column": "s", "min_value": 1, "max_value": 2}),
    ("expect_column_values_to_be_in_set", {"column": "s", "value_set": [1, 2]}),
    ("expect_column_values_to_match_regex", {"column": "lang", "regex": r"^\w+$"}),
    ("expect_column_values_to_match_strftime_format", {"column": "s", "strftime_format": "%Y"}),
]


def _expectations(specs):
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    gx()
    return [ExpectationConfiguration(type=t, kwargs=kw).to_domain_obj() for t, kw in specs]


def _edge_context(key):
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE t AS SELECT * FROM (VALUES {EDGE_ROWS}) v(id, score, x, lang, a, b, s)"
    )
    selection = Selection(con, "t")
    return Context(selection, selection.columns(), 5, {}, key=key)


@pytest.mark.parametrize("key", ["id", None], ids=["with a key", "without a key"])
def test_every_translated_expectation_equals_gx_on_edge_cases(key):
    ctx = _edge_context(key)
    expectations = _expectations(EDGE_EXPECTATIONS)
    conditions = [rowwise_sql.sql_conditions(ctx, e) for e in expectations]
    assert None not in conditions
    ours = rowwise_sql.evaluate(ctx, expectations, conditions)
    theirs = rowwise.evaluate(ctx, expectations, "edge")
    for i, exp in enumerate(expectations):
        mine, reference = ours[i], theirs[i]
        if key is None and "pair" in exp.expectation_type:
            # GX drops the UTC offset of a pair's keyless example; we keep it
            reference.examples = [
                [v.replace("+00:00", "") + "+00:00" if v else v for v in pair]
                for pair in reference.examples
            ]
        assert mine == reference, (exp.expectation_type, exp.configuration.kwargs)
    failing = sum(not o.passed for o in ours.values())
    assert 15 <= failing < len(expectations)  # the cases pass and fail both ways


def test_what_has_no_exact_sql_is_left_to_gx():
    ctx = _edge_context("id")
    for exp in _expectations(GX_ONLY):
        assert rowwise_sql.sql_conditions(ctx, exp) is None, exp.expectation_type


def test_a_value_duckdb_cannot_compare_fails_its_expectation_only(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 'k' || i AS id, i AS n FROM range(10) r(i)")
    selection = Selection(con, "t")
    ctx = Context(selection, selection.columns(), 10, {}, key="id")
    expectations = _expectations(
        [
            ("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 5}),
            ("expect_column_values_to_not_be_null", {"column": "n"}),
        ]
    )
    broken = rowwise_sql.Conditions("FALSE", "CAST('x' || n AS INTEGER) > 0", ("n",))
    fine = rowwise_sql.sql_conditions(ctx, expectations[1])
    outcomes = rowwise_sql.evaluate(ctx, expectations, [broken, fine])
    assert not outcomes[0].passed and "Conversion" in outcomes[0].observed_value["error"]
    assert outcomes[1].passed and outcomes[1].observed_value["element_count"] == 10


def _both_engines(con, table, suite, **kwargs):
    sql = validate_table(con, table, suite, engine="duckdb", **kwargs)
    pandas = validate_table(con, table, suite, engine="gx-pandas", **kwargs)
    assert sql.rows_validated == pandas.rows_validated
    assert sql.skipped == pandas.skipped
    assert [o.to_dict() for o in sql.outcomes] == [o.to_dict() for o in pandas.outcomes]
    assert sql.success == pandas.success
    return sql


def _load_case(case, data_dir, monkeypatch) -> Path:
    """One corpus case loaded as test_malformed_corpus.py loads it; its warehouse file."""
    land_case(case, data_dir, monkeypatch)
    database = data_dir / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        load_partition(con, SOURCES[case.source], DAY, "run")
    return database


@pytest.mark.parametrize("source", sorted(RAW_SUITES))
def test_the_malformed_corpus_gets_the_same_results_from_both_engines(
    source, tmp_path, monkeypatch
):
    """Every case of the corpus for `source`, loaded on its own, then validated together
    (GX's engine costs seconds per validation, whatever the rows): counts add up exactly
    over the cases, the first failing rows are the examples of both engines."""
    table = f"raw.{SOURCES[source].table}"
    combined = duckdb.connect(str(tmp_path / "combined.duckdb"))
    combined.execute("SET TimeZone = 'UTC'")
    cases = [c for c in CASES if c.source == source]
    for i, case in enumerate(cases):
        database = _load_case(case, tmp_path / f"case{i}", monkeypatch)
        combined.execute(f"ATTACH '{database}' AS c (READ_ONLY)")
        for name in (table, "audit.load_reconciliation", "audit.quarantine"):
            schema, relation = name.split(".")
            combined.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            combined.execute(f"CREATE TABLE IF NOT EXISTS {name} AS FROM c.{name} LIMIT 0")
            combined.execute(f"INSERT INTO {name} BY NAME FROM c.{name}")
        combined.execute("DETACH c")
    rows = combined.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    assert rows  # the cases load rows, not only quarantine them
    result = _both_engines(
        combined,
        table,
        RAW_SUITES[source],
        where="_partition_date = ?",
        params=[DAY],
        suite_params={"partition_date": DAY},
    )
    assert result.failures  # the corpus holds failing rows for both engines to see


@pytest.mark.parametrize("source", sorted(RAW_SUITES))
def test_defective_rows_get_the_same_results_from_both_engines(source):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    land(con, source, n=3000)
    table = f"raw.{SOURCES[source].table}"
    numeric = [c.name for c in SOURCES[source].columns if c.high is not None][:2]
    for column in numeric:
        con.execute(f"UPDATE {table} SET {column} = 99 WHERE _record_number % 97 = 5")
        con.execute(f"UPDATE {table} SET {column} = NULL WHERE _record_number % 89 = 3")
    texts = [c.name for c in SOURCES[source].columns if c.allowed][:2]
    for column in texts:
        con.execute(f"UPDATE {table} SET {column} = 'unheard of' WHERE _record_number % 53 = 1")
    if "language" in SOURCES[source].column_names:
        con.execute(f"UPDATE {table} SET language = 'EN_us!' WHERE _record_number % 41 = 2")
    result = _both_engines(con, table, RAW_SUITES[source])
    assert result.failures  # the defects are seen, by both engines alike


def test_the_engine_setting_is_checked():
    assert Settings.from_env({}).expectations_engine == "duckdb"
    assert Settings.from_env({"CX_EXPECTATIONS_ENGINE": "GX-Pandas"}).expectations_engine == (
        "gx-pandas"
    )
    spark = Settings.from_env({"CX_EXPECTATIONS_ENGINE": "spark"})
    with pytest.raises(SettingError, match="duckdb, gx-pandas"):
        assert spark.expectations_engine


def test_a_suite_is_one_scan_not_one_query_per_expectation():
    con = duckdb.connect()
    land(con, "surveys", day=date(2025, 3, 10), n=200)
    queries = []
    real = Selection.execute

    def counting(self, body, ctes=""):
        queries.append(body)
        return real(self, body, ctes)

    Selection.execute = counting
    try:
        result = validate_table(con, "raw.survey_responses", "raw_survey_responses")
    finally:
        Selection.execute = real
    assert result.success
    scans = [q for q in queries if "FILTER (WHERE" in q]
    assert len(scans) == 1
    row_level = sum("expect_column_values_to_be_between" in o.expectation for o in result.outcomes)
    assert row_level > 20  # many expectations, counted by that one query
