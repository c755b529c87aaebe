import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from cx_pipeline.jobs import cx_daily_schedule, landing_sensor

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
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
    )
    requests = cx_daily_schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2025-03-02"]


def test_sensor_requests_a_partition_when_files_land(tmp_path, monkeypatch):
    from cx_pipeline.definitions import defs

    repo = defs.get_repository_def()
    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path))
    folder = tmp_path / "landing" / "tickets" / "2025-03-02"
    folder.mkdir(parents=True)
    (folder / "events.csv").write_text("ticket_id\n")

    first = landing_sensor.evaluate_tick(dg.build_sensor_context(repository_def=repo))
    assert [r.partition_key for r in first.run_requests] == ["2025-03-02"]

    again = landing_sensor.evaluate_tick(
        dg.build_sensor_context(cursor=first.cursor, repository_def=repo)
    )
    assert again.run_requests == []

    other = tmp_path / "landing" / "surveys" / "2025-03-03"
    other.mkdir(parents=True)
    (other / "responses.csv").write_text("response_id\n")
    later = landing_sensor.evaluate_tick(
        dg.build_sensor_context(cursor=first.cursor, repository_def=repo)
    )
    assert [r.partition_key for r in later.run_requests] == ["2025-03-03"]
