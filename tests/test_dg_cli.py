"""The project loads the `dg` way: `dg check defs` and `dg list defs` see every definition."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DG = str(Path(sys.executable).parent / "dg")


def _dg(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CX_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [DG, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_dg_check_defs(tmp_path):
    completed = _dg(tmp_path, "check", "defs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "All definitions loaded successfully" in completed.stdout + completed.stderr


def test_dg_list_defs(tmp_path):
    completed = _dg(tmp_path, "list", "defs", "--json")
    assert completed.returncode == 0, completed.stderr
    listed = json.loads(completed.stdout)
    assets = {a["asset_key"] for a in listed["assets"]}
    assert {"raw/survey_responses", "raw/ticket_events", "raw/reviews"} <= assets
    assert {"staging/stg_survey_responses", "marts/mart_cx_kpis", "published/cx_marts"} <= assets
    checks = {c["key"] for c in listed["asset_checks"]}
    assert {"raw/reviews:reconciliation", "raw/reviews:expectations"} <= checks
    assert [j["name"] for j in listed["jobs"]] == ["cx_daily"]
    assert [s["name"] for s in listed["schedules"]] == ["cx_daily_schedule"]
    assert {s["name"] for s in listed["sensors"]} == {
        "landing_sensor",
        "cx_run_failure_alerts",
        "cx_run_alert_digest",
    }
    assert "warehouse" in {r["name"] for r in listed["resources"]}
