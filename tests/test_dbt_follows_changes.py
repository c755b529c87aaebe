"""dbt builds only the models that read a raw table with new rows since the published build
(cx_pipeline/warehouse/build_state.py, changed_sources; cx_pipeline/defs/dbt.py), and the
marts equal those of one build of the same files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
from conftest import MARTS, cli, rounded_select

from cx_pipeline.warehouse import build_state

DAYS = ("2025-06-02", "2025-06-03")


def _built_models() -> set[str]:
    target = Path(os.environ["CX_DBT_TARGET_PATH"])
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}


def test_a_day_of_reviews_only_rebuilds_no_ticket_or_survey_model(tmp_path):
    daily = tmp_path / "daily"
    cli(daily, "generate", "--start", DAYS[0], "--days", "2", "--scale", "0.2", "--seed", "9")
    for source in ("tickets", "surveys"):
        shutil.rmtree(daily / "landing" / source / DAYS[1])
    once = tmp_path / "once"
    shutil.copytree(daily / "landing", once / "landing")

    cli(daily, "load", "--date", DAYS[0])
    everything = _built_models()
    reviews_day = cli(daily, "load", "--date", DAYS[1])
    built = _built_models()
    assert "current, not rebuilt" in reviews_day.stderr, reviews_day.stderr[-3000:]
    assert {"stg_reviews", "int_reviews", "int_review_themes", "mart_review_themes"} <= built
    not_rebuilt = everything - built
    assert {"stg_ticket_events", "int_tickets", "stg_survey_responses"} <= not_rebuilt, built
    assert {"mart_customer_health", "int_driver_weights"} <= not_rebuilt
    # What was not rebuilt is published as it was: equal to one build of both days.
    cli(once, "load", "--all")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{daily / 'published' / 'cx.duckdb'}' AS daily (READ_ONLY)")
        con.execute(f"ATTACH '{once / 'published' / 'cx.duckdb'}' AS once (READ_ONLY)")
        for mart in MARTS:
            a, b = rounded_select(con, "daily", mart), rounded_select(con, "once", mart)
            only_daily = con.execute(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})").fetchone()[0]
            only_once = con.execute(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})").fetchone()[0]
            assert (only_daily, only_once) == (0, 0), mart
    finally:
        con.close()


def _warehouse_with_a_published_build(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw")
    for table in ("ticket_events", "survey_responses", "reviews"):
        con.execute(f"CREATE TABLE raw.{table} AS SELECT TIMESTAMPTZ '2025-01-01' AS _loaded_at")
    build_state.record_build_started(con, "run-1")
    build_state.record_published(con, build_state.inputs(con), "run-1")
    return con


def test_changed_sources_are_the_raw_tables_with_other_rows(tmp_path):
    con = _warehouse_with_a_published_build(tmp_path / "cx.duckdb")
    assert build_state.changed_sources(con) == set()
    con.execute("INSERT INTO raw.reviews VALUES (TIMESTAMPTZ '2025-01-02')")
    assert build_state.changed_sources(con) == {"reviews"}
    con.execute("DELETE FROM raw.ticket_events")  # a removed file changes the table too
    assert build_state.changed_sources(con) == {"reviews", "ticket_events"}


def test_every_model_builds_after_a_build_that_was_not_published(tmp_path):
    con = _warehouse_with_a_published_build(tmp_path / "cx.duckdb")
    con.execute("INSERT INTO raw.reviews VALUES (TIMESTAMPTZ '2025-01-02')")
    # A build that failed or was blocked may have left rows the published one did not have.
    build_state.record_build_started(con, "run-2")
    assert build_state.changed_sources(con) is None


def test_every_model_builds_without_a_published_record_of_the_inputs(tmp_path):
    assert build_state.changed_sources(duckdb.connect(str(tmp_path / "new.duckdb"))) is None
    # A warehouse published before the inputs were kept: its record has none.
    con = duckdb.connect(str(tmp_path / "cx.duckdb"))
    con.execute("CREATE SCHEMA audit")
    con.execute(
        "CREATE TABLE audit.build_state (fingerprint VARCHAR, run_id VARCHAR, "
        "published_at TIMESTAMPTZ)"
    )
    con.execute("INSERT INTO audit.build_state VALUES ('f', 'run-0', now())")
    build_state.record_build_started(con, "run-0")
    assert build_state.changed_sources(con) is None
