"""The dbt unit tests (hand-worked rows for every formula, in the models' .yml files).

Loads exclude them (they check formulas, not data); here they run against a warehouse the
pipeline built, because dbt reads the input relations' column types from it."""

import os
import subprocess
from pathlib import Path

from cx_pipeline.settings import dbt_project_dir
from cx_pipeline.warehouse.dbt_project import dbt_executable


def test_every_dbt_unit_test_passes(loaded_demo, tmp_path):
    project = dbt_project_dir()
    env = {
        **os.environ,
        "CX_DATA_DIR": str(loaded_demo),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    completed = subprocess.run(
        [
            dbt_executable(),
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-5000:]
    done = [line for line in output.splitlines() if "Done. PASS=" in line]
    assert done, output[-2000:]
    passed = int(done[-1].split("PASS=")[1].split()[0])
    assert passed >= 20, done[-1]
    assert Path(project / "models").is_dir()
