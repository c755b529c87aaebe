"""Generated exports → Dagster → dbt on DuckDB → published mart, checked against an
independent computation over the landing files."""

import email
import hashlib
import json
import math
import socket
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import cli
from servers import HttpSink, SmtpSink

SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "overall_satisfaction": (1, 10)}


def _valid_scores(frame: pd.DataFrame) -> pd.Series:
    ok = pd.Series(True, index=frame.index)
    for column in frame.columns:
        if column in SCORE_RANGES:
            low, high = SCORE_RANGES[column]
        elif column.startswith(("exp_", "per_", "attr_")):
            low, high = 1, 7
        else:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        ok &= values.isna() | values.between(low, high)
    return ok


def _expected_nps(landing: Path, day: str) -> tuple[float, int, float, float]:
    frames = [pd.read_csv(p, dtype=str) for p in sorted((landing / "surveys" / day).iterdir())]
    raw = pd.concat(frames, ignore_index=True)
    valid = raw[_valid_scores(raw)].drop_duplicates()
    valid = valid.drop_duplicates("response_id", keep="last")
    role = valid["respondent_role"].fillna("customer")
    on_day = valid["submitted_at"].str[:10] == day
    nps = pd.to_numeric(valid.loc[on_day & (role == "customer"), "nps"]).dropna()
    promoters, detractors = (nps >= 9).sum(), (nps <= 6).sum()
    # The adjusted-Wald interval (docs/methodology.md, NPS): its centre and half-width.
    n = len(nps)
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    half_width = 100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / (n + 3))
    return 100.0 * (promoters - detractors) / n, n, 100.0 * (p - d), half_width


def _published(data_dir: Path, sql: str, params=None):
    con = duckdb.connect(str(data_dir / "published" / "cx.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_one_partition_end_to_end_nps_matches_independent_computation(tmp_path):
    cli(
        tmp_path,
        "generate",
        "--start",
        "2025-03-01",
        "--days",
        "2",
        "--scale",
        "0.1",
        "--seed",
        "5",
    )
    result = cli(tmp_path, "load", "--date", "2025-03-02")
    assert "published:" in result.stdout

    expected, n, centre, half_width = _expected_nps(tmp_path / "landing", "2025-03-02")
    rows = _published(
        tmp_path,
        "SELECT value, n, ci_low, ci_high FROM marts.mart_cx_kpis WHERE grain = 'day' "
        "AND kpi = 'nps' "
        "AND slice_name = 'all' AND period_start = DATE '2025-03-02'",
    )
    assert len(rows) == 1
    assert rows[0][1] == n
    assert rows[0][0] == pytest.approx(expected, abs=1e-9)
    assert rows[0][2] == pytest.approx(max(centre - half_width, -100), abs=1e-9)
    assert rows[0][3] == pytest.approx(min(centre + half_width, 100), abs=1e-9)
    # Only the requested partition was loaded.
    days = _published(
        tmp_path,
        "SELECT DISTINCT partition_date FROM audit.load_reconciliation ORDER BY 1",
    )
    assert [str(d[0]) for d in days] == ["2025-03-02"]


def test_range_loads_in_one_run_and_reconciles(loaded_demo):
    recon = _published(
        loaded_demo,
        "SELECT source, partition_date, rows_read, rows_loaded, rows_quarantined, "
        "rows_duplicate, run_id FROM audit.load_reconciliation",
    )
    assert {r[0] for r in recon} == {"surveys", "tickets", "reviews"}
    assert {str(r[1]) for r in recon} == {"2025-03-03", "2025-03-04", "2025-03-05"}
    assert all(r[2] == r[3] + r[4] + r[5] for r in recon)
    assert len({r[6] for r in recon}) == 1, "a range must load in a single run"
    # The generator's defects are caught, not loaded.
    assert sum(r[4] for r in recon) > 0
    assert sum(r[5] for r in recon) > 0
    kpis = dict(
        _published(
            loaded_demo,
            "SELECT kpi, count(*) FROM marts.mart_cx_kpis WHERE grain = 'day' "
            "AND slice_name = 'all' GROUP BY 1",
        )
    )
    for kpi in ("nps", "csat_top2_share", "tickets_created", "rating_mean"):
        assert kpis.get(kpi) == 3, kpi


def test_published_copy_holds_no_raw_personal_data(loaded_demo):
    schemas = {r[0] for r in _published(loaded_demo, "SELECT schema_name FROM duckdb_tables()")}
    assert schemas == {"marts", "audit"}
    columns = {
        r[0]
        for r in _published(
            loaded_demo,
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'quarantine'",
        )
    }
    assert "original_row" not in columns and "reason" in columns


def test_reloading_a_partition_does_not_double_records(loaded_demo):
    def counts():
        con = duckdb.connect(str(loaded_demo / "warehouse" / "cx.duckdb"), read_only=True)
        try:
            return [
                con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]
                for t in ("survey_responses", "ticket_events", "reviews")
            ]
        finally:
            con.close()

    before = counts()
    cli(loaded_demo, "load", "--date", "2025-03-04")
    assert counts() == before


def test_blocking_check_failure_stops_downstream_alerts_and_keeps_published_file(
    loaded_demo, monkeypatch
):
    data_dir = loaded_demo
    published = data_dir / "published" / "cx.duckdb"
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    bad_day = data_dir / "landing" / "surveys" / "2025-03-06"
    bad_day.mkdir(parents=True)
    lines = ["response_id,submitted_at,nps,channel"]
    lines += [f"BAD-{i},2025-03-06T10:00:00Z,{15 if i % 2 else 8},web" for i in range(40)]
    # The same id twice with different answers: both versions load, the suite's
    # per-partition key uniqueness fails.
    lines += ["DUP-1,2025-03-06T11:00:00Z,9,web", "DUP-1,2025-03-06T11:05:00Z,3,web"]
    (bad_day / "broken.csv").write_text("\n".join(lines) + "\n")

    with HttpSink() as webhook, SmtpSink() as smtp:
        monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", webhook.url)
        monkeypatch.setenv("CX_ALERT_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CX_ALERT_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("CX_ALERT_SMTP_TO", "oncall@example.com")
        result = cli(data_dir, "load", "--date", "2025-03-06", check=False)

    assert result.returncode == 1
    assert "FAILED [ERROR] raw/survey_responses quarantine_share: observed 0.47619" in result.stdout
    assert "NOT published" in result.stdout
    assert hashlib.sha256(published.read_bytes()).hexdigest() == digest
    # Downstream of the failed blocking check nothing materialized in this run.
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        days = con.execute(
            "SELECT count(*) FROM marts.mart_cx_kpis WHERE period_start = DATE '2025-03-06'"
        ).fetchone()[0]
        stored = con.execute(
            "SELECT passed, observed_value FROM audit.check_results "
            "WHERE check_name = 'quarantine_share' AND partition = '2025-03-06' "
            "AND asset = 'raw/survey_responses'"
        ).fetchall()
    finally:
        con.close()
    assert days == 0
    assert stored == [(False, "0.47619")]

    alerts = [
        json.loads(line) for line in (data_dir / "alerts" / "alerts.jsonl").read_text().splitlines()
    ]
    check_alerts = [a for a in alerts if a["check"] == "quarantine_share"]
    assert len(check_alerts) == 1
    assert check_alerts[0]["asset"] == "raw/survey_responses"
    assert check_alerts[0]["partition"] == "2025-03-06"
    assert check_alerts[0]["observed_value"] == 0.47619
    unique = [a for a in alerts if "unique" in a["check"] and a["severity"] == "ERROR"]
    assert unique and unique[0]["asset"] == "raw/survey_responses"
    assert "DUP-1" in json.dumps(unique[0])
    posted = [p for p in webhook.posts if p["check"] == "quarantine_share"]
    assert len(posted) == 1
    assert (posted[0]["asset"], posted[0]["partition"], posted[0]["observed_value"]) == (
        "raw/survey_responses",
        "2025-03-06",
        0.47619,
    )
    assert any("unique" in p["check"] for p in webhook.posts)
    # E-mail is for people: the share as a count and a percentage against the limit.
    bodies = [email.message_from_string(m).get_payload(decode=True).decode() for m in smtp.messages]
    mail = " ".join("\n".join(bodies).split())
    for text in (
        "raw/survey_responses",
        "2025-03-06",
        "quarantine_share",
        "20 of 42 rows (47.6%) quarantined, above the 5% limit",
    ):
        assert text in mail, text


def test_warning_failure_alerts_without_blocking_and_a_dead_sink_does_not_fail_the_run(
    loaded_demo, monkeypatch
):
    data_dir = loaded_demo
    published = data_dir / "published" / "cx.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    day = data_dir / "landing" / "surveys" / "2025-03-06"
    day.mkdir(parents=True)
    # Valid rows, but no channel at all: the suite's completeness expectation on channel is
    # a warning (the channel slice will be empty), not a reason to stop the build.
    rows = ["response_id,submitted_at,respondent_role,nps"]
    rows += [f"W-{i},2025-03-06T10:00:00Z,customer,{i % 11}" for i in range(60)]
    (day / "no_channel.csv").write_text("\n".join(rows) + "\n")
    with socket.socket() as probe:  # a port nobody listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    monkeypatch.setenv("CX_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{dead_port}/hook")
    monkeypatch.setenv("CX_ALERT_RETRY_BASE_SECONDS", "0.01")

    result = cli(data_dir, "load", "--date", "2025-03-06")

    assert "published:" in result.stdout
    assert hashlib.sha256(published.read_bytes()).hexdigest() != before
    alerts = [
        json.loads(line) for line in (data_dir / "alerts" / "alerts.jsonl").read_text().splitlines()
    ]
    warnings = [a for a in alerts if a["severity"] == "WARN" and a["partition"] == "2025-03-06"]
    assert any("channel" in a["check"] for a in warnings), alerts
    assert not [a for a in alerts if a["severity"] == "ERROR" and a["partition"] == "2025-03-06"]


EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE = r"\+?\d[\d\s().-]{7,}\d"


def test_personal_data_is_hashed_and_redacted_before_staging(loaded_demo):
    con = duckdb.connect(str(loaded_demo / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        raw_emails = con.execute(
            "SELECT count(*) FROM raw.survey_responses WHERE regexp_matches(comment, ?)",
            [EMAIL],
        ).fetchone()[0]
        raw_review_pii = con.execute(
            "SELECT count(*) FROM raw.reviews WHERE regexp_matches(text, ?) "
            "OR regexp_matches(text, ?)",
            [EMAIL, PHONE],
        ).fetchone()[0]
        staged = con.execute(
            "SELECT count(*) FILTER (WHERE regexp_matches(comment, ?)), "
            "count(*) FILTER (WHERE comment LIKE '%[email]%'), "
            "count(*) FILTER (WHERE NOT regexp_matches(respondent_key, '^[0-9a-f]{64}$')) "
            "FROM staging.stg_survey_responses",
            [EMAIL],
        ).fetchone()
        review_left = con.execute(
            "SELECT count(*) FROM staging.stg_reviews WHERE regexp_matches(text, ?) "
            "OR regexp_matches(text, ?)",
            [EMAIL, PHONE],
        ).fetchone()[0]
        respondent = con.execute(
            "SELECT respondent_id FROM raw.survey_responses WHERE respondent_id IS NOT NULL LIMIT 1"
        ).fetchone()[0]
        keys = con.execute(
            "SELECT count(*) FROM staging.stg_survey_responses WHERE respondent_key = ?",
            [respondent],
        ).fetchone()[0]
    finally:
        con.close()
    assert raw_emails > 0 and raw_review_pii > 0, "the generator writes some contact details"
    assert staged[0] == 0 and staged[1] >= raw_emails and staged[2] == 0
    assert review_left == 0
    assert keys == 0, "ids are never stored in clear in staging"


def test_demo_salt_warns_loudly(tmp_path, monkeypatch):
    monkeypatch.delenv("CX_PII_SALT", raising=False)
    result = cli(tmp_path, "load", "--all", check=False)
    assert result.returncode == 1  # nothing landed yet
    assert "nothing to load" in result.stdout
    assert "WARNING: CX_PII_SALT is not set" in result.stderr
    monkeypatch.setenv("CX_PII_SALT", "a-real-secret")
    assert "CX_PII_SALT" not in cli(tmp_path, "load", "--all", check=False).stderr
