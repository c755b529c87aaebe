"""`not_null_columns`, the one test per model that says which required columns are NULL
(dbt_project/macros/generic_tests.sql), run by dbt on reference data a deployment gave."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from cx_pipeline.settings import dbt_project_dir
from cx_pipeline.warehouse.dbt_project import dbt_executable


def _dbt_build_brands(data_dir: Path, seeds: Path) -> subprocess.CompletedProcess:
    project = dbt_project_dir()
    (data_dir / "warehouse").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "CX_DATA_DIR": str(data_dir),
        "CX_SEEDS_DIR": str(seeds),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    return subprocess.run(
        [dbt_executable(), "build", "--select", "brands", "--store-failures"]
        + ["--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--target-path", str(data_dir / "target")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_null_cells_fail_the_models_test_and_its_rows_name_the_columns(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(dbt_project_dir() / "seeds", seeds)
    brands = (seeds / "brands.csv").read_text().splitlines()
    header, first, second, *rest = brands
    assert header == "brand,is_own,industry,aliases"
    # One brand without its industry, another without its own-brand flag and industry.
    first = ",".join(v if i != 2 else "" for i, v in enumerate(first.split(",")))
    second = ",".join(v if i not in (1, 2) else "" for i, v in enumerate(second.split(",")))
    edited = "\n".join([header, first, second, *rest]) + "\n"
    (seeds / "brands.csv").write_text(edited)

    data_dir = tmp_path / "data"
    completed = _dbt_build_brands(data_dir, seeds)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output[-4000:]
    results = json.loads((data_dir / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results}
    # failures counts the NULL cells: three, in two columns.
    assert status["not_null_brands"] == ("fail", 3), status

    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        failing = con.execute(
            "SELECT null_column, null_rows FROM dbt_test__audit.not_null_brands "
            "ORDER BY null_column"
        ).fetchall()
    finally:
        con.close()
    assert failing == [("industry", 2), ("is_own", 1)]
    # dbt left the reference file as it was (it used to write the seed's SQL over it).
    assert (seeds / "brands.csv").read_text() == edited


def test_complete_reference_data_passes(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(dbt_project_dir() / "seeds", seeds)
    data_dir = tmp_path / "data"
    completed = _dbt_build_brands(data_dir, seeds)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    results = json.loads((data_dir / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results}
    assert status["not_null_brands"] == ("pass", 0), status
    for packaged in (dbt_project_dir() / "seeds").glob("*.csv"):
        assert (seeds / packaged.name).read_bytes() == packaged.read_bytes(), packaged.name
