"""The raw loader: every row read ends loaded, quarantined or counted as a duplicate."""

import gzip
import json
from datetime import date

import duckdb
import pytest

from cx_pipeline.ingest.canonical import REVIEWS, SURVEYS, TICKETS
from cx_pipeline.ingest.loader import load_partition

DAY = date(2025, 3, 2)
HEADER = "response_id,survey_id,submitted_at,respondent_id,nps,csat,comment"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield tmp_path, con
    con.close()


def _land(root, source, name, content, day=DAY):
    folder = root / "landing" / source / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _reasons(con):
    return dict(con.execute("SELECT reason, count(*) FROM audit.quarantine GROUP BY 1").fetchall())


def test_valid_invalid_and_duplicate_rows_each_end_in_one_place(env):
    root, con = env
    _land(
        root,
        "surveys",
        "a.csv",
        "\n".join(
            [
                HEADER,
                "S1,rel,2025-03-02T10:00:00Z,R1,9,,fine",
                "S2,rel,2025-03-02T10:00:00Z,R2,11,,nps too high",
                "S3,rel,2025-03-02T10:00:00Z,R3,8,0,csat zero",
                "S4,rel,not a date,R4,8,,bad date",
                "S5,rel,2025-03-02T10:00:00Z,R5,7.5,,fractional",
                ",rel,2025-03-02T10:00:00Z,R6,7,,no key",
                "S1,rel,2025-03-02T10:00:00Z,R1,9,,fine",
                "S7,rel,2099-01-01T10:00:00Z,R7,9,,future",
            ]
        )
        + "\n",
    )
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.loaded, result.quarantined, result.duplicates) == (8, 1, 6, 1)
    assert _reasons(con) == {
        "nps above 10": 1,
        "csat below 1": 1,
        "submitted_at is not a valid TIMESTAMPTZ": 1,
        "nps is not a valid INTEGER": 1,
        "missing required value response_id": 1,
        "submitted_at in the future": 1,
    }
    original = con.execute(
        "SELECT line_number, original_row FROM audit.quarantine WHERE reason = 'nps above 10'"
    ).fetchone()
    assert original[0] == 3
    assert json.loads(original[1])["comment"] == "nps too high"


def test_rerun_replaces_the_partition_and_redelivery_counts_as_duplicate(env):
    root, con = env
    row = "S1,rel,2025-03-02T10:00:00Z,R1,9,,fine"
    _land(root, "surveys", "a.csv", f"{HEADER}\n{row}\n")
    load_partition(con, SURVEYS, DAY, "run-1")
    load_partition(con, SURVEYS, DAY, "run-2")
    assert con.execute("SELECT count(*) FROM raw.survey_responses").fetchone()[0] == 1
    later = date(2025, 3, 3)
    changed = "S1,rel,2025-03-02T10:00:00Z,R1,10,,changed my mind"
    _land(root, "surveys", "b.csv", f"{HEADER}\n{row}\n{changed}\n", day=later)
    [result] = load_partition(con, SURVEYS, later, "run-3")
    # Same key and content: a duplicate. Same key, new content: a new version, loaded.
    assert (result.loaded, result.duplicates) == (1, 1)
    recon = con.execute(
        "SELECT count(*) FROM audit.load_reconciliation WHERE partition_date = ?", [DAY]
    ).fetchone()[0]
    assert recon == 1


def test_ragged_rows_and_unknown_columns(env):
    root, con = env
    _land(
        root,
        "surveys",
        "a.csv",
        "\n".join(
            [
                HEADER + ",loyalty_tier",
                "S1,rel,2025-03-02T10:00:00Z,R1,9,,ok,gold",
                "S2,rel,2025-03-02T10:00:00Z,R2,9",
                "S3,rel,2025-03-02T10:00:00Z,R3,9,,too,many,fields",
            ]
        )
        + "\n",
    )
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.loaded, result.quarantined) == (3, 1, 2)
    assert result.new_columns == ["loyalty_tier"]
    extras = con.execute("SELECT _extras FROM raw.survey_responses").fetchone()[0]
    assert json.loads(extras) == {"loyalty_tier": "gold"}
    lines = sorted(r[0] for r in con.execute("SELECT line_number FROM audit.quarantine").fetchall())
    assert lines == [3, 4]


def test_missing_required_column_quarantines_the_file_with_a_clear_reason(env):
    root, con = env
    _land(root, "surveys", "a.csv", "survey_id,nps\nrel,9\nrel,3\n")
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert (result.read, result.quarantined) == (2, 2)
    [reason] = _reasons(con)
    assert "response_id" in reason and "submitted_at" in reason
    assert "a.csv" in reason and "canonical" in reason


def test_jsonl_with_a_broken_line_and_a_non_object(env):
    root, con = env
    good = {
        "review_id": "V1",
        "brand": "Northwind",
        "published_at": "2025-03-02T08:00:00Z",
        "rating": 4,
        "rating_scale_max": 5,
        "text": "ok",
    }
    lines = [
        json.dumps(good),
        "{not json",
        "[1, 2]",
        json.dumps({**good, "review_id": "V2", "rating": 6}),
    ]
    _land(root, "reviews", "r.jsonl", "\n".join(lines) + "\n")
    [result] = load_partition(con, REVIEWS, DAY, "run-1")
    assert (result.read, result.loaded, result.quarantined) == (4, 1, 3)
    assert _reasons(con) == {
        "malformed JSON": 1,
        "JSON value is not an object": 1,
        "rating outside 1..rating_scale_max": 1,
    }


def test_gzip_csv_and_truncated_gzip(env):
    root, con = env
    body = (
        "ticket_id,event_id,event_at,event_type,status\nT1,T1-1,2025-03-02T08:00:00Z,created,new\n"
    )
    _land(root, "tickets", "ok.csv.gz", gzip.compress(body.encode()))
    _land(root, "tickets", "cut.csv.gz", gzip.compress((body * 200).encode())[:60])
    results = {r.file.rsplit("/", 1)[1]: r for r in load_partition(con, TICKETS, DAY, "run-1")}
    assert results["ok.csv.gz"].loaded == 1
    assert results["cut.csv.gz"].loaded == 0 and results["cut.csv.gz"].quarantined >= 1


def test_latin1_bytes_in_a_file_declared_utf8_are_quarantined_not_lost(env):
    root, con = env
    content = (HEADER + "\nS1,rel,2025-03-02T10:00:00Z,R1,9,,Ótimo atendimento\n").encode("latin-1")
    _land(root, "surveys", "latin.csv", content)
    [result] = load_partition(con, SURVEYS, DAY, "run-1")
    assert result.read >= 1
    assert result.read == result.loaded + result.quarantined + result.duplicates
