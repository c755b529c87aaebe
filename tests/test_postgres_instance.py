"""The Dagster instance of a team's deployment, deploy/dagster.yaml, on a real PostgreSQL
server (tests/servers.py): the documented file loads as written, and the CLI's loads keep
their runs, materializations and check evaluations in the server, not in SQLite."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import duckdb
from conftest import ROOT, cli
from dagster._core.instance.config import PoolGranularity
from dagster_postgres import (
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)

from cx_pipeline.instance.home import ensure_dagster_home

DEPLOY_YAML = ROOT / "deploy" / "dagster.yaml"
DAY = "2025-03-03"


def _team_home(folder: Path) -> Path:
    """A Dagster home whose dagster.yaml is the documented one, byte for byte."""
    folder.mkdir(parents=True)
    shutil.copyfile(DEPLOY_YAML, folder / "dagster.yaml")
    return folder


def _database(postgres) -> str:
    return postgres.create_database(f"dagster_{uuid.uuid4().hex[:12]}")


def _rows(postgres, dbname: str, sql: str, *params) -> list[tuple]:
    con = postgres.connect(dbname)
    try:
        with con.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        con.close()


def test_the_documented_dagster_yaml_is_a_postgres_instance_with_a_run_queue(
    postgres, tmp_path, monkeypatch
):
    home = _team_home(tmp_path / "home")
    dbname = _database(postgres)
    for name, value in postgres.dagster_env(dbname).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    # What the CLI does before every load: an existing dagster.yaml is left as it is.
    assert ensure_dagster_home() == str(home)
    assert (home / "dagster.yaml").read_bytes() == DEPLOY_YAML.read_bytes()

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert not instance.telemetry_enabled
        assert instance.run_monitoring_enabled
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1
        assert concurrency.pool_config.pool_granularity == PoolGranularity.RUN
        queue = concurrency.run_queue_config
        assert queue.max_concurrent_runs == 4
        assert queue.tag_concurrency_limits == [
            {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
        ]
        assert instance.get_runs() == []
    tables = {row[0] for row in _rows(postgres, dbname, "SELECT tablename FROM pg_tables")}
    assert {"runs", "event_logs", "asset_check_executions", "jobs"} <= tables
    assert not (home / "history").exists()


# A load that died while its run was STARTED (a lost machine, the OOM killer): the run is
# created with the CLI's own process tags, and the process ends without another word.
_DIE_WITH_A_STARTED_RUN = """
import os, dagster as dg
from cx_pipeline.instance import recovery

@dg.op
def step():
    pass

@dg.job(name="cx_daily")
def job():
    step()

instance = dg.DagsterInstance.get()
tags = {**recovery.run_tags(), "dagster/partition": os.environ["DAY"]}
run = instance.create_run_for_job(job, status=dg.DagsterRunStatus.STARTED, tags=tags)
print(run.run_id, flush=True)
os._exit(9)
"""


def test_a_days_load_keeps_its_run_in_postgres_and_the_next_load_reads_it(postgres, tmp_path):
    data_dir = tmp_path / "data"
    cli(data_dir, "generate", "--start", DAY, "--days", "1", "--scale", "0.1", "--seed", "7")
    # Not the data directory's default home: the CLI takes DAGSTER_HOME as it is given.
    home = _team_home(tmp_path / "team_home")
    dbname = _database(postgres)
    env = {"DAGSTER_HOME": str(home), **postgres.dagster_env(dbname)}

    first = cli(data_dir, "load", "--date", DAY, env=env)
    assert "published:" in first.stdout, first.stdout
    run_id = re.search(r"^run (\S+): partitions", first.stdout, re.M)[1]
    published = duckdb.connect(str(data_dir / "published" / "cx.duckdb"), read_only=True)
    try:
        assert published.execute("SELECT count(*) FROM marts.mart_cx_kpis").fetchone()[0] > 0
    finally:
        published.close()

    assert _rows(postgres, dbname, "SELECT status FROM runs WHERE run_id = %s", run_id) == [
        ("SUCCESS",)
    ]
    materialized = {
        "/".join(json.loads(key))
        for (key,) in _rows(
            postgres,
            dbname,
            "SELECT asset_key FROM event_logs WHERE run_id = %s "
            "AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            run_id,
        )
    }
    assert {"raw/survey_responses", "raw/ticket_events", "raw/reviews"} <= materialized
    assert "marts/mart_cx_kpis" in materialized and "published/cx_marts" in materialized
    evaluations = _rows(
        postgres,
        dbname,
        "SELECT count(*) FROM event_logs WHERE run_id = %s "
        "AND dagster_event_type = 'ASSET_CHECK_EVALUATION'",
        run_id,
    )[0][0]
    # Dagster also leaves a PLANNED row per check and partition (on SQLite too): only the
    # evaluated ones are counted.
    evaluated = _rows(
        postgres,
        dbname,
        "SELECT count(*) FROM asset_check_executions WHERE run_id = %s "
        "AND execution_status IN ('SUCCEEDED', 'FAILED')",
        run_id,
    )[0][0]
    assert evaluations > 0 and evaluated == evaluations
    # Nothing went to SQLite: no history/ (runs.db, the event log's files) in either home.
    assert not list(home.rglob("*.db")), list(home.rglob("*"))
    assert not (home / "history").exists()
    assert not (data_dir / "dagster_home").exists()

    died = subprocess.run(
        [sys.executable, "-c", _DIE_WITH_A_STARTED_RUN],
        cwd=ROOT,
        env={**os.environ, **env, "DAY": DAY},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert died.returncode == 9, died.stderr
    dead_run = died.stdout.split()[0]

    # The same day again: the next load finds the dead run in Postgres and fails it, then
    # replaces the day's rows, as on the SQLite instance. They are the same rows, so dbt and
    # the publish are skipped and the published copy stays current.
    second = cli(data_dir, "load", "--date", DAY, env=env)
    assert (
        f"run {dead_run} was left unfinished by a process that died: marked failed" in second.stdout
    ), second.stdout
    assert "dbt build and publish skipped" in second.stdout, second.stdout
    second_run = re.search(r"^run (\S+): partitions", second.stdout, re.M)[1]
    statuses = dict(_rows(postgres, dbname, "SELECT run_id, status FROM runs"))
    assert statuses == {run_id: "SUCCESS", dead_run: "FAILURE", second_run: "SUCCESS"}
    warehouse = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        replaced = warehouse.execute("SELECT DISTINCT _run_id FROM raw.survey_responses")
        assert replaced.fetchall() == [(second_run,)]
    finally:
        warehouse.close()
    assert not list(home.rglob("*.db"))
