"""After a kill: a load killed with SIGKILL leaves its run STARTED and, during the publish
copy, a temporary file; the next load fails and alerts the run once and removes the file."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import dagster as dg
from conftest import ROOT, cli

from cx_pipeline.alerts import read_alerts
from cx_pipeline.instance import recovery


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _instance(data_dir) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(data_dir / "dagster_home"))


def _wait_for_started_run(data_dir, process, timeout=300.0) -> str:
    """The run id once the load's run is STARTED. Read from the run storage's SQLite file
    with a busy timeout: a DagsterInstance opened beside a running load can fail on the
    database lock, and a poll that swallowed those failures missed the whole run."""
    runs_db = data_dir / "dagster_home" / "history" / "runs.db"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the load ended before it could be killed"
        if runs_db.exists():
            try:
                with sqlite3.connect(f"file:{runs_db}?mode=ro", uri=True, timeout=10) as db:
                    row = db.execute(
                        "SELECT run_id FROM runs WHERE status = 'STARTED' LIMIT 1"
                    ).fetchone()
            except sqlite3.OperationalError:  # the table is still being created
                row = None
            if row:
                return row[0]
        time.sleep(0.2)
    raise AssertionError("no run reached STARTED")


def test_next_load_fails_and_alerts_a_killed_run_and_removes_stale_copies(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    cli(data_dir, "generate", "--start", "2025-03-03", "--days", "2", "--scale", "0.1")
    env = {**os.environ, "CX_DATA_DIR": str(data_dir)}
    env.pop("DAGSTER_HOME", None)
    load = subprocess.Popen(
        [sys.executable, "-m", "cx_pipeline.cli", "load", "--all"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so that dbt, its child, dies with it as on a lost machine
    )
    try:
        killed_run = _wait_for_started_run(data_dir, load)
        time.sleep(2)
    finally:
        os.killpg(load.pid, signal.SIGKILL)
        load.wait()
    assert _instance(data_dir).get_run_by_id(killed_run).status == dg.DagsterRunStatus.STARTED

    published = data_dir / "published"
    published.mkdir(exist_ok=True)
    dead = _dead_pid()
    stale = [published / f".cx.duckdb.{dead}.tmp", published / f".cx.duckdb.{dead}.tmp.wal"]
    live = published / f".cx.duckdb.{os.getpid()}.tmp"  # a writer that is still running
    for path in [*stale, live]:
        path.write_bytes(b"half a copy")

    out = cli(data_dir, "load", "--all").stdout
    assert f"run {killed_run} was left unfinished" in out

    instance = _instance(data_dir)
    run = instance.get_run_by_id(killed_run)
    assert run.status == dg.DagsterRunStatus.FAILURE
    assert run.tags[recovery.PID_TAG] == str(load.pid)
    assert not any(path.exists() for path in stale)
    assert live.exists()
    assert (published / "cx.duckdb").exists()

    monkeypatch.setenv("CX_DATA_DIR", str(data_dir))
    # A later start-up finds nothing more to do: the run is alerted exactly once.
    assert recovery.fail_dead_runs(instance) == []
    alerts = [a for a in read_alerts() if a.run_id == killed_run]
    assert len(alerts) == 1
    assert alerts[0].kind == "run_failed" and "died" in alerts[0].message
    assert alerts[0].partition == "2025-03-03..2025-03-04"


def test_a_reused_pid_is_not_the_dead_writer(tmp_path):
    me = os.getpid()
    assert recovery.process_alive(me, recovery.process_start(me))
    assert not recovery.process_alive(_dead_pid())
    if recovery.process_start(me):  # Linux: another start time means another process
        assert not recovery.process_alive(me, "1")
    (tmp_path / "cx.duckdb").write_bytes(b"")
    (tmp_path / f".cx.duckdb.{_dead_pid()}.tmp").write_bytes(b"")
    assert [p.name for p in recovery.remove_stale_temporaries(tmp_path)][0].endswith(".tmp")
    assert [p.name for p in tmp_path.iterdir()] == ["cx.duckdb"]


def test_a_manifest_cut_short_by_a_kill_is_parsed_again(tmp_path, monkeypatch):
    from cx_pipeline import settings
    from cx_pipeline.warehouse.dbt_project import ensure_manifest

    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CX_DBT_TARGET_PATH", str(tmp_path / "target"))
    manifest = ensure_manifest(settings.dbt_project_dir())
    whole = manifest.read_bytes()
    manifest.write_bytes(whole[: len(whole) // 2])  # newer than every source, but cut short
    assert ensure_manifest(settings.dbt_project_dir()) == manifest
    assert json.loads(manifest.read_bytes())["metadata"]


def test_the_definitions_read_a_manifest_no_build_rewrites(tmp_path, monkeypatch):
    from cx_pipeline import settings
    from cx_pipeline.warehouse.dbt_project import definitions_manifest

    monkeypatch.setenv("CX_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CX_DBT_TARGET_PATH", str(tmp_path / "target"))
    snapshot = definitions_manifest(settings.dbt_project_dir())
    manifest = tmp_path / "target" / "manifest.json"
    assert snapshot != manifest and snapshot.read_bytes() == manifest.read_bytes()
    # A dbt build of another process rewriting manifest.json, caught halfway.
    whole = manifest.read_bytes()
    manifest.write_bytes(whole[: len(whole) // 3])
    assert json.loads(snapshot.read_bytes())["metadata"]
    # The next process starting parses again and gets a whole copy.
    assert json.loads(definitions_manifest(settings.dbt_project_dir()).read_bytes())["nodes"]
    assert [p.name for p in snapshot.parent.glob(".manifest.definitions.json.*")] == []
