"""A run that brings nothing new stops before dbt: the fixed cost of a daily run on an empty
day, without publishing marts that could only be identical."""

from __future__ import annotations

import json

import duckdb
from conftest import cli


def test_a_run_with_nothing_new_skips_dbt_and_keeps_the_published_copy(loaded_demo):
    data_dir = loaded_demo
    published = data_dir / "published" / "cx.duckdb"
    before = published.read_bytes()
    publishes = _publishes(data_dir)

    # A folder landed for that day, but no file in it (a day without any folder is refused).
    (data_dir / "landing" / "tickets" / "2025-03-06").mkdir(parents=True)
    empty = cli(data_dir, "load", "--date", "2025-03-06")
    assert "dbt build and publish skipped" in empty.stdout, empty.stdout
    assert "no file delivered" not in empty.stdout  # a warning, listed as a failed WARN check
    assert "FAILED [WARN] raw/ticket_events expectations" in empty.stdout
    assert published.read_bytes() == before

    # The same day delivered again, its files unchanged: its rows are replaced by this run's,
    # but each keeps its first load time, so nothing is rebuilt or published.
    loaded_at = _loaded_at(data_dir, "2025-03-05")
    same = cli(data_dir, "load", "--date", "2025-03-05")
    assert "dbt build and publish skipped" in same.stdout, same.stdout
    assert published.read_bytes() == before
    assert _publishes(data_dir) == publishes
    assert _loaded_at(data_dir, "2025-03-05") == loaded_at
    assert _run_ids(data_dir, "2025-03-05") == {_last_run_id(data_dir)}

    # One review of that day re-delivered with another rating: rebuilt and published.
    review_file = next((data_dir / "landing" / "reviews" / "2025-03-05").glob("*.jsonl"))
    lines = review_file.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["rating"] = 1 if first["rating"] != 1 else 2
    review_file.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    rerun = cli(data_dir, "load", "--date", "2025-03-05")
    assert "skipped" not in rerun.stdout
    assert "published:" in rerun.stdout
    assert published.read_bytes() != before
    assert _publishes(data_dir) == publishes + 1  # the unchanged runs recorded no publish
    after = _loaded_at(data_dir, "2025-03-05")
    changed = {k for k in after if after[k] != loaded_at.get(k)}
    assert changed == {("reviews", first["review_id"])}


def _query(data_dir, sql: str, params=()):
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _loaded_at(data_dir, day: str) -> dict:
    rows = []
    for source, table, key in (
        ("tickets", "ticket_events", "event_id"),
        ("surveys", "survey_responses", "response_id"),
        ("reviews", "reviews", "review_id"),
    ):
        rows += _query(
            data_dir,
            f"SELECT ?, {key}, _loaded_at FROM raw.{table} WHERE _partition_date = ?",
            [source, day],
        )
    assert rows
    return {(source, key): at for source, key, at in rows}


def _run_ids(data_dir, day: str) -> set:
    return {
        r[0]
        for r in _query(
            data_dir, "SELECT DISTINCT _run_id FROM raw.reviews WHERE _partition_date = ?", [day]
        )
    }


def _last_run_id(data_dir) -> str:
    return _query(
        data_dir, "SELECT run_id FROM audit.load_reconciliation ORDER BY loaded_at DESC LIMIT 1"
    )[0][0]


def _publishes(data_dir) -> int:
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM audit.build_state").fetchone()[0]
    finally:
        con.close()
