import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from cx_pipeline.defs.automation import cx_daily_schedule, landing_sensor
from cx_pipeline.defs.partitions import DAILY, daily_partitions

ROOT = Path(__file__).resolve().parent.parent


def test_workspace_definitions_validate(tmp_path):
    env = {**os.environ, "CX_DATA_DIR": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_definitions_hold_assets_checks_schedule_and_sensor():
    from cx_pipeline.definitions import defs

    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {"raw/survey_responses", "raw/ticket_events", "raw/reviews"} <= keys
    assert {"staging/stg_survey_responses", "marts/mart_cx_kpis", "published/cx_marts"} <= keys
    # dbt sources resolve to the raw assets: staging depends on them.
    stg = dg.AssetKey(["staging", "stg_survey_responses"])
    assert dg.AssetKey(["raw", "survey_responses"]) in repo.asset_graph.get(stg).parent_keys
    checks = {c.name for c in repo.asset_graph.asset_check_keys}
    assert {"reconciliation", "quarantine_share"} <= checks
    assert any(name.startswith("unique_combination_mart_cx_kpis") for name in checks)
    assert repo.has_schedule_def("cx_daily_schedule")
    assert repo.has_sensor_def("landing_sensor")


def test_schedule_requests_yesterdays_partition():
    from cx_pipeline.definitions import defs

    today = datetime.now(UTC).date()
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(today.year, today.month, today.day, 2, 0, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    requests = cx_daily_schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == [(today - timedelta(days=1)).isoformat()]


def test_partitions_include_today():
    today = datetime.now(UTC).date().isoformat()
    assert DAILY.get_last_partition_key() == today


def test_partitions_start_at_the_first_landed_day(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CX_PARTITIONS_START", raising=False)
    today = datetime.now(UTC).date()
    assert daily_partitions().start.date() == today - timedelta(days=90)  # nothing landed

    for source, day in [("tickets", "2026-01-07"), ("surveys", "2026-01-05"), ("reviews", "x")]:
        (tmp_path / "landing" / source / day).mkdir(parents=True)
    assert daily_partitions().start.date().isoformat() == "2026-01-05"

    # A setting wins; the landing folders it leaves out are reported, not dropped silently.
    monkeypatch.setenv("CX_PARTITIONS_START", "2026-01-06")
    with caplog.at_level(logging.WARNING):
        assert daily_partitions().start.date().isoformat() == "2026-01-06"
    assert "1 landing folder(s) before the first partition 2026-01-06" in caplog.text


def _land(landing: Path, source: str, day: str, name: str, text: str) -> Path:
    folder = landing / source / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_sensor_requests_a_partition_for_each_new_or_changed_delivery(tmp_path, monkeypatch):
    from cx_pipeline.definitions import defs

    repo = defs.get_repository_def()
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    landing = tmp_path / "landing"
    now = datetime.now(UTC).date()
    today, yesterday = now.isoformat(), (now - timedelta(days=1)).isoformat()
    tomorrow = (now + timedelta(days=1)).isoformat()
    path = _land(landing, "tickets", today, "events.csv", "ticket_id\n")

    with dg.instance_for_test() as instance:

        def tick(cursor):
            context = dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repo)
            return landing_sensor.evaluate_tick(context)

        first = tick(None)
        assert [r.partition_key for r in first.run_requests] == [today]

        again = tick(first.cursor)
        assert again.run_requests == []

        # A second delivery the same day: new size and mtime, a new run key, a new run.
        path.write_text("ticket_id\nT-1\n")
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        second = tick(again.cursor)
        assert [r.partition_key for r in second.run_requests] == [today]
        assert second.run_requests[0].run_key != first.run_requests[0].run_key

        # Another source's folder of yesterday: only that day; tomorrow's is not a partition.
        _land(landing, "surveys", yesterday, "responses.csv", "response_id\n")
        _land(landing, "reviews", tomorrow, "reviews.jsonl", "{}\n")
        later = tick(second.cursor)
        assert [r.partition_key for r in later.run_requests] == [yesterday]
        # Tomorrow's file is not remembered as seen: it is requested once its day exists.
        assert f"reviews/{tomorrow}/reviews.jsonl" not in json.loads(later.cursor)["seen"]
        assert tick(later.cursor).run_requests == []
