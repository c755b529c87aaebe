"""The dbt unit tests (hand-worked rows for every formula, in the models' .yml files).

Loads exclude them (they check formulas, not data). dbt reads the input relations' column
types from the warehouse, so they run against one whose schema is complete and empty: raw
and audit tables created by the loader from the canonical records, then every seed and
model built with `dbt build --empty`."""

import json
import os
import subprocess
from pathlib import Path

import duckdb
import yaml

from cx_pipeline.ingest.canonical import SOURCES
from cx_pipeline.ingest.loader import ensure_tables
from cx_pipeline.settings import dbt_project_dir
from cx_pipeline.warehouse.dbt_project import dbt_executable


def _defined_unit_tests(project: Path) -> set[str]:
    names = set()
    for path in (project / "models").rglob("*.yml"):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []:
            names.add(f"{test['model']}.{test['name']}")
    return names


def _dbt(project: Path, data_dir: Path, target: Path, *args: str) -> str:
    env = {**os.environ, "CX_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    # The packaged seeds, whatever the environment says.
    env.pop("CX_SEEDS_DIR", None)
    completed = subprocess.run(
        [dbt_executable(), *args]
        + ["--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--target-path", str(target)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    return output


def test_every_dbt_unit_test_passes(tmp_path):
    project = dbt_project_dir()
    defined = _defined_unit_tests(project)
    assert len(defined) >= 20, sorted(defined)

    data_dir, target = tmp_path / "data", tmp_path / "target"
    (data_dir / "warehouse").mkdir(parents=True)
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"))
    for source in SOURCES.values():
        ensure_tables(con, source)
    con.close()
    _dbt(project, data_dir, target, "build", "--empty", "--exclude-resource-type", "unit_test")

    output = _dbt(project, data_dir, target, "test", "--select", "test_type:unit")
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"].removeprefix("unit_test.cx_warehouse."): r["status"] for r in results}
    assert set(ran) == defined, output[-3000:]
    assert all(status == "pass" for status in ran.values()), ran
    done = [line for line in output.splitlines() if "Done. PASS=" in line]
    assert done and f"PASS={len(defined)} " in done[-1], output[-2000:]
