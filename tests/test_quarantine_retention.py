"""Quarantined rows keep their clear-text original row only for CX_QUARANTINE_RETENTION_DAYS,
and the published copy never carries it."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import pytest

from cx_pipeline import settings
from cx_pipeline.ingest.canonical import SURVEYS, TICKETS
from cx_pipeline.ingest.loader import load_partition, purge_quarantine
from cx_pipeline.warehouse.publish_copy import publish

OLD_DAY, NEW_DAY = date(2025, 3, 1), date(2025, 3, 2)
HEADER = "response_id,survey_id,submitted_at,respondent_id,nps,csat,comment"
SECRET = "jane.doe@example.com"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CX_QUARANTINE_RETENTION_DAYS", raising=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield tmp_path, con
    con.close()


def land_surveys(root, day: date, tag: str) -> None:
    folder = root / "landing" / "surveys" / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        HEADER,
        f"{tag}1,rel,{day}T10:00:00Z,R-{tag}1,9,,fine",
        f"{tag}2,rel,{day}T10:00:00Z,R-{tag}2,11,,write to {SECRET}",
        f"{tag}3,rel,not a date,R-{tag}3,8,,call me",
    ]
    (folder / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def age(con, day: date, days: int) -> None:
    con.execute(
        "UPDATE audit.quarantine SET quarantined_at = now() - to_days(CAST(? AS INTEGER)) "
        "WHERE partition_date = ?",
        [days, day],
    )


def quarantine(con) -> list[tuple]:
    return con.execute(
        "SELECT partition_date, source_file, line_number, reason, original_row IS NULL, "
        "original_row_purged_at IS NOT NULL FROM audit.quarantine ORDER BY 1, 3"
    ).fetchall()


def reconciliation(con) -> list[tuple]:
    return con.execute(
        "SELECT source_file, rows_read, rows_loaded, rows_quarantined, rows_duplicate "
        "FROM audit.load_reconciliation ORDER BY 1"
    ).fetchall()


def two_days_loaded(root, con) -> None:
    for day, tag in ((OLD_DAY, "A"), (NEW_DAY, "B")):
        land_surveys(root, day, tag)
        load_partition(con, SURVEYS, day, f"run-{tag}")
    age(con, OLD_DAY, 31)
    age(con, NEW_DAY, 29)


def test_original_rows_older_than_the_retention_are_purged_the_rest_kept(env):
    root, con = env
    two_days_loaded(root, con)
    before = quarantine(con)
    counts = reconciliation(con)

    assert purge_quarantine(con, SURVEYS) == 2  # default retention: 30 days

    after = quarantine(con)
    assert len(after) == len(before) == 4
    # the same rows, reasons, files and lines; only the old ones lost their content
    assert [row[:4] for row in after] == [row[:4] for row in before]
    assert [(row[0], row[4], row[5]) for row in after] == [
        (OLD_DAY, True, True),
        (OLD_DAY, True, True),
        (NEW_DAY, False, False),
        (NEW_DAY, False, False),
    ]
    assert reconciliation(con) == counts
    assert all(read == loaded + quarantined + dup for _, read, loaded, quarantined, dup in counts)
    purged_at = con.execute("SELECT max(original_row_purged_at) FROM audit.quarantine").fetchone()
    assert purge_quarantine(con, SURVEYS) == 0  # a purged row is not purged again
    assert (
        con.execute("SELECT max(original_row_purged_at) FROM audit.quarantine").fetchone()
        == purged_at
    )


def test_the_retention_is_a_setting(env, monkeypatch):
    root, con = env
    two_days_loaded(root, con)

    monkeypatch.setenv("CX_QUARANTINE_RETENTION_DAYS", "45")
    assert purge_quarantine(con, SURVEYS) == 0
    monkeypatch.setenv("CX_QUARANTINE_RETENTION_DAYS", "30")
    assert purge_quarantine(con, SURVEYS) == 2
    monkeypatch.setenv("CX_QUARANTINE_RETENTION_DAYS", "20")
    assert purge_quarantine(con, SURVEYS) == 2
    monkeypatch.setenv("CX_QUARANTINE_RETENTION_DAYS", "0")
    assert purge_quarantine(con, SURVEYS) == 0  # nothing clear left
    assert con.execute(
        "SELECT count(*) FROM audit.quarantine WHERE original_row IS NOT NULL"
    ).fetchone() == (0,)

    for bad in ("-1", "thirty", "2.5"):
        monkeypatch.setenv("CX_QUARANTINE_RETENTION_DAYS", bad)
        with pytest.raises(ValueError, match="CX_QUARANTINE_RETENTION_DAYS"):
            settings.quarantine_retention_days()


def test_a_purge_touches_only_its_own_source(env):
    root, con = env
    two_days_loaded(root, con)
    con.execute(
        "INSERT INTO audit.quarantine (source, partition_date, source_file, line_number, reason, "
        "original_row, quarantined_at) VALUES ('tickets', ?, 't.csv', 2, 'x', '{}', "
        "now() - INTERVAL 90 DAY)",
        [OLD_DAY],
    )

    assert purge_quarantine(con, SURVEYS) == 2
    assert con.execute(
        "SELECT original_row FROM audit.quarantine WHERE source = 'tickets'"
    ).fetchone() == ("{}",)
    assert purge_quarantine(con, TICKETS) == 1


def test_a_warehouse_from_before_the_retention_gets_the_column(env):
    root, con = env
    con.execute("CREATE SCHEMA audit")
    con.execute(
        "CREATE TABLE audit.quarantine (source VARCHAR, partition_date DATE, "
        "source_file VARCHAR, line_number BIGINT, reason VARCHAR, original_row VARCHAR, "
        "profile VARCHAR, run_id VARCHAR, quarantined_at TIMESTAMPTZ)"
    )
    con.execute(
        "INSERT INTO audit.quarantine VALUES ('surveys', '2024-01-01', 'old.csv', 2, "
        "'nps above 10', '{\"comment\": \"old\"}', 'canonical', 'run-0', "
        "now() - INTERVAL 400 DAY)"
    )
    land_surveys(root, NEW_DAY, "B")

    load_partition(con, SURVEYS, NEW_DAY, "run-B")
    assert purge_quarantine(con, SURVEYS) == 1

    rows = con.execute(
        "SELECT source_file, original_row IS NULL, original_row_purged_at IS NOT NULL "
        "FROM audit.quarantine ORDER BY partition_date, line_number"
    ).fetchall()
    assert rows == [
        ("old.csv", True, True),
        *[(str(root / "landing/surveys/2025-03-02/a.csv"), False, False)] * 2,
    ]


def test_the_published_copy_never_holds_an_original_row(env):
    root, con = env
    two_days_loaded(root, con)
    assert con.execute(
        "SELECT count(*) FROM audit.quarantine WHERE original_row LIKE ?", [f"%{SECRET}%"]
    ).fetchone() == (2,)  # the clear rows are in the warehouse, within their retention
    con.close()
    published = root / "published" / "cx.duckdb"

    tables = publish(root / "w.duckdb", published)

    assert tables["audit.quarantine"] == 4
    pub = duckdb.connect(str(published), read_only=True)
    try:
        columns = [
            r[0]
            for r in pub.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'audit' "
                "AND table_name = 'quarantine'"
            ).fetchall()
        ]
        assert "original_row" not in columns
        assert {"reason", "source_file", "line_number", "original_row_purged_at"} <= set(columns)
        # No text column of any published table carries the clear-text content.
        for schema, table, column in pub.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall():
            hits = pub.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}" LIKE ?',
                [f"%{SECRET}%"],
            ).fetchone()[0]
            assert hits == 0, f"{schema}.{table}.{column}"
    finally:
        pub.close()


def add_one_bad_survey(folder) -> None:
    """One survey with an NPS of 11, a copy of the file's last one: quarantined, and too
    few to trip the quarantine share."""
    [path] = folder.glob("*.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    bad = {**rows[-1], "response_id": rows[-1]["response_id"] + "-BAD", "nps": "11"}
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(bad)).writerow(bad)


def test_a_load_purges_what_is_past_the_retention_and_publishes_no_original_row(tmp_path):
    from conftest import cli

    cli(tmp_path, "generate", "--start", "2025-03-03", "--days", "2", "--scale", "0.2")
    for day in ("2025-03-03", "2025-03-04"):
        add_one_bad_survey(tmp_path / "landing" / "surveys" / day)
    cli(tmp_path, "load", "--date", "2025-03-03")
    warehouse = tmp_path / "warehouse" / "cx.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE audit.quarantine SET quarantined_at = now() - INTERVAL 40 DAY "
            "WHERE partition_date = '2025-03-03'"
        )
        aged = con.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0]
        counts = reconciliation(con)
    assert aged > 0  # the generated exports carry defects

    cli(tmp_path, "load", "--date", "2025-03-04")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        by_day = dict(
            (str(day), (rows, clear))
            for day, rows, clear in con.execute(
                "SELECT partition_date, count(*), count(original_row) FROM audit.quarantine "
                "GROUP BY 1"
            ).fetchall()
        )
        assert by_day["2025-03-03"] == (aged, 0)
        rows, clear = by_day["2025-03-04"]
        assert clear == rows > 0
        # the first day's files still reconcile as they did
        assert [c for c in reconciliation(con) if "2025-03-03" in c[0]] == counts
    with duckdb.connect(str(tmp_path / "published" / "cx.duckdb"), read_only=True) as pub:
        assert pub.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'audit' "
            "AND table_name = 'quarantine' AND column_name = 'original_row'"
        ).fetchone() == (0,)
        assert pub.execute("SELECT count(*) FROM audit.quarantine").fetchone()[0] > aged
