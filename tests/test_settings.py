"""One settings object: the README's variables are the registry's, and the data directory
of the warehouse resource is the one the loader, the landing sensor and the alerts use."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from cx_pipeline.defs.automation import cx_daily_job, landing_sensor
from cx_pipeline.defs.expectations import EXPECTATION_CHECKS
from cx_pipeline.defs.raw import RAW_ASSETS
from cx_pipeline.defs.resources import run_executor, warehouse_resource
from cx_pipeline.generate import generate
from cx_pipeline.settings import VARIABLES, SettingError, Settings

ROOT = Path(__file__).resolve().parent.parent


def _readme_variables() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.*?) \| .* \|$", section, flags=re.M)
    return dict(rows)


def test_readme_lists_every_variable_with_its_default():
    assert _readme_variables() == {v.name: v.documented_default for v in VARIABLES}


def test_settings_read_the_environment_given():
    settings = Settings.from_env({"CX_DATA_DIR": "/srv/cx", "CX_QUARANTINE_MAX_SHARE": "0.1"})
    assert settings.warehouse_path == Path("/srv/cx/warehouse/cx.duckdb")
    assert settings.quarantine_threshold == 0.1
    assert settings.quarantine_retention_days == 30
    assert settings.from_environment("CX_DATA_DIR")
    moved = settings.with_data_dir("/srv/other")
    assert moved.alerts_path == Path("/srv/other/alerts/alerts.jsonl")
    assert not moved.from_environment("CX_DATA_DIR")


def test_runs_execute_in_process_unless_the_deployment_names_multiprocess():
    assert run_executor(Settings.from_env({})) is dg.in_process_executor
    multiprocess = Settings.from_env({"CX_DAGSTER_EXECUTOR": "multiprocess"})
    assert run_executor(multiprocess) is dg.multiprocess_executor
    with pytest.raises(SettingError, match="CX_DAGSTER_EXECUTOR='k8s'"):
        run_executor(Settings.from_env({"CX_DAGSTER_EXECUTOR": "k8s"}))


def test_the_resources_data_dir_reaches_the_loader_the_sensor_and_the_alerts(tmp_path, monkeypatch):
    process_dir, other = tmp_path / "process", tmp_path / "other"
    monkeypatch.setenv("CX_DATA_DIR", str(process_dir))
    today = datetime.now(UTC).date()
    generate(other, today, 1, scale=0.05, seed=3, defects=False)
    # No reviews today: their suite raises a missing-delivery alert.
    for folder in (other / "landing" / "reviews").iterdir():
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    warehouse = warehouse_resource(Settings.from_env().with_data_dir(other))
    assert warehouse.data_dir == str(other)

    repo = dg.Definitions(
        assets=RAW_ASSETS,
        jobs=[cx_daily_job],
        sensors=[landing_sensor],
        resources={"warehouse": warehouse},
    ).get_repository_def()
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, repository_def=repo)
        requests = landing_sensor.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == [today.isoformat()]

    surveys, reviews = (a for a in RAW_ASSETS if a.key.path[-1] in ("survey_responses", "reviews"))
    reviews_suite = next(
        c for c in EXPECTATION_CHECKS if any(k.asset_key == reviews.key for k in c.check_keys)
    )
    result = dg.materialize(
        [surveys, reviews, reviews_suite],
        resources={"warehouse": warehouse},
        partition_key=today.isoformat(),
        raise_on_error=False,
    )
    assert result.success
    import duckdb

    con = duckdb.connect(str(other / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        (rows,) = con.execute("SELECT count(*) FROM raw.survey_responses").fetchone()
    finally:
        con.close()
    assert rows > 0
    journal = [json.loads(line) for line in (other / "alerts" / "alerts.jsonl").open()]
    assert {(a["asset"], a["check"]) for a in journal} == {("raw/reviews", "raw_reviews:delivery")}
    assert not process_dir.exists()
