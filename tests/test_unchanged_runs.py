"""A run that brings nothing new stops before dbt: the fixed cost of a daily run on an empty
day, without publishing marts that could only be identical."""

from __future__ import annotations

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

    # The same day delivered again: its rows are replaced, so the models are rebuilt.
    rerun = cli(data_dir, "load", "--date", "2025-03-05")
    assert "skipped" not in rerun.stdout
    assert "published:" in rerun.stdout
    assert published.read_bytes() != before
    assert _publishes(data_dir) == publishes + 1  # the empty day recorded no publish


def _publishes(data_dir) -> int:
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM audit.build_state").fetchone()[0]
    finally:
        con.close()
