"""The raw suites' row rules are derived from the canonical records
(cx_pipeline/quality/canonical_rules.py); the rest of each suite is written by hand."""

import json
import os

import duckdb

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

from cx_pipeline.ingest.canonical import SOURCES, Column, Source  # noqa: E402
from cx_pipeline.ingest.loader import ensure_tables  # noqa: E402
from cx_pipeline.quality import load_suite  # noqa: E402
from cx_pipeline.quality.canonical_rules import (  # noqa: E402
    DERIVED_FROM,
    is_derived,
    row_rules,
    suite_path,
    suite_text,
    with_row_rules,
    write_suites,
)
from cx_pipeline.quality.suites import columns_of  # noqa: E402

TINY = Source(
    name="tiny",
    table="tiny_things",
    key="thing_id",
    event_time="seen_at",
    columns=(
        Column("thing_id", required=True, why="The key."),
        Column("label"),
        Column("seen_at", "TIMESTAMPTZ", required=True),
        Column("kind", allowed=("a", "b")),
        Column("score", "INTEGER", low=0, high=10),
        Column("scale", "DOUBLE", low=1),
    ),
)
DERIVED = {"severity": "error", "derived_from": DERIVED_FROM}


def test_every_committed_raw_suite_is_what_canonical_py_derives(monkeypatch):
    monkeypatch.delenv("CX_EXPECTATIONS_DIR", raising=False)
    for source in SOURCES.values():
        path = suite_path(source)
        assert path.read_text(encoding="utf-8") == suite_text(source), (
            f"{path.name} is out of date: run python -m cx_pipeline.quality.canonical_rules"
        )


def test_rules_follow_the_columns_types_requirements_value_sets_and_ranges():
    assert row_rules(TINY) == [
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "thing_id", "type_": "VARCHAR"},
            "meta": DERIVED,
            "notes": "The key.",
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "thing_id"},
            "meta": DERIVED,
            "notes": "The key.",
        },
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "seen_at", "type_": "TIMESTAMP WITH TIME ZONE"},
            "meta": DERIVED,
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "seen_at"},
            "meta": DERIVED,
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "kind", "value_set": ["a", "b"]},
            "meta": DERIVED,
        },
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "score", "type_": "INTEGER"},
            "meta": DERIVED,
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "score", "min_value": 0, "max_value": 10},
            "meta": DERIVED,
        },
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "scale", "type_": "DOUBLE"},
            "meta": DERIVED,
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "scale", "min_value": 1},
            "meta": DERIVED,
        },
    ]


def test_regenerating_replaces_stale_derived_rules_and_keeps_hand_written_ones_in_order():
    stale = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "gone"}}
    mine = [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "thing_id"}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ]
    suite = {
        "name": "old_name",
        "meta": {"source": "tiny", "key": "old_key", "owner": "me"},
        "notes": "Kept.",
        "expectations": [mine[0], {**stale, "meta": DERIVED}, mine[1]],
    }
    regenerated = with_row_rules(suite, TINY)
    assert regenerated["name"] == "raw_tiny_things"
    assert regenerated["notes"] == "Kept."
    assert regenerated["meta"] == {
        "source": "tiny",
        "key": "thing_id",
        "owner": "me",
        "table": "raw.tiny_things",
        "partition_column": "_partition_date",
    }
    assert regenerated["expectations"] == [*row_rules(TINY), *mine]
    assert with_row_rules(regenerated, TINY) == regenerated


def test_hand_written_rules_read_only_columns_the_raw_table_has():
    con = duckdb.connect()
    for source in SOURCES.values():
        ensure_tables(con, source)
        table = con.execute(f"DESCRIBE raw.{source.table}").fetchall()
        have = {row[0] for row in table}
        suite = json.loads(suite_path(source).read_text(encoding="utf-8"))
        hand_written = [e for e in suite["expectations"] if not is_derived(e)]
        assert hand_written, source.name
        for rule in load_suite(suite["name"]).expectations[-len(hand_written) :]:
            assert set(columns_of(rule)) <= have, (source.name, rule.expectation_type)


def test_a_folder_without_raw_suites_gets_loadable_ones_of_derived_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_EXPECTATIONS_DIR", str(tmp_path))
    written = write_suites()
    assert sorted(p.name for p in written) == sorted(
        f"raw_{s.table}.json" for s in SOURCES.values()
    )
    assert write_suites() == []
    for source in SOURCES.values():
        suite = load_suite(f"raw_{source.table}")
        assert len(suite.expectations) == len(row_rules(source))
        assert suite.meta["key"] == source.key
