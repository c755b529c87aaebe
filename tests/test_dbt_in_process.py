"""dbt run inside this process (cx_pipeline/warehouse/dbt_in_process.py): its result events
become Dagster events, a failed build says so, and DuckDB's file is free again afterwards."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from cx_pipeline.defs.dbt import CX_DBT_TRANSLATOR, DBT_MANIFEST
from cx_pipeline.settings import dbt_project_dir
from cx_pipeline.warehouse.dbt_in_process import dbt_in_process


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A data directory with the packaged seeds in a folder of its own, for dbt's profile."""
    seeds = tmp_path / "seeds"
    shutil.copytree(dbt_project_dir() / "seeds", seeds)
    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    monkeypatch.setenv("CX_DATA_DIR", str(data))
    monkeypatch.setenv("CX_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "none")
    return data


def _build_brands(data_dir: Path):
    project = dbt_project_dir()
    return dbt_in_process(
        ["build", "--select", "brands"],
        context=None,
        manifest=DBT_MANIFEST,
        translator=CX_DBT_TRANSLATOR,
        project_dir=project,
        profiles_dir=project,
        target_path=data_dir / "target",
    )


def _opens_with_another_configuration(database: Path) -> int:
    # DuckDB refuses a second configuration for a file this process holds open.
    con = duckdb.connect(str(database), config={"memory_limit": "256MB", "threads": 1})
    try:
        return con.execute("SELECT count(*) FROM reference.brands").fetchone()[0]
    finally:
        con.close()


def test_a_build_gives_the_seed_and_its_tests_as_dagster_events(data_dir):
    invocation = _build_brands(data_dir)
    assert invocation.is_successful(), invocation.error
    assert invocation.error is None
    names = [e["info"]["name"] for e in invocation.raw_events]
    assert names.count("LogSeedResult") == 1, names
    assert names.count("LogTestResult") >= 2, names  # unique + not_null_columns at least
    events = list(invocation.stream())
    materialized = [e for e in events if isinstance(e, dg.AssetMaterialization)]
    assert [e.asset_key for e in materialized] == [dg.AssetKey(["reference", "brands"])]
    checks = [e for e in events if isinstance(e, dg.AssetCheckEvaluation)]
    assert checks and all(c.passed for c in checks), checks
    assert all(c.asset_key == dg.AssetKey(["reference", "brands"]) for c in checks)
    results = invocation.get_artifact("run_results.json")["results"]
    assert {r["status"] for r in results} <= {"success", "pass"}
    seeded = (dbt_project_dir() / "seeds" / "brands.csv").read_text().strip().splitlines()
    assert _opens_with_another_configuration(data_dir / "warehouse" / "cx.duckdb") == (
        len(seeded) - 1
    )


def test_a_failing_test_fails_the_build_and_still_frees_the_file(data_dir, tmp_path):
    brands = tmp_path / "seeds" / "brands.csv"
    header, first, *rest = brands.read_text().splitlines()
    first = ",".join(v if i != 2 else "" for i, v in enumerate(first.split(",")))  # no industry
    brands.write_text("\n".join([header, first, *rest]) + "\n")
    invocation = _build_brands(data_dir)
    assert not invocation.is_successful()
    failed = [
        e for e in invocation.stream() if isinstance(e, dg.AssetCheckEvaluation) and not e.passed
    ]
    assert [c.check_name for c in failed] == ["not_null_brands"], failed
    assert failed[0].asset_key == dg.AssetKey(["reference", "brands"])
    assert _opens_with_another_configuration(data_dir / "warehouse" / "cx.duckdb") == len(rest) + 1


def test_a_build_that_cannot_start_says_why(data_dir, tmp_path):
    project = dbt_project_dir()
    invocation = dbt_in_process(
        ["build"],
        context=None,
        manifest=DBT_MANIFEST,
        translator=CX_DBT_TRANSLATOR,
        project_dir=tmp_path / "no-such-project",
        profiles_dir=project,
        target_path=data_dir / "target",
    )
    assert not invocation.is_successful()
    assert invocation.raw_events == []
    assert "no-such-project" in (invocation.error or ""), invocation.error
